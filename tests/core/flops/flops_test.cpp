// The exact count: a tiny shape counted by hand, GQA, causal, decode per layer, and the plans of each method.
#include "flops/flops.h"

#include <gtest/gtest.h>

#include "flops/report.h"
#include "util/error.h"

using namespace dpn::flops;

namespace {

// d = 8, m = 16, 2 heads of 4, 1 kv head (GQA), vocab 10, 2 layers.
LlmShape tiny() { return LlmShape{2, 8, 16, 2, 1, 10}; }

FlopsReport count(const std::string& model, const std::string& method, FlopsOptions o = {}) {
  return count_flops(model_shape_preset(model), parse_method_spec(method), o);
}

}  // namespace

TEST(Flops, TinyLayerCountedByHand) {
  // n = 3 tokens, d = 8, d_kv = 1 * 4 = 4, m = 16, h = 2.
  const LayerFlops f = layer_prefill_flops(tiny(), 3, /*causal=*/false);
  // q 2*3*8*8 = 384, k 2*3*8*4 = 192, v 192, o 384
  EXPECT_DOUBLE_EQ(f.qkvo, 384 + 192 + 192 + 384);
  // per head: scores 2*3*3*4 = 72 and weighted sum 72; 2 heads
  EXPECT_DOUBLE_EQ(f.attention, 2 * (72 + 72));
  // gate 2*3*8*16 = 768, up 768, down 768
  EXPECT_DOUBLE_EQ(f.mlp, 3 * 768);
  EXPECT_DOUBLE_EQ(f.norms, 2 * 4 * 3 * 8);    // two RMSNorms, 4 ops per element
  EXPECT_DOUBLE_EQ(f.rope, 3 * 3 * (8 + 4));   // q and k, 3 ops per element
  EXPECT_DOUBLE_EQ(f.softmax, 5 * 2 * 3 * 3);  // 5 ops per score, 2 heads x 3 x 3
  EXPECT_DOUBLE_EQ(f.activation, 5 * 3 * 16);  // silu + product per FFN element
  EXPECT_DOUBLE_EQ(f.residual, 2 * 3 * 8);
  EXPECT_DOUBLE_EQ(f.total(), 1152 + 288 + 2304 + 192 + 108 + 90 + 240 + 48);

  // causal: 3*4/2 = 6 query-key pairs per head instead of 9
  const LayerFlops c = layer_prefill_flops(tiny(), 3, /*causal=*/true);
  EXPECT_DOUBLE_EQ(c.attention, 2 * 2 * 6 * 8);
  EXPECT_DOUBLE_EQ(c.softmax, 5 * 2 * 6);
  EXPECT_DOUBLE_EQ(c.qkvo, f.qkvo);

  // decode with 3 cached entries: one query over 4 keys
  const LayerFlops dec = layer_decode_flops(tiny(), 3);
  EXPECT_DOUBLE_EQ(dec.qkvo, 2 * 8 * (8 + 4 + 4 + 8));
  EXPECT_DOUBLE_EQ(dec.attention, 2 * 2 * 4 * 8);
  EXPECT_DOUBLE_EQ(dec.mlp, 3 * 2 * 8 * 16);
  EXPECT_DOUBLE_EQ(lm_head_flops(tiny(), 1), 2 * 8 * 10);
}

TEST(Flops, GqaReducesOnlyTheKvProjections) {
  LlmShape mha = tiny();
  mha.kv_heads = 2;  // d_kv 8 instead of 4
  const LayerFlops g = layer_prefill_flops(tiny(), 3, false), h = layer_prefill_flops(mha, 3, false);
  EXPECT_DOUBLE_EQ(h.qkvo - g.qkvo, 2 * (2 * 3 * 8 * (8 - 4)));  // k and v each lose 2*n*d*(8-4)
  EXPECT_DOUBLE_EQ(h.attention, g.attention);                      // the query heads still see every key
  EXPECT_DOUBLE_EQ(h.mlp, g.mlp);
  EXPECT_LT(g.qkvo, h.qkvo);
}

