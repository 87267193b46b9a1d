// config.json parsing for both LLaVA layouts (llava-detail.md §3), including the CLIP tower's own config.
#include "model/config.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "io/tensor_set.h"
#include "util/error.h"
#include "util/json_error.h"
#include "util/printable.h"
#include "util/regular_file.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace dpn {

const char* layout_name(Layout layout) {
  switch (layout) {
    case Layout::Original: return "llava (original)";
    case Layout::HfLegacy: return "llava-hf (legacy keys)";
    case Layout::HfNew: return "llava-hf (new keys)";
  }
  return "?";
}

const char* projector_kind_name(ProjectorKind kind) {
  return kind == ProjectorKind::TokenPacker ? "tokenpacker" : "mlp2x_gelu";
}

const char* pooling_type_name(PoolingType t) {
  switch (t) {
    case PoolingType::Static: return "static";
    case PoolingType::Adaptive: return "adaptive";
    case PoolingType::Random: return "random";
  }
  return "?";
}

const char* pool_function_name(PoolFunction f) {
  switch (f) {
    case PoolFunction::Max: return "max";
    case PoolFunction::Avg: return "avg";
    case PoolFunction::Conv: return "conv";
  }
  return "?";
}

const char* pool_location_name(PoolLocation l) { return l == PoolLocation::Pre ? "pre" : "post"; }

int LlavaConfig::vision_layers_to_run() const {
  if (multipath.enabled) return vision.layers;  // the LLaVA-HR tower runs every CLIP layer; the select layer is ignored
  // hidden_states[0] is the embedding output, [i] the output of layer i; negative indices count from the end.
  int idx = select_layer < 0 ? vision.layers + 1 + select_layer : select_layer;
  if (projector == ProjectorKind::TokenPacker)
    for (int l : tokenpacker.levels) idx = std::max(idx, l);
  return idx;
}

int SlowVisionConfig::grid(int input_size) const {
  int side = input_size / 4;                   // stem: 4x4 conv, stride 4
  for (int s = 1; s < 4; ++s) side = side / 2;  // stages 1-3: 2x2 conv, stride 2
  return side;
}

int MultipathConfig::fast_size(const VisionConfig& clip) const {
  return std::max(int(input_size / 32.0 * clip.patch_size), clip.image_size);
}

int LlavaConfig::input_size() const { return multipath.enabled ? multipath.input_size : vision.image_size; }

int LlavaConfig::base_grid() const {
  if (!multipath.enabled) return vision.grid();
  const int g = multipath.fast_grid(vision);
  return pooling.prepooling ? g / 2 : g;
}

namespace {

// A JSON value from the file, for a message: ASCII only and escaped (the file's bytes never reach the terminal raw),
// at most 80 characters.
std::string shown(const json& v) { return printable(v.dump(-1, ' ', /*ensure_ascii=*/true, json::error_handler_t::replace), 80); }

json read_json(const fs::path& p) {
  if (!fs::exists(p)) throw Error(p.string(), "cannot open (a checkpoint folder needs config.json)");
  // Refuses a FIFO or device before opening it (open() on a FIFO blocks) and bounds the size read.
  const std::string text = read_regular_file(p.string(), kMaxJsonFileBytes, "config");
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw Error(p.string(), "invalid JSON: " + json_error_summary(e));  // not the bytes read
  }
}

// Strings and booleans: j[key] when present and not null; a wrong type names the key.
template <typename T>
void get_opt(const json& j, const char* key, T* out, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return;
  try {
    *out = j[key].get<T>();
  } catch (const json::exception&) {
    throw Error(where, std::string("field '") + key + "' has the wrong type: " + shown(j[key]));
  }
}

