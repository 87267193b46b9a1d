// The run database's schema as an ordered list of migrations; migration i brings the file to version i + 1.
#pragma once
#include <string>
#include <vector>

namespace dpn::store {

class Db;

const std::vector<std::string>& schema_migrations();

// Reads schema_version (0 for a fresh file), refuses versions newer than this build, applies the missing
// migrations in one transaction each. Throws dpn::Error naming the file.
void migrate(Db& db);

// Reads the version without changing anything (0 when the table is missing).
int read_schema_version(Db& db);

}  // namespace dpn::store
