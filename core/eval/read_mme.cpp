// Reader for MME: LLaVA's llava_mme.jsonl plus the ground truth .txt files of MME_Benchmark_release_version,
// joined the way convert_answer_to_mme.py joins them.
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "eval/scorers.h"
#include "util/error.h"
#include "util/regular_file.h"

namespace dpn::eval {

namespace {

const std::string kShortAnswer = "Answer the question using a single word or phrase.";
const std::string kYesNo = "Please answer yes or no.";

std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
  return s;
}

// (category, txt file, question) -> answer, read lazily per (category, file).
class MmeTruth {
 public:
  explicit MmeTruth(std::string root) : root_(std::move(root)) {}
  const std::string* find(const std::string& category, const std::string& file, const std::string& question) {
    load(category, file);
    auto it = gt_.find({category, file, question});
    return it == gt_.end() ? nullptr : &it->second;
  }
  std::string path_of(const std::string& category, const std::string& file) const {
    std::string dir = join_path(root_, category);
    // Some categories keep images/ and questions_answers_YN/ subfolders, others keep both in the category folder.
    std::string qa = file_exists(join_path(dir, "images")) ? join_path(dir, "questions_answers_YN") : dir;
    return join_path(qa, file);
  }

 private:
  void load(const std::string& category, const std::string& file) {
    if (!loaded_.emplace(category, file).second) return;
    const std::string path = path_of(category, file);
    refuse_special_file(path);
    std::ifstream f(path);
    if (!f) throw Error(path, "MME ground-truth file not found (check the MME folder given as annotations)");
    std::string line;
    int n = 0;
    while (std::getline(f, line)) {
      ++n;
      line = strip(line);
      auto tab = line.find('\t');
      if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos)
        throw Error(path + ":" + std::to_string(n), "expected 'question<TAB>answer'");
      gt_[{category, file, line.substr(0, tab)}] = line.substr(tab + 1);
    }
  }
  std::string root_;
  std::set<std::pair<std::string, std::string>> loaded_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> gt_;
};

}  // namespace

std::vector<EvalSample> read_mme(const DatasetSpec& spec) {
  const std::string root = spec.annotations.empty() ? spec.images : spec.annotations;
  MmeTruth truth(root);
  std::vector<EvalSample> out;
  std::map<std::string, int> seen;  // question_id -> questions read so far
  read_jsonl(spec.questions, [&](const nlohmann::json& j, int line) {
    const std::string where = spec.questions + ":" + std::to_string(line);
    EvalSample s = read_llava_question(spec, j, where);
    // question_id = "<category>/<image file>"; the GT file is the image name up to its first '.' plus ".txt".
    auto slash = s.id.find('/');
    if (slash == std::string::npos) throw Error(where, "MME question_id must be '<category>/<image>', got '" + s.id + "'");
    const std::string category = s.id.substr(0, slash);
    std::string image_name = s.id.substr(s.id.rfind('/') + 1);
    const std::string file = image_name.substr(0, image_name.find('.')) + ".txt";
    std::string prompt = s.question;
    if (prompt.find(kShortAnswer) != std::string::npos) prompt = strip(replace_all(prompt, kShortAnswer, ""));
    if (prompt.find(kYesNo) == std::string::npos) {
      prompt += " " + kYesNo;
      if (!truth.find(category, file, prompt)) prompt = replace_all(prompt, " " + kYesNo, "  " + kYesNo);
    }
    const std::string* gt = truth.find(category, file, prompt);
    if (!gt)
      throw Error(where, "question '" + prompt + "' not found in " + truth.path_of(category, file));
    s.category = category;
    s.answers = {*gt};
    bool perception = false;
    for (const auto& t : mme_perception_tasks()) perception = perception || t == category;
    s.family = perception ? "perception" : "cognition";
    s.extra["image_key"] = category + "/" + file;
    // LLaVA's llava_mme.jsonl gives both questions of an image the same question_id; the run store needs unique
    // sample ids, so the n-th question with an id gets "#n" appended (the original stays in extra).
    s.extra["question_id"] = s.id;
    s.id += "#" + std::to_string(seen[s.id]++);
    out.push_back(std::move(s));
  });
  return out;
}

}  // namespace dpn::eval