// Sizes, counts and indices: a JSON number with an integral value (64 or 64.0, not 64.7) within [lo, hi].
int json_int(const json& v, const std::string& key, const std::string& where, int64_t lo, int64_t hi) {
  double d = 0;
  if (v.is_number_integer()) {
    // nlohmann stores non-negative literals as unsigned: compare those as unsigned (4294967360 must not wrap).
    const bool out = v.is_number_unsigned() ? v.get<uint64_t>() > uint64_t(hi) || int64_t(v.get<uint64_t>()) < lo
                                            : v.get<int64_t>() < lo || v.get<int64_t>() > hi;
    if (out)
      throw Error(where, "'" + key + "' is " + shown(v) + ", outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return int(v.get<int64_t>());
  }
  if (!v.is_number_float() || !std::isfinite(d = v.get<double>()) || std::floor(d) != d)
    throw Error(where, "'" + key + "' must be an integer, got " + shown(v));
  if (d < double(lo) || d > double(hi))
    throw Error(where, "'" + key + "' is " + shown(v) + ", outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return int(d);
}

void get_int(const json& j, const char* key, int* out, const std::string& where, int64_t lo, int64_t hi) {
  if (j.is_object() && j.contains(key) && !j[key].is_null()) *out = json_int(j[key], key, where, lo, hi);
}

void get_ints(const json& j, const char* key, std::vector<int>* out, const std::string& where, int64_t lo, int64_t hi) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return;
  if (!j[key].is_array()) throw Error(where, std::string("'") + key + "' must be a list of integers, got " + shown(j[key]));
  out->clear();
  for (const json& v : j[key]) out->push_back(json_int(v, key, where, lo, hi));
}

// A finite number within [lo, hi] (or above lo when lo_open).
void get_real(const json& j, const char* key, double* out, const std::string& where, double lo, double hi,
              bool lo_open = false) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return;
  const json& v = j[key];
  if (!v.is_number()) throw Error(where, std::string("'") + key + "' must be a number, got " + shown(v));
  const double d = v.get<double>();
  if (!std::isfinite(d) || d > hi || (lo_open ? d <= lo : d < lo))
    throw Error(where, std::string("'") + key + "' is " + shown(v) + ", outside " + (lo_open ? "(" : "[") +
                           shown(json(lo)) + ", " + shown(json(hi)) + "]");
  *out = d;
}

// Sane bounds: far above any released model, low enough that products of sizes cannot overflow.
constexpr int64_t kMaxWidth = 1 << 16, kMaxFfn = 1 << 18, kMaxLayers = 1024, kMaxHeads = 1024, kMaxVocab = 1 << 22,
                  kMaxPositions = 1 << 24, kMaxImage = 4096, kMaxKernel = 64;

// Reads a string-valued setting into its enum; an unknown value lists the accepted ones.
template <typename E>
void get_enum(const json& j, const char* key, const std::vector<std::pair<const char*, E>>& values, E* out,
              const std::string& where) {
  std::string text;
  get_opt(j, key, &text, where);
  if (text.empty()) return;
  std::string accepted;
  for (const auto& [name, value] : values) {
    if (text == name) {
      *out = value;
      return;
    }
    accepted += std::string(accepted.empty() ? "" : ", ") + name;
  }
  throw Error(where, std::string(key) + " must be one of " + accepted + ", got '" + printable(text, 80) + "'");
}

