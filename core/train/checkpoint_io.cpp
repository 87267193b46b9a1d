// Checkpoint folders of the trained demo models (see checkpoint_io.h).
#include "train/checkpoint_io.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/safetensors_writer.h"
#include "io/tensor_set.h"
#include "util/error.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace dpn::train {

Params read_tensors(const std::string& path) {
  TensorSet set;
  if (fs::is_directory(path)) set = open_checkpoint_folder(path);
  else add_safetensors_file(set, path);
  Params out;
  for (const auto& [name, t] : set.all()) {
    if (t.dtype != DType::F32) throw Error(t.file, "tensor '" + name + "' is " + dtype_name(t.dtype) + ", expected F32");
    at::Tensor x = at::empty(t.shape, at::kFloat);
    std::memcpy(x.data_ptr(), t.data, t.nbytes);
    out[name] = x;
  }
  return out;
}

void write_tensors(const std::string& path, const Params& tensors, const std::map<std::string, std::string>& meta) {
  std::vector<at::Tensor> keep;
  std::vector<RawTensor> raw;
  for (const auto& [name, t] : tensors) {
    at::Tensor c = t.detach().to(at::kFloat).contiguous();
    keep.push_back(c);
    RawTensor r;
    r.name = name;
    r.dtype = DType::F32;
    r.shape = c.sizes().vec();
    r.data = reinterpret_cast<const std::byte*>(c.data_ptr());
    r.nbytes = uint64_t(c.numel()) * 4;
    raw.push_back(r);
  }
  fs::create_directories(fs::path(path).parent_path());
  write_safetensors(path, raw, meta);
}

namespace {

void write_json(const fs::path& p, const json& j) {
  std::ofstream f(p);
  f << j.dump(2) << "\n";
  if (!f) throw Error(p.string(), "cannot write");
}

Params with_prefix(const Params& p, const std::string& prefix, bool keep) {
  Params out;
  for (const auto& [k, t] : p)
    if ((k.rfind(prefix, 0) == 0) == keep) out[k] = t;
  return out;
}

}  // namespace

void write_clip_folder(const std::string& dir, const Params& p, const ModelDims& d) {
  fs::create_directories(dir);
  write_tensors((fs::path(dir) / "model.safetensors").string(), with_prefix(p, "vision_model.", true),
                {{"format", "pt"}});
  json c = {{"architectures", {"CLIPVisionModel"}},
            {"model_type", "clip_vision_model"},
            {"hidden_size", d.v_hidden},
            {"intermediate_size", d.v_inter},
            {"num_hidden_layers", d.v_layers},
            {"num_attention_heads", d.v_heads},
            {"image_size", d.image_size},
            {"patch_size", d.patch},
            {"num_channels", 3},
            {"hidden_act", "quick_gelu"},
            {"layer_norm_eps", d.v_ln_eps},
            {"projection_dim", d.v_hidden},
            {"torch_dtype", "float32"}};
  write_json(fs::path(dir) / "config.json", c);
  json pp = {{"crop_size", {{"height", d.image_size}, {"width", d.image_size}}},
             {"do_center_crop", true},
             {"do_normalize", true},
             {"do_resize", true},
             {"image_mean", {0.48145466, 0.4578275, 0.40821073}},
             {"image_std", {0.26862954, 0.26130258, 0.27577711}},
             {"resample", 3},
             {"size", {{"shortest_edge", d.image_size}}}};
  write_json(fs::path(dir) / "preprocessor_config.json", pp);
}

void write_llava_folder(const std::string& dir, const Params& p, const ModelDims& d, const LlavaFolderSpec& s) {
  fs::create_directories(dir);
  Params w;
  for (const auto& [k, t] : p)
    if (k.rfind("vision_model.", 0) != 0 && k.rfind("aux.", 0) != 0) w[k] = t;
  write_tensors((fs::path(dir) / "model.safetensors").string(), w, {{"format", "pt"}});
  json c = {{"architectures", {"LlavaLlamaForCausalLM"}},
            {"model_type", "llava_llama"},
            {"hidden_size", d.hidden},
            {"intermediate_size", d.inter},
            {"num_hidden_layers", d.layers},
            {"num_attention_heads", d.heads},
            {"num_key_value_heads", d.kv_heads},
            {"vocab_size", d.vocab},
            {"max_position_embeddings", d.max_positions},
            {"rms_norm_eps", d.rms_eps},
            {"rope_theta", d.rope_theta},
            {"hidden_act", "silu"},
            {"bos_token_id", s.bos_id},
            {"eos_token_id", s.eos_id},
            {"tie_word_embeddings", false},
            {"torch_dtype", "float32"},
            {"mm_vision_tower", s.vision_tower},
            {"mm_hidden_size", d.v_hidden},
            {"mm_projector_type", s.projector},
            {"mm_vision_select_layer", -1},
            {"mm_vision_select_feature", "patch"},
            {"mm_use_im_start_end", false},
            {"mm_use_im_patch_token", false},
            {"image_aspect_ratio", "pad"},
            {"tokenizer_padding_side", "right"},
            {"use_cache", true}};
  if (s.projector == "tokenpacker") {
    c["scale_factor"] = kTokenPackerScale;
    // The official code hard-codes CLIP-L's layers 12, 16, 22, 23 and 1024 / 128 heads; this tower states its own
    // (DPN Studio's `tokenpacker` keys, read by model/config.cpp).
    json layers = json::array();
    for (int i = d.v_layers - 3; i <= d.v_layers; ++i) layers.push_back(i);
    c["tokenpacker"] = {{"multi_level_layers", layers}, {"num_heads", kTokenPackerHeads}};
  }
  if (s.dpn) {
    json layers = json::array();
    for (const auto& l : s.dpn->layers) {
      json ks = json::array();
      for (auto [kh, kw] : l.experts) ks.push_back({kh, kw});
      layers.push_back({{"index", l.index}, {"stride", ks}, {"kernel_size", ks}});
    }
    c["pooling"] = {{"pooling_type", "adaptive"}, {"pooling_layers", layers},       {"pooling_function", "max"},
                    {"pooling_location", "post"}, {"prepooling", false},            {"use_special_token", false},
                    {"detach_cls_token_to_predict", false}, {"router_version", "v1"}};
  }
  write_json(fs::path(dir) / "config.json", c);
  if (!s.tokenizer_model.empty())
    fs::copy_file(s.tokenizer_model, fs::path(dir) / "tokenizer.model", fs::copy_options::overwrite_existing);
}

}  // namespace dpn::train
