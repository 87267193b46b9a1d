// One answered question as a store row: scoring, FLOPs from the engine's trace, per-layer rows
// and router decisions.
#include "bench/sample_record.h"

#include <gtest/gtest.h>

#include "bench_test_util.h"
#include "util/error.h"

using namespace dpn::bench;

namespace {

dpn::AskResult answered(const std::string& answer, int visual, int prompt, int tokens, const std::string& stop) {
  dpn::AskResult r;
  r.answer = answer;
  r.visual_tokens = visual;
  r.prompt_tokens = prompt;
  r.tokens.assign(static_cast<size_t>(tokens), 5);
  r.stop_reason = stop;
  r.timing.prefill_ms = 3;
  r.timing.decode_ms = 4;
  r.kv_cache_bytes = 1234;
  return r;
}

dpn::eval::EvalSample sample() {
  dpn::eval::EvalSample s;
  s.id = "17";
  s.question = "What is the background color?\nAnswer the question using a single word or phrase.";
  s.answers = {"red"};
  s.category = "coarse";
  s.family = "background_color";
  return s;
}

}  // namespace

TEST(SampleRecord, AnswerWithoutTraceHasNoCost) {
  try {
    sample_cost(answered("Red.", 49, 90, 4, "eos"));
    FAIL() << "FLOPs of an untraced answer were made up";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no trace"), std::string::npos) << e.what();
  }
}

TEST(SampleRecord, TracedCostAndRoutersComeFromTheEngine) {
  dpn::AskResult r = answered("red", 49, 90, 2, "eos");
  r.trace.llm_prefill_flops = 1000;
  r.trace.lm_head_flops = 1000;
  r.trace.llm_decode_flops = 10;
  r.trace.vision_flops = 100;
  r.trace.projector_flops = 1;
  for (int l = 0; l < 4; ++l) r.trace.layers.push_back({l, 90, l < 2 ? 49 : 16, l < 2 ? 7 : 4, l < 2 ? 7 : 4, {}, {}, 0.5, 250.0, 0});
  r.trace.routers.push_back({2, {{1, 1}, {2, 2}, {1, 2}}, {0.25f, 0.5f, 0.25f}, 1, false, 7, 7, 4, 4});
  const SampleCost c = sample_cost(r);
  EXPECT_EQ(c.flops_llm, 1000);
  EXPECT_EQ(c.flops_total, 2111);
  ASSERT_EQ(c.layers.size(), 4u);
  EXPECT_EQ(c.layers[2].n_visual, 16);
  EXPECT_EQ(c.layers[2].ms, 0.5);
  const auto s = make_sample_result("dpnbench", sample(), r, c, 12.5, 1 << 20);
  ASSERT_EQ(s.routers.size(), 1u);
  EXPECT_EQ(s.routers[0].layer, 2);
  EXPECT_EQ(s.routers[0].expert, 1);
  EXPECT_EQ(s.routers[0].probs_json, "[0.25,0.5,0.25]");
}

TEST(SampleRecord, RowIsScoredWithTheDatasetsScorer) {
  const dpn::AskResult r = answered("Red.", 49, 90, 2, "eos");
  SampleCost c;
  c.flops_llm = 5;
  c.flops_total = 6;
  const auto s = make_sample_result("dpnbench", sample(), r, c, 12.5, 1 << 20);
  EXPECT_EQ(s.sample_id, "17");
  EXPECT_EQ(s.prediction, "Red.");
  EXPECT_EQ(s.answer, "red");
  EXPECT_TRUE(s.correct);  // dpnbench: lowercase, strip, drop trailing periods
  EXPECT_EQ(s.score, 1.0);
  EXPECT_EQ(s.family, "background_color");
  EXPECT_EQ(s.latency_ms, 12.5);
  EXPECT_EQ(s.prefill_ms, 3);
  EXPECT_EQ(s.decode_ms, 4);
  EXPECT_EQ(s.kv_bytes, 1234);
  EXPECT_EQ(s.peak_rss, 1 << 20);
  EXPECT_EQ(s.flops_llm, 5);
  const auto wrong = make_sample_result("dpnbench", sample(), answered("blue", 49, 90, 1, "eos"), c, 1, 0);
  EXPECT_FALSE(wrong.correct);
  EXPECT_EQ(wrong.score, 0.0);
}