TextConfig parse_text(const json& j, const std::string& where) {
  TextConfig t;
  if (!j.is_object()) throw Error(where, "must be an object, got " + shown(j));
  get_int(j, "hidden_size", &t.hidden, where, 1, kMaxWidth);
  get_int(j, "intermediate_size", &t.intermediate, where, 1, kMaxFfn);
  get_int(j, "num_hidden_layers", &t.layers, where, 1, kMaxLayers);
  get_int(j, "num_attention_heads", &t.heads, where, 1, kMaxHeads);
  t.kv_heads = t.heads;
  get_int(j, "num_key_value_heads", &t.kv_heads, where, 1, kMaxHeads);
  get_int(j, "vocab_size", &t.vocab, where, 1, kMaxVocab);
  get_int(j, "max_position_embeddings", &t.max_positions, where, 1, kMaxPositions);
  get_real(j, "rms_norm_eps", &t.rms_eps, where, 0, 1);
  get_real(j, "rope_theta", &t.rope_theta, where, 0, 1e12, /*lo_open=*/true);
  if (j.contains("rope_parameters") && j["rope_parameters"].is_object())
    get_real(j["rope_parameters"], "rope_theta", &t.rope_theta, where + ": rope_parameters", 0, 1e12, true);
  if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
    throw Error(where, "rope_scaling is not supported (found " + shown(j["rope_scaling"]) + ")");
  get_int(j, "head_dim", &t.head_size, where, 1, kMaxHeads);
  get_opt(j, "tie_word_embeddings", &t.tie_embeddings, where);
  for (const char* bias : {"attention_bias", "mlp_bias"}) {
    bool on = false;
    get_opt(j, bias, &on, where);
    if (on) throw Error(where, std::string(bias) + " = true is not supported (LLaMA has no biases)");
  }
  get_int(j, "bos_token_id", &t.bos_id, where, 0, t.vocab - 1);
  if (j.contains("eos_token_id") && !j["eos_token_id"].is_array() && !j["eos_token_id"].is_null())
    t.eos_id = json_int(j["eos_token_id"], "eos_token_id", where, 0, t.vocab - 1);
  std::string act = "silu";
  get_opt(j, "hidden_act", &act, where);
  if (act != "silu") throw Error(where, "hidden_act '" + printable(act, 80) + "' is not supported (LLaMA uses silu)");
  if (t.head_size == 0 && t.hidden % t.heads != 0)
    throw Error(where, "hidden_size " + std::to_string(t.hidden) + " is not divisible by num_attention_heads " + std::to_string(t.heads));
  if (t.head_dim() % 2 != 0) throw Error(where, "the head dimension " + std::to_string(t.head_dim()) + " is odd (RoPE rotates pairs)");
  if (t.heads % t.kv_heads != 0)
    throw Error(where, "num_attention_heads " + std::to_string(t.heads) + " is not a multiple of num_key_value_heads " + std::to_string(t.kv_heads));
  return t;
}

VisionConfig parse_vision(const json& j, const std::string& where) {
  VisionConfig v;
  if (!j.is_object()) throw Error(where, "must be an object, got " + shown(j));
  get_int(j, "hidden_size", &v.hidden, where, 1, kMaxWidth);
  get_int(j, "intermediate_size", &v.intermediate, where, 1, kMaxFfn);
  get_int(j, "num_hidden_layers", &v.layers, where, 1, kMaxLayers);
  get_int(j, "num_attention_heads", &v.heads, where, 1, kMaxHeads);
  get_int(j, "image_size", &v.image_size, where, 1, kMaxImage);
  get_int(j, "patch_size", &v.patch_size, where, 1, kMaxImage);
  get_int(j, "num_channels", &v.channels, where, 3, 3);  // the preprocessing makes RGB
  get_real(j, "layer_norm_eps", &v.ln_eps, where, 0, 1);
  get_enum(j, "hidden_act", {{"quick_gelu", VisionAct::QuickGelu}, {"gelu", VisionAct::Gelu}}, &v.act, where);
  if (v.image_size < v.patch_size)
    throw Error(where, "image_size " + std::to_string(v.image_size) + " / patch_size " + std::to_string(v.patch_size) + " gives no patches");
  if (v.hidden % v.heads != 0)
    throw Error(where, "hidden_size " + std::to_string(v.hidden) + " is not divisible by num_attention_heads " + std::to_string(v.heads));
  return v;
}

std::pair<int, int> parse_pair(const json& p, const std::string& where) {
  if (p.is_number()) {
    const int k = json_int(p, "kernel_size", where, 1, kMaxKernel);
    return {k, k};
  }
  if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
    return {json_int(p[0], "kernel_size", where, 1, kMaxKernel), json_int(p[1], "kernel_size", where, 1, kMaxKernel)};
  throw Error(where, "pooling kernel must be [h, w], got " + shown(p));
}

