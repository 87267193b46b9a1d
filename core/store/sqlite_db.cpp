// RAII sqlite3 connection and statements; every failure becomes a dpn::Error naming the database file.
#include "store/sqlite_db.h"

#include <sqlite3.h>

#include "util/error.h"

namespace dpn::store {

void throw_sqlite_error(sqlite3* db, int rc, const std::string& db_path, const std::string& what) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text = what + " failed: " + msg + " (sqlite code " + std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_FULL:
      text += ". The disk (or the database's size limit) is full; nothing already stored was lost. "
              "Free some space and run the same command again to resume.";
      break;
    case SQLITE_NOTADB:
      text += ". This file is not an SQLite database; pass another file with --db.";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      text += ". Another process holds the database; wait for it or use another --db.";
      break;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      text += ". Check that the file and its folder exist and are writable.";
      break;
    default:
      break;
  }
  throw Error(db_path, text);
}

Stmt::Stmt(sqlite3* db, const std::string& db_path, const std::string& sql) : db_(db), db_path_(db_path), sql_(sql) {
  int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite_error(db, rc, db_path, "preparing `" + sql.substr(0, 60) + "`");
}

Stmt::~Stmt() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Stmt::Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_), db_path_(std::move(o.db_path_)), sql_(std::move(o.sql_)) {
  o.stmt_ = nullptr;
}

Stmt& Stmt::bind(int i, int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string what = "running `" + sql_.substr(0, 60) + (sql_.size() > 60 ? "...`" : "`");
  sqlite3_reset(stmt_);
  throw_sqlite_error(db_, rc, db_path_, what);
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
}

Db::Db(const std::string& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(path, "cannot open the run database: " + msg +
                          (create ? "" : " (the file must exist; check the --db path)"));
  }
  sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

namespace {

int exec_rc(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);  // sqlite3_errmsg(db) keeps the message for throw_sqlite_error
  return rc;
}

}  // namespace

void Db::exec(const std::string& sql, const std::string& what) {
  const int rc = exec_rc(db_, sql);
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, path_, what.empty() ? "running `" + sql.substr(0, 60) + "`" : what);
}

bool Db::exec_unless_busy(const std::string& sql, const std::string& what) {
  const int rc = exec_rc(db_, sql);
  if ((rc & 0xff) == SQLITE_BUSY) return false;
  if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, path_, what);
  return true;
}

int64_t Db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Db::changes() const { return sqlite3_changes(db_); }

Transaction::Transaction(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE", "starting a transaction"); }

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT", "committing");
  done_ = true;
}

}  // namespace dpn::store
