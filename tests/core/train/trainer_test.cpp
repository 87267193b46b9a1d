// Smoke test of `dpn train` on the tiny "smoke" model: every stage runs a few steps, losses fall, the written
// folders load through the engine's strict loader, and --resume continues from the saved state.
#include "train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <ATen/Parallel.h>

#include "model/llava_model.h"
#include "runtime/threads.h"

namespace fs = std::filesystem;

namespace dpn::train {
namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("dpn_train_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  return d;
}

TrainOptions smoke(const fs::path& out, const std::string& stage, int steps) {
  TrainOptions o;
  o.out = out.string();
  o.stage = stage;
  o.size = "smoke";
  o.steps = steps;
  o.progress = false;
  o.eval_every = -1;
  return o;
}

TEST(RouteTarget, DeadBandKeepsATargetWhoseCostSitsOnTheTolerance) {
  // No target yet: the tolerance alone decides.
  EXPECT_TRUE(route_target_is_strongest(-1, 0.030, 0.03, 0.005));
  EXPECT_FALSE(route_target_is_strongest(-1, 0.031, 0.03, 0.005));
  // Run r4's position family: a cost wandering 0.026..0.034 around a 0.03 tolerance keeps whichever target it has.
  for (double cost : {0.026, 0.029, 0.031, 0.034}) {
    EXPECT_TRUE(route_target_is_strongest(1, cost, 0.03, 0.005)) << cost;
    EXPECT_FALSE(route_target_is_strongest(0, cost, 0.03, 0.005)) << cost;
  }
  // Past the band the target follows the cost.
  EXPECT_FALSE(route_target_is_strongest(1, 0.0351, 0.03, 0.005));
  EXPECT_TRUE(route_target_is_strongest(0, 0.0249, 0.03, 0.005));
  // Band 0: the plain tolerance rule of run r4.
  EXPECT_FALSE(route_target_is_strongest(1, 0.0301, 0.03, 0.0));
  EXPECT_TRUE(route_target_is_strongest(0, 0.0299, 0.03, 0.0));
}

TEST(Trainer, AllStagesLearnWriteLoadableCheckpointsAndResume) {
  const fs::path out = fresh_dir("all");
  // Vision pre-training on dense patch labels: its loss must fall within a few steps at a high learning rate.
  TrainOptions o = smoke(out, "vision", 12);
  o.lr = 1e-2;
  auto r = run_training(o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].steps_run, 12);
  EXPECT_LT(r[0].last_loss, r[0].first_loss);
  EXPECT_TRUE(fs::exists(out / "demo-clip" / "config.json"));
  EXPECT_TRUE(fs::exists(out / "tokenizer" / "tokenizer.model"));

  for (const char* stage : {"stage1", "stage2", "presence", "consolidate", "dpn", "route", "tokenpacker"}) {
    TrainOptions s = smoke(out, stage, 10);
    s.lr = 5e-3;
    std::vector<double> losses;
    std::set<int> threads;  // LibTorch's thread count while the stage trains
    s.on_step = [&](int, double l) {
      losses.push_back(l);
      threads.insert(at::get_num_threads());
    };
    auto rs = run_training(s);
    ASSERT_EQ(losses.size(), 10u) << stage;
    const bool one_thread =
        std::string(stage) == "presence" || std::string(stage) == "route" || std::string(stage) == "tokenpacker";
    EXPECT_EQ(threads, one_thread ? std::set<int>{1} : std::set<int>{configure_threads(0)}) << stage;
    EXPECT_EQ(at::get_num_threads(), configure_threads(0)) << stage << ": the thread count is restored";
    if (std::string(stage) == "presence")  // presence questions only: 10 steps x 4 images
      EXPECT_EQ(rs[0].trained_questions, (std::map<std::string, int>{{"presence", 40}}));
    if (std::string(stage) == "consolidate") EXPECT_GT(rs[0].trained_questions.size(), 2u);
    // Average of the last three steps below the first step (single steps are noisy: batches differ).
    EXPECT_LT((losses[7] + losses[8] + losses[9]) / 3, losses[0]) << stage;
  }