PoolingConfig parse_pooling(const json& j, const std::string& where) {
  PoolingConfig pc;
  pc.present = true;
  const std::string w = where + ": pooling";
  get_enum(j, "pooling_type", {{"static", PoolingType::Static}, {"adaptive", PoolingType::Adaptive}, {"random", PoolingType::Random}},
           &pc.type, w);
  get_enum(j, "pooling_function", {{"max", PoolFunction::Max}, {"avg", PoolFunction::Avg}, {"conv", PoolFunction::Conv}},
           &pc.function, w);
  get_enum(j, "pooling_location", {{"pre", PoolLocation::Pre}, {"post", PoolLocation::Post}}, &pc.location, w);
  get_enum(j, "router_version", {{"v1", RouterVersion::V1}, {"v2", RouterVersion::V2}}, &pc.router_version, w);
  get_opt(j, "use_special_token", &pc.use_special_token, w);
  get_opt(j, "prepooling", &pc.prepooling, w);
  if (j.contains("pooling_layers")) {
    if (!j["pooling_layers"].is_array()) throw Error(w, "pooling_layers must be a list");
    for (const auto& l : j["pooling_layers"]) {
      PoolingLayer pl;
      if (!l.is_object() || !l.contains("index")) throw Error(w, "each pooling layer needs an integer 'index'");
      pl.index = json_int(l["index"], "index", w, 0, kMaxLayers - 1);
      const json& ks = l.contains("kernel_size") ? l["kernel_size"] : l.contains("stride") ? l["stride"] : json();
      if (ks.is_null()) throw Error(w, "pooling layer " + std::to_string(pl.index) + " has no kernel_size");
      // static: a single pair; adaptive/random: a list of pairs (dpn-detail.md §2.6).
      if (ks.is_array() && !ks.empty() && ks[0].is_number()) pl.experts.push_back(parse_pair(ks, w));
      else if (ks.is_number()) pl.experts.push_back(parse_pair(ks, w));
      else if (ks.is_array())
        for (const auto& p : ks) pl.experts.push_back(parse_pair(p, w));
      else
        throw Error(w, "pooling layer " + std::to_string(pl.index) + ": kernel_size must be [h, w] or a list of them");
      if (l.contains("stride") && l.contains("kernel_size")) {
        std::vector<std::pair<int, int>> strides;
        const json& st = l["stride"];
        if (st.is_array() && !st.empty() && st[0].is_number()) strides.push_back(parse_pair(st, w));
        else if (st.is_array())
          for (const auto& p : st) strides.push_back(parse_pair(p, w));
        else
          strides.push_back(parse_pair(st, w));
        if (strides != pl.experts)
          throw Error(w, "layer " + std::to_string(pl.index) + ": stride differs from kernel_size (only kernel = stride is supported)");
      }
      for (auto [kh, kw] : pl.experts)
        if (kh <= 0 || kw <= 0) throw Error(w, "layer " + std::to_string(pl.index) + ": kernel sizes must be positive");
      if (pl.experts.empty()) throw Error(w, "layer " + std::to_string(pl.index) + " has no experts");
      pc.layers.push_back(pl);
    }
  }
  return pc;
}

// LLaVA-HR (llava-detail.md §7.1-7.2): config keys written by its training code. The ConvNeXt shape comes from the
// vision_tower_slow name, as the reference builds it (convnext_large_mlp or convnext_xxlarge), or from a
// `slow_vision_config` {dims, depths, norm_eps} object (DPN Studio's extension, used by the tiny test models).
MultipathConfig parse_multipath(const json& j, const std::string& where) {
  MultipathConfig m;
  m.enabled = true;
  get_int(j, "input_image_size", &m.input_size, where, 32, kMaxImage);
  bool freeze = false;
  get_opt(j, "freeze_vision", &freeze, where);
  m.adapters = !freeze;
  if (!j.contains("vision_tower_slow") || !j["vision_tower_slow"].is_string())
    throw Error(where, "is_multipath_encoder is set but 'vision_tower_slow' (the ConvNeXt name) is missing");
  m.slow.name = j["vision_tower_slow"].get<std::string>();
  SlowVisionConfig& s = m.slow;
  if (j.contains("slow_vision_config")) {
    const std::string w = where + ": slow_vision_config";
    const json& c = j["slow_vision_config"];
    if (!c.is_object()) throw Error(w, "must be an object {dims, depths, norm_eps}");
    get_ints(c, "dims", &s.dims, w, 1, kMaxWidth);
    get_ints(c, "depths", &s.depths, w, 1, kMaxLayers);
    get_real(c, "norm_eps", &s.ln_eps, w, 0, 1);
  } else if (s.name.find("convnext_xxlarge") != std::string::npos) {
    s.dims = {384, 768, 1536, 3072};
    s.depths = {3, 4, 30, 3};
    s.ln_eps = 1e-5;
  } else if (s.name.find("convnext_large_mlp") != std::string::npos) {
    s.dims = {192, 384, 768, 1536};
    s.depths = {3, 3, 27, 3};
    s.ln_eps = 1e-6;
  } else {
    throw Error(where, "vision_tower_slow '" + printable(s.name, 80) + "' is not supported (LLaVA-HR uses convnext_large_mlp.*, "
                       "LLaVA-HR-X convnext_xxlarge.*)");
  }
  if (s.dims.size() != 4 || s.depths.size() != 4)
    throw Error(where, "the slow ConvNeXt needs 4 stages (dims and depths of length 4)");
  for (int k = 0; k < 4; ++k)
    if (s.dims[k] <= 0 || s.depths[k] <= 0) throw Error(where, "slow ConvNeXt dims and depths must be positive");
  if (m.input_size < 32 || m.input_size > 4096)
    throw Error(where, "input_image_size " + std::to_string(m.input_size) + " is outside 32..4096");
  return m;
}

