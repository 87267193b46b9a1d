// `dpn train`: trains the demo models (tokenizer, vision tower, LLaVA stage 1/2, DPN, TokenPacker); logic in core/train.
#include <iostream>
#include <sstream>

#include "command.h"
#include "datasets/synthetic_vqa.h"
#include "train/trainer.h"

namespace dpn::cli {
namespace {

int run_train(Args& a) {
  train::TrainOptions o;
  o.stage = a.get("stage", "all");
  o.out = a.require("out");
  o.seed = uint64_t(a.get_int("seed", 1));
  o.steps = a.get_int("steps", 0);
  o.batch = a.get_int("batch", 0);
  o.resume = a.flag("resume");
  o.size = a.get("size", "demo");
  o.eval_every = a.get_int("eval-every", 0);
  o.eval_scenes = a.get_int("eval-scenes", 48);
  o.save_every = a.get_int("save-every", 200);
  o.lr = a.get_double("lr", 0);
  o.route_weight = a.get_double("route-weight", 0.1);
  o.route_tolerance = a.get_doubles("route-tolerance", o.route_tolerance);
  o.route_band = a.get_double("route-band", o.route_band);
  o.target_weight = a.get_double("target-weight", 1.0);
  o.route_explore = a.get_double("route-explore", 0.3);
  o.router_lr_scale = a.get_double("router-lr-scale", 30);
  o.second_dpe_layer = a.get_int("second-dpe-layer", 1);
  o.small_patch_weight = a.get_double("small-patch-weight", 16);
  o.progress = !a.flag("no-progress");
  o.turns = a.get_int("turns", 1);
  o.threads = a.get_int("threads", 0);
  std::stringstream fams(a.get("families", ""));
  for (std::string f; std::getline(fams, f, ',');)
    if (!f.empty()) o.families.push_back(int(datasets::family_from_name(f)));
  o.family_weights = a.get_doubles("family-weights", {});
  a.finish();
  if (!o.family_weights.empty() && o.family_weights.size() != size_t(datasets::kFamilies))
    throw UsageError("--family-weights needs one weight per family (" + std::to_string(datasets::kFamilies) +
                     ", in the order background_color,small_object_color,presence,glyph,count_rough,position)");
  for (double w : o.family_weights)
    if (!(w > 0)) throw UsageError("--family-weights must be positive");
  if (!(o.route_explore >= 0 && o.route_explore <= 1)) throw UsageError("--route-explore is a share (0..1)");
  if (o.route_band < 0) throw UsageError("--route-band must not be negative");
  if (!(o.router_lr_scale > 0)) throw UsageError("--router-lr-scale must be positive");
  if (o.small_patch_weight <= 0) throw UsageError("--small-patch-weight must be positive");
  if (o.steps < 0 || o.batch < 0 || o.save_every < 1 || o.eval_scenes < 1) throw UsageError("--steps/--batch/--save-every/--eval-scenes must be positive");
  for (const auto& r : train::run_training(o)) std::cout << train::format_report(r) << "\n";
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(train, "train", "train the demo models (LLaVA recipe at small scale, DPN, TokenPacker)",
                "dpn train --out DIR [--stage STAGE|all] [--seed S] [--steps N]\n"
                "          [--batch B] [--resume] [--lr X] [--small-patch-weight W]\n"
                "          [--route-weight W] [--route-tolerance NATS,NATS] [--route-band NATS] [--target-weight W]\n"
                "          [--route-explore SHARE] [--router-lr-scale X] [--second-dpe-layer L]\n"
                "          [--families F,F,...] [--family-weights W,W,W,W,W,W] [--turns N] [--threads N]\n"
                "          [--eval-every N] [--eval-scenes N] [--save-every N] [--size demo|smoke] [--no-progress]\n"
                "Stages, in order: vision, stage1, stage2, presence, consolidate, dpn, route, tokenpacker.\n"
                "Writes DIR/tokenizer, DIR/demo-clip (vision tower), DIR/stage1, DIR/stage2, DIR/presence,\n"
                "DIR/demo-base, DIR/dpn-sampled, DIR/demo-dpn, DIR/demo-tokenpacker in the original LLaVA layout, and\n"
                "DIR/state/<stage>.safetensors for --resume.\n"
                "Each stage reads the previous stage's folder from DIR. Recipe and measurements: core/train/README.md.\n"
                "Demo models: dpn train --out resources/models --stage all --seed 1",
                run_train);

}  // namespace dpn::cli
