// .xlsx output through libxlsxwriter.
#include "eval/xlsx_table.h"

#include <xlsxwriter.h>

#include "util/error.h"

namespace dpn::eval {

void write_xlsx(const XlsxTable& t, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) throw Error(path, "cannot create the .xlsx file (check the folder)");
  lxw_worksheet* ws = workbook_add_worksheet(wb, t.sheet.c_str());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  auto check = [&](lxw_error e, size_t r, size_t c) {
    if (e == LXW_NO_ERROR) return;
    workbook_close(wb);
    std::remove(path.c_str());
    throw Error(path + ": row " + std::to_string(r + 1) + ", column " + std::to_string(c + 1),
                std::string("cannot write the cell: ") + lxw_strerror(e));
  };
  for (size_t c = 0; c < t.columns.size(); ++c)
    check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.columns[c].c_str(), bold), 0, c);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    if (t.rows[r].size() != t.columns.size())
      throw Error(path, "row " + std::to_string(r + 2) + " has " + std::to_string(t.rows[r].size()) + " cells for " +
                            std::to_string(t.columns.size()) + " columns");
    for (size_t c = 0; c < t.rows[r].size(); ++c) {
      const XlsxCell& cell = t.rows[r][c];
      const auto row = static_cast<lxw_row_t>(r + 1);
      const auto col = static_cast<lxw_col_t>(c);
      if (cell.type == XlsxCell::Type::Number) check(worksheet_write_number(ws, row, col, cell.number, nullptr), r + 1, c);
      else if (cell.type == XlsxCell::Type::Text) check(worksheet_write_string(ws, row, col, cell.text.c_str(), nullptr), r + 1, c);
    }
  }
  const lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR) throw Error(path, std::string("cannot write the .xlsx file: ") + lxw_strerror(e));
}

}  // namespace dpn::eval