TEST(Flops, NoneAndFastVPlans) {
  const FlopsReport none = count("llava-1.5-7b", "none");
  ASSERT_EQ(none.plan.layers.size(), 32u);
  for (const auto& lp : none.plan.layers) EXPECT_EQ(lp.tokens, 36 + 576);

  const FlopsReport fv = count("llava-1.5-7b", "fastv:k=2,r=0.75");
  EXPECT_EQ(fv.plan.layers[0].tokens, 612);
  EXPECT_EQ(fv.plan.layers[1].tokens, 612);
  EXPECT_EQ(fv.plan.layers[1].work.rank_rows, 1);
  EXPECT_GT(fv.prefill[1].ranking, 0);
  EXPECT_EQ(fv.plan.layers[2].tokens, 36 + 144);
  EXPECT_EQ(fv.plan.layers[31].kv_len, 180);
  // The paper's convention over our plan is the paper's formula.
  EXPECT_DOUBLE_EQ(fv.fastv_convention, fastv_paper_total(32, 2, 612, 180, 4096, 11008));
  // rank=mean recomputes the whole probability matrix: more ranking overhead than rank=last.
  EXPECT_GT(count("llava-1.5-7b", "fastv:k=2,r=0.75,rank=mean").prefill[1].ranking, fv.prefill[1].ranking);
}

TEST(Flops, DpnPlanPoolsTheGridAndRoutesOnce) {
  const FlopsReport r = count("llava-1.5-7b", "dpn:path=7=2x2,15=1x2,23=2x2");
  const auto& L = r.plan.layers;
  EXPECT_EQ(L[7].tokens, 612);  // post: layer 7 runs on the full grid, its output is pooled
  EXPECT_EQ(L[7].kv_len, 612);
  EXPECT_EQ(L[7].work.router_experts, 3);
  EXPECT_EQ(L[7].work.pool_in, 576);
  EXPECT_EQ(L[7].work.pool_out, 144);
  EXPECT_EQ(L[8].tokens, 36 + 144);
  EXPECT_EQ(L[16].grid_h, 12);
  EXPECT_EQ(L[16].grid_w, 6);   // 1x2 halves the width only
  EXPECT_EQ(L[24].visual, 18);  // 6x3
  EXPECT_EQ(r.plan.layers[31].tokens, 36 + 18);
  EXPECT_DOUBLE_EQ(r.prefill[7].router, router_flops(4096, 3));
  EXPECT_DOUBLE_EQ(r.prefill[7].pooling, 576.0 * 4096 + 144.0 * 4096);  // one op per input + probability scaling
  EXPECT_EQ(r.prefill[6].router, 0);

  // post at i == pre at i+1 (dpn-detail.md §1.2): same tokens and caches in every layer.
  const FlopsReport pre = count("llava-1.5-7b", "dpn:path=8=2x2,16=1x2,24=2x2,location=pre");
  EXPECT_DOUBLE_EQ(pre.llm_prefill, r.llm_prefill);
  EXPECT_DOUBLE_EQ(pre.llm_decode_per_token, r.llm_decode_per_token);

  // The 1x1 expert pools nothing but the router runs and scales the tokens.
  const FlopsReport keep = count("llava-1.5-7b", "dpn:path=7=1x1");
  EXPECT_DOUBLE_EQ(keep.prefill[7].pooling, 576.0 * 4096);
  EXPECT_EQ(keep.plan.layers[8].tokens, 612);
}

TEST(Flops, StaticPoolingSkipsGridsBelowSixteenTokens) {
  // 24 -> 12 -> 6 -> 3: the fourth step sees 9 < 16 tokens and is skipped (dpn-detail.md §1.6 guard 2).
  const FlopsReport r = count("llava-1.5-7b", "static:7=2,15=2,23=2,27=2");
  EXPECT_EQ(r.plan.layers[24].visual, 9);
  EXPECT_EQ(r.plan.layers[27].work.pool_in, 0);
  EXPECT_EQ(r.plan.layers[28].visual, 9);
  EXPECT_EQ(r.plan.layers[7].work.router_experts, 0);
  EXPECT_DOUBLE_EQ(r.prefill[7].pooling, 576.0 * 4096);  // no probability scaling without a router
}

