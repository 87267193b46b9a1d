// libFuzzer target: LLaVA's evaluation files. Input: one byte choosing the dataset kind, then the question file,
// then (after the first NUL) the annotation file, also placed as every file an annotation folder may hold. The
// reader returns samples or throws a dpn::Error naming one of these files on one line.
#include <algorithm>
#include <cstring>
#include <string>

#include "eval/dataset.h"
#include "fuzz_util.h"

namespace {

struct Kind {
  const char* name;
  const char* questions;    // file name of the question file
  bool annotation_folder;   // annotations given as a folder
};
constexpr Kind kKinds[] = {{"vqav2", "q.jsonl", false},    {"textvqa", "q.jsonl", false}, {"gqa", "q.jsonl", false},
                           {"pope", "q.jsonl", true},      {"mme", "q.jsonl", true},      {"scienceqa", "q.json", true},
                           {"mmbench", "q.tsv", false},    {"dpnbench", "q.jsonl", false}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Kind& kind = kKinds[data[0] % (sizeof(kKinds) / sizeof(kKinds[0]))];
  const std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t nul = rest.find('\0');
  const std::string questions = rest.substr(0, nul), annotations = nul == std::string::npos ? "" : rest.substr(nul + 1);
  dpn::eval::DatasetSpec spec;
  spec.kind = kind.name;
  spec.check_images = false;
  spec.images = dpn::fuzz::scratch() + "/images";
  spec.questions = dpn::fuzz::write_file(kind.questions, questions);
  const std::string ann_file = dpn::fuzz::write_file("a.json", annotations);
  for (const char* f : {"coco_pope_adversarial.json", "coco_pope_popular.json", "coco_pope_random.json", "problems.json"})
    dpn::fuzz::write_file(std::string("ann/") + f, annotations);
  spec.annotations = kind.annotation_folder ? dpn::fuzz::scratch() + "/ann" : ann_file;
  try {
    (void)dpn::eval::read_dataset(spec);
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, dpn::fuzz::scratch());
  }
  return 0;
}
