// Writes and reads DPNBench in LLaVA's evaluation layout: images/NNNNNN.png, questions.jsonl, answers.jsonl,
// manifest.json. Question lines are {question_id, image, text, category, family}; `image` is relative to images/.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "datasets/synthetic_vqa.h"

namespace dpn::datasets {

struct ExportSummary {
  int images = 0;
  int questions = 0;
  std::map<std::string, int> per_family;  // family name -> questions
  uint64_t bytes = 0;                     // all files written
};

// PNG bytes of an RGB image with fixed encoder settings (same pixels -> same bytes with the same zlib).
std::vector<unsigned char> encode_png(const cv::Mat& rgb);

// Generates scenes (seed, first_index + i) for i < n_images and writes questions_per_image questions per image.
// Question q = i * questions_per_image + k takes family (q mod 6) in Family order, so families are balanced when
// n_images * questions_per_image is a multiple of 6; k >= 6 repeats the scene's question of that family.
// `dir` must not exist or be empty. Throws dpn::Error naming the path on failure.
ExportSummary export_llava_eval(const std::string& dir, const GeneratorConfig& config, uint64_t seed, int n_images,
                                int questions_per_image, uint64_t first_index = 0);

// One question joined with its answer, as read back from an exported folder.
struct EvalItem {
  int64_t question_id = 0;
  std::string image;     // file name inside images/
  std::string text;      // question + suffix, as in questions.jsonl
  std::string category;  // "coarse" or "fine"
  std::string family;
  std::string answer;
};

// Reads questions.jsonl and answers.jsonl of `dir` and joins them by question_id; every malformed line is an
// error naming the file, the line and the field.
std::vector<EvalItem> load_llava_eval(const std::string& dir);

// Human-readable summary: question count per family, then up to `limit_per_family` examples of each.
std::string describe_eval(const std::vector<EvalItem>& items, int limit_per_family);

}  // namespace dpn::datasets