TEST(Flops, DecodeAttendsOverEachLayersOwnCache) {
  FlopsOptions o;
  o.decode_tokens = 3;
  const FlopsReport fv = count("llava-1.5-7b", "fastv:k=2,r=0.5", o);
  const LlmShape llm = model_shape_preset("llava-1.5-7b").llm;
  EXPECT_DOUBLE_EQ(fv.decode_first[0].attention, layer_decode_flops(llm, 612).attention);
  EXPECT_DOUBLE_EQ(fv.decode_first[5].attention, layer_decode_flops(llm, 324).attention);
  // three passes: caches kv_len, kv_len + 1, kv_len + 2 in every layer, each with its own logits
  double expected = 0;
  for (int t = 0; t < 3; ++t) {
    expected += lm_head_flops(llm, 1) + final_norm_flops(llm, 1);
    for (const auto& lp : fv.plan.layers) expected += layer_decode_flops(llm, lp.kv_len + t).total();
  }
  EXPECT_DOUBLE_EQ(fv.llm_decode_total, expected);
  EXPECT_DOUBLE_EQ(fv.llm_total(), fv.llm_prefill + fv.lm_head + expected);
}

TEST(Flops, VisionAndProjectorStages) {
  const FlopsReport none = count("llava-1.5-7b", "none");
  // llava-detail.md §7.3: CLIP-L on 577 tokens, 23 layers, is about 0.18 T MACs (0.37 T FLOPs);
  // matmuls alone: 23 * 2 * (4*577*1024^2 + 2*577^2*1024 + 2*577*1024*4096) = 0.365 T.
  EXPECT_NEAR(none.vision / 1e12, 0.365, 0.005);
  EXPECT_TRUE(none.vision_counted);
  // baselines-detail.md §2.6: LLaVA's MLP projector on 576 tokens ~24.2 G; TokenPacker s=2 ~21.4 G.
  EXPECT_NEAR(none.projector / 1e9, 24.2, 0.1);
  const FlopsReport tp = count("llava-1.5-7b", "tokenpacker");
  EXPECT_EQ(tp.plan.image_tokens, 144);
  EXPECT_NEAR(tp.projector / 1e9, 21.4, 0.2);
  EXPECT_EQ(count("llava-1.5-7b", "tokenpacker:tokens=36").plan.layers[0].tokens, 36 + 36);
  // LLaVA-HR's dual tower is counted (issue 8; checked against FlopCounterMode in llava_hr_flops_test.cpp).
  const FlopsReport hr = count("llava-hr-7b", "none");
  EXPECT_TRUE(hr.vision_counted);
  EXPECT_GT(hr.vision, none.vision);
  EXPECT_TRUE(hr.vision_note.empty());
}

TEST(Flops, OptionsAndErrors) {
  FlopsOptions o;
  o.image_tokens = 100;
  o.text_tokens = 10;
  EXPECT_EQ(count("llava-1.5-7b", "none", o).plan.layers[0].tokens, 110);
  EXPECT_EQ(count("llava-1.5-7b", "static:7=2", o).plan.layers[8].visual, 25);  // 10x10 -> 5x5
  o.image_tokens = 50;
  EXPECT_THROW(count("llava-1.5-7b", "static:7=2", o), dpn::Error);  // not a square grid
  EXPECT_THROW(count("llava-1.5-7b", "tokenpacker", o), dpn::Error);
  EXPECT_THROW(count("llava-1.5-7b", "tokenpacker:tokens=25"), dpn::Error);  // 5 does not divide 24
  try {
    count("llava-1.5-7b", "dpn");
    FAIL();
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("dpn without a path"), std::string::npos);
  }
  EXPECT_THROW(count("llava-1.5-7b", "fastv:k=32"), dpn::Error);
  EXPECT_THROW(count("llava-1.5-7b", "static:7=48"), dpn::Error);  // kernel larger than the grid
}

