// JSON Lines reader and checked field access for the dataset readers.
#include "eval/jsonl.h"

#include <fstream>
#include <sstream>

#include "util/error.h"
#include "util/json_error.h"
#include "util/printable.h"
#include "util/json_parse.h"
#include "util/regular_file.h"

namespace dpn::eval {

void read_jsonl(const std::string& path, const std::function<void(const nlohmann::json&, int line)>& fn, int* skipped) {
  refuse_special_file(path);  // a FIFO would block the open below
  std::ifstream f(path);
  if (!f) throw Error(path, "cannot open the JSONL file (check the path)");
  std::string text;
  int line = 0;
  while (std::getline(f, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line);
    nlohmann::json j = parse_json_or_discarded(text);
    if (skipped && (j.is_discarded() || !j.is_object())) {
      ++*skipped;
      continue;
    }
    if (j.is_discarded())
      throw Error(where, "not valid JSON (each line of a .jsonl file must be one JSON object): '" +
                             printable(text, 80) + "'");
    if (!j.is_object()) throw Error(where, "expected a JSON object on this line, got " + std::string(j.type_name()));
    fn(j, line);
  }
  if (f.bad()) throw Error(path, "read error after line " + std::to_string(line));
}

nlohmann::json read_json_file(const std::string& path) {
  refuse_special_file(path);
  std::ifstream f(path);
  if (!f) throw Error(path, "cannot open the JSON file (check the path)");
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number beyond double
    throw Error(path, "not valid JSON: " + json_error_summary(e));
  }
}

std::string json_string(const nlohmann::json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) throw Error(where, std::string("missing field '") + key + "'");
  if (!it->is_string()) throw Error(where, std::string("field '") + key + "' must be a string, got " + it->type_name());
  return it->get<std::string>();
}

std::string json_id(const nlohmann::json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) throw Error(where, std::string("missing field '") + key + "'");
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  throw Error(where, std::string("field '") + key + "' must be an integer or a string, got " + it->type_name());
}

}  // namespace dpn::eval
