// Loading a LLaVA model and building the decoder's input sequence (llava-detail.md §6.3).
#include "model/llava_model.h"

#include <ATen/ATen.h>

#include <chrono>

#include "model/clip_vision.h"
#include "text/prompt.h"
#include "util/error.h"

namespace dpn {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

std::unique_ptr<LlavaModel> load_llava_model(const std::string& dir, const std::string& vision_override, at::ScalarType dtype,
                                             at::Device device) {
  auto m = std::make_unique<LlavaModel>();
  m->cfg = load_llava_config(dir, vision_override);
  m->tokenizer = std::make_unique<Tokenizer>(dir);
  if (m->tokenizer->vocab_size() > m->cfg.text.vocab)
    throw Error(m->tokenizer->path(), "tokenizer has " + std::to_string(m->tokenizer->vocab_size()) +
                                          " pieces but the model's vocab_size is " + std::to_string(m->cfg.text.vocab));
  m->dtype = dtype;
  m->weights = load_llava_weights(m->cfg, dtype, device);
  return m;
}

at::Tensor encode_image(const LlavaModel& m, const at::Tensor& pixels, double* vision_ms, double* projector_ms) {
  auto t0 = std::chrono::steady_clock::now();
  at::Tensor feats = clip_vision_forward(m.weights.vision, m.cfg, pixels.to(m.weights.llm.embed.device()));  // [N, Dv]
  if (vision_ms) *vision_ms = ms_since(t0);
  t0 = std::chrono::steady_clock::now();
  at::Tensor out = projector_forward(m.weights.projector, feats);  // [N, D]
  if (projector_ms) *projector_ms = ms_since(t0);
  return out;
}

EmbeddedPrompt embed_prompt(const LlavaModel& m, const std::vector<int>& ids, const at::Tensor& visual) {
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
  return p;
}

}  // namespace dpn
