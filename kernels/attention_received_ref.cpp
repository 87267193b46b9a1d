// Plain CPU reference for attention received: materialise each (head, query) row of scores, softmax in
// double over the causal prefix, add the probabilities / (Hq * Nq) into the keys.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attention_received.h"
#include "half_types.h"

namespace dpn::kernels {
namespace {

template <typename T>
void reference(const AttentionReceivedArgs& a, const T* q, const T* k, float* out) {
  const double scale = attention_received_scale(a);
  const int32_t group = a.q_heads / a.kv_heads;
  std::vector<double> acc(a.keys, 0.0), row;
  for (int32_t h = 0; h < a.q_heads; ++h) {
    const int32_t kv = h / group;
    for (int32_t i = 0; i < a.queries; ++i) {
      const int32_t pos = a.query_positions ? a.query_positions[i] : a.first_query_position + i;
      const T* qi = q + h * a.q_head_stride + i * a.q_token_stride;
      row.assign(pos + 1, 0.0);
      for (int32_t j = 0; j <= pos; ++j) {
        const T* kj = k + kv * a.k_head_stride + j * a.k_token_stride;
        double dot = 0.0;
        for (int32_t d = 0; d < a.head_dim; ++d) dot += double(to_float(qi[d])) * double(to_float(kj[d]));
        row[j] = dot * scale;
      }
      const double m = *std::max_element(row.begin(), row.end());
      double total = 0.0;
      for (double& s : row) total += (s = std::exp(s - m));
      for (int32_t j = 0; j <= pos; ++j) acc[j] += row[j] / total / (double(a.q_heads) * a.queries);
    }
  }
  for (int32_t j = 0; j < a.keys; ++j) out[j] = static_cast<float>(acc[j]);
}

}  // namespace

std::string attention_received_ref(const AttentionReceivedArgs& args, const void* q, const void* k, float* out) {
  if (std::string error = attention_received_check(args, /*positions_on_host=*/true); !error.empty()) return error;
  switch (args.dtype) {
    case ElemType::f32:
      reference(args, static_cast<const float*>(q), static_cast<const float*>(k), out);
      break;
    case ElemType::bf16:
      reference(args, static_cast<const bf16*>(q), static_cast<const bf16*>(k), out);
      break;
    case ElemType::f16:
      reference(args, static_cast<const fp16*>(q), static_cast<const fp16*>(k), out);
      break;
  }
  return "";
}

}  // namespace dpn::kernels
