// Model shapes for FLOPs counting: presets and a torch-free config.json reader for both LLaVA layouts.
#include "flops/model_shape.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/regular_file.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace dpn::flops {
namespace {

// The tower LLaVA-1.5 names in mm_vision_tower; its shape is known even when the folder is not downloaded.
constexpr const char* kClipL336 = "clip-vit-large-patch14-336";

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

json read_json(const fs::path& p) {
  refuse_special_file(p.string());  // a FIFO would block the open below
  std::ifstream in(p);
  if (!in) throw Error(p.string(), "cannot open (a model folder needs config.json)");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw Error(p.string(), std::string("invalid JSON: ") + e.what());
  }
}

// Reads j[key] into *out when present and not null; a wrong type names the key.
template <typename T>
void get_opt(const json& j, const char* key, T* out, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return;
  try {
    *out = j[key].get<T>();
  } catch (const json::exception&) {
    throw Error(where, std::string("field '") + key + "' has the wrong type: " + j[key].dump());
  }
}

void require_positive(int v, const char* key, const std::string& where) {
  if (v <= 0) throw Error(where, std::string("field '") + key + "' must be positive, got " + std::to_string(v));
}

// LlamaConfig defaults for every missing key (llava-detail.md §3.4).
LlmShape parse_llm(const json& j, const std::string& where) {
  LlmShape l;  // the defaults of the struct are LlamaConfig's
  get_opt(j, "num_hidden_layers", &l.layers, where);
  get_opt(j, "hidden_size", &l.hidden, where);
  get_opt(j, "intermediate_size", &l.ffn, where);
  get_opt(j, "num_attention_heads", &l.heads, where);
  l.kv_heads = l.heads;
  get_opt(j, "num_key_value_heads", &l.kv_heads, where);
  get_opt(j, "vocab_size", &l.vocab, where);
  require_positive(l.layers, "num_hidden_layers", where);
  require_positive(l.hidden, "hidden_size", where);
  require_positive(l.ffn, "intermediate_size", where);
  require_positive(l.heads, "num_attention_heads", where);
  require_positive(l.kv_heads, "num_key_value_heads", where);
  require_positive(l.vocab, "vocab_size", where);
  if (l.hidden % l.heads != 0)
    throw Error(where, "hidden_size " + std::to_string(l.hidden) + " is not divisible by num_attention_heads " +
                           std::to_string(l.heads));
  if (l.heads % l.kv_heads != 0)
    throw Error(where, "num_attention_heads " + std::to_string(l.heads) + " is not a multiple of num_key_value_heads " +
                           std::to_string(l.kv_heads));
  return l;
}

// CLIPVisionConfig defaults for every missing key; `select_layer` decides how many layers run.
VisionShape parse_clip(const json& j, int select_layer, const std::string& where) {
  VisionShape v;
  v.kind = VisionShape::Kind::Clip;
  int layers = 12;
  v.hidden = 768;
  v.ffn = 3072;
  v.heads = 12;
  v.image = 224;
  v.patch = 32;
  v.channels = 3;
  get_opt(j, "num_hidden_layers", &layers, where);
  get_opt(j, "hidden_size", &v.hidden, where);
  get_opt(j, "intermediate_size", &v.ffn, where);
  get_opt(j, "num_attention_heads", &v.heads, where);
  get_opt(j, "image_size", &v.image, where);
  get_opt(j, "patch_size", &v.patch, where);
  get_opt(j, "num_channels", &v.channels, where);
  require_positive(layers, "num_hidden_layers", where);
  require_positive(v.hidden, "hidden_size", where);
  require_positive(v.ffn, "intermediate_size", where);
  require_positive(v.heads, "num_attention_heads", where);
  require_positive(v.patch, "patch_size", where);
  if (v.image < v.patch)
    throw Error(where, "image_size " + std::to_string(v.image) + " is smaller than patch_size " + std::to_string(v.patch));
  // hidden_states[0] is the embedding output and [i] the output of layer i; negative indices count from the end.
  const int run = select_layer < 0 ? layers + 1 + select_layer : select_layer;
  if (run < 1 || run > layers)
    throw Error(where, "vision select layer " + std::to_string(select_layer) + " is outside the tower's " +
                           std::to_string(layers) + " layers");
  v.layers = run;
  const int grid = v.image / v.patch;
  v.tokens = grid * grid + 1;
  return v;
}

