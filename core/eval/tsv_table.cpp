// TSV reading with pandas' quoting rules.
#include "eval/tsv_table.h"

#include <fstream>
#include <sstream>

#include "util/error.h"

namespace dpn::eval {

namespace {

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

}  // namespace

int TsvTable::column(const std::string& name) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::string TsvTable::cell(size_t r, const std::string& name) const {
  const int c = column(name);
  return c < 0 ? std::string() : rows.at(r)[static_cast<size_t>(c)];
}

TsvTable read_tsv(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(path, "cannot open the TSV file (check the path)");
  std::stringstream ss;
  ss << f.rdbuf();
  auto rows = parse_tsv(ss.str(), path);
  if (rows.empty()) throw Error(path, "empty file; expected a header row");
  TsvTable t;
  t.path = path;
  t.header = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() == 1 && rows[r][0].empty()) continue;  // blank line (pandas skips them)
    if (rows[r].size() != t.header.size())
      throw Error(path + ": row " + std::to_string(r + 1), "has " + std::to_string(rows[r].size()) +
                                                           " fields, the header has " + std::to_string(t.header.size()));
    t.rows.push_back(std::move(rows[r]));
  }
  return t;
}

}  // namespace dpn::eval
