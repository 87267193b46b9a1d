// Reader for MMBench / MMBench-CN TSVs (index, question, hint, A-D, answer, category, image as base64, l2-category,
// split, ...; every rotation of a question's options is its own row, index + k * 1e6). The prompt is the one
// llava/eval/model_vqa_mmbench.py --single-pred-prompt builds (--lang cn for mmbench-cn); the choices for scoring
// are VLMEvalKit's build_choices (eval/mmbench_eval.h).
#include <cmath>
#include <map>

#include "eval/dataset.h"
#include "eval/mmbench_eval.h"
#include "eval/preset.h"
#include "eval/py_text.h"
#include "eval/tsv_table.h"
#include "util/error.h"
#include "util/printable.h"

namespace dpn::eval {

namespace {

// model_vqa_mmbench.py is_none on what pandas made of the cell: NaN, or the text "nan"/"none" in any case.
bool llava_is_none(const std::string& v) {
  const std::string l = py::lower(v);
  return pandas_na(v) || l == "nan" || l == "none";
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

int64_t parse_index(const std::string& text, const std::string& where, const char* column) {
  try {
    size_t pos = 0;
    const long long v = std::stoll(text, &pos);
    if (pos == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(where, std::string("column '") + column + "' must be an integer, got '" + printable(text) + "'");
}

}  // namespace

std::string mmbench_prompt(const std::string& hint, const std::string& question, const std::vector<std::string>& options,
                           const std::string& kind) {
  std::string q = question;
  if (!llava_is_none(hint)) q = hint + "\n" + q;
  const char* letters = "ABCD";
  for (size_t i = 0; i < options.size() && i < 4; ++i) q += std::string("\n") + letters[i] + ". " + options[i];
  return q + llava_prompt_suffix(kind);
}

std::vector<EvalSample> read_mmbench(const DatasetSpec& spec) {
  const TsvTable t = read_tsv(spec.questions);
  for (const char* need : {"index", "question", "A", "B", "image"})
    if (t.column(need) < 0) throw Error(spec.questions, std::string("header has no '") + need + "' column");
  std::map<std::string, std::string> image_of_index;
  for (size_t r = 0; r < t.rows.size(); ++r) image_of_index[t.cell(r, "index")] = t.cell(r, "image");
  std::vector<EvalSample> out;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const std::string where = spec.questions + ": row " + std::to_string(r + 2);
    EvalSample s;
    const int64_t index = parse_index(t.cell(r, "index"), where, "index");
    s.id = std::to_string(index);
    // get_options: A, B, C, D until the first missing one
    std::vector<std::string> options;
    for (const char* letter : {"A", "B", "C", "D"}) {
      if (t.column(letter) < 0 || llava_is_none(t.cell(r, letter))) break;
      options.push_back(t.cell(r, letter));
    }
    // build_choices: every column A..Z whose cell is not missing
    nlohmann::json choices = nlohmann::json::array();
    for (char c = 'A'; c <= 'Z'; ++c) {
      const std::string letter(1, c);
      if (t.column(letter) >= 0 && !pandas_na(t.cell(r, letter))) choices.push_back({letter, xlsx_text(t.cell(r, letter))});
    }
    s.question = mmbench_prompt(t.cell(r, "hint"), t.cell(r, "question"), options, spec.kind);
    // VLMEvalKit's TSVs store a repeated image once: other rows hold the index of that row (<= 64 characters).
    std::string image = t.cell(r, "image");
    if (image.size() <= 64) {
      auto it = image_of_index.find(image);
      if (it == image_of_index.end() || it->second.size() <= 64)
        throw Error(where, "the image column holds neither base64 data nor the index of a row that has it: '" +
                               printable(image) + "'");
      image = it->second;
    }
    s.image_data = base64_decode(image, where);
    if (s.image_data.empty()) throw Error(where, "the image column is empty");
    if (t.column("answer") >= 0 && !pandas_na(t.cell(r, "answer"))) s.answers = {t.cell(r, "answer")};
    s.category = t.cell(r, "category");
    s.family = t.cell(r, "l2-category");
    const int64_t group = t.column("g_index") >= 0 ? parse_index(t.cell(r, "g_index"), where, "g_index")
                                                    : static_cast<int64_t>(std::fmod(static_cast<double>(index), 1e6));
    s.extra["options"] = options;
    s.extra["choices"] = choices;
    s.extra["g_index"] = group;
    s.extra["split"] = t.column("split") >= 0 ? t.cell(r, "split") : "none";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace dpn::eval
