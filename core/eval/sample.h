// One evaluation question as every dataset reader produces it: plain data, no images decoded, no model.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dpn::eval {

struct EvalSample {
  std::string id;            // question_id as text (integers written in decimal)
  std::string image;         // path of the image file (image folder joined); empty when the image is in image_data
  std::string image_data;    // encoded image bytes when the dataset embeds images (MMBench's base64 column)
  std::string question;      // the text the model receives, including the benchmark's answer-format suffix
  std::vector<std::string> answers;  // ground truth; VQA: the 10 human answers; empty when the split has none
  std::string category;      // dataset category (POPE split, MME subtask, MMBench category, ...)
  std::string family;        // grouping for summaries (answer type, benchmark family)
  nlohmann::json extra;      // reader-specific data the scorer needs (ScienceQA choices, MME image key, ...)
};

// The reader names (also the `dataset_kind` recorded in the run store): the LLaVA-1.5 evaluation sets, then the
// bundled benchmark. vizwiz, mmvet and llavabench have no local ground truth (server or GPT-4 judged).
inline const std::vector<std::string>& reader_names() {
  static const std::vector<std::string> names = {"vqav2", "gqa",  "vizwiz", "scienceqa",  "textvqa", "pope",
                                                 "mme",   "mmbench", "mmbench-cn", "seed", "llavabench", "mmvet",
                                                 "dpnbench"};
  return names;
}

// "vqav2, gqa, ..." for error messages.
inline std::string reader_list() {
  std::string s;
  for (const auto& n : reader_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace dpn::eval
