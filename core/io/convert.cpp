// Checkpoint conversion to safetensors, shard by shard, with float conversions written out bit by bit.
#include "io/convert.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "io/safetensors_writer.h"
#include "io/tensor_set.h"
#include "util/error.h"
#include "util/path_within.h"

namespace fs = std::filesystem;

namespace dpn {

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  x &= 0x7fffffffu;
  uint16_t h;
  if (x >= 0x47800000u) {  // |f| >= 65536 (or inf/NaN): inf, or a quiet NaN
    h = x > 0x7f800000u ? 0x7e00 : 0x7c00;
  } else if (x < 0x38800000u) {  // below 2^-14: an f16 subnormal or zero
    // Adding 0.5 puts the f16 subnormal's 10 bits at the bottom of the f32 mantissa; the FPU's own
    // round-to-nearest-even does the rounding.
    float a;
    std::memcpy(&a, &x, 4);
    a += 0.5f;
    uint32_t y;
    std::memcpy(&y, &a, 4);
    h = static_cast<uint16_t>(y - 0x3f000000u);
  } else {  // normal: rebias the exponent and round the 13 dropped bits to nearest even
    const uint32_t odd = (x >> 13) & 1u;
    x += 0xc8000fffu + odd;  // (15 - 127) << 23, plus the rounding bias
    h = static_cast<uint16_t>(x >> 13);  // a carry out of 65504 lands on 0x7c00 = inf
  }
  return static_cast<uint16_t>(h | sign);
}

