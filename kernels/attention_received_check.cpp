// Argument checks and the contiguous-layout helper of the attention-received kernel.
#include <string>

#include "attention_received.h"

namespace dpn::kernels {

AttentionReceivedArgs attention_received_contiguous(int32_t q_heads, int32_t kv_heads, int32_t queries,
                                                    int32_t keys, int32_t head_dim, int32_t first_query_position,
                                                    ElemType dtype) {
  AttentionReceivedArgs a;
  a.q_heads = q_heads;
  a.kv_heads = kv_heads;
  a.queries = queries;
  a.keys = keys;
  a.head_dim = head_dim;
  a.q_token_stride = head_dim;
  a.q_head_stride = static_cast<int64_t>(queries) * head_dim;
  a.k_token_stride = head_dim;
  a.k_head_stride = static_cast<int64_t>(keys) * head_dim;
  a.first_query_position = first_query_position;
  a.dtype = dtype;
  return a;
}

std::string attention_received_check(const AttentionReceivedArgs& a, bool positions_on_host) {
  const std::string where = "attention_received: ";
  if (a.q_heads <= 0) return where + "q_heads must be > 0, got " + std::to_string(a.q_heads);
  if (a.kv_heads <= 0 || a.q_heads % a.kv_heads != 0) {
    return where + "kv_heads must divide q_heads " + std::to_string(a.q_heads) + ", got " +
           std::to_string(a.kv_heads);
  }
  if (a.queries < 0) return where + "queries must be >= 0, got " + std::to_string(a.queries);
  if (a.keys < 0) return where + "keys must be >= 0, got " + std::to_string(a.keys);
  if (a.head_dim <= 0) return where + "head_dim must be > 0, got " + std::to_string(a.head_dim);
  if (a.q_token_stride < a.head_dim && a.queries > 1) {
    return where + "q_token_stride " + std::to_string(a.q_token_stride) + " is smaller than head_dim";
  }
  if (a.k_token_stride < a.head_dim && a.keys > 1) {
    return where + "k_token_stride " + std::to_string(a.k_token_stride) + " is smaller than head_dim";
  }
  if (a.q_head_stride < 0 || a.k_head_stride < 0) return where + "head strides must be >= 0";
  if (a.softmax_scale < 0.0f) return where + "softmax_scale must be >= 0 (0 = 1/sqrt(head_dim))";
  if (a.dtype != ElemType::f32 && a.dtype != ElemType::bf16 && a.dtype != ElemType::f16) {
    return where + "dtype must be f32, bf16 or f16";
  }
  if (a.query_positions == nullptr) {
    const int64_t last = static_cast<int64_t>(a.first_query_position) + a.queries - 1;
    if (a.queries > 0 && (a.first_query_position < 0 || last >= a.keys)) {
      return where + "query positions [" + std::to_string(a.first_query_position) + ", " + std::to_string(last) +
             "] must lie in [0, keys = " + std::to_string(a.keys) + ")";
    }
  } else if (positions_on_host) {
    for (int32_t i = 0; i < a.queries; ++i) {
      if (a.query_positions[i] < 0 || a.query_positions[i] >= a.keys) {
        return where + "query_positions[" + std::to_string(i) + "] = " + std::to_string(a.query_positions[i]) +
               " must lie in [0, keys = " + std::to_string(a.keys) + ")";
      }
    }
  }
  return "";
}

}  // namespace dpn::kernels
