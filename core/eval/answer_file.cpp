// Reading LLaVA answer files line by line.
#include "eval/answer_file.h"

#include "eval/jsonl.h"
#include "util/error.h"

namespace dpn::eval {

std::map<std::string, const LlavaAnswer*> AnswerFile::by_id() const {
  std::map<std::string, const LlavaAnswer*> m;
  for (const auto& a : answers) m[a.id] = &a;
  return m;
}

AnswerFile read_answer_file(const std::string& path, bool skip_bad_lines) {
  AnswerFile out;
  out.path = path;
  read_jsonl(
      path,
      [&](const nlohmann::json& j, int line) {
        const std::string where = path + ":" + std::to_string(line);
        LlavaAnswer a;
        a.line = line;
        a.id = json_id(j, "question_id", where);
        a.question_id = j["question_id"];
        a.text = json_string(j, "text", where);
        if (j.contains("prompt") && j["prompt"].is_string()) a.prompt = j["prompt"].get<std::string>();
        out.answers.push_back(std::move(a));
      },
      skip_bad_lines ? &out.skipped_lines : nullptr);
  return out;
}

}  // namespace dpn::eval