fs::path find_tower(const fs::path& model_dir, const std::string& name) {
  // Same search order as the engine's loader (core/model/config.cpp).
  const std::vector<fs::path> candidates = {fs::path(name), model_dir / name, model_dir.parent_path() / name,
                                            model_dir / fs::path(name).filename(),
                                            model_dir.parent_path() / fs::path(name).filename()};
  for (const auto& c : candidates)
    if (fs::exists(c / "config.json")) return c;
  return {};
}

// Fills the projector and the image-token count from the vision shape (patch grid) and the projector kind.
void finish_visual(ModelShape& s, bool drop_cls, const std::string& where) {
  const int grid = s.vision.image / s.vision.patch;
  s.projector.in = s.vision.hidden;
  s.projector.hidden = s.llm.hidden;
  s.projector.out = s.llm.hidden;
  s.projector.grid = grid;
  if (s.projector.kind == ProjectorShape::Kind::TokenPacker) {
    if (!drop_cls) throw Error(where, "tokenpacker needs the CLS token dropped (select feature 'patch')");
    if (s.projector.scale <= 0 || grid % s.projector.scale != 0)
      throw Error(where, "scale_factor " + std::to_string(s.projector.scale) + " does not divide the " +
                             std::to_string(grid) + "x" + std::to_string(grid) + " patch grid");
    s.grid_h = s.grid_w = grid / s.projector.scale;
    s.image_tokens = s.grid_h * s.grid_w;
  } else if (drop_cls) {
    s.grid_h = s.grid_w = grid;
    s.image_tokens = grid * grid;
  } else {
    s.grid_h = s.grid_w = 0;  // CLS + patches is not a grid
    s.image_tokens = grid * grid + 1;
  }
}

ModelShape parse_hf(const json& j, const std::string& where) {
  ModelShape s;
  s.llm = parse_llm(j["text_config"], where + ": text_config");
  int select = -2;
  if (j.contains("vision_feature_layer") && !j["vision_feature_layer"].is_number_integer())
    throw Error(where, "vision_feature_layer as a list is not supported, got " + j["vision_feature_layer"].dump());
  get_opt(j, "vision_feature_layer", &select, where);
  const json vc = j.contains("vision_config") ? j["vision_config"] : json::object();
  s.vision = parse_clip(vc, select, where + ": vision_config");
  std::string strategy = "default";
  get_opt(j, "vision_feature_select_strategy", &strategy, where);
  if (strategy != "default" && strategy != "full")
    throw Error(where, "vision_feature_select_strategy must be default or full, got '" + strategy + "'");
  s.projector.kind = ProjectorShape::Kind::Mlp2x;
  finish_visual(s, strategy == "default", where);
  return s;
}

