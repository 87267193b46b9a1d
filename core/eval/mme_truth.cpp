// MME ground-truth files and LLaVA's join of answers to them.
#include "eval/mme_truth.h"

#include <fstream>

#include "eval/dataset.h"
#include "eval/py_text.h"
#include "util/error.h"
#include "util/regular_file.h"

namespace dpn::eval {

namespace {
const std::string kShortAnswer = "Answer the question using a single word or phrase.";
const std::string kYesNo = "Please answer yes or no.";
}  // namespace

const std::string* MmeTruth::find(const std::string& category, const std::string& file, const std::string& question) {
  load(category, file);
  auto it = gt_.find({category, file, question});
  return it == gt_.end() ? nullptr : &it->second;
}

std::string MmeTruth::path_of(const std::string& category, const std::string& file) const {
  const std::string dir = join_path(root_, category);
  // Some categories keep images/ and questions_answers_YN/ subfolders, others keep both in the category folder.
  const std::string qa = file_exists(join_path(dir, "images")) ? join_path(dir, "questions_answers_YN") : dir;
  return join_path(qa, file);
}

void MmeTruth::load(const std::string& category, const std::string& file) {
  if (!loaded_.emplace(category, file).second) return;
  const std::string path = path_of(category, file);
  refuse_special_file(path);  // a FIFO would block the open below
  std::ifstream f(path);
  if (!f) throw Error(path, "MME ground-truth file not found (check the MME folder given as annotations)");
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    line = py::strip(line);
    auto tab = line.find('\t');
    if (tab == std::string::npos || line.find('\t', tab + 1) != std::string::npos)
      throw Error(path + ":" + std::to_string(n), "expected 'question<TAB>answer'");
    gt_[{category, file, line.substr(0, tab)}] = line.substr(tab + 1);
  }
}

MmeKey mme_key(const std::string& id) {
  MmeKey k;
  k.category = id.substr(0, id.find('/'));
  const std::string image = id.substr(id.rfind('/') + 1);
  k.file = image.substr(0, image.find('.')) + ".txt";
  return k;
}

std::string mme_gt_prompt(MmeTruth& truth, const MmeKey& key, const std::string& prompt_in) {
  std::string prompt = prompt_in;
  if (py::contains(prompt, kShortAnswer)) prompt = py::strip(py::replace_all(prompt, kShortAnswer, ""));
  if (!py::contains(prompt, kYesNo)) {
    prompt += " " + kYesNo;
    if (!truth.find(key.category, key.file, prompt)) prompt = py::replace_all(prompt, " " + kYesNo, "  " + kYesNo);
  }
  return prompt;
}

}  // namespace dpn::eval
