// Device dispatch to kernels/ (see device_kernels.h).
#include "methods/device_kernels.h"

#include <ATen/ATen.h>

#include "attention_received.h"
#include "dpe_pool.h"
#include "methods/dpe_pooling.h"
#include "util/error.h"

#if defined(DPN_HAS_CUDA_KERNELS) && defined(DPN_TORCH_HAS_CUDA)
#include <ATen/cuda/CUDAContext.h>
#define DPN_DEVICE_KERNELS 1
#endif

namespace dpn {

namespace {

kernels::ElemType elem_type(const at::Tensor& t) {
  switch (t.scalar_type()) {
    case at::kFloat: return kernels::ElemType::f32;
    case at::kBFloat16: return kernels::ElemType::bf16;
    case at::kHalf: return kernels::ElemType::f16;
    default: throw Error("kernels", std::string("unsupported dtype ") + c10::toString(t.scalar_type()));
  }
}

void check(const std::string& message) {
  if (!message.empty()) throw Error("kernels", message);
}

bool use_kernels(const at::Tensor& t, KernelPath path) {
  if (path == KernelPath::KernelCpu) return true;
  if (path == KernelPath::Torch) return false;
  return t.is_cuda() && cuda_kernels_available();
}

}  // namespace

bool cuda_kernels_available() {
#ifdef DPN_DEVICE_KERNELS
  return true;
#else
  return false;
#endif
}

at::Tensor dpe_pool_sequence(const at::Tensor& x, int64_t start, int h, int w, int kh, int kw, PoolFunction function,
                             float scale, KernelPath path) {
  const int64_t L = x.size(0), n = int64_t(h) * w;
  if (function == PoolFunction::Conv || !use_kernels(x, path)) {
    at::Tensor visual = x.narrow(0, start, n);
    at::Tensor pooled = (kh == 1 && kw == 1) ? visual : pool_visual_grid(visual, h, w, kh, kw, function);
    return at::cat({x.narrow(0, 0, start), pooled * scale, x.narrow(0, start + n, L - start - n)}, 0);
  }
  at::Tensor in = x.contiguous();
  kernels::DpePoolSeq seq;
  seq.tokens = int32_t(L), seq.visual_start = int32_t(start), seq.grid_h = h, seq.grid_w = w, seq.kernel_h = kh, seq.kernel_w = kw;
  seq.scale = scale;
  const int64_t rows = kernels::dpe_pool_pack_outputs(&seq, 1);
  at::Tensor out = at::empty({rows, x.size(1)}, x.options());
  kernels::DpePoolArgs a;
  a.seqs = &seq, a.num_seqs = 1, a.channels = x.size(1), a.in_rows = L, a.out_rows = rows;
  a.op = function == PoolFunction::Avg ? kernels::PoolOp::avg : kernels::PoolOp::max;
  a.dtype = elem_type(x);
#ifdef DPN_DEVICE_KERNELS
  if (x.is_cuda()) {
    check(kernels::dpe_pool_cuda(a, in.data_ptr(), out.data_ptr(), at::cuda::getCurrentCUDAStream().stream()));
    return out;
  }
#endif
  check(kernels::dpe_pool_cpu(a, in.data_ptr(), out.data_ptr()));
  return out;
}

at::Tensor attention_received(const at::Tensor& q, const at::Tensor& keys, const at::Tensor& probs,
                              const std::vector<int64_t>& rows, int64_t past, KernelPath path) {
  if (!use_kernels(q, path) && probs.defined()) {
    const int64_t H = q.size(0), T = q.size(1), Tk = keys.size(1);
    at::Tensor idx = at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(probs.device());
    return probs.reshape({H, T, Tk}).index_select(1, idx).mean(at::IntArrayRef({0, 1}));
  }
  at::Tensor qc = q.contiguous(), kc = keys.contiguous();
  kernels::AttentionReceivedArgs a;
  a.q_heads = int32_t(q.size(0)), a.kv_heads = int32_t(keys.size(0)), a.queries = int32_t(rows.size());
  a.keys = int32_t(keys.size(1)), a.head_dim = int32_t(q.size(2));
  a.q_head_stride = q.size(1) * q.size(2), a.q_token_stride = q.size(2);
  a.k_head_stride = keys.size(1) * keys.size(2), a.k_token_stride = keys.size(2);
  a.dtype = elem_type(q);
  // The kernel reads query i from row i of Q: gather the requested rows first.
  at::Tensor qrows = qc.index_select(1, at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(q.device())).contiguous();
  a.q_head_stride = qrows.size(1) * qrows.size(2);
  std::vector<int32_t> pos(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) pos[i] = int32_t(past + rows[i]);
  at::Tensor out = at::empty({keys.size(1)}, q.options().dtype(at::kFloat));
#ifdef DPN_DEVICE_KERNELS
  if (q.is_cuda()) {
    at::Tensor dpos = at::tensor(std::vector<int32_t>(pos), at::TensorOptions().dtype(at::kInt)).to(q.device());
    a.query_positions = dpos.data_ptr<int32_t>();
    check(kernels::attention_received_cuda(a, qrows.data_ptr(), kc.data_ptr(), out.data_ptr<float>(),
                                           at::cuda::getCurrentCUDAStream().stream()));
    return out;
  }
#endif
  a.query_positions = pos.data();
  check(kernels::attention_received_cpu(a, qrows.data_ptr(), kc.data_ptr(), out.data_ptr<float>()));
  return out;
}

}  // namespace dpn