ModelShape parse_original(const json& j, const fs::path& model_dir, const std::string& where) {
  ModelShape s;
  s.llm = parse_llm(j, where);
  if (!j.contains("mm_vision_tower") || !j["mm_vision_tower"].is_string())
    throw Error(where, "neither 'text_config' (llava-hf) nor 'mm_vision_tower' (original LLaVA) found: not a LLaVA config");
  const std::string tower = j["mm_vision_tower"].get<std::string>();
  int select = -2;
  get_opt(j, "mm_vision_select_layer", &select, where);
  if (j.value("is_multipath_encoder", false)) select = -1;  // LLaVA-HR runs every CLIP layer
  const fs::path tower_dir = find_tower(model_dir, tower);
  if (!tower_dir.empty()) {
    const fs::path vpath = tower_dir / "config.json";
    json vj = read_json(vpath);
    if (vj.contains("vision_config")) vj = vj["vision_config"];  // a full CLIPModel config
    s.vision = parse_clip(vj, select, vpath.string());
  } else if (tower.find(kClipL336) != std::string::npos) {
    json clip_l = {{"num_hidden_layers", 24}, {"hidden_size", 1024}, {"intermediate_size", 4096}, {"num_attention_heads", 16},
                   {"image_size", 336},       {"patch_size", 14}};
    s.vision = parse_clip(clip_l, select, where + ": mm_vision_tower");
  } else {
    throw Error(where, "mm_vision_tower '" + tower + "' not found next to the model and not a known shape (" +
                           kClipL336 + "); put the tower's folder next to the model");
  }
  std::string feature = "patch";
  get_opt(j, "mm_vision_select_feature", &feature, where);
  if (feature != "patch" && feature != "cls_patch")
    throw Error(where, "mm_vision_select_feature must be patch or cls_patch, got '" + feature + "'");
  std::string projector = "mlp2x_gelu";
  get_opt(j, "mm_projector_type", &projector, where);
  if (projector == "mlp2x_gelu") {
    s.projector.kind = ProjectorShape::Kind::Mlp2x;
  } else if (projector == "tokenpacker") {
    s.projector.kind = ProjectorShape::Kind::TokenPacker;
    get_opt(j, "scale_factor", &s.projector.scale, where);
  } else {
    throw Error(where, "mm_projector_type must be mlp2x_gelu or tokenpacker, got '" + projector + "'");
  }
  finish_visual(s, feature == "patch", where);
  if (j.value("is_multipath_encoder", false)) {  // LLaVA-HR: the fast CLIP's grid at the HR input size
    int input = 1024;
    get_opt(j, "input_image_size", &input, where);
    const VisionShape clip = s.vision;
    s.vision = llava_hr_vision(j.value("vision_tower_slow", std::string()), input);
    s.vision.layers = clip.layers;  // all of them: select was set to -1 above
    s.vision.hidden = clip.hidden;
    s.vision.ffn = clip.ffn;
    s.vision.heads = clip.heads;
    s.vision.patch = clip.patch;
    s.vision.image = std::max(int(input / 32.0 * clip.patch), clip.image);
    s.vision.tokens = (s.vision.image / clip.patch) * (s.vision.image / clip.patch);
    s.vision.hr_adapters = !j.value("freeze_vision", false);
    if (j.contains("slow_vision_config") && j["slow_vision_config"].is_object()) {  // test models (as the engine)
      const json& c = j["slow_vision_config"];
      s.vision.kind = VisionShape::Kind::LlavaHr;
      s.vision.note.clear();
      get_opt(c, "dims", &s.vision.slow_dims, where + ": slow_vision_config");
      get_opt(c, "depths", &s.vision.slow_depths, where + ": slow_vision_config");
    }
    if (s.vision.kind == VisionShape::Kind::LlavaHr && (s.vision.slow_dims.size() != 4 || s.vision.slow_depths.size() != 4))
      throw Error(where, "the slow ConvNeXt needs 4 stages (dims and depths of length 4)");
    finish_visual(s, true, where);
  }
  int mm_hidden = s.vision.hidden;
  get_opt(j, "mm_hidden_size", &mm_hidden, where);
  if (mm_hidden != s.vision.hidden)
    throw Error(where, "mm_hidden_size " + std::to_string(mm_hidden) + " disagrees with the tower's hidden_size " +
                           std::to_string(s.vision.hidden));
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

ModelShape model_shape_from_folder(const std::string& dir) {
  const fs::path model_dir(dir);
  const fs::path cfg = model_dir / "config.json";
  const json j = read_json(cfg);
  const std::string where = cfg.string();
  if (!j.is_object()) throw Error(where, "expected a JSON object");
  ModelShape s = j.contains("text_config") ? parse_hf(j, where) : parse_original(j, model_dir, where);
  s.name = dir;
  return s;
}

ModelShape resolve_model_shape(const std::string& dir_or_preset) {
  if (fs::is_directory(dir_or_preset)) return model_shape_from_folder(dir_or_preset);
  return model_shape_preset(dir_or_preset);
}

}  // namespace dpn::flops
