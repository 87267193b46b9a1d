// Shared inputs of the kernel tests: random buffers of any element type and the tables of DPE-pooling and
// attention-received cases (random and edge shapes) that both the CPU and the CUDA tests run.
#pragma once
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "attention_received.h"
#include "dpe_pool.h"
#include "half_types.h"

namespace dpn::kernels::test {

// n elements of `type` drawn uniformly from [lo, hi), rounded to the type, as raw bytes.
inline std::vector<uint8_t> random_elems(ElemType type, int64_t n, std::mt19937& rng, float lo = -2.0f,
                                         float hi = 2.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<uint8_t> bytes(static_cast<size_t>(n) * elem_type_size(type));
  for (int64_t i = 0; i < n; ++i) {
    const float v = dist(rng);
    if (type == ElemType::f32) {
      std::memcpy(bytes.data() + 4 * i, &v, 4);
    } else {
      const uint16_t bits = type == ElemType::bf16 ? bf16_from_float(v).bits : fp16_from_float(v).bits;
      std::memcpy(bytes.data() + 2 * i, &bits, 2);
    }
  }
  return bytes;
}

struct PoolCase {
  std::string name;
  std::vector<DpePoolSeq> seqs;  // in_offset set, out_offset packed
  int64_t channels = 0;
  int64_t in_rows = 0;
  int64_t out_rows = 0;
  PoolOp op = PoolOp::max;
  ElemType dtype = ElemType::f32;

  DpePoolArgs args() const {
    DpePoolArgs a;
    a.seqs = seqs.data();
    a.num_seqs = static_cast<int32_t>(seqs.size());
    a.channels = channels;
    a.in_rows = in_rows;
    a.out_rows = out_rows;
    a.op = op;
    a.dtype = dtype;
    return a;
  }
};

// before / H x W grid / after, kernel kh x kw, probability p.
inline DpePoolSeq pool_seq(int before, int h, int w, int after, int kh, int kw, float p) {
  DpePoolSeq s;
  s.tokens = before + h * w + after;
  s.visual_start = before;
  s.grid_h = h;
  s.grid_w = w;
  s.kernel_h = kh;
  s.kernel_w = kw;
  s.scale = p;
  return s;
}

// Packs the inputs with `gap` unused rows between sequences (offsets are honoured, not assumed packed).
inline PoolCase make_pool_case(std::string name, std::vector<DpePoolSeq> seqs, int64_t channels, PoolOp op,
                               ElemType dtype, int64_t gap = 0) {
  PoolCase c;
  c.name = std::move(name);
  int64_t rows = 0;
  for (DpePoolSeq& s : seqs) {
    s.in_offset = rows;
    rows += s.tokens + gap;
  }
  c.in_rows = rows;
  c.out_rows = dpe_pool_pack_outputs(seqs.data(), static_cast<int32_t>(seqs.size()));
  c.seqs = std::move(seqs);
  c.channels = channels;
  c.op = op;
  c.dtype = dtype;
  return c;
}

inline std::vector<PoolCase> pool_cases() {
  std::vector<PoolCase> cases;
  for (PoolOp op : {PoolOp::max, PoolOp::avg}) {
    for (ElemType t : {ElemType::f32, ElemType::bf16, ElemType::f16}) {
      const std::string tag = std::string(op == PoolOp::max ? "max_" : "avg_") + elem_type_name(t);
      cases.push_back(make_pool_case("llava_24x24_2x2_" + tag, {pool_seq(35, 24, 24, 20, 2, 2, 0.61f)}, 64, op, t));
      cases.push_back(make_pool_case("half_width_24x24_1x2_" + tag, {pool_seq(5, 24, 24, 3, 1, 2, 0.45f)}, 40, op, t));
      cases.push_back(make_pool_case("expert_1x1_" + tag, {pool_seq(4, 6, 6, 7, 1, 1, 0.37f)}, 33, op, t));
      cases.push_back(make_pool_case("grid_not_divisible_5x7_2x2_" + tag, {pool_seq(3, 5, 7, 2, 2, 2, 0.8f)}, 17, op, t));
      cases.push_back(make_pool_case("grid_not_divisible_3x5_1x2_" + tag, {pool_seq(2, 3, 5, 4, 1, 2, 0.5f)}, 8, op, t));
      cases.push_back(make_pool_case("kernel_4x4_on_12x12_" + tag, {pool_seq(6, 12, 12, 6, 4, 4, 0.9f)}, 300, op, t));
      cases.push_back(make_pool_case("kernel_3x3_on_9x10_" + tag, {pool_seq(2, 9, 10, 1, 3, 3, 0.55f)}, 48, op, t));
      cases.push_back(make_pool_case("kernel_1x3_on_4x9_" + tag, {pool_seq(1, 4, 9, 1, 1, 3, 0.72f)}, 40, op, t));
      cases.push_back(make_pool_case("empty_text_before_" + tag, {pool_seq(0, 4, 6, 5, 2, 2, 0.7f)}, 16, op, t));
      cases.push_back(make_pool_case("empty_text_after_" + tag, {pool_seq(9, 6, 4, 0, 2, 1, 0.66f)}, 16, op, t));
      cases.push_back(make_pool_case("only_visual_tokens_" + tag, {pool_seq(0, 8, 8, 0, 2, 2, 0.51f)}, 1, op, t));
      cases.push_back(make_pool_case("kernel_larger_than_grid_" + tag, {pool_seq(3, 1, 3, 2, 2, 2, 0.5f)}, 4, op, t));
      cases.push_back(make_pool_case("batch_of_3_mixed_" + tag,
                                     {pool_seq(7, 24, 24, 11, 2, 2, 0.42f), pool_seq(0, 6, 3, 9, 1, 2, 0.99f),
                                      pool_seq(13, 5, 5, 0, 1, 1, 0.35f)},
                                     96, op, t, /*gap=*/3));
    }
  }
  // More than one launch chunk of sequences.
  std::vector<DpePoolSeq> many;
  for (int i = 0; i < 70; ++i) many.push_back(pool_seq(i % 5, 2 + i % 4, 2 + i % 3, i % 7, 1 + i % 2, 2, 0.4f + 0.005f * static_cast<float>(i)));
  cases.push_back(make_pool_case("batch_of_70_bf16", many, 24, PoolOp::avg, ElemType::bf16, /*gap=*/1));
  return cases;
}

struct AttentionCase {
  std::string name;
  AttentionReceivedArgs args;
  std::vector<int32_t> positions;  // when not empty, args.query_positions points here (set by bind())
  float value_range = 2.0f;        // q and k drawn from [-range, range)

