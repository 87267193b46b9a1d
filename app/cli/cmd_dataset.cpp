// `dpn dataset`: generate the DPNBench synthetic VQA benchmark in LLaVA's eval layout, or show an exported one.
#include <iostream>

#include "command.h"
#include "datasets/llava_eval_export.h"
#include "datasets/synthetic_vqa.h"

namespace {

uint64_t parse_u64(const std::string& key, const std::string& v) {
  try {
    size_t pos = 0;
    const unsigned long long x = std::stoull(v, &pos);
    if (pos != v.size() || v[0] == '-') throw std::invalid_argument(v);
    return x;
  } catch (const std::exception&) {
    throw dpn::cli::UsageError("--" + key + " expects a non-negative integer, got '" + v + "'");
  }
}

int run_dataset(dpn::cli::Args& args) {
  namespace ds = dpn::datasets;
  const auto pos = args.positional();
  if (pos.size() != 1) throw dpn::cli::UsageError("expected one action: generate or show");
  if (pos[0] == "generate") {
    const std::string out = args.require("out");
    const std::string seed_text = args.get("seed");
    const uint64_t seed = seed_text.empty() ? ds::kTestSeed : parse_u64("seed", seed_text);
    const int images = args.get_int("images", 240);
    const int per_image = args.get_int("questions-per-image", 3);
    const std::string first_text = args.get("first-index");
    const uint64_t first = first_text.empty() ? 0 : parse_u64("first-index", first_text);
    ds::GeneratorConfig config;
    config.image_size = args.get_int("size", config.image_size);
    config.patch_size = args.get_int("patch", config.patch_size);
    args.finish();
    const auto sum = ds::export_llava_eval(out, config, seed, images, per_image, first);
    std::cout << "wrote " << sum.images << " images and " << sum.questions << " questions (" << sum.bytes
              << " bytes) to " << out << " with seed " << seed << "\n";
    for (const auto& [family, n] : sum.per_family) std::cout << "  " << family << ": " << n << "\n";
    if (seed >= ds::kFirstTrainSeed)
      std::cout << "note: seed " << seed << " is in the training range (>= " << ds::kFirstTrainSeed
                << "); evaluation sets should use seeds below it\n";
    return 0;
  }
  if (pos[0] == "show") {
    const std::string dir = args.require("dir");
    const int limit = args.get_int("limit", 3);
    args.finish();
    std::cout << ds::describe_eval(ds::load_llava_eval(dir), limit);
    return 0;
  }
  throw dpn::cli::UsageError("unknown action '" + pos[0] + "' (expected generate or show)");
}

}  // namespace

DPN_CLI_COMMAND(dataset, "dataset",
                "generate or inspect DPNBench, the synthetic VQA benchmark (coarse vs fine questions)",
                "Usage:\n"
                "  dpn dataset generate --out DIR [--seed S] [--images N] [--questions-per-image K] [--size PX]\n"
                "                       [--patch PX] [--first-index I]\n"
                "  dpn dataset show --dir DIR [--limit N]\n\n"
                "generate writes DIR/images/NNNNNN.png, questions.jsonl, answers.jsonl and manifest.json in LLaVA's\n"
                "evaluation layout (image paths are relative to DIR/images). Defaults: seed 1 (the committed test\n"
                "subset; training uses seeds >= 1000), 240 images, 3 questions per image, 96 px, patch 8.\n"
                "The same arguments always produce the same bytes. DIR must not exist or be empty.\n"
                "show prints the question count per family and up to N (default 3) examples of each.",
                run_dataset);
