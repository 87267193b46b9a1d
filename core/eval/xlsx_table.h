// A one-sheet spreadsheet written as .xlsx with libxlsxwriter (the format MMBench's server takes). Cells are typed as
// pandas' to_excel would write them: numbers, text, or empty for a missing value.
#pragma once
#include <string>
#include <vector>

namespace dpn::eval {

struct XlsxCell {
  enum class Type { Empty, Number, Text };
  Type type = Type::Empty;
  double number = 0;
  std::string text;

  static XlsxCell empty() { return {}; }
  static XlsxCell num(double v) { return {Type::Number, v, ""}; }
  static XlsxCell str(std::string s) { return {Type::Text, 0, std::move(s)}; }
};

struct XlsxTable {
  std::string sheet = "Sheet1";  // pandas' default sheet name
  std::vector<std::string> columns;
  std::vector<std::vector<XlsxCell>> rows;  // each row has columns.size() cells
};

// Writes `path` (header row, then the rows). Throws dpn::Error naming the file when it cannot be written, or the
// cell when a text exceeds Excel's 32767 characters.
void write_xlsx(const XlsxTable& table, const std::string& path);

}  // namespace dpn::eval