  AttentionReceivedArgs bind() const {
    AttentionReceivedArgs a = args;
    a.query_positions = positions.empty() ? nullptr : positions.data();
    return a;
  }
  int64_t q_elems() const { return extent(args.q_heads, args.queries, args.q_head_stride, args.q_token_stride); }
  int64_t k_elems() const { return extent(args.kv_heads, args.keys, args.k_head_stride, args.k_token_stride); }

 private:
  int64_t extent(int32_t heads, int32_t tokens, int64_t head_stride, int64_t token_stride) const {
    if (heads == 0 || tokens == 0) return 0;
    return (heads - 1) * head_stride + (tokens - 1) * token_stride + args.head_dim;
  }
};

// Q and K in the projection's natural [T, H, Dh] layout (head stride Dh, token stride H*Dh).
inline AttentionReceivedArgs token_major(AttentionReceivedArgs a) {
  a.q_head_stride = a.head_dim;
  a.q_token_stride = static_cast<int64_t>(a.q_heads) * a.head_dim;
  a.k_head_stride = a.head_dim;
  a.k_token_stride = static_cast<int64_t>(a.kv_heads) * a.head_dim;
  return a;
}

inline std::vector<AttentionCase> attention_cases() {
  std::vector<AttentionCase> cases;
  for (ElemType t : {ElemType::f32, ElemType::bf16, ElemType::f16}) {
    const std::string tag = elem_type_name(t);
    cases.push_back({"last_query_fastv_" + tag, attention_received_contiguous(8, 8, 1, 300, 64, 299, t), {}});
    cases.push_back({"all_queries_causal_" + tag, attention_received_contiguous(4, 4, 90, 90, 32, 0, t), {}});
    cases.push_back({"gqa_8_over_2_" + tag, attention_received_contiguous(8, 2, 5, 200, 64, 195, t), {}});
    cases.push_back({"token_major_layout_gqa_" + tag,
                     token_major(attention_received_contiguous(6, 3, 17, 150, 16, 133, t)), {}});
    AttentionCase picked{"query_positions_unordered_" + tag, attention_received_contiguous(4, 1, 6, 64, 24, 0, t),
                         {63, 0, 17, 17, 40, 1}};
    cases.push_back(picked);
    cases.push_back({"single_key_" + tag, attention_received_contiguous(2, 1, 1, 1, 8, 0, t), {}});
    cases.push_back({"head_dim_1_" + tag, attention_received_contiguous(3, 3, 4, 9, 1, 5, t), {}});
    cases.push_back({"head_dim_128_long_" + tag, attention_received_contiguous(2, 1, 2, 700, 128, 698, t), {}});
  }
  AttentionCase peaked{"large_scores_online_softmax_f32", attention_received_contiguous(2, 2, 3, 120, 16, 117,
                                                                                       ElemType::f32), {}, 8.0f};
  cases.push_back(peaked);
  AttentionCase no_queries{"no_queries_f32", attention_received_contiguous(2, 2, 0, 10, 4, 0, ElemType::f32), {}};
  cases.push_back(no_queries);
  return cases;
}

}  // namespace dpn::kernels::test
