// Argument checks and output packing for the DPE pooling kernel, shared by the CPU driver, reference and CUDA.
#include <string>

#include "dpe_pool.h"

namespace dpn::kernels {

int64_t dpe_pool_pack_outputs(DpePoolSeq* seqs, int32_t num_seqs) {
  int64_t rows = 0;
  for (int32_t i = 0; i < num_seqs; ++i) {
    seqs[i].out_offset = rows;
    rows += dpe_pool_output_tokens(seqs[i]);
  }
  return rows;
}

std::string dpe_pool_check(const DpePoolArgs& args) {
  const std::string where = "dpe_pool: ";
  if (args.num_seqs < 0) return where + "num_seqs must be >= 0, got " + std::to_string(args.num_seqs);
  if (args.num_seqs > 0 && args.seqs == nullptr) return where + "seqs is null but num_seqs > 0";
  if (args.channels <= 0) return where + "channels must be > 0, got " + std::to_string(args.channels);
  if (args.op != PoolOp::max && args.op != PoolOp::avg) return where + "op must be max or avg";
  if (args.dtype != ElemType::f32 && args.dtype != ElemType::bf16 && args.dtype != ElemType::f16) {
    return where + "dtype must be f32, bf16 or f16";
  }
  for (int32_t i = 0; i < args.num_seqs; ++i) {
    const DpePoolSeq& s = args.seqs[i];
    const std::string seq = where + "seqs[" + std::to_string(i) + "].";
    if (s.tokens < 0) return seq + "tokens must be >= 0, got " + std::to_string(s.tokens);
    if (s.grid_h < 0 || s.grid_w < 0) {
      return seq + "grid must be >= 0x0, got " + std::to_string(s.grid_h) + "x" + std::to_string(s.grid_w);
    }
    if (s.kernel_h < 1 || s.kernel_w < 1) {
      return seq + "kernel must be >= 1x1, got " + std::to_string(s.kernel_h) + "x" + std::to_string(s.kernel_w);
    }
    const int64_t visual = static_cast<int64_t>(s.grid_h) * s.grid_w;
    if (s.visual_start < 0 || s.visual_start + visual > s.tokens) {
      return seq + "visual run [" + std::to_string(s.visual_start) + ", " + std::to_string(s.visual_start + visual) +
             ") must lie inside the sequence's " + std::to_string(s.tokens) + " tokens";
    }
    if (s.in_offset < 0 || s.in_offset + s.tokens > args.in_rows) {
      return seq + "in_offset " + std::to_string(s.in_offset) + " + tokens " + std::to_string(s.tokens) +
             " exceeds in_rows " + std::to_string(args.in_rows);
    }
    const int64_t out_tokens = dpe_pool_output_tokens(s);
    if (s.out_offset < 0 || s.out_offset + out_tokens > args.out_rows) {
      return seq + "out_offset " + std::to_string(s.out_offset) + " + output tokens " + std::to_string(out_tokens) +
             " exceeds out_rows " + std::to_string(args.out_rows);
    }
  }
  return "";
}

}  // namespace dpn::kernels
