// Dataset readers: LLaVA-1.5's evaluation layouts (eval.zip plus each benchmark's official files) and the bundled
// benchmark "dpnbench". Each returns plain EvalSamples in file order.
//
//   kind        questions                          images                 annotations
//   vqav2       llava_vqav2_*.jsonl                COCO image folder      v2_mscoco_*_annotations.json (optional;
//                                                                         test-dev has none)
//   gqa         llava_gqa_testdev_balanced.jsonl   images/                testdev_balanced_questions.json (optional)
//   vizwiz      llava_test.jsonl                   test/                  (none: EvalAI server)
//   scienceqa   llava_test_CQM-A.json              images/test/           folder with problems.json
//   textvqa     llava_textvqa_val_v051_ocr.jsonl   train_images/          TextVQA_0.5.1_val.json
//   pope        llava_pope_test.jsonl              val2014/               folder with coco_pope_<category>.json
//   mme         llava_mme.jsonl                    MME_Benchmark_release_version/ (also the annotations)
//   mmbench     mmbench_dev_*.tsv (images inside)  (unused)               (unused; the answer column is used)
//   mmbench-cn  mmbench_dev_cn_*.tsv               (unused)               (unused)
//   seed        llava-seed-bench.jsonl             seed_bench/            SEED-Bench.json (optional)
//   llavabench  questions.jsonl                    images/                (none: GPT-4 judged)
//   mmvet       llava-mm-vet.jsonl                 images/                (none: GPT-4 judged)
//   dpnbench    questions.jsonl                    images/                answers.jsonl
#pragma once
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "eval/sample.h"
#include "util/error.h"

namespace dpn::eval {

struct DatasetSpec {
  std::string kind;         // one of reader_names()
  std::string questions;    // question file
  std::string images;       // image folder (joined with each sample's image field)
  std::string annotations;  // answer/annotation file or folder, per the table above
  bool check_images = true; // a missing image file is an error naming the question file and line
};

// Reads the dataset; every error (bad JSON line, missing field, missing image, unknown question id, count
// mismatch) is a dpn::Error naming the file (and line) and what was expected.
std::vector<EvalSample> read_dataset(const DatasetSpec& spec);

std::vector<EvalSample> read_vqav2(const DatasetSpec& spec);
std::vector<EvalSample> read_textvqa(const DatasetSpec& spec);
std::vector<EvalSample> read_gqa(const DatasetSpec& spec);
std::vector<EvalSample> read_pope(const DatasetSpec& spec);
std::vector<EvalSample> read_mme(const DatasetSpec& spec);
std::vector<EvalSample> read_scienceqa(const DatasetSpec& spec);
std::vector<EvalSample> read_mmbench(const DatasetSpec& spec);  // also mmbench-cn (spec.kind picks the suffix)
std::vector<EvalSample> read_seed(const DatasetSpec& spec);
std::vector<EvalSample> read_vizwiz(const DatasetSpec& spec);
std::vector<EvalSample> read_mmvet(const DatasetSpec& spec);
std::vector<EvalSample> read_llavabench(const DatasetSpec& spec);
std::vector<EvalSample> read_dpnbench(const DatasetSpec& spec);

// The official annotation files, parsed once (shared by the readers and eval/rescore.h); errors name the file.
struct VqaAnnotation {
  std::vector<std::string> answers;  // the human answers
  nlohmann::json answer_keys;        // per answer, its other fields as JSON text (eval/vqa_eval.h)
  std::string answer_type, question_type;
  size_t order = 0;                  // position in the file
};
// v2_mscoco_*_annotations.json: question_id -> annotation.
std::map<std::string, VqaAnnotation> read_vqav2_annotations(const std::string& path);
// TextVQA_0.5.1_val.json: (image_id, question.lower()) -> the human answers.
std::map<std::pair<std::string, std::string>, std::vector<std::string>> read_textvqa_annotations(const std::string& path);
struct GqaAnnotation {
  std::string answer, structural;
  bool balanced = true;           // isBalanced
  bool has_global_group = false;  // groups.global is set
};
// testdev_balanced_questions.json: question id -> annotation.
std::map<std::string, GqaAnnotation> read_gqa_annotations(const std::string& path);
struct SeedAnnotation {
  std::string answer, question_type, data_type;
  int64_t type_id = 0;
};
// SEED-Bench.json questions in file order.
std::vector<std::pair<std::string, SeedAnnotation>> read_seed_annotations(const std::string& path);

// Helpers shared by the readers.
std::string join_path(const std::string& dir, const std::string& name);
// Throws "<where>: image '<path>' not found ..." when spec.check_images and the file is missing.
void check_image(const DatasetSpec& spec, const std::string& path, const std::string& where);
// Reads a LLaVA-style question JSONL line into id, image (joined, checked), question text and category.
EvalSample read_llava_question(const DatasetSpec& spec, const nlohmann::json& j, const std::string& where);
// Each line of spec.questions through read_llava_question, then `fn(sample, line's JSON, "<file>:<line>")`.
void for_each_llava_question(const DatasetSpec& spec,
                             const std::function<void(EvalSample&, const nlohmann::json&, const std::string&)>& fn);
// The annotation of `id` in `truth`, or a dpn::Error at `where` naming the annotation file.
template <class Map>
const typename Map::mapped_type& annotation_of(const Map& truth, const std::string& id, const std::string& where,
                                               const std::string& file) {
  auto it = truth.find(id);
  if (it == truth.end()) throw Error(where, "question_id " + id + " is not in the annotations " + file);
  return it->second;
}
bool file_exists(const std::string& path);

// model_vqa_mmbench.py's question: the hint (when present) on its own line, the question, "A. option" lines, and
// llava_prompt_suffix(kind).
std::string mmbench_prompt(const std::string& hint, const std::string& question, const std::vector<std::string>& options,
                           const std::string& kind);

// TextVQA's prompt_processor (llava/eval/eval_textvqa.py): recovers the question from a 2- or 3-line prompt,
// lowercased. Throws where the script asserts.
std::string textvqa_question_from_prompt(const std::string& prompt, const std::string& where);

}  // namespace dpn::eval
