#include "model/cpu_math.h"

#include <ATen/ATen.h>

#include "model/gemv.h"

namespace dpn {

namespace {

bool cpu_has_native_bf16() {
#if defined(__x86_64__) && defined(__GNUC__) && __GNUC__ >= 11
  static const bool has = __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
  return has;
#else
  return false;
#endif
}

bool plain_only(const at::Tensor& x, const at::Tensor& w) {
  return !x.device().is_cpu() || !w.device().is_cpu() || x.scalar_type() != w.scalar_type() ||
         (x.scalar_type() != at::kFloat && x.scalar_type() != at::kBFloat16) ||
         (at::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad()));
}

}  // namespace

bool f32_compute(const at::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == at::kBFloat16 && !cpu_has_native_bf16() &&
         !(at::GradMode::is_enabled() && t.requires_grad());
}

at::Tensor dense(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (plain_only(x, w) || w.dim() != 2 || (b.defined() && (b.scalar_type() != w.scalar_type() || !b.device().is_cpu() ||
                                                          (at::GradMode::is_enabled() && b.requires_grad()))))
    return at::linear(x, w, b);
  const int64_t K = w.size(1), N = w.size(0);
  const int64_t rows = K > 0 ? x.numel() / K : 0;
  if (rows == 1 && K > 0 && x.size(-1) == K && w.stride(1) == 1) {
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = N;
    at::Tensor y = at::empty(shape, x.options());
    at::Tensor xf = x.reshape({K}).to(at::kFloat).contiguous();
    at::Tensor bc = b.defined() ? b.contiguous() : b;
    if (x.scalar_type() == at::kFloat)
      gemv_f32(w.data_ptr<float>(), w.stride(0), xf.data_ptr<float>(), bc.defined() ? bc.data_ptr<float>() : nullptr,
               y.data_ptr<float>(), N, K);
    else
      gemv_bf16(reinterpret_cast<const uint16_t*>(w.data_ptr<at::BFloat16>()), w.stride(0), xf.data_ptr<float>(),
                bc.defined() ? reinterpret_cast<const uint16_t*>(bc.data_ptr<at::BFloat16>()) : nullptr,
                reinterpret_cast<uint16_t*>(y.data_ptr<at::BFloat16>()), N, K);
    return y;
  }
  if (f32_compute(x))
    return at::linear(x.to(at::kFloat), w.to(at::kFloat), b.defined() ? b.to(at::kFloat) : b).to(at::kBFloat16);
  return at::linear(x, w, b);
}

at::Tensor layernorm(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b, double eps) {
  const int64_t D = w.numel();
  if (x.device().is_cpu() && x.scalar_type() == at::kBFloat16 && !(at::GradMode::is_enabled() && x.requires_grad()))
    return at::layer_norm(x.to(at::kFloat), {D}, w.to(at::kFloat), b.defined() ? b.to(at::kFloat) : b, eps)
        .to(at::kBFloat16);
  return at::layer_norm(x, {D}, w, b, eps);
}

}  // namespace dpn