  for (const char* m : {"stage1", "stage2", "presence", "demo-base", "dpn-sampled", "demo-dpn", "demo-tokenpacker"}) {
    auto model = load_llava_model((out / m).string(), "", at::kFloat);
    ASSERT_NE(model, nullptr) << m;
    EXPECT_EQ(model->cfg.vision.grid(), 12) << m;
    EXPECT_EQ(model->cfg.text.vocab, model->tokenizer->vocab_size()) << m;
  }
  auto dpn = load_llava_model((out / "demo-dpn").string(), "", at::kFloat);
  EXPECT_EQ(dpn->cfg.pooling.type, PoolingType::Adaptive);
  ASSERT_FALSE(dpn->cfg.pooling.layers.empty());
  EXPECT_TRUE(dpn->weights.llm.layers[size_t(dpn->cfg.pooling.layers[0].index)].router.fc1.defined());
  // The route stage's DPE layers: 0 and --second-dpe-layer (1), each with its router.
  ASSERT_EQ(dpn->cfg.pooling.layers.size(), 2u);
  EXPECT_EQ(dpn->cfg.pooling.layers[1].index, 1);
  EXPECT_TRUE(dpn->weights.llm.layers[1].router.fc1.defined());
  auto packer = load_llava_model((out / "demo-tokenpacker").string(), "", at::kFloat);
  EXPECT_EQ(packer->cfg.projector, ProjectorKind::TokenPacker);

  // Resume: 4 steps saved every 2, then ask for 6 with --resume: only steps 4 and 5 run.
  TrainOptions a = smoke(out, "stage2", 4);
  a.save_every = 2;
  run_training(a);
  TrainOptions b = smoke(out, "stage2", 6);
  b.resume = true;
  std::vector<int> steps;
  b.on_step = [&](int step, double) { steps.push_back(step); };
  auto rb = run_training(b);
  EXPECT_EQ(steps, (std::vector<int>{4, 5}));
  EXPECT_EQ(rb[0].steps_run, 2);
  fs::remove_all(out);
}

// --family-weights: the questions a stage trains on follow the weights (one question per image by default).
TEST(Trainer, FamilyWeightsChooseTheQuestionsTrainedOn) {
  const fs::path out = fresh_dir("weights");
  ASSERT_EQ(run_training(smoke(out, "vision", 1)).size(), 1u);
  ASSERT_EQ(run_training(smoke(out, "stage1", 1)).size(), 1u);
  TrainOptions o = smoke(out, "stage2", 3);  // 3 steps x 4 images
  o.family_weights = {1e-6, 1e-6, 1, 1e-6, 1e-6, 1e-6};  // presence only, in effect
  auto r = run_training(o);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].trained_questions, (std::map<std::string, int>{{"presence", 12}}));
  o.family_weights = {};  // the stage's own mix: several families among 12 questions
  r = run_training(o);
  EXPECT_GT(r[0].trained_questions.size(), 2u);
  int n = 0;
  for (const auto& [f, k] : r[0].trained_questions) n += k;
  EXPECT_EQ(n, 12);
  fs::remove_all(out);
}

TEST(Trainer, VisionLossWeightsSmallItemsAndReportsTheirAccuracy) {
  // The first loss is computed before any update, so only the patch weighting can make the two runs differ.
  double first[2] = {0, 0};
  const double weights[2] = {1, 16};
  for (int i = 0; i < 2; ++i) {
    const fs::path out = fresh_dir("vision_w" + std::to_string(i));
    TrainOptions o = smoke(out, "vision", 1);
    o.small_patch_weight = weights[i];
    o.eval_every = 0;  // evaluate at the end
    o.eval_scenes = 4;
    auto r = run_training(o);
    first[i] = r[0].first_loss;
    for (const char* k : {"patch_color", "small_patch_color", "small_patch_shape", "small_patch_digit"}) {
      ASSERT_TRUE(r[0].accuracy.count(k)) << k;
      EXPECT_GE(r[0].accuracy.at(k), 0.0) << k;  // NaN fails both comparisons
      EXPECT_LE(r[0].accuracy.at(k), 1.0) << k;
    }
    fs::remove_all(out);
  }
  EXPECT_GT(std::abs(first[0] - first[1]), 1e-4);
}

TEST(Trainer, TokenizerIsByteReproducible) {
  // Same seed -> same tokenizer.model bytes, wherever it is written (no clock seed, no paths inside).
  std::vector<std::string> bytes;
  for (const char* name : {"tok_a", "tok_b"}) {
    const fs::path out = fresh_dir(name);
    TrainOptions o = smoke(out, "vision", 1);
    run_training(o);
    std::ifstream f(out / "tokenizer" / "tokenizer.model", std::ios::binary);
    bytes.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    fs::remove_all(out);
  }
  ASSERT_GT(bytes[0].size(), 100u);
  EXPECT_EQ(bytes[0], bytes[1]);
}

TEST(Trainer, RejectsUnknownStageAndMissingPreviousStage) {
  const fs::path out = fresh_dir("bad");
  EXPECT_THROW(run_training(smoke(out, "stage3", 1)), std::exception);
  try {
    run_training(smoke(out, "stage2", 1));
    FAIL() << "stage2 without a vision tower must fail";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("--stage vision"), std::string::npos) << e.what();
  }
  fs::remove_all(out);
}

}  // namespace
}  // namespace dpn::train
