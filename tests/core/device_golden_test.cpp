// The golden fixtures (tests/golden: HF transformers and the methods' Python reference) through the public API on CPU
// and CUDA in f32. On a machine without CUDA the CUDA cases skip; packaging/gpu-check.sh runs them on a GPU, where a
// skip is a failure. They must match the reference as tightly as the CPU golden tests do (same tokens, router
// probabilities within 1e-4). Not covered yet: bf16 (the tiny random fixture models flip even their first token in
// bf16, so a bound needs logits-level fixtures), and the static/FastV fixtures, whose prompts the public API does not
// rebuild token for token (their sequence lengths differ by one).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "dpn.h"

using namespace dpn;

namespace {

constexpr double kF32Prob = 1e-4;

std::string golden() { return std::string(DPN_TEST_DATA) + "/golden"; }

struct Case {
  const char* name;    // fixture: <dir>/expected/<name>.json
  const char* dir;     // golden() or golden()/methods, relative
  const char* folder;  // model folder under dir
  const char* method;  // our --method
};

struct Target {
  const char* device;
  const char* dtype;
};

const Case kCases[] = {
    {"llava_orig", "", "llava_orig", "none"},
    {"llava_hf", "", "llava_hf", "none"},
    {"llava_hf", "", "llava_hf_new", "none"},
    {"dpn_v1", "methods", "dpn_v1", "dpn"},
    {"dpn_v1_force_12", "methods", "dpn_v1", "dpn"},
    {"dpn_v2_avg_pre", "methods", "dpn_v2_avg_pre", "dpn"},
    {"dpn_conv", "methods", "dpn_conv", "dpn"},
    {"tokenpacker", "methods", "tokenpacker", "tokenpacker"},
};

const Target kTargets[] = {{"cpu", "f32"}, {"cuda", "f32"}};

// Whether the linked LibTorch can run on a CUDA device; the reason when not.
bool cuda_usable(std::string* why) {
  static std::string reason;
  static const bool usable = [] {
    try {
      ModelOptions mo;
      mo.path = golden() + "/llava_orig";
      mo.device = "cuda";
      Model::load(mo);
      return true;
    } catch (const std::exception& e) {
      reason = e.what();
      return false;
    }
  }();
  *why = reason;
  return usable;
}

class DeviceGolden : public ::testing::TestWithParam<std::tuple<Case, Target>> {};

TEST_P(DeviceGolden, MatchesReference) {
  const auto& [c, t] = GetParam();
  std::string why;
  if (std::string(t.device) == "cuda" && !cuda_usable(&why)) GTEST_SKIP() << "no CUDA device: " << why;

  const std::string dir = golden() + (*c.dir ? std::string("/") + c.dir : "");
  std::ifstream in(dir + "/expected/" + c.name + ".json");
  ASSERT_TRUE(in) << dir << "/expected/" << c.name << ".json";
  const nlohmann::json fx = nlohmann::json::parse(in);

  ModelOptions mo;
  mo.path = dir + "/" + c.folder;
  mo.device = t.device;
  mo.dtype = t.dtype;
  auto model = Model::load(mo);
  AskOptions q;
  q.image_path = dir + "/" + fx["image"].get<std::string>();
  q.question = fx["question"];
  q.method = c.method;
  if (fx.contains("method") && fx["method"].is_object() && fx["method"].contains("override"))
    for (auto it = fx["method"]["override"].begin(); it != fx["method"]["override"].end(); ++it)
      q.overrides.emplace_back(std::stoi(it.key()), it.value()["expert"].get<int>());
  const std::vector<int> want = fx["greedy_tokens"];
  q.max_new_tokens = int(want.size());
  q.stop_at_eos = false;
  const AskResult r = model->ask(q);

  // Router decisions (layers the reference pooled with a router).
  bool same_choices = true;
  size_t k = 0;
  for (const auto& rec : fx.value("dpe_records", nlohmann::json::array())) {
    if (rec.value("skipped", false) || !rec.contains("router_probs") || rec["router_probs"].is_null()) continue;
    ASSERT_LT(k, r.trace.routers.size()) << c.name << ": fewer router decisions than the reference";
    const RouterTrace& rt = r.trace.routers[k++];
    const std::vector<double> p = rec["router_probs"];
    EXPECT_EQ(rt.layer, rec["layer"].get<int>());
    ASSERT_EQ(rt.probs.size(), p.size());
    for (size_t e = 0; e < p.size(); ++e)
      EXPECT_NEAR(rt.probs[e], p[e], kF32Prob) << c.name << " layer " << rt.layer << " expert " << e;
    const int used = rec.value("used", 0);
    EXPECT_EQ(rt.chosen, used) << c.name << " layer " << rt.layer;
    same_choices = same_choices && rt.chosen == used;
  }

  // The sequence each layer processed (pooling and dropping), when the decisions are the reference's.
  if (fx.contains("seq_len") && same_choices) {
    const std::vector<int> seq = fx["seq_len"];
    ASSERT_EQ(r.trace.layers.size(), seq.size()) << c.name;
    for (size_t l = 0; l < seq.size(); ++l) EXPECT_EQ(r.trace.layers[l].seq_len, seq[l]) << c.name << " layer " << l;
  }

  // The answer: every greedy token.
  size_t agree = 0;
  while (agree < want.size() && agree < r.tokens.size() && r.tokens[agree] == want[agree]) ++agree;
  std::printf("[%s %s %s] %zu of %zu greedy tokens as the reference\n", c.name, t.device, t.dtype, agree, want.size());
  ASSERT_FALSE(r.tokens.empty()) << c.name;
  EXPECT_EQ(r.tokens.front(), want.front()) << c.name;
  EXPECT_EQ(r.tokens, want) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, DeviceGolden, ::testing::Combine(::testing::ValuesIn(kCases), ::testing::ValuesIn(kTargets)),
                         [](const auto& info) {
                           const Case& c = std::get<0>(info.param);
                           const Target& t = std::get<1>(info.param);
                           return std::string(*c.dir ? c.name : c.folder) + "_" + t.device + "_" + t.dtype;
                         });

}  // namespace
