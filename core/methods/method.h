// The interface of token-compression methods: how a method acts on the decoder's sequence and what it reports.
//
// A method is a TokenMethod: the generator (core/generate) calls it around every decoder layer of the prefill pass
// and asks it for decode positions; it never branches on which method it runs, and neither does the trace. Per layer
// the generator records, for every method alike, the sequence the layer processed (SeqState: length, visual run,
// grid, and the base-grid cells each visual token covers) and the LayerAction the method filled in: its extra work
// (flops::MethodWork: router, pooling, attention ranking; FLOPs are counted from it) and an optional
// method-specific payload (a router decision). `none` is the absence of a method.
//
// Adding a method (e.g. PyramidDrop):
//   1. core/methods/<name>.{h,cpp}: a TokenMethod subclass. Reshape the sequence with SeqState::splice_visual
//      (keeps RoPE positions of survivors, FastV-style) or replace_visual (re-indexes, DPN-style); keep
//      SeqState::regions in step (one TokenRegion per visual token; merge_regions for a token made of several);
//      describe the work done in LayerAction::work. Read the attention you need through attention_rows/on_attention.
//   2. flops/method_spec.{h,cpp}: a MethodSpec::Kind with its options (parse, print) and its analytic schedule in
//      flops/flops.cpp build_plan (what `dpn flops` predicts without running).
//   3. one row in make_method.cpp's factory table.
// Hooks run in this order for layer l: before_layer, the layer (attention_rows are taken from it), on_attention,
// after_layer. Work reported in any of them is attributed to layer l.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "dpn.h"
#include "flops/plan.h"

namespace dpn {

// The prefill sequence as it flows through the decoder.
struct SeqState {
  at::Tensor x;                       // [L, D] hidden states
  at::Tensor positions;               // [L] int64 RoPE positions
  int64_t visual_start = 0;           // the contiguous run of visual tokens
  int64_t visual_count = 0;
  int grid_h = 0, grid_w = 0;         // current visual grid (visual_count == grid_h * grid_w while it is a grid)
  int base_h = 0, base_w = 0;         // the base grid the regions refer to
  std::vector<TokenRegion> regions;   // base-grid cells covered by each visual token, in sequence order
  int64_t router_pos = -1;            // index of the <ROUTER> token, or -1

  int64_t length() const { return x.size(0); }
  // Replaces the visual run by `visual` ([n', D]); text after it shifts. Positions become 0..L'-1 (DPN re-indexes)
  // unless `visual_positions` ([n']) is given: then the text keeps its positions and the visual run gets those (FastV).
  void splice_visual(const at::Tensor& visual, const at::Tensor& visual_positions = {});
  // Takes a whole new sequence whose visual run (same start) now has `visual_count` tokens; positions re-indexed.
  void replace_visual(const at::Tensor& new_x, int64_t visual_count);
  // The region of a token that merges the tokens at `indices` (into regions): their bounding rectangle, with the
  // covered cells listed when they do not fill it.
  TokenRegion merge_regions(const std::vector<int64_t>& indices) const;
};

// What a method did at one decoder layer (see the top of this file).
struct LayerAction {
  flops::MethodWork work;             // counted in FLOPs
  std::optional<RouterTrace> router;  // DPN: the router's decision at this layer
};

class TokenMethod {
 public:
  virtual ~TokenMethod() = default;
  // Called before and after decoder layer `layer` in the prefill pass. May shorten the sequence.
  virtual void before_layer(int layer, SeqState& s, LayerAction& action) {}
  virtual void after_layer(int layer, SeqState& s, LayerAction& action) {}
  // Rows (indices into the layer's sequence) whose attention probabilities the method needs from this layer; empty
  // for none. on_attention then receives [Tk]: the attention each key receives, mean over heads and those rows.
  virtual std::vector<int64_t> attention_rows(int layer, const SeqState& s) { return {}; }
  virtual void on_attention(int layer, const SeqState& s, const at::Tensor& received, LayerAction& action) {}
  // RoPE position of the token decoded at `step` (0-based) in `layer` whose cache holds `cache_len` entries.
  virtual int64_t decode_position(int layer, int64_t cache_len, int64_t prefill_len, int64_t step) { return cache_len; }
};

}  // namespace dpn
