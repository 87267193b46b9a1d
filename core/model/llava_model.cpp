// Loading a LLaVA model and building the decoder's input sequence (llava-detail.md §6.3).
#include "model/llava_model.h"

#include <ATen/ATen.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "methods/method.h"
#include "model/clip_vision.h"
#include "model/tokenpacker.h"
#include "model/llava_hr.h"
#include "text/prompt.h"
#include "util/error.h"
#include "util/json_error.h"
#include "util/regular_file.h"

namespace fs = std::filesystem;

namespace dpn {

namespace {

// HF's added_tokens.json ({"<ROUTER>": 32000}) or tokenizer_config.json's added_tokens_decoder.
void load_added_tokens(Tokenizer& tok, const std::string& dir) {
  const fs::path a = fs::path(dir) / "added_tokens.json", c = fs::path(dir) / "tokenizer_config.json";
  try {
    if (fs::exists(a)) {
      auto j = nlohmann::json::parse(read_regular_file(a.string(), kMaxJsonFileBytes, "added tokens"));
      for (auto it = j.begin(); it != j.end(); ++it) tok.add_token(it.key(), it.value().get<int>());
    } else if (fs::exists(c)) {
      auto j = nlohmann::json::parse(read_regular_file(c.string(), kMaxJsonFileBytes, "tokenizer config"));
      if (j.contains("added_tokens_decoder"))
        for (auto it = j["added_tokens_decoder"].begin(); it != j["added_tokens_decoder"].end(); ++it) {
          int id = std::stoi(it.key());
          if (id >= tok.vocab_size()) tok.add_token(it.value().at("content").get<std::string>(), id);
        }
    }
  } catch (const Error&) {
    throw;  // already names the file (not a regular file, too large)
  } catch (const std::exception& e) {
    // json_error_summary: the parser's position and reason, never the file's bytes.
    throw Error(fs::exists(a) ? a.string() : c.string(), "cannot read added tokens: " + json_error_summary(e));
  }
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

std::unique_ptr<LlavaModel> load_llava_model(const std::string& dir, const std::string& vision_override, at::ScalarType dtype,
                                             at::Device device) {
  return load_llava_model(load_llava_config(dir, vision_override), dtype, device);
}

std::unique_ptr<LlavaModel> load_llava_model(const LlavaConfig& config, at::ScalarType dtype, at::Device device) {
  auto m = std::make_unique<LlavaModel>();
  m->cfg = config;
  const std::string& dir = config.model_dir;
  m->tokenizer = std::make_unique<Tokenizer>(dir);
  load_added_tokens(*m->tokenizer, dir);
  if (m->cfg.pooling.present && m->cfg.pooling.use_special_token && !m->tokenizer->added_tokens().count("<ROUTER>"))
    throw Error(dir, "pooling.use_special_token is set but the tokenizer has no <ROUTER> token (added_tokens.json)");
  if (m->tokenizer->vocab_size() > m->cfg.text.vocab)
    throw Error(m->tokenizer->path(), "tokenizer has " + std::to_string(m->tokenizer->vocab_size()) +
                                          " pieces but the model's vocab_size is " + std::to_string(m->cfg.text.vocab));
  m->dtype = dtype;
  m->weights = load_llava_weights(m->cfg, dtype, device);
  return m;
}

at::Tensor encode_image(const LlavaModel& m, const at::Tensor& pixels, double* vision_ms, double* projector_ms,
                        TokenMethod* method, VisionTokens* chosen) {
  auto t0 = std::chrono::steady_clock::now();
  const at::Tensor px = pixels.to(m.weights.llm.embed.device());
  if (method && method->selects_vision_tokens()) {  // the method picks the tokens at the feature layer
    const int g = m.cfg.vision.grid();
    VisionTokens vt = method->select_vision_tokens(clip_feature_layer(m.weights.vision, m.cfg, px), g, g);
    if (vision_ms) *vision_ms = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    at::Tensor out = projector_forward(m.weights.projector, vt.features);  // [M, D]
    if (projector_ms) *projector_ms = ms_since(t0);
    if (chosen) *chosen = std::move(vt);
    return out;
  }
  if (m.cfg.projector == ProjectorKind::TokenPacker) {
    // Single-level (select layer) and multi-level (levels concatenated on channels) features, class token dropped.
    std::vector<int> idx{m.cfg.select_layer < 0 ? m.cfg.vision.layers + 1 + m.cfg.select_layer : m.cfg.select_layer};
    idx.insert(idx.end(), m.cfg.tokenpacker.levels.begin(), m.cfg.tokenpacker.levels.end());
    std::vector<at::Tensor> hs = clip_hidden_states(m.weights.vision, m.cfg, px, idx);
    for (auto& h : hs) h = h.narrow(0, 1, h.size(0) - 1);
    at::Tensor multi = at::cat(std::vector<at::Tensor>(hs.begin() + 1, hs.end()), 1);
    if (vision_ms) *vision_ms = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    at::Tensor out = tokenpacker_forward(m.weights.tokenpacker, m.cfg, hs[0], multi);  // [M, D]
    if (projector_ms) *projector_ms = ms_since(t0);
    return out;
  }
  at::Tensor feats = m.cfg.multipath.enabled  // LLaVA-HR: dual-path tower on the input_image_size image
                        ? hr_vision_forward(m.weights.vision, m.weights.hr, m.cfg, px)
                        : clip_vision_forward(m.weights.vision, m.cfg, px);  // [N, Dv]
  if (vision_ms) *vision_ms = ms_since(t0);
  t0 = std::chrono::steady_clock::now();
  at::Tensor out = projector_forward(m.weights.projector, feats);  // [N, D]
  if (projector_ms) *projector_ms = ms_since(t0);
  return out;
}

EmbeddedPrompt embed_prompt(const LlavaModel& m, const std::vector<int>& ids, const at::Tensor& visual,
                            const std::vector<TokenRegion>& regions) {
  EmbeddedPrompt p;
  std::vector<int64_t> before, after;
  bool seen = false;
  for (int id : ids) {
    if (id == kImageSentinel) {
      if (seen) throw Error("prompt", "more than one <image> in the prompt (one image per question is supported)");
      seen = true;
      continue;
    }
    if (id < 0 || id >= m.cfg.text.vocab) throw Error("prompt", "token id " + std::to_string(id) + " is outside the vocabulary");
    (seen ? after : before).push_back(id);
  }
  if (!seen) throw Error("prompt", "the prompt has no <image> placeholder");
  const at::Tensor& E = m.weights.llm.embed;
  auto idx = [&](const std::vector<int64_t>& v) {
    return at::from_blob(const_cast<int64_t*>(v.data()), {int64_t(v.size())}, at::TensorOptions().dtype(at::kLong)).to(E.device());
  };
  at::Tensor parts[3] = {E.index_select(0, idx(before)), visual.to(E.scalar_type()), E.index_select(0, idx(after))};
  p.embeds = at::cat({parts[0], parts[1], parts[2]}, 0);
  p.visual_start = int64_t(before.size());
  p.visual_count = visual.size(0);
  const int g = m.cfg.base_grid();  // LLaVA-1.5: the CLIP grid; LLaVA-HR: the fast grid (32x32 at 1024 px)
  if (!regions.empty()) {
    if (int64_t(regions.size()) != p.visual_count)
      throw Error("prompt", std::to_string(regions.size()) + " regions for " + std::to_string(p.visual_count) + " visual tokens");
    p.regions = regions;
  } else if (p.visual_count == int64_t(g) * g) {
    p.grid_h = p.grid_w = g;
  } else if (m.cfg.projector == ProjectorKind::TokenPacker && p.visual_count * m.cfg.tokenpacker.scale * m.cfg.tokenpacker.scale == int64_t(g) * g) {
    p.grid_h = p.grid_w = g / m.cfg.tokenpacker.scale;  // each packed token covers a scale x scale region
    p.cell = m.cfg.tokenpacker.scale;
  }
  return p;
}

}  // namespace dpn
