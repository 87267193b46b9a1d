// Writing an export (`dpn runs export --out FILE`) without losing anything: the target is checked first, the text
// goes to a temporary file beside it that is renamed into place, and a failure leaves neither a half-written FILE
// nor the temporary behind.
#pragma once
#include <string>

namespace dpn::store {

// Throws dpn::Error naming `out` when it must not be overwritten: the run database `db_path` itself (by file
// identity, through links) or its -wal/-shm/-journal companions; any existing SQLite database or SQLite WAL file;
// anything that is not a regular file (folder, FIFO, device, socket).
void check_export_target(const std::string& out, const std::string& db_path);

// Writes `text` to `out` via a uniquely named temporary in the same folder (fsync, then rename). On failure the
// temporary is removed and `out` is as it was; throws dpn::Error naming `out`.
void write_export(const std::string& out, const std::string& text);

}  // namespace dpn::store
