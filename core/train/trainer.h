// `dpn train`: the staged recipe that produces the demo models (core/train/README.md): tokenizer, vision
// pre-training on dense patch labels, LLaVA stage 1 (projector) and stage 2 (projector + LLM), DPN tuning and the
// TokenPacker variant. Progress bar, held-out per-family accuracy, resumable state. Torch-free interface.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dpn::train {

struct TrainOptions {
  std::string stage = "all";  // vision | stage1 | stage2 | presence | consolidate | dpn | route | tokenpacker | all
  std::string out;            // folder receiving tokenizer/, demo-clip/, stage1/, stage2/, presence/, demo-base/, ...
  uint64_t seed = 1;
  int steps = 0;              // 0: the stage's default
  int batch = 0;              // 0: the stage's default
  bool resume = false;        // continue from out/state/<stage>.safetensors when present
  std::string size = "demo";  // demo | smoke (a few-thousand-parameter model for CI)
  int eval_every = 0;         // 0: only at the end; -1: never
  int eval_scenes = 48;       // held-out scenes (x 6 questions) per evaluation
  int save_every = 200;       // steps between resumable states
  double lr = 0;              // 0: the stage's default
  double route_weight = 0.1;  // dpn: weight of the reference's routing loss as intended (hinge on scale * p)
  // route (the stage after dpn, from its model): the LM loss under each DPE layer's strongest expert against its
  // lightest (the other DPE layers at 1x1), averaged per question family over steps; the target is the strongest
  // expert when the family's mean costs at most route_tolerance nats (per DPE layer), else the lightest; loss -log p[target] with
  // weight target_weight. Training draws mix
  // route_explore of uniform into the router's distribution; the routers learn at router_lr_scale x the stage's lr.
  std::vector<double> route_tolerance = {0.02, 0.03};  // per DPE layer in order; the last one for the rest
  double route_band = 0.005;  // a family's target changes only when its mean cost moves this far past the tolerance
  double target_weight = 1.0;
  double route_explore = 0.3;
  double router_lr_scale = 30;
  int second_dpe_layer = 1;     // route: decoder layer of the second DPE layer ({1x1, 2x2}); <= 0: none
  double small_patch_weight = 16;  // vision: loss weight of small-item patches (background 1, big shapes 2)
  std::vector<int> families;  // question families trained on (datasets::Family values); empty: all six
  std::vector<double> family_weights;  // draw weight per family (Family order); empty: the stage's default
  int threads = 0;              // LibTorch threads; 0: the stage's own (presence, tokenpacker: 1), else
                                // $DPN_THREADS, else every online core
  int turns = 1;                // question-answer turns per image in one sequence (stages 1, 2, tokenpacker)
  bool progress = true;       // the progress bar on stderr
  std::function<void(int step, double loss)> on_step;  // tests watch the loss
};

struct StageReport {
  std::string stage;
  int steps_run = 0;
  double first_loss = 0, last_loss = 0, seconds_per_step = 0;
  std::string output;                          // folder written
  std::map<std::string, double> accuracy;      // family -> held-out accuracy (first answer token)
  std::map<std::string, int> trained_questions;  // family -> questions trained on by this invocation
  std::map<std::string, std::vector<double>> expert_freq;  // dpn: family -> frequency of each expert, per DPE layer
  double mean_visual_fraction = 1.0;           // dpn: visual tokens seen by the layers, relative to unpooled
};

// Runs one stage (or all in order), writing its outputs under options.out. Throws dpn::Error on bad input.
std::vector<StageReport> run_training(const TrainOptions& options);

// Human-readable report lines.
std::string format_report(const StageReport& r);

// The route stage's target for one (DPE layer, question family) after its mean cost was updated: the strongest
// expert when the cost is at most `tolerance` nats, else the lightest, with a dead band of `band` nats: a family that
// has a target keeps it until its cost moves `band` past the tolerance. `current`: 1 strongest, 0 lightest, -1 none
// yet. Returns whether the strongest expert is the target.
bool route_target_is_strongest(int current, double cost, double tolerance, double band);

}  // namespace dpn::train
