// A TSV file as pandas.read_table reads MMBench's: a header row, then rows of text fields; a field that starts with
// '"' is quoted ("" inside is a quote) and may hold tabs and newlines. Cells stay text; missing-value strings are
// recognised where they matter (eval/mmbench_eval.h pandas_na).
#pragma once
#include <string>
#include <vector>

namespace dpn::eval {

struct TsvTable {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() fields

  // Column position, or -1.
  int column(const std::string& name) const;
  // The cell of row r in column `name`, or "" when there is no such column.
  std::string cell(size_t r, const std::string& name) const;
};

// Throws dpn::Error naming the file (and the row) for an unreadable file, an empty one, an unterminated quote or a
// row whose field count differs from the header's.
TsvTable read_tsv(const std::string& path);

}  // namespace dpn::eval
