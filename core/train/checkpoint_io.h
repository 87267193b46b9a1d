// Writes and reads the trained tiny LLaVA in the original LLaVA on-disk layout the engine loads
// (model/config.h, model/weights.h): a CLIP folder (config.json, model.safetensors with vision_model.*,
// preprocessor_config.json) and model folders (config.json with mm_vision_tower and the `pooling` section,
// model.safetensors with model.* / lm_head.weight / model.mm_projector.*, tokenizer.model).
#pragma once
#include <map>
#include <string>

#include "train/train_model.h"

namespace dpn::train {

// All tensors of one safetensors file or checkpoint folder as float32 CPU tensors (no gradient).
Params read_tensors(const std::string& file_or_dir);

// Writes `tensors` (float32) to one safetensors file, atomically.
void write_tensors(const std::string& path, const Params& tensors, const std::map<std::string, std::string>& meta = {});

// The vision tower folder: every "vision_model.*" parameter.
void write_clip_folder(const std::string& dir, const Params& p, const ModelDims& d);

struct LlavaFolderSpec {
  std::string vision_tower = "demo-clip";  // found by the engine as a sibling folder
  std::string projector = "mlp2x_gelu";    // or "tokenpacker"
  const DpnSpec* dpn = nullptr;            // writes the `pooling` section (adaptive, max, post, router v1)
  std::string tokenizer_model;             // copied as tokenizer.model
  int bos_id = 1, eos_id = 2;
};

// A LLaVA model folder: every parameter except "vision_model.*" and "aux.*".
void write_llava_folder(const std::string& dir, const Params& p, const ModelDims& d, const LlavaFolderSpec& spec);

}  // namespace dpn::train
