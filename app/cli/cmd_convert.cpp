// `dpn convert`: turn a checkpoint folder (torch.save *.bin shards included) into mmap-able safetensors.
#include <cstdio>
#include <iostream>

#include "command.h"
#include "io/convert.h"
#include "util/error.h"

namespace dpn::cli {
namespace {

// One-line progress bar on stderr, redrawn only when the shown percentage changes.
void draw_progress(uint64_t done, uint64_t total) {
  static int shown = -1;
  const int pct = total ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)) : 100;
  if (pct == shown && done != total) return;
  shown = pct;
  const int width = 40, filled = pct * width / 100;
  const bool gb = total >= 1'000'000'000;
  const double unit = gb ? 1e9 : 1e6;
  std::fprintf(stderr, "\r[%s%s] %8.2f / %.2f %s %3d%%", std::string(filled, '#').c_str(),
               std::string(width - filled, ' ').c_str(), done / unit, total / unit, gb ? "GB" : "MB", pct);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

int run_convert(Args& args) {
  ConvertOptions o;
  o.model_dir = args.require("model");
  o.out_dir = args.get("out");
  const std::string dtype = args.get("dtype");
  if (!dtype.empty()) o.dtype = parse_convert_dtype(dtype);
  const std::string max_shard = args.get("max-shard-size");
  if (!max_shard.empty()) o.max_shard_bytes = parse_byte_size(max_shard);
  args.finish();
  o.progress = draw_progress;
  const ConvertResult r = convert_checkpoint(o);
  std::cout << "wrote " << r.tensors << " tensors (" << r.bytes << " bytes) in " << r.shards.size() << " shard(s) to "
            << r.out_dir << "\n";
  for (const auto& f : r.copied) std::cout << "copied " << f << "\n";
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(convert, "convert",
                "convert a checkpoint folder (PyTorch .bin or safetensors) to sharded safetensors",
                "Usage: dpn convert --model DIR [--out DIR] [--dtype f16|bf16|f32] [--max-shard-size 2GB]\n\n"
                "Reads the weights of DIR (pytorch_model.bin.index.json with its shards, *.bin, or safetensors) with\n"
                "a reader that executes nothing, and writes model.safetensors (or model-0000k-of-0000n.safetensors and\n"
                "model.safetensors.index.json) plus every non-weight file (config.json, tokenizer.model, ...) to\n"
                "--out (default: DIR-safetensors next to DIR). The source is never modified; --out must not exist or\n"
                "be an empty folder, and must not lie inside DIR. The work is written to a new OUT.partial-XXXXXX next\n"
                "to OUT and renamed at the end; a failure removes only that folder (an interrupted run leaves it for you\n"
                "to delete). --dtype converts F32/F16/BF16 tensors (round to nearest even); integer tensors are kept.\n"
                "Open the result with the app as usual; it is memory-mapped.",
                run_convert);

}  // namespace dpn::cli