// The tower LLaVA-1.5 and LLaVA-HR name in mm_vision_tower.
constexpr const char* kClipL336 = "clip-vit-large-patch14-336";

// openai/clip-vit-large-patch14-336's vision config: LLaVA-HR checkpoints hold the tower's weights, so only its
// shape is needed when the CLIP folder is not around.
VisionConfig clip_large_336() {
  VisionConfig v;
  v.hidden = 1024;
  v.intermediate = 4096;
  v.layers = 24;
  v.heads = 16;
  v.image_size = 336;
  v.patch_size = 14;
  return v;
}

fs::path resolve_vision_dir(const fs::path& model_dir, const std::string& name, const std::string& where) {
  std::vector<fs::path> candidates;
  if (!name.empty()) {
    candidates.push_back(fs::path(name));
    candidates.push_back(model_dir / name);
    candidates.push_back(model_dir.parent_path() / name);
    candidates.push_back(model_dir / fs::path(name).filename());
    candidates.push_back(model_dir.parent_path() / fs::path(name).filename());
  }
  for (const auto& c : candidates)
    if (fs::exists(c / "config.json")) return fs::weakly_canonical(c);
  // One line: the places looked at, then what to do (the name comes from config.json: printable(), never raw bytes).
  std::string tried;
  for (const auto& c : candidates) tried += (tried.empty() ? "" : ", ") + printable(c.string(), 120);
  throw Error(where, "mm_vision_tower '" + printable(name, 120) + "' not found (looked in " +
                         (tried.empty() ? std::string("no folder: the name is empty") : tried) +
                         "); put the CLIP tower folder next to the model or pass --vision-tower DIR");
}


bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The tensor names of a folder's weights; empty when it holds no weight file (a config-only folder). Opening maps the
// files and validates their headers (safetensors) or pickles (.bin); no tensor data is read. Adds the tensors'
// element count to `*elements`.
std::set<std::string> weight_names(const fs::path& dir, int64_t* elements) {
  bool any = false;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string ext = e.path().extension().string();
    any = any || ext == ".safetensors" || ext == ".bin" || ext == ".pt" || ext == ".pth";
  }
  if (!any) return {};
  std::set<std::string> names;
  const auto folder = open_checkpoint_folder(dir.string());  // kept alive: all() refers into it
  for (const auto& [name, t] : folder.all()) {
    names.insert(name);
    *elements += t.numel();
  }
  return names;
}

// The CLIP prefix under `base`: with the `vision_model.` level (transformers 4 and the original LLaVA) or without it
// (transformers 5's save_pretrained).
std::string clip_prefix(const std::set<std::string>& names, const std::string& base, const std::string& where) {
  for (const std::string p : {base + "vision_model.", base})
    if (names.count(p + "embeddings.class_embedding")) return p;
  throw Error(where, "no CLIP vision tower in the weights: neither '" + base + "vision_model.embeddings.class_embedding' nor '" +
                         base + "embeddings.class_embedding'");
}

