// The shapes a FLOPs count needs (LLM, vision tower, projector): derived from a model description
// (model/config.h, the one reader of config.json) or a preset.
#pragma once
#include <map>
#include <string>
#include <vector>

namespace dpn {
struct LlavaConfig;
}

namespace dpn::flops {

// The decoder-only LLM (LLaMA/Vicuna): every field is what LlamaConfig calls it, without the prefix.
struct LlmShape {
  int layers = 32;     // num_hidden_layers
  int hidden = 4096;   // hidden_size (d)
  int ffn = 11008;     // intermediate_size (m)
  int heads = 32;      // num_attention_heads
  int kv_heads = 32;   // num_key_value_heads (GQA when < heads)
  int vocab = 32000;   // vocab_size (rows of lm_head)
  int head_size = 0;   // head_dim when the config gives one; 0: hidden / heads
  int head_dim() const { return head_size > 0 ? head_size : hidden / heads; }
  int q_width() const { return heads * head_dim(); }      // width of q and of o's input (= hidden unless head_dim says)
  int kv_width() const { return kv_heads * head_dim(); }  // width of the k and v projections
};

// The vision tower: a CLIP ViT, or LLaVA-HR's dual path (Kind::LlavaHr: the CLIP fields describe the fast CLIP at
// its fast input size `image`, all layers, no CLS; the slow ConvNeXt runs at `hr_input` with `slow_dims`/
// `slow_depths`; 3 MR-adapters and the final alignment). Towers with no cost function are "not counted".
struct VisionShape {
  enum class Kind { Clip, LlavaHr, NotCounted };
  Kind kind = Kind::Clip;
  int layers = 23;     // encoder layers actually RUN: the select layer (-2 of 24 -> 23); later layers are skipped
  int hidden = 1024;
  int ffn = 4096;
  int heads = 16;
  int tokens = 577;    // sequence length inside the tower, CLS included
  int patch = 14;
  int image = 336;
  int channels = 3;
  std::string note;    // why it is not counted, for Kind::NotCounted
  // LlavaHr only.
  int hr_input = 0;                    // input_image_size (the slow branch's input side)
  std::vector<int> slow_dims, slow_depths;  // ConvNeXt stages
  bool hr_adapters = true;             // !freeze_vision
};

// The projector between tower and LLM. mlp2x: Linear(in, hidden) -> GELU -> Linear(hidden, out).
// tokenpacker (baselines-detail.md §2.3): region-to-point attention that emits (grid/scale)^2 tokens.
struct ProjectorShape {
  enum class Kind { Mlp2x, TokenPacker };
  Kind kind = Kind::Mlp2x;
  int in = 1024;       // mm_hidden_size
  int hidden = 4096;   // = LLM hidden for LLaVA
  int out = 4096;      // LLM hidden
  // TokenPacker only.
  int grid = 24;              // side of the vision patch grid entering the projector
  int scale = 2;              // scale_factor: 2 -> 144 tokens, 3 -> 64, 4 -> 36
  int embed = 1024;           // width of the packer's attention
  int multi_level_in = 4096;  // 4 CLIP layers concatenated on channels
  int packer_heads = 8;
};

struct ModelShape {
  std::string name;           // preset name or the folder it was read from
  LlmShape llm;
  VisionShape vision;
  ProjectorShape projector;
  int image_tokens = 576;     // visual tokens entering the LLM for one image
  int grid_h = 24, grid_w = 24;  // their grid (DPN pools it); 0 when the tokens are not a grid
  std::map<int, int> router_experts;  // DPN checkpoints: layer -> experts its router scores (presets: none known)
};

// Presets with shapes from the reference notes (llava-detail.md §2.2 and §7, dpn-detail.md §1.1):
// "llava-1.5-7b", "llava-1.5-13b", "llava-hr-7b", "llava-hr-x-13b".
std::vector<std::string> model_shape_presets();
// Throws dpn::Error listing the presets when `name` is not one.
ModelShape model_shape_preset(const std::string& name);

// The shape of a described model: what its vision tower runs, its projector, the visual tokens entering the LLM.
ModelShape model_shape(const LlavaConfig& config);

// model_shape(load_llava_config(dir, vision_tower)).
ModelShape model_shape_from_folder(const std::string& dir, const std::string& vision_tower = "");

// A folder if `dir_or_preset` is one (resolve built-in names first: resolve_model_path), else a preset.
ModelShape resolve_model_shape(const std::string& dir_or_preset, const std::string& vision_tower = "");

}  // namespace dpn::flops
