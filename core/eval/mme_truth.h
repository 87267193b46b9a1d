// MME's ground truth (MME_Benchmark_release_version/<category>/[questions_answers_YN/]<image>.txt, "question<TAB>Yes")
// and the join of LLaVA's convert_answer_to_mme.py: question_id "<category>/<image file>" -> the .txt named after the
// image up to its first '.', and the prompt without the short-answer suffix plus " Please answer yes or no." (two
// spaces when that is how the ground truth spells it).
#pragma once
#include <map>
#include <set>
#include <string>
#include <tuple>

namespace dpn::eval {

class MmeTruth {
 public:
  explicit MmeTruth(std::string root) : root_(std::move(root)) {}
  // The answer for (category, txt file, question), or nullptr. Reads each file once; a line that is not
  // "question<TAB>answer" after strip() is a dpn::Error naming the file and line (get_gt's unpacking fails there).
  const std::string* find(const std::string& category, const std::string& file, const std::string& question);
  std::string path_of(const std::string& category, const std::string& file) const;

 private:
  void load(const std::string& category, const std::string& file);
  std::string root_;
  std::set<std::pair<std::string, std::string>> loaded_;
  std::map<std::tuple<std::string, std::string, std::string>, std::string> gt_;
};

struct MmeKey {
  std::string category, file;  // "existence", "000000006040.txt"
};
// question_id.split('/')[0] and question_id.split('/')[-1].split('.')[0] + '.txt'.
MmeKey mme_key(const std::string& question_id);

// convert_answer_to_mme.py's prompt rewriting for the lookup in `truth`.
std::string mme_gt_prompt(MmeTruth& truth, const MmeKey& key, const std::string& prompt);

}  // namespace dpn::eval