// Decides from the tensor names where each part is (LlavaConfig::names), and the projector kind. A folder without
// weights keeps the layout's usual names (its description serves FLOPs only; loading it fails).
void describe_weights(LlavaConfig& c, const std::string& where) {
  const std::set<std::string> names = weight_names(c.model_dir, &c.weight_elements);
  c.weights_found = !names.empty();
  WeightNames& n = c.names;
  const bool tied = c.text.tie_embeddings;
  auto has = [&](const std::string& k) { return names.count(k) > 0; };
  auto head = [&](const std::string& key) {
    if (tied || !c.weights_found) return tied ? std::string() : key;
    if (!has(key))
      throw Error(c.model_dir, "no LM head '" + key + "' in the weights, and " + where +
                                   " does not say tie_word_embeddings: true (the head would be embed_tokens)");
    return key;
  };
  if (c.layout == Layout::Original) {
    n.llm = "model.";
    n.lm_head = head("lm_head.weight");
    n.projector = "model.mm_projector.";
    n.projector1 = "0.", n.projector2 = "2.";
    // The official TokenPacker scripts write mm_projector_type "mlp2x_gelu" too: its weights say which it is.
    if (has("model.mm_projector.q_proj_1.weight")) c.projector = ProjectorKind::TokenPacker;
    else if (c.weights_found && c.projector == ProjectorKind::TokenPacker)
      throw Error(c.model_dir, "mm_projector_type is tokenpacker but the weights have no 'model.mm_projector.q_proj_1.weight'");
    n.projector_bias = true;
    if (c.multipath.enabled) {
      const std::string base = "model.vision_tower.fast_vision_tower.vision_tower.";
      n.vision = c.weights_found ? clip_prefix(names, base, c.model_dir) : base + "vision_model.";
    } else if (!c.vision_dir.empty()) {
      const std::set<std::string> tower = weight_names(c.vision_dir, &c.weight_elements);
      if (!tower.empty()) n.vision = clip_prefix(tower, "", c.vision_dir);
    }
    return;
  }
  // llava-hf: new key names (model.language_model.*) or legacy ones (language_model.model.*, also what
  // transformers 5 writes); the tower with or without its vision_model. level; projector biases optional.
  const bool fresh = has("model.language_model.embed_tokens.weight");
  if (c.weights_found && !fresh && !has("language_model.model.embed_tokens.weight"))
    throw Error(c.model_dir, "llava-hf config, but neither 'language_model.model.embed_tokens.weight' nor "
                             "'model.language_model.embed_tokens.weight' is in the weights");
  c.layout = fresh ? Layout::HfNew : Layout::HfLegacy;
  n.llm = fresh ? "model.language_model." : "language_model.model.";
  n.lm_head = head(fresh ? "lm_head.weight" : "language_model.lm_head.weight");
  n.projector = fresh ? "model.multi_modal_projector." : "multi_modal_projector.";
  n.projector1 = "linear_1.", n.projector2 = "linear_2.";
  const std::string tower = fresh ? "model.vision_tower." : "vision_tower.";
  n.vision = c.weights_found ? clip_prefix(names, tower, c.model_dir) : tower + "vision_model.";
  n.projector_bias = c.weights_found ? has(n.projector + "linear_1.bias") : true;
}