uint16_t f32_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // NaN: what c10::BFloat16 gives
  x += 0x7fffu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  uint32_t x;
  if (exp == 0x1f) {
    x = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {  // zero or subnormal: mant * 2^-24 is exact in f32
    const float v = std::ldexp(static_cast<float>(mant), -24);
    std::memcpy(&x, &v, 4);
    x |= sign;
  } else {
    x = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

float bf16_to_f32(uint16_t b) {
  const uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

void convert_floats(DType from, const std::byte* in, DType to, std::byte* out, uint64_t n) {
  auto load = [&](uint64_t i) -> float {
    if (from == DType::F32) {
      float f;
      std::memcpy(&f, in + 4 * i, 4);
      return f;
    }
    uint16_t h;
    std::memcpy(&h, in + 2 * i, 2);
    return from == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
  };
  for (uint64_t i = 0; i < n; ++i) {
    const float f = load(i);
    if (to == DType::F32) {
      std::memcpy(out + 4 * i, &f, 4);
    } else {
      const uint16_t h = to == DType::F16 ? f32_to_f16(f) : f32_to_bf16(f);
      std::memcpy(out + 2 * i, &h, 2);
    }
  }
}

namespace {

bool is_convertible_float(DType d) { return d == DType::F32 || d == DType::F16 || d == DType::BF16; }

bool is_weight_file(const fs::path& p) {
  const std::string ext = p.extension().string(), name = p.filename().string();
  return ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".safetensors" ||
         name == "pytorch_model.bin.index.json" || name == "model.safetensors.index.json";
}

// Drops the input pages a tensor came from out of this process (the page cache keeps them). Only ever reclaims,
// never discards, so it is safe on any memory, mapped or not.
void release_pages(const std::byte* data, uint64_t nbytes) {
#ifdef MADV_PAGEOUT
  if (!data || !nbytes) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t b = reinterpret_cast<uintptr_t>(data) & ~(page - 1);
  const uintptr_t e = reinterpret_cast<uintptr_t>(data) + nbytes;
  ::madvise(reinterpret_cast<void*>(b), e - b, MADV_PAGEOUT);  // advice only: failure is harmless
#else
  (void)data;
  (void)nbytes;
#endif
}

std::string shard_name(size_t i, size_t n) {
  if (n == 1) return "model.safetensors";
  char buf[64];
  std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
  return buf;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream o(p, std::ios::binary);
  o << text;
  if (!o.flush()) throw Error(p.string(), "write failed");
}

// Refuses an output folder that would touch what the user owns: the source itself, a folder inside the source, a
// symbolic link, or anything that exists and is not an empty folder.
void check_output_folder(const fs::path& src, const fs::path& out) {
  std::error_code ec;
  const fs::path src_real = fs::canonical(src), out_real = fs::weakly_canonical(out, ec);
  if (out_real == src_real || (fs::exists(out) && fs::equivalent(out, src)))
    throw Error(out.string(), "is the source folder; conversion never writes into its source (choose another --out)");
  if (!ec && path_is_within(out_real, src_real))
    throw Error(out.string(), "is inside the source folder " + src.string() + "; conversion never writes into its source (choose another --out)");
  if (fs::is_symlink(out))
    throw Error(out.string(), "is a symbolic link; give the folder it points to, or another --out");
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out)))
    throw Error(out.string(), "already exists and is not empty; conversion never overwrites (choose another --out or delete it)");
}

// A fresh folder "<out>.partial-XXXXXX" next to `out`, created by this process alone (mkdtemp): the only thing a
// failed conversion removes. A name like "<out>.partial" may be the user's, even the source.
fs::path make_scratch_folder(const fs::path& out) {
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  std::string pattern = out.string() + ".partial-XXXXXX";
  if (!::mkdtemp(pattern.data()))
    throw Error(out.string(), std::string("cannot create a scratch folder next to it: ") + std::strerror(errno));
  return pattern;
}

// One tensor of the output: where it comes from and the dtype/bytes it gets.
struct Planned {
  const RawTensor* in;
  DType dtype;
  uint64_t nbytes;
};

// Writes the planned shards, the index and the side files into `dir`.
ConvertResult write_converted(const std::vector<std::vector<Planned>>& shards, uint64_t total, const fs::path& src,
                              const fs::path& dir, const ConvertOptions& options) {
  ConvertResult result;
  nlohmann::ordered_json weight_map = nlohmann::ordered_json::object();
  uint64_t done = 0;
  if (options.progress) options.progress(0, total);
  for (size_t s = 0; s < shards.size(); ++s) {
    const std::string file = shard_name(s, shards.size());
    std::vector<std::vector<std::byte>> staged;  // this shard's bytes; freed before the next shard
    std::vector<RawTensor> tensors;
    staged.reserve(shards[s].size());
    for (const Planned& p : shards[s]) {
      staged.emplace_back(p.nbytes);
      if (p.dtype == p.in->dtype)
        std::memcpy(staged.back().data(), p.in->data, p.nbytes);
      else
        convert_floats(p.in->dtype, p.in->data, p.dtype, staged.back().data(), static_cast<uint64_t>(p.in->numel()));
      release_pages(p.in->data, p.in->nbytes);
      RawTensor t = *p.in;
      t.dtype = p.dtype;
      t.data = staged.back().data();
      t.nbytes = p.nbytes;
      tensors.push_back(std::move(t));
      weight_map[p.in->name] = file;
      done += p.nbytes;
      if (options.progress) options.progress(done, total);
    }
    write_safetensors((dir / file).string(), tensors, {{"format", "pt"}});
    result.shards.push_back(file);
    result.tensors += tensors.size();
  }
  result.bytes = total;
  if (shards.size() > 1) {
    nlohmann::ordered_json index;
    index["metadata"] = {{"total_size", total}};
    index["weight_map"] = weight_map;
    write_text(dir / "model.safetensors.index.json", index.dump(2) + "\n");
  }
  std::vector<fs::path> extras;
  for (const auto& e : fs::directory_iterator(src))
    if (e.is_regular_file() && !is_weight_file(e.path())) extras.push_back(e.path());
  std::sort(extras.begin(), extras.end());
  for (const auto& p : extras) {
    std::error_code ec;
    fs::copy_file(p, dir / p.filename(), ec);
    if (ec) throw Error(p.string(), "cannot copy into " + dir.string() + ": " + ec.message());
    result.copied.push_back(p.filename().string());
  }
  return result;
}

}  // namespace

