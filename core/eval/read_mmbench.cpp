// Reader for MMBench's TSV (index, question, hint, A-D, answer, category, image as base64, l2-category, ...), with
// the prompt model_vqa_mmbench.py builds (--single-pred-prompt, first round only; no circular evaluation).
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include "eval/dataset.h"
#include "util/error.h"
#include "util/regular_file.h"

namespace dpn::eval {

namespace {

const std::string kLetterSuffix = "\nAnswer with the option's letter from the given choices directly.";

// Splits TSV text into rows of fields. A field that starts with '"' is quoted ("" inside is a quote) and may hold
// tabs and newlines, as pandas.read_table reads it.
std::vector<std::vector<std::string>> parse_tsv(const std::string& text, const std::string& path) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  size_t i = 0;
  bool at_field_start = true;
  while (i < text.size()) {
    char c = text[i];
    if (at_field_start && c == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) throw Error(path, "unterminated quoted field in row " + std::to_string(rows.size()));
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
      at_field_start = false;
      continue;
    }
    at_field_start = false;
    if (c == '\t') {
      rows.back().push_back(field);
      field.clear();
      at_field_start = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      at_field_start = true;
    } else {
      field.push_back(c);
    }
    ++i;
  }
  if (!field.empty() || !rows.back().empty()) rows.back().push_back(field);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// pandas reads these as NaN; eval_mmbench.py's is_none() treats them as missing.
bool is_none(const std::string& v) {
  std::string l;
  for (char c : v) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return l.empty() || l == "nan" || l == "none" || l == "na" || l == "n/a" || l == "null";
}

std::string base64_decode(const std::string& in, const std::string& where) {
  static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    auto v = chars.find(c);
    if (v == std::string::npos) throw Error(where, "image column is not valid base64");
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::vector<EvalSample> read_mmbench(const DatasetSpec& spec) {
  refuse_special_file(spec.questions);
  std::ifstream f(spec.questions, std::ios::binary);
  if (!f) throw Error(spec.questions, "cannot open the MMBench TSV file (check the path)");
  std::stringstream ss;
  ss << f.rdbuf();
  auto rows = parse_tsv(ss.str(), spec.questions);
  if (rows.empty()) throw Error(spec.questions, "empty file; expected a header row");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
  for (const char* need : {"index", "question", "A", "B", "image"})
    if (!col.count(need)) throw Error(spec.questions, std::string("header has no '") + need + "' column");
  std::vector<EvalSample> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string where = spec.questions + ": row " + std::to_string(r + 1);
    if (row.size() != rows[0].size())
      throw Error(where, "has " + std::to_string(row.size()) + " fields, the header has " + std::to_string(rows[0].size()));
    auto get = [&](const std::string& name) { return col.count(name) ? row[col[name]] : std::string(); };
    EvalSample s;
    s.id = get("index");
    std::vector<std::string> options;
    for (const char* letter : {"A", "B", "C", "D"}) {
      if (!col.count(letter) || is_none(get(letter))) break;
      options.push_back(get(letter));
    }
    std::string question = get("question");
    if (!is_none(get("hint"))) question = get("hint") + "\n" + question;
    const char* letters = "ABCD";
    for (size_t i = 0; i < options.size(); ++i) question += std::string("\n") + letters[i] + ". " + options[i];
    s.question = question + kLetterSuffix;
    s.image_data = base64_decode(get("image"), where);
    if (s.image_data.empty()) throw Error(where, "the image column is empty");
    if (!is_none(get("answer"))) s.answers = {get("answer")};
    s.category = get("category");
    s.family = get("l2-category");
    s.extra["options"] = options;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace dpn::eval
