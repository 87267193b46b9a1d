// Plain CPU reference for DPE pooling: text before, each pooled window in row-major order, text after.
// Written independently of the per-thread body so that the driver test compares two different codes.
#include <cstring>
#include <string>
#include <vector>

#include "dpe_pool.h"
#include "half_types.h"

namespace dpn::kernels {
namespace {

template <typename T>
void pool_sequence(const DpePoolSeq& s, int64_t channels, PoolOp op, const T* in, T* out) {
  const int64_t C = channels;
  const T* seq_in = in + s.in_offset * C;
  T* row_out = out + s.out_offset * C;
  // Text before the visual run.
  std::memcpy(row_out, seq_in, sizeof(T) * s.visual_start * C);
  row_out += s.visual_start * C;
  // Pooled grid, (H/kh) x (W/kw), row-major.
  const T* grid = seq_in + s.visual_start * C;
  std::vector<float> window;
  for (int r = 0; r < s.grid_h / s.kernel_h; ++r) {
    for (int c = 0; c < s.grid_w / s.kernel_w; ++c) {
      for (int64_t ch = 0; ch < C; ++ch) {
        window.clear();
        for (int i = 0; i < s.kernel_h; ++i) {
          for (int j = 0; j < s.kernel_w; ++j) {
            const int64_t cell = static_cast<int64_t>(r * s.kernel_h + i) * s.grid_w + (c * s.kernel_w + j);
            window.push_back(to_float(grid[cell * C + ch]));
          }
        }
        float value = window[0];
        if (window.size() == 1) {
          // 1x1 expert: no pooling, only the probability scaling below.
        } else if (op == PoolOp::max) {
          for (float v : window) {
            if (v != v || (value == value && v > value)) value = v;
          }
        } else {
          float sum = 0.0f;
          for (float v : window) sum += v;
          value = sum / static_cast<float>(window.size());
        }
        row_out[ch] = from_float<T>(round_to<T>(value) * s.scale);
      }
      row_out += C;
    }
  }
  // Text after the visual run.
  const int64_t after_start = s.visual_start + static_cast<int64_t>(s.grid_h) * s.grid_w;
  std::memcpy(row_out, seq_in + after_start * C, sizeof(T) * (s.tokens - after_start) * C);
}

template <typename T>
void pool_all(const DpePoolArgs& args, const void* in, void* out) {
  for (int32_t i = 0; i < args.num_seqs; ++i) {
    pool_sequence(args.seqs[i], args.channels, args.op, static_cast<const T*>(in), static_cast<T*>(out));
  }
}

}  // namespace

std::string dpe_pool_ref(const DpePoolArgs& args, const void* in, void* out) {
  if (std::string error = dpe_pool_check(args); !error.empty()) return error;
  switch (args.dtype) {
    case ElemType::f32: pool_all<float>(args, in, out); break;
    case ElemType::bf16: pool_all<bf16>(args, in, out); break;
    case ElemType::f16: pool_all<fp16>(args, in, out); break;
  }
  return "";
}

}  // namespace dpn::kernels
