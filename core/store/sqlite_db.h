// A thin RAII layer over sqlite3: one connection, prepared statements, and errors that name the database file.
#pragma once
#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace dpn::store {

// One prepared statement. Bind by 1-based index, step, read columns by 0-based index.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& db_path, const std::string& sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept;

  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::string& v);
  Stmt& bind_null(int i);
  // Returns true while a row is available; throws dpn::Error on failure (naming the database and the SQL).
  bool step();
  void reset();  // clears bindings too
  void run() { step(); reset(); }

  bool is_null(int col) const;
  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string db_path_;
  std::string sql_;
};

// One connection. Throws dpn::Error naming `path` for every failure.
class Db {
 public:
  // Opens (creating if asked) the file. Does not check the schema; RunStore does.
  Db(const std::string& path, bool create);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql, const std::string& what = "");
  // As exec, but returns false instead of throwing when another connection holds the lock sqlite needs (SQLITE_BUSY
  // that the busy timeout did not absorb, as a journal-mode switch reports at once).
  bool exec_unless_busy(const std::string& sql, const std::string& what);
  Stmt prepare(const std::string& sql) { return Stmt(db_, path_, sql); }
  int64_t last_insert_rowid() const;
  int changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Turns an sqlite result code into a dpn::Error naming the file, what we were doing and, for the codes a user can
// act on (full disk, not a database, locked, read-only), what to do next.
[[noreturn]] void throw_sqlite_error(sqlite3* db, int rc, const std::string& db_path, const std::string& what);

// RAII transaction: BEGIN IMMEDIATE on construction, ROLLBACK in the destructor unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace dpn::store
