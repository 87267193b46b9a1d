// Model shapes for FLOPs counting: presets (data) and the shape of a described model (model/config.h).
#include "flops/model_shape.h"

#include <algorithm>
#include <filesystem>

#include "model/config.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn::flops {
namespace {

LlmShape vicuna_7b() { return LlmShape{32, 4096, 11008, 32, 32, 32000}; }
LlmShape vicuna_13b() { return LlmShape{40, 5120, 13824, 40, 40, 32000}; }

// CLIP ViT-L/14 at 336 px run to the second-to-last layer, as LLaVA-1.5 uses it (llava-detail.md §1).
VisionShape clip_l336() {
  VisionShape v;
  v.kind = VisionShape::Kind::Clip;
  v.layers = 23;
  v.hidden = 1024;
  v.ffn = 4096;
  v.heads = 16;
  v.tokens = 24 * 24 + 1;
  v.patch = 14;
  v.image = 336;
  v.channels = 3;
  return v;
}

// LLaVA-HR: CLIP-L at max(int(S/32*14), 336) px (CLS dropped before the layers, all 24 layers) + ConvNeXt at
// S px + MR-adapters (llava-detail.md §7.1). `convnext` is the vision_tower_slow name; an unknown one is reported
// as not counted, never guessed.
VisionShape llava_hr_vision(const std::string& convnext, int input = 1024) {
  VisionShape v;
  v.kind = VisionShape::Kind::LlavaHr;
  v.layers = 24;
  v.hidden = 1024;
  v.ffn = 4096;
  v.heads = 16;
  v.patch = 14;
  v.image = std::max(int(input / 32.0 * 14), 336);
  v.tokens = (v.image / v.patch) * (v.image / v.patch);
  v.channels = 3;
  v.hr_input = input;
  if (convnext.find("xxlarge") != std::string::npos || convnext == "ConvNeXt-XXL") {
    v.slow_dims = {384, 768, 1536, 3072};
    v.slow_depths = {3, 4, 30, 3};
  } else if (convnext.find("convnext_large_mlp") != std::string::npos || convnext == "ConvNeXt-L") {
    v.slow_dims = {192, 384, 768, 1536};
    v.slow_depths = {3, 3, 27, 3};
  } else {
    v.kind = VisionShape::Kind::NotCounted;
    v.note = "LLaVA-HR with slow tower '" + convnext + "': not counted (known: convnext_large_mlp, convnext_xxlarge)";
  }
  return v;
}

ModelShape llava(const std::string& name, const LlmShape& llm, const VisionShape& vision, int grid) {
  ModelShape s;
  s.name = name;
  s.llm = llm;
  s.vision = vision;
  s.projector.kind = ProjectorShape::Kind::Mlp2x;
  s.projector.in = 1024;
  s.projector.hidden = llm.hidden;
  s.projector.out = llm.hidden;
  s.projector.grid = grid;
  s.image_tokens = grid * grid;
  s.grid_h = s.grid_w = grid;
  return s;
}

}  // namespace

std::vector<std::string> model_shape_presets() {
  return {"llava-1.5-7b", "llava-1.5-13b", "llava-hr-7b", "llava-hr-x-13b"};
}

ModelShape model_shape_preset(const std::string& name) {
  if (name == "llava-1.5-7b") return llava(name, vicuna_7b(), clip_l336(), 24);
  if (name == "llava-1.5-13b") return llava(name, vicuna_13b(), clip_l336(), 24);
  if (name == "llava-hr-7b") return llava(name, vicuna_7b(), llava_hr_vision("ConvNeXt-L"), 32);
  if (name == "llava-hr-x-13b") return llava(name, vicuna_13b(), llava_hr_vision("ConvNeXt-XXL"), 32);
  std::string known;
  for (const auto& p : model_shape_presets()) known += (known.empty() ? "" : ", ") + p;
  throw Error("--model " + name, "neither a folder with config.json nor a preset (" + known + ")");
}

ModelShape model_shape(const LlavaConfig& c) {
  ModelShape s;
  s.name = c.model_dir;
  const TextConfig& t = c.text;
  s.llm = LlmShape{t.layers, t.hidden, t.intermediate, t.heads, t.kv_heads, t.vocab, t.head_dim()};
  const VisionConfig& v = c.vision;
  VisionShape& vs = s.vision;
  vs.layers = c.vision_layers_to_run();  // what runs: up to the select layer (or TokenPacker's deepest level)
  vs.hidden = v.hidden;
  vs.ffn = v.intermediate;
  vs.heads = v.heads;
  vs.patch = v.patch_size;
  vs.channels = v.channels;
  if (c.multipath.enabled) {  // LLaVA-HR: the CLS-less fast CLIP at its fast size, the slow ConvNeXt, the adapters
    vs.kind = VisionShape::Kind::LlavaHr;
    vs.image = c.multipath.fast_size(v);
    vs.tokens = c.multipath.fast_grid(v) * c.multipath.fast_grid(v);
    vs.hr_input = c.multipath.input_size;
    vs.slow_dims = c.multipath.slow.dims;
    vs.slow_depths = c.multipath.slow.depths;
    vs.hr_adapters = c.multipath.adapters;
  } else {
    vs.kind = VisionShape::Kind::Clip;
    vs.image = v.image_size;
    vs.tokens = v.patches() + 1;
  }
  ProjectorShape& p = s.projector;
  p.in = c.mm_hidden;
  p.hidden = p.out = t.hidden;
  p.grid = c.projector == ProjectorKind::TokenPacker ? v.grid() : c.base_grid();
  const int grid = c.base_grid();
  if (c.projector == ProjectorKind::TokenPacker) {
    p.kind = ProjectorShape::Kind::TokenPacker;
    p.scale = c.tokenpacker.scale;
    p.embed = c.mm_hidden;
    p.multi_level_in = c.mm_hidden * static_cast<int>(c.tokenpacker.levels.size());
    p.packer_heads = c.tokenpacker.heads;
    s.grid_h = s.grid_w = v.grid() / c.tokenpacker.scale;
    s.image_tokens = s.grid_h * s.grid_w;
  } else if (c.drop_cls || c.multipath.enabled) {
    p.kind = ProjectorShape::Kind::Mlp2x;
    s.grid_h = s.grid_w = grid;
    s.image_tokens = grid * grid;
  } else {
    p.kind = ProjectorShape::Kind::Mlp2x;
    s.grid_h = s.grid_w = 0;  // CLS + patches is not a grid
    s.image_tokens = grid * grid + 1;
  }
  if (c.pooling.type == PoolingType::Adaptive)
    for (const PoolingLayer& l : c.pooling.layers) s.router_experts[l.index] = static_cast<int>(l.experts.size());
  return s;
}

ModelShape model_shape_from_folder(const std::string& dir, const std::string& vision_tower) {
  return model_shape(load_llava_config(dir, vision_tower));
}

ModelShape resolve_model_shape(const std::string& dir_or_preset, const std::string& vision_tower) {
  if (fs::is_directory(dir_or_preset)) return model_shape_from_folder(dir_or_preset, vision_tower);
  if (!vision_tower.empty()) throw Error("--vision-tower", "applies to a model folder, not to the preset '" + dir_or_preset + "'");
  return model_shape_preset(dir_or_preset);
}

}  // namespace dpn::flops
