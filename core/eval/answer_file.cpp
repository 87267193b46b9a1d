// Reading LLaVA answer files line by line.
#include "eval/answer_file.h"

#include <fstream>

#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::map<std::string, const LlavaAnswer*> AnswerFile::by_id() const {
  std::map<std::string, const LlavaAnswer*> m;
  for (const auto& a : answers) m[a.id] = &a;
  return m;
}

AnswerFile read_answer_file(const std::string& path, bool skip_bad_lines) {
  std::ifstream f(path);
  if (!f) throw Error(path, "cannot open the answer file (check the path)");
  AnswerFile out;
  out.path = path;
  std::string text;
  int line = 0;
  while (std::getline(f, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line);
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) {
      if (skip_bad_lines) {
        ++out.skipped_lines;
        continue;
      }
      throw Error(where, "not a JSON object (each line of an answer file is {\"question_id\", \"text\", ...})");
    }
    LlavaAnswer a;
    a.line = line;
    a.id = json_id(j, "question_id", where);
    a.question_id = j["question_id"];
    a.text = json_string(j, "text", where);
    if (j.contains("prompt") && j["prompt"].is_string()) a.prompt = j["prompt"].get<std::string>();
    out.answers.push_back(std::move(a));
  }
  if (f.bad()) throw Error(path, "read error after line " + std::to_string(line));
  return out;
}

}  // namespace dpn::eval