// TokenPacker's sizes (CircleRadon/TokenPacker): levels inside the tower, a scale that tiles the grid, heads that
// divide the width.
void check_tokenpacker(const LlavaConfig& c, const std::string& where) {
  const TokenPackerConfig& t = c.tokenpacker;
  for (int l : t.levels)
    if (l < 0 || l > c.vision.layers)
      throw Error(where, "tokenpacker level " + std::to_string(l) + " is outside the vision tower's " +
                             std::to_string(c.vision.layers) + " layers");
  if (t.levels.empty()) throw Error(where, "tokenpacker.multi_level_layers is empty");
  if (t.scale <= 0 || c.vision.grid() % t.scale != 0)
    throw Error(where, "scale_factor " + std::to_string(t.scale) + " does not divide the " +
                           std::to_string(c.vision.grid()) + "-token grid side");
  if (t.heads <= 0 || c.mm_hidden % t.heads != 0)
    throw Error(where, "tokenpacker.num_heads " + std::to_string(t.heads) + " does not divide the width " +
                           std::to_string(c.mm_hidden));
}
LlavaConfig describe(const std::string& model_dir_in, const std::string& vision_override) {
  LlavaConfig c;
  const fs::path model_dir = fs::path(model_dir_in);
  if (!fs::is_directory(model_dir)) throw Error(model_dir_in, "is not a folder");
  c.model_dir = model_dir.string();
  const fs::path cfg_path = model_dir / "config.json";
  c.config_path = cfg_path.string();
  const json j = read_json(cfg_path);
  const std::string where = cfg_path.string();
  if (!j.is_object()) throw Error(where, "expected a JSON object, got " + shown(j));

  if (j.contains("text_config")) {
    // HF llava-hf layout; legacy vs new key prefixes are decided from the tensor names (describe_weights).
    c.layout = Layout::HfLegacy;
    c.text = parse_text(j["text_config"], where + ": text_config");
    if (!j["text_config"].contains("tie_word_embeddings")) get_opt(j, "tie_word_embeddings", &c.text.tie_embeddings, where);
    c.vision = parse_vision(j.contains("vision_config") ? j["vision_config"] : json::object(), where + ": vision_config");
    c.image_token_index = 32000;  // LlavaConfig's default
    // May lie beyond the vocabulary: transformers embeds those positions as id 0 before splicing the image in.
    get_int(j, "image_token_index", &c.image_token_index, where, 0, kMaxVocab);
    get_int(j, "image_token_id", &c.image_token_index, where, 0, kMaxVocab);
    if (j.contains("vision_feature_layer") && j["vision_feature_layer"].is_array())
      throw Error(where, "vision_feature_layer as a list is not supported, got " + shown(j["vision_feature_layer"]));
    get_int(j, "vision_feature_layer", &c.select_layer, where, -kMaxLayers, kMaxLayers);
    std::string strategy = "default";
    get_opt(j, "vision_feature_select_strategy", &strategy, where);
    if (strategy != "default" && strategy != "full") throw Error(where, "unknown vision_feature_select_strategy '" + printable(strategy, 80) + "'");
    c.drop_cls = strategy == "default";
    std::string act = "gelu";
    get_opt(j, "projector_hidden_act", &act, where);
    if (act != "gelu") throw Error(where, "projector_hidden_act '" + printable(act, 80) + "' is not supported");
    c.projector = ProjectorKind::Mlp2xGelu;  // preprocessing: LLaVA's evaluation pad, also for HF weights (§5.3)
    if (!vision_override.empty()) throw Error(where, "--vision-tower applies only to the original LLaVA layout (this checkpoint contains its vision tower)");
  } else {
    c.layout = Layout::Original;
    c.text = parse_text(j, where);
    if (!j.contains("mm_vision_tower") || !j["mm_vision_tower"].is_string())
      throw Error(where, "neither 'text_config' (llava-hf) nor 'mm_vision_tower' (original LLaVA) found: not a LLaVA checkpoint");
    get_int(j, "mm_vision_select_layer", &c.select_layer, where, -kMaxLayers, kMaxLayers);
    std::string feature = "patch";
    get_opt(j, "mm_vision_select_feature", &feature, where);
    if (feature != "patch" && feature != "cls_patch") throw Error(where, "unknown mm_vision_select_feature '" + printable(feature, 80) + "'");
    c.drop_cls = feature == "patch";
    get_enum(j, "mm_projector_type", {{"mlp2x_gelu", ProjectorKind::Mlp2xGelu}, {"tokenpacker", ProjectorKind::TokenPacker}},
             &c.projector, where);
    std::string aspect = "pad";
    get_opt(j, "image_aspect_ratio", &aspect, where);
    if (aspect != "pad")  // the preprocessing is LLaVA-1.5's evaluation path (image/preprocess.h)
      throw Error(where, "image_aspect_ratio '" + printable(aspect, 80) + "' is not supported (pad, LLaVA-1.5's evaluation preprocessing)");
    bool start_end = false, multipath = false;
    get_opt(j, "mm_use_im_start_end", &start_end, where);
    if (start_end) throw Error(where, "mm_use_im_start_end = true is not supported");
    const std::string tower = vision_override.empty() ? j["mm_vision_tower"].get<std::string>() : vision_override;
    get_opt(j, "is_multipath_encoder", &multipath, where);
    if (multipath) c.multipath = parse_multipath(j, where);
    const bool clip_l336 = ends_with(tower, kClipL336);
    try {
      c.vision_dir = resolve_vision_dir(model_dir, tower, where).string();
    } catch (const Error& e) {
      if (!clip_l336) throw;
      // CLIP-L/336's shape is known: LLaVA-HR holds its weights; LLaVA-1.5 needs the folder only to load them.
      if (!c.multipath.enabled) c.vision_missing = e.what();
    }
    if (c.vision_dir.empty()) {
      c.vision = clip_large_336();
    } else {
      const fs::path vcfg = fs::path(c.vision_dir) / "config.json";
      json vj = read_json(vcfg);
      if (vj.contains("vision_config")) vj = vj["vision_config"];  // a full CLIPModel config
      c.vision = parse_vision(vj, vcfg.string());
    }
    if (c.multipath.enabled) {
      if (c.vision.layers % 4 != 0)
        throw Error(where, "LLaVA-HR needs a CLIP depth divisible by 4 (adapters after each quarter), got " +
                               std::to_string(c.vision.layers));
      if (c.projector != ProjectorKind::Mlp2xGelu)
        throw Error(where, "mm_projector_type 'tokenpacker' with is_multipath_encoder is not supported (mlp2x_gelu)");
    }
  }
  if (c.layout != Layout::Original && j.contains("is_multipath_encoder") && j["is_multipath_encoder"] == true)
    throw Error(where, "is_multipath_encoder in a llava-hf config is not supported (LLaVA-HR ships in the original layout)");
  c.mm_hidden = c.vision.hidden;
  get_int(j, "mm_hidden_size", &c.mm_hidden, where, 1, kMaxWidth);
  if (c.mm_hidden != c.vision.hidden)
    throw Error(where, "mm_hidden_size " + std::to_string(c.mm_hidden) + " disagrees with the vision tower's hidden_size " + std::to_string(c.vision.hidden));
  get_int(j, "scale_factor", &c.tokenpacker.scale, where, 1, kMaxKernel);
  c.tokenpacker.heads = std::max(1, c.mm_hidden / 128);
  if (j.contains("tokenpacker")) {  // DPN Studio extension keys (tests/golden/METHODS.md)
    const std::string w = where + ": tokenpacker";
    if (!j["tokenpacker"].is_object()) throw Error(w, "must be an object {multi_level_layers, num_heads}");
    get_ints(j["tokenpacker"], "multi_level_layers", &c.tokenpacker.levels, w, 0, kMaxLayers);
    get_int(j["tokenpacker"], "num_heads", &c.tokenpacker.heads, w, 1, kMaxHeads);
  }
  describe_weights(c, where);  // where the weights are; TokenPacker is recognised by its weights
  if (c.projector == ProjectorKind::TokenPacker) check_tokenpacker(c, where);
  int run = c.vision_layers_to_run();
  if (run < 0 || run > c.vision.layers)
    throw Error(where, "vision select layer " + std::to_string(c.select_layer) + " is outside the tower's " + std::to_string(c.vision.layers) + " layers");
  if (j.contains("pooling") && !j["pooling"].is_null()) {
    if (!j["pooling"].is_object()) throw Error(where, "'pooling' must be an object, got " + shown(j["pooling"]));
    c.pooling = parse_pooling(j["pooling"], where);
  }
  for (const auto& pl : c.pooling.layers)
    if (pl.index < 0 || pl.index >= c.text.layers)
      throw Error(where, "pooling layer index " + std::to_string(pl.index) + " does not exist (the LLM has " + std::to_string(c.text.layers) + " layers)");
  return c;
}

}  // namespace

LlavaConfig load_llava_config(const std::string& model_dir, const std::string& vision_override) {
  try {
    return describe(model_dir, vision_override);
  } catch (const json::exception& e) {  // a value of a type no reader above expected: still name the file
    throw Error((fs::path(model_dir) / "config.json").string(), std::string("unexpected value: ") + e.what());
  }
}

}  // namespace dpn
