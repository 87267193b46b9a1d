// Dataset readers: LLaVA's evaluation layouts (eval.zip) of VQAv2, TextVQA, GQA, POPE, MME, ScienceQA-IMG and
// MMBench, and the bundled benchmark "dpnbench". Each returns plain EvalSamples in file order.
//
//   kind       questions                          images                 annotations
//   vqav2      llava_vqav2_*.jsonl                 COCO image folder      v2_mscoco_*_annotations.json (optional;
//                                                                         test-dev has none)
//   textvqa    llava_textvqa_val_v051_ocr.jsonl    train_images/          TextVQA_0.5.1_val.json
//   gqa        llava_gqa_testdev_balanced.jsonl    images/                testdev_balanced_questions.json (optional)
//   pope       llava_pope_test.jsonl               val2014/               folder with coco_pope_<category>.json
//   mme        llava_mme.jsonl                     MME_Benchmark_release_version/ (also the annotations)
//   scienceqa  llava_test_CQM-A.json               images/test/           folder with problems.json
//   mmbench    mmbench_dev_*.tsv (images inside)   (unused)               (unused; the answer column is used)
//   dpnbench   questions.jsonl                     images/                answers.jsonl
#pragma once
#include <string>
#include <vector>

#include "eval/sample.h"

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
std::vector<EvalSample> read_mmbench(const DatasetSpec& spec);
std::vector<EvalSample> read_dpnbench(const DatasetSpec& spec);

// Helpers shared by the readers.
std::string join_path(const std::string& dir, const std::string& name);
// Throws "<where>: image '<path>' not found ..." when spec.check_images and the file is missing.
void check_image(const DatasetSpec& spec, const std::string& path, const std::string& where);
// Reads a LLaVA-style question JSONL line into id, image (joined, checked), question text and category.
EvalSample read_llava_question(const DatasetSpec& spec, const nlohmann::json& j, const std::string& where);
bool file_exists(const std::string& path);

// TextVQA's prompt_processor (llava/eval/eval_textvqa.py): recovers the question from a 2- or 3-line prompt,
// lowercased. Throws where the script asserts.
std::string textvqa_question_from_prompt(const std::string& prompt, const std::string& where);

}  // namespace dpn::eval
