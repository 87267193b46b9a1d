// LLaVA answer files as the official converters and evaluators read them: one JSON object per line with
// question_id, text and usually prompt (llava/eval/model_vqa*.py write them; `dpn runs export --format
// llava-answers` writes the same).
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dpn::eval {

struct LlavaAnswer {
  nlohmann::json question_id;  // as written (integer or string)
  std::string id;              // its text form
  std::string text;
  std::optional<std::string> prompt;
  int line = 0;
};

struct AnswerFile {
  std::string path;
  std::vector<LlavaAnswer> answers;  // file order
  int skipped_lines = 0;             // lines that were not JSON (only with skip_bad_lines)

  // question id -> text, a later answer for the same id replacing an earlier one ({x['question_id']: x['text']}).
  std::map<std::string, const LlavaAnswer*> by_id() const;
};

// `skip_bad_lines`: count and skip lines that are not JSON, as convert_vqav2/vizwiz_for_submission.py do; otherwise
// such a line is a dpn::Error naming the file and line (json.loads raises in the other scripts). A line without
// question_id or a string text is always an error.
AnswerFile read_answer_file(const std::string& path, bool skip_bad_lines = false);

}  // namespace dpn::eval
