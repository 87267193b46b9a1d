// Reader for ScienceQA (LLaVA's llava_test_CQM-A.json + ScienceQA's problems.json for choices and answers).
#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "eval/preset.h"
#include "eval/py_text.h"
#include "util/error.h"

namespace dpn::eval {

namespace {
const std::string kLetters = "ABCDE";
}  // namespace

std::vector<EvalSample> read_scienceqa(const DatasetSpec& spec) {
  if (spec.annotations.empty()) throw Error(spec.questions, "ScienceQA needs the folder with problems.json");
  const std::string problems_path = join_path(spec.annotations, "problems.json");
  nlohmann::json problems = read_json_file(problems_path);
  nlohmann::json list = read_json_file(spec.questions);
  if (!list.is_array()) throw Error(spec.questions, "expected a JSON list of {id, image?, conversations}");
  std::vector<EvalSample> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& q = list[i];
    const std::string where = spec.questions + ": [" + std::to_string(i) + "]";
    if (!q.is_object()) throw Error(where, "expected an object");
    EvalSample s;
    s.id = json_id(q, "id", where);
    if (!q.contains("conversations") || !q["conversations"].is_array() || q["conversations"].empty())
      throw Error(where, "missing 'conversations' list");
    std::string value = json_string(q["conversations"][0], "value", where + ".conversations[0]");
    value = py::strip(py::replace_all(value, "<image>", ""));  // model_vqa_science.py
    s.question = value + llava_prompt_suffix("scienceqa");
    const bool has_image = q.contains("image");
    if (has_image) {
      s.image = join_path(spec.images, json_string(q, "image", where));
      check_image(spec, s.image, where);
    }
    auto p = problems.find(s.id);
    if (p == problems.end()) throw Error(where, "problem id " + s.id + " is not in " + problems_path);
    const std::string pwhere = problems_path + ": " + s.id;
    if (!p->contains("choices") || !(*p)["choices"].is_array()) throw Error(pwhere, "missing 'choices' list");
    if (!p->contains("answer") || !(*p)["answer"].is_number_integer()) throw Error(pwhere, "missing integer 'answer'");
    int n_choices = static_cast<int>((*p)["choices"].size());
    int answer = (*p)["answer"].get<int>();
    if (answer < 0 || answer >= n_choices || answer >= static_cast<int>(kLetters.size()))
      throw Error(pwhere, "'answer' " + std::to_string(answer) + " is not a valid choice index");
    s.answers = {std::string(1, kLetters[answer])};
    s.category = p->value("subject", "");
    s.family = has_image ? "img" : "no_img";
    s.extra = {{"n_choices", n_choices}, {"has_image", has_image}};
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace dpn::eval
