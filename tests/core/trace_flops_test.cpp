// FLOPs are counted one way: the engine's trace (core/flops over the record of what ran), `dpn flops` (core/flops over
// the plan it predicts from a method spec) and the benchmark rows (the trace) agree to the last bit when the analytic
// plan is given the run's own token counts, decode passes and router path.
#include <gtest/gtest.h>

#include "core/golden_fixture.h"
#include "dpn.h"
#include "flops/flops.h"

using namespace dpn;
using namespace dpn::test;

namespace {

const std::string kImage = golden_dir() + "/images/odd_37x23.png";

AskResult ask(Model& m, const std::string& method, int max_new_tokens = 5) {
  AskOptions q;
  q.image_path = kImage;
  q.question = "What is the color of the big square?\nAnswer the question using a single word or phrase.";
  q.method = method;
  q.max_new_tokens = max_new_tokens;
  return m.ask(q);
}

// The method as it ran: DPN's router decisions written in as its forced path.
flops::MethodSpec as_run(const std::string& method, const RunTrace& t) {
  flops::MethodSpec m = flops::parse_method_spec(method);
  if (m.kind == flops::MethodSpec::Kind::Dpn && m.steps.empty())
    for (const RouterTrace& d : t.routers) m.steps.push_back({d.layer, d.experts[d.chosen].first, d.experts[d.chosen].second});
  return m;
}

void expect_same_count(const flops::ModelShape& shape, const std::string& method, const AskResult& r) {
  const RunTrace& t = r.trace;
  flops::FlopsOptions o;
  if (as_run(method, t).kind != flops::MethodSpec::Kind::TokenPacker) o.image_tokens = r.visual_tokens;
  o.text_tokens = r.prompt_tokens - r.visual_tokens;
  o.decode_tokens = t.decode_passes;
  const flops::FlopsReport f = flops::count_flops(shape, as_run(method, t), o);
  ASSERT_EQ(f.plan.layers.size(), t.layers.size()) << method;
  for (size_t l = 0; l < t.layers.size(); ++l) {
    EXPECT_EQ(f.plan.layers[l].tokens, t.layers[l].seq_len) << method << " layer " << l;
    EXPECT_DOUBLE_EQ(f.prefill[l].total(), t.layers[l].flops) << method << " layer " << l;
  }
  EXPECT_DOUBLE_EQ(f.llm_prefill, t.llm_prefill_flops) << method;
  EXPECT_DOUBLE_EQ(f.lm_head, t.lm_head_flops) << method;
  EXPECT_DOUBLE_EQ(f.llm_decode_total, t.llm_decode_flops) << method;
  EXPECT_DOUBLE_EQ(f.vision, t.vision_flops) << method;
  EXPECT_DOUBLE_EQ(f.projector, t.projector_flops) << method;
  EXPECT_DOUBLE_EQ(f.whole_total(), t.total_flops()) << method;
}

}  // namespace

TEST(TraceFlops, EngineAndAnalyticCountAgreeForEveryMethod) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {golden_dir() + "/methods/dpn_v1",
       {"none", "dpn", "dpn:path=1=1x2,3=2x2", "static:1=2x2,3=1x2", "fastv:k=2,r=0.5", "fastv:k=1,r=0.3,rank=mean",
        "dpn:path=1=2x2,3=1x1,location=pre"}},
      {"demo-dpn", {"dpn", "dpn:path=0=4x4"}},  // routers of 3 and 2 experts
      {"demo-tokenpacker", {"tokenpacker"}},
      {golden_dir() + "/llava_hf", {"none", "fastv:k=1,r=0.5"}}};
  for (const auto& [model, methods] : cases) {
    ModelOptions mo;
    mo.path = model;
    auto m = Model::load(mo);
    const flops::ModelShape shape = flops::model_shape_from_folder(resolve_model_path(model));
    for (const std::string& method : methods) {
      const AskResult r = ask(*m, method);
      EXPECT_EQ(r.trace.decode_passes, r.stop_reason == "eos" ? int(r.tokens.size()) : int(r.tokens.size()) - 1);
      expect_same_count(shape, method, r);
    }
  }
}

TEST(TraceFlops, DecodePassesFollowWhatRan) {
  ModelOptions mo;
  mo.path = golden_dir() + "/methods/dpn_v1";
  auto m = Model::load(mo);
  const AskResult one = ask(*m, "none", 1), five = ask(*m, "none", 5);
  EXPECT_EQ(one.trace.decode_passes, 0) << "one token: prefill only";
  EXPECT_EQ(one.trace.llm_decode_flops, 0);
  ASSERT_EQ(five.stop_reason, "max_tokens");
  EXPECT_EQ(five.trace.decode_passes, 4);
  EXPECT_GT(five.trace.llm_decode_flops, 0);
  EXPECT_DOUBLE_EQ(five.trace.llm_prefill_flops, one.trace.llm_prefill_flops);
}

TEST(TraceFlops, TokenPackerProjectorOfTheDemoModel) {
  ModelOptions mo;
  mo.path = "demo-tokenpacker";
  auto m = Model::load(mo);
  const AskResult r = ask(*m, "tokenpacker", 2);
  // The hand count of core/flops/flops_test.cpp (TokenPackerProjectorCountedByHand) for E 64, C 256, 12x12, scale 2.
  EXPECT_DOUBLE_EQ(r.trace.projector_flops, 17218944.0);
}
