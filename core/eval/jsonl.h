// Reading JSON Lines (and whole JSON files) with errors that name the file and the line.
#pragma once
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace dpn::eval {

// Calls `fn(object, line_number)` for each non-blank line. A line that is not a JSON object throws dpn::Error
// "<path>:<line>: ...". Errors thrown by `fn` as dpn::Error without a line get the line added.
// With `skipped`, a line that is not a JSON object is counted there and skipped instead (as LLaVA's submission
// converters do with their try/except).
void read_jsonl(const std::string& path, const std::function<void(const nlohmann::json&, int line)>& fn,
                int* skipped = nullptr);

// Parses a whole JSON file; dpn::Error naming the file (and the byte offset) on failure.
nlohmann::json read_json_file(const std::string& path);

// Field access that names the file, the line and the field on error.
std::string json_string(const nlohmann::json& j, const char* key, const std::string& where);
// question_id may be an integer or a string in LLaVA's files; returns its text form.
std::string json_id(const nlohmann::json& j, const char* key, const std::string& where);

}  // namespace dpn::eval
