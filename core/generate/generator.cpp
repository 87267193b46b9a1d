// The decoder loop. Prefill: layer by layer, letting the method reshape the sequence; decode: one token at a time,
// each layer at the RoPE position the method assigns (its own cache length by default, as DPN requires).
#include "generate/generator.h"

#include <ATen/ATen.h>

#include <chrono>

#include "util/error.h"

namespace dpn {

namespace {
using Clock = std::chrono::steady_clock;
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

// The logits a token is chosen from ([V] float32 on the CPU), refused when any is NaN or infinite: the weights hold
// such values, or the compute dtype overflowed. Sampling from them would print an arbitrary answer.
at::Tensor checked(at::Tensor logits, const LlavaModel& m, const char* when) {
  if (!at::isfinite(logits).all().item<bool>())
    throw Error(m.cfg.model_dir, std::string("the model computed non-finite logits (NaN or infinity) ") + when +
                                     ": its weights hold NaN/inf values or the computation overflowed" +
                                     (m.dtype == at::kFloat ? "" : " (try --dtype f32)"));
  return logits;
}
}  // namespace

Generation generate(const LlavaModel& m, const EmbeddedPrompt& prompt, const GenerateOptions& o) {
  const TextConfig& tc = m.cfg.text;
  const LlamaWeights& W = m.weights.llm;
  Generation g;
  g.cache.layers.resize(tc.layers);
  for (auto& l : g.cache.layers) l.reserve = o.max_new_tokens;

  SeqState s;
  s.x = prompt.embeds;
  const int64_t L = s.x.size(0);
  const auto idx_opts = s.x.options().dtype(at::kLong);
  s.positions = at::arange(L, idx_opts);
  s.visual_start = prompt.visual_start;
  s.visual_count = prompt.visual_count;
  s.router_pos = o.router_pos;
  const int gh = prompt.grid_h, gw = prompt.grid_w, k = prompt.cell;
  if (int64_t(gh) * gw == prompt.visual_count) {
    s.grid_h = gh;
    s.grid_w = gw;
    s.base_h = gh * k;
    s.base_w = gw * k;
    for (int r = 0; r < gh; ++r)
      for (int c = 0; c < gw; ++c) s.regions.push_back({r * k, c * k, (r + 1) * k, (c + 1) * k});
  }
  g.base_h = s.base_h;
  g.base_w = s.base_w;
  g.prefill_len = L;

  auto t0 = Clock::now();
  for (int l = 0; l < tc.layers; ++l) {
    auto tl = Clock::now();
    LayerSnapshot snap;
    if (o.method) o.method->before_layer(l, s, snap.action);
    snap.seq_len = s.length();
    snap.visual = s.visual_count;
    snap.grid_h = s.grid_h;
    snap.grid_w = s.grid_w;
    snap.regions = s.regions;
    AttentionRequest req;
    if (o.method) req.query_rows = o.method->attention_rows(l, s);
    req.last_row = o.trace_attention && s.visual_count > 0;
    const bool want = !req.query_rows.empty() || req.last_row;
    at::Tensor out = llama_layer(W.layers[l], tc, s.x, s.positions, g.cache.layers[l], want ? &req : nullptr);
    if (req.last_row) {
      at::Tensor a = req.received_last.narrow(0, s.visual_start, s.visual_count).cpu().contiguous();
      snap.attention.assign(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
    }
    s.x = out;
    if (!req.query_rows.empty()) o.method->on_attention(l, s, req.received, snap.action);
    if (o.method) o.method->after_layer(l, s, snap.action);
    if (o.keep_hidden) g.hidden.push_back(s.x);  // as handed to the next layer (post-pooled)
    snap.ms = ms(tl, Clock::now());
    g.layers.push_back(std::move(snap));
  }
  g.final_len = s.length();
  at::Tensor rows = o.all_logits ? s.x : s.x.narrow(0, s.x.size(0) - 1, 1);
  g.prefill_logits = llama_logits(W, tc, rows);
  auto t1 = Clock::now();
  g.prefill_ms = ms(t0, t1);

  Sampler sampler(o.sampler);
  int token = sampler.next(checked(g.prefill_logits[g.prefill_logits.size(0) - 1].cpu(), m, "after the prompt"));
  g.stop_reason = "max_tokens";
  for (int step = 0; step < o.max_new_tokens; ++step) {
    if (o.stop_at_eos && token == tc.eos_id) {
      g.stop_reason = "eos";
      break;
    }
    g.tokens.push_back(token);
    if (o.on_token && !o.on_token(token)) {
      g.stop_reason = "cancelled";
      break;
    }
    if (step + 1 == o.max_new_tokens) break;
    at::Tensor x = W.embed.index_select(0, at::full({1}, int64_t(token), idx_opts));
    for (int l = 0; l < tc.layers; ++l) {
      LayerKv& kv = g.cache.layers[l];
      int64_t pos = o.method ? o.method->decode_position(l, kv.len, L, step) : kv.len;
      x = llama_layer(W.layers[l], tc, x, at::full({1}, pos, idx_opts), kv);
    }
    token = sampler.next(checked(llama_logits(W, tc, x)[0].cpu(), m, "while decoding"));
    g.decode_passes += 1;
  }
  g.decode_ms = ms(t1, Clock::now());
  return g;
}

}  // namespace dpn