std::string default_convert_out_dir(const std::string& model_dir) {
  fs::path p = fs::path(model_dir);
  if (!p.has_filename()) p = p.parent_path();  // "dir/" -> "dir"
  return p.string() + "-safetensors";
}

uint64_t parse_byte_size(const std::string& text, const std::string& what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    throw Error(what, "'" + text + "' is not a size (expected e.g. 2GB, 500MB, 1GiB or a byte count)");
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::map<std::string, double> kUnits = {
      {"", 1},         {"B", 1},           {"KB", 1e3},          {"MB", 1e6},          {"GB", 1e9},
      {"KIB", 1024.0}, {"MIB", 1048576.0}, {"GIB", 1073741824.0}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end() || !(v > 0) || v * it->second > 1e18)
    throw Error(what, "'" + text + "' is not a positive size (expected e.g. 2GB, 500MB, 1GiB or a byte count)");
  return static_cast<uint64_t>(v * it->second);
}

DType parse_convert_dtype(const std::string& text, const std::string& what) {
  if (text == "f16" || text == "F16" || text == "fp16" || text == "float16") return DType::F16;
  if (text == "bf16" || text == "BF16" || text == "bfloat16") return DType::BF16;
  if (text == "f32" || text == "F32" || text == "fp32" || text == "float32") return DType::F32;
  throw Error(what, "'" + text + "' is not one of f16, bf16, f32");
}

ConvertResult convert_checkpoint(const ConvertOptions& options) {
  const fs::path src = options.model_dir;
  if (!fs::is_directory(src)) throw Error(options.model_dir, "is not a folder (expected a checkpoint folder)");
  if (options.dtype && !is_convertible_float(*options.dtype))
    throw Error("--dtype", std::string("cannot convert to ") + dtype_name(*options.dtype) + "; use f16, bf16 or f32");
  fs::path out = options.out_dir.empty() ? fs::path(default_convert_out_dir(options.model_dir)) : fs::path(options.out_dir);
  if (!out.has_filename()) out = out.parent_path();  // "out/" -> "out", so the scratch folder is a sibling
  check_output_folder(src, out);

  const TensorSet set = open_checkpoint_folder(src.string());

  // Plan the shards (tensors in name order, greedy up to max_shard_bytes) before writing anything.
  std::vector<std::vector<Planned>> shards(1);
  uint64_t shard_bytes = 0, total = 0;
  for (const auto& [name, t] : set.all()) {
    const DType dt = options.dtype && is_convertible_float(t.dtype) ? *options.dtype : t.dtype;
    const uint64_t nbytes = static_cast<uint64_t>(t.numel()) * dtype_size(dt);
    if (!shards.back().empty() && shard_bytes + nbytes > options.max_shard_bytes) {
      shards.emplace_back();
      shard_bytes = 0;
    }
    shards.back().push_back({&t, dt, nbytes});
    shard_bytes += nbytes;
    total += nbytes;
  }
  if (set.size() == 0) shards.clear();

  const fs::path scratch = make_scratch_folder(out);
  ConvertResult result;
  try {
    result = write_converted(shards, total, src, scratch, options);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(scratch, ec);  // ours alone (mkdtemp): never leave a half-written model behind
    throw;
  }
  // rename(2) puts the folder in place only where `out` is still missing or an empty folder; anything that
  // appeared there meanwhile stays untouched.
  if (::rename(scratch.c_str(), out.c_str()) != 0) {
    const int e = errno;
    std::error_code ec;
    fs::remove_all(scratch, ec);
    throw Error(out.string(), std::string("cannot move the converted model into place: ") + std::strerror(e));
  }
  result.out_dir = out.string();
  return result;
}

}  // namespace dpn