TEST(Flops, ReportRendersSavings) {
  const FlopsReport none = count("llava-1.5-7b", "none");
  const FlopsReport fv = count("llava-1.5-7b", "fastv:k=2,r=0.5");
  const Saving s = saving_vs(none, fv);
  EXPECT_GT(s.llm_prefill, 0.40);
  EXPECT_LT(s.whole, s.llm_prefill);  // the vision tower is not pruned
  const std::string text = report_text(none, fv, /*per_layer=*/true);
  EXPECT_NE(text.find("LLM prefill"), std::string::npos);
  EXPECT_NE(text.find("ranks visual tokens (1 attention rows)"), std::string::npos);
  const std::string json = report_json(none, fv);
  EXPECT_NE(json.find("\"saving_vs_none\""), std::string::npos);
  EXPECT_NE(json.find("\"fastv_convention\""), std::string::npos);
  EXPECT_EQ(format_si(8.12e12), "8.12 T");
  EXPECT_EQ(format_si(24.2e9), "24.2 G");
  EXPECT_EQ(format_si(512), "512 ");
}

TEST(Flops, TokenPackerProjectorCountedByHand) {
  // demo-tokenpacker: CLIP width E = 64 on a 12x12 patch grid (N = 144), 4 levels (C = 256), scale 2 (M = 36
  // queries of s^2 = 4 keys), 8 heads, LLM width 128. The engine once counted it with the 7B defaults (E 1024,
  // C 4096): 3.8 GFLOP for an op that ran in about a millisecond.
  ProjectorShape p;
  p.kind = ProjectorShape::Kind::TokenPacker;
  p.in = 64, p.hidden = 128, p.out = 128, p.grid = 12, p.scale = 2, p.embed = 64, p.multi_level_in = 256, p.packer_heads = 8;
  const double keys_values = 2 * (2.0 * 144 * 256 * 64 + 144 * 64      // Linear(C, E) with bias
                                  + 8.0 * 144 * 64                      // GELU
                                  + 2.0 * 144 * 64 * 64 + 144 * 64      // Linear(E, E) with bias
                                  + 5.0 * 144 * 64);                    // LayerNorm
  const double queries = 4.0 * 36 * 64 + 2.0 * 36 * 64 * 64 + 5.0 * 36 * 64;  // bilinear, q_proj (no bias), LayerNorm
  const double in_proj = (2.0 * 36 * 64 * 64 + 36 * 64) + 2 * (2.0 * 144 * 64 * 64 + 144 * 64);
  const double attention = 2 * 2.0 * 36 * 4 * 64 + 5.0 * 8 * 36 * 4;   // scores + weighted sum, softmax
  const double out_proj = 2.0 * 36 * 64 * 64 + 36 * 64;
  const double mlp = 2.0 * 36 * 64 * 128 + 36 * 128 + 8.0 * 36 * 128 + 2.0 * 36 * 128 * 128 + 36 * 128;
  const double hand = keys_values + queries + in_proj + attention + out_proj + mlp;
  EXPECT_DOUBLE_EQ(hand, 17218944.0);
  EXPECT_DOUBLE_EQ(projector_flops(p, 144), hand);
}

TEST(Flops, ExplicitHeadDimWidensQAndO) {
  // d = 8 with 2 heads of 8 (head_dim given, not d / h = 4), 1 kv head: q and o are 16 wide, k and v 8.
  LlmShape s = tiny();
  s.head_size = 8;
  const LayerFlops f = layer_prefill_flops(s, 3, /*causal=*/false);
  EXPECT_DOUBLE_EQ(f.qkvo, 2.0 * 3 * 8 * 16 + 2 * (2.0 * 3 * 8 * 8) + 2.0 * 3 * 16 * 8);
  EXPECT_DOUBLE_EQ(f.attention, 2 * 2 * (2.0 * 3 * 3 * 8));  // per head: scores + sum over head_dim 8
  EXPECT_DOUBLE_EQ(f.rope, 3.0 * 3 * (16 + 8));
}
