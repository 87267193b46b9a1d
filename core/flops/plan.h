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
};

}  // namespace dpn::flops
