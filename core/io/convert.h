// Checkpoint conversion (`dpn convert`): any folder open_checkpoint_folder reads (torch.save *.bin included) ->
// HF-style sharded safetensors + index, plus the folder's non-weight files, optionally changing float dtypes.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "io/raw_tensor.h"

namespace dpn {

struct ConvertOptions {
  std::string model_dir;
  std::string out_dir;                        // empty: "<model_dir>-safetensors" next to the source
  std::optional<DType> dtype;                 // F16, BF16 or F32: applied to F32/F16/BF16 tensors only
  uint64_t max_shard_bytes = 2'000'000'000;   // HF's default "2GB"; a larger single tensor gets its own shard
  std::function<void(uint64_t done, uint64_t total)> progress;  // tensor bytes staged so far / in all
};

struct ConvertResult {
  std::string out_dir;
  std::vector<std::string> shards;  // file names inside out_dir
  std::vector<std::string> copied;  // non-weight files copied verbatim
  size_t tensors = 0;
  uint64_t bytes = 0;               // tensor bytes written
};

// Streams tensor by tensor: each output shard is staged in memory (converted or copied from the input mapping),
// written with write_safetensors, then freed, and the input pages it came from are released, so peak memory stays
// near one output shard. Output goes to a fresh "<out_dir>.partial-XXXXXX" (mkdtemp) renamed into place at the end;
// on failure only that folder is removed (an interrupted process leaves it behind; nothing else is ever removed).
// Refuses (dpn::Error) when out_dir is the source folder or inside it, a symbolic link, or exists and is not an empty
// folder. Pickle files (*.bin/*.pt/*.pth) are not copied.
ConvertResult convert_checkpoint(const ConvertOptions& options);

std::string default_convert_out_dir(const std::string& model_dir);

// "2GB", "500MB", "1.5GiB", "4096" (bytes). Decimal units as HF uses them (GB = 1e9), binary with "iB". Throws
// dpn::Error naming `what` on anything else or zero.
uint64_t parse_byte_size(const std::string& text, const std::string& what = "--max-shard-size");
// "f16" | "bf16" | "f32" (also the safetensors spellings). Throws dpn::Error naming `what`.
DType parse_convert_dtype(const std::string& text, const std::string& what = "--dtype");

// Scalar conversions, round-to-nearest-even, NaN stays NaN (quiet), overflow goes to infinity.
uint16_t f32_to_f16(float f);
uint16_t f32_to_bf16(float f);
float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t b);
// Converts `n` elements between F32, F16 and BF16 (f16 <-> bf16 rounds once, through the exact f32 value).
void convert_floats(DType from, const std::byte* in, DType to, std::byte* out, uint64_t n);

}  // namespace dpn
