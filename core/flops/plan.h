// What the decoder does, layer by layer, under a token-compression method: the one record FLOPs are counted from.
// The engine fills it from what ran (core/generate); `dpn flops` predicts it from a method spec (build_plan).
#pragma once
#include <cstdint>
#include <vector>

namespace dpn::flops {

// Work a method does at one decoder layer besides the layer itself. All zero for a layer it leaves alone.
struct MethodWork {
  int router_experts = 0;             // a router scored this many experts on one hidden state (0: none ran)
  int64_t pool_in = 0, pool_out = 0;  // visual tokens pooled at this layer and the tokens that replace them
  int kernel_h = 0, kernel_w = 0;     // the pooling window (= stride) when pool_in > 0; 1x1 only copies
  bool scaled = false;                // pooled tokens multiplied by a router probability
  int64_t rank_rows = 0;              // attention rows re-computed to rank the visual tokens (FastV: 1 or all)
  int64_t rank_keys = 0;              // keys each of those rows attends over
  int64_t rank_visual = 0;            // visual columns summed from each row
  bool rank_per_head = false;         // the visual columns are also weighted and summed per head (SparseVLM v2.0)
  int64_t rank_key_rows = 0;          // rows re-normalised and projected to RoPE'd keys for the ranking, their query
                                      // rows projected too (PDrop ranks with the NEXT layer's norm, q and k)
  int64_t rater_visual = 0, rater_text = 0;  // text raters chosen from visual x text dot products (SparseVLM, layer 0)
  int64_t recycle_in = 0, recycle_out = 0;   // pruned tokens clustered (DPC-kNN) into recycled tokens (SparseVLM)
};

// Work a method does inside the vision tower, before the projector (VisionZip): the class token's attention summed
// over heads and ranked, L2-normalised keys, key dot products between merged tokens and their targets, features summed.
struct VisionWork {
  int64_t ranked = 0;            // patch tokens ranked by the class token's attention
  int heads = 0;                 // summed over this many heads
  int64_t normalised = 0;        // keys L2-normalised
  int64_t similarity_pairs = 0;  // key dot products (merged token x target)
  int key_dim = 0;               // width of the keys (head mean)
  int64_t merged = 0;            // features added into a target (then divided by the count and added to it)
  int64_t targets = 0;           // tokens that received merged features
  int feature_dim = 0;           // width of the features
};

struct LayerPlan {
  int layer = 0;
  int64_t tokens = 0;          // sequence length the layer computes in prefill (after a "pre" pool at this layer)
  int64_t visual = 0;          // visual tokens among them
  int grid_h = 0, grid_w = 0;  // their grid (0 x 0 when they are not one)
  int64_t kv_len = 0;          // entries in this layer's KV cache after prefill
  MethodWork work;             // what the method did at this layer
};

struct Plan {
  std::vector<LayerPlan> layers;
  int64_t image_tokens = 0;    // visual tokens entering the LLM
  int64_t text_tokens = 0;     // every other prompt token
  int64_t prefill_logit_rows = 1;  // rows the LM head runs on after prefill (generation needs the last one)
  int64_t decode_passes = 0;   // decode forward passes: each feeds one generated token through every layer
  int64_t projector_in = 0;    // vision tokens the projector reads
  VisionWork vision_work;      // a vision-side method's work (VisionZip)
};

}  // namespace dpn::flops
