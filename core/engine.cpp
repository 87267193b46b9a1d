// Implements the public API of dpn.h over the LibTorch engine.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "dpn.h"
#include "flops/flops.h"
#include "flops/method_spec.h"
#include "generate/generator.h"
#include "image/preprocess.h"
#include "methods/make_method.h"
#include "model/llava_model.h"
#include "model/memory_estimate.h"
#include "runtime/threads.h"
#include "text/prompt.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn {

struct Model::Impl {
  std::unique_ptr<LlavaModel> model;
  ModelOptions options;
  int element_size = 4;     // bytes per value of the compute dtype
  flops::ModelShape shape;  // derived from the model's description, for the trace's FLOPs
};

// Model::encode's result: the visual tokens in LLM space and what it took to make them.
struct EncodedImage {
  const Model::Impl* owner = nullptr;
  at::Tensor visual;  // [N, D]
  int width = 0, height = 0;
  double load_image_ms = 0, preprocess_ms = 0, vision_ms = 0, projector_ms = 0;
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::~Model() = default;

namespace {

// The record of what ran, as core/flops counts it: per layer the sequence and the method's work, the decode passes.
flops::Plan record_of(const Generation& g, const EmbeddedPrompt& prompt, int64_t projector_in, const flops::VisionWork& vision) {
  flops::Plan p;
  for (size_t l = 0; l < g.layers.size(); ++l) {
    const LayerSnapshot& s = g.layers[l];
    flops::LayerPlan lp;
    lp.layer = int(l);
    lp.tokens = s.seq_len;
    lp.visual = s.visual;
    lp.grid_h = s.grid_h;
    lp.grid_w = s.grid_w;
    lp.kv_len = s.seq_len;  // each layer caches what it computed
    lp.work = s.action.work;
    p.layers.push_back(lp);
  }
  p.image_tokens = prompt.visual_count;
  p.text_tokens = g.prefill_len - prompt.visual_count;
  p.prefill_logit_rows = 1;
  p.decode_passes = g.decode_passes;
  p.projector_in = projector_in;
  p.vision_work = vision;
  return p;
}

// Loads, preprocesses and encodes an image; a vision-side method (VisionZip) selects its tokens on the way.
std::shared_ptr<const EncodedImage> encode_with(const Model::Impl& impl, const std::string& image_path,
                                                TokenMethod* method, VisionTokens* chosen) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a) { return std::chrono::duration<double, std::milli>(Clock::now() - a).count(); };
  const LlavaModel& m = *impl.model;
  auto e = std::make_shared<EncodedImage>();
  e->owner = &impl;
  auto t = Clock::now();
  cv::Mat rgb = load_image_rgb(image_path);
  e->load_image_ms = ms(t);
  e->width = rgb.cols;
  e->height = rgb.rows;
  t = Clock::now();
  at::Tensor pixels = preprocess_image(rgb, m.cfg.input_size(), m.cfg.image_mean, m.cfg.image_std);
  e->preprocess_ms = ms(t);
  e->visual = encode_image(m, pixels, &e->vision_ms, &e->projector_ms, method, chosen);
  return e;
}

void fill_trace(const LlavaModel& m, const flops::ModelShape& shape, int image_w, int image_h,
                const EmbeddedPrompt& prompt, const Generation& g, const VisionTokens& chosen, AskResult& r) {
  RunTrace& t = r.trace;
  PadGeometry pg = pad_geometry(image_w, image_h);
  const int base = m.cfg.region_grid();
  t.image = {pg.orig_w, pg.orig_h, pg.side, pg.offset_x, pg.offset_y, m.cfg.input_size(), base, base};
  const int64_t projected = shape.projector.kind == flops::ProjectorShape::Kind::TokenPacker
                                ? int64_t(shape.projector.grid) * shape.projector.grid
                                : prompt.visual_count;
  const flops::FlopsReport f = flops::count_flops(shape, record_of(g, prompt, projected, chosen.work));
  for (size_t l = 0; l < g.layers.size(); ++l) {
    const LayerSnapshot& s = g.layers[l];
    LayerTrace lt;
    lt.layer = int(l);
    lt.seq_len = int(s.seq_len);
    lt.visual = int(s.visual);
    lt.grid_h = s.grid_h;
    lt.grid_w = s.grid_w;
    lt.regions = s.regions;
    lt.attention = s.attention;
    lt.ms = s.ms;
    lt.flops = f.prefill[l].total();
    lt.kv_bytes = g.cache.layers[l].bytes();
    t.layers.push_back(std::move(lt));
    if (s.action.router) t.routers.push_back(*s.action.router);
  }
  t.llm_prefill_flops = f.llm_prefill;
  t.lm_head_flops = f.lm_head;
  t.llm_decode_flops = f.llm_decode_total;
  t.decode_passes = int(g.decode_passes);
  t.vision_flops = f.vision;
  t.projector_flops = f.projector;
  t.stages = {{"load_image", r.timing.load_image_ms, 0},
              {"preprocess", r.timing.preprocess_ms, 0},
              {"vision", r.timing.vision_ms, t.vision_flops},
              {"projector", r.timing.projector_ms, t.projector_flops},
              {"prefill", r.timing.prefill_ms, t.llm_prefill_flops + t.lm_head_flops},
              {"decode", r.timing.decode_ms, t.llm_decode_flops}};
}

// Sampling settings a user can get wrong: non-finite, negative, or a top-p outside (0, 1].
void check_sampling(const AskOptions& q, int max_positions) {
  if (!std::isfinite(q.temperature) || q.temperature < 0)
    throw Error("--temperature", "must be a finite number >= 0 (0: greedy), got " + std::to_string(q.temperature));
  if (!std::isfinite(q.top_p) || q.top_p <= 0 || q.top_p > 1)
    throw Error("--top-p", "must be in (0, 1], got " + std::to_string(q.top_p));
  if (q.max_new_tokens < 1 || q.max_new_tokens > max_positions)
    throw Error("--max-new-tokens", "must be between 1 and the model's context of " + std::to_string(max_positions) +
                                        " tokens, got " + std::to_string(q.max_new_tokens));
}

// The prompt (its image tokens included) and the tokens to generate must fit the model's positions: the last
// generated token sits at position prompt + max_new_tokens - 1 (it is never fed back).
void check_context(const LlavaConfig& c, int image_tokens, const std::vector<int>& ids, int max_new_tokens) {
  const int64_t prompt = int64_t(ids.size()) - 1 + image_tokens, limit = c.text.max_positions;
  if (prompt > limit)
    throw Error("question", "the prompt is " + std::to_string(prompt) + " tokens (" + std::to_string(image_tokens) +
                                " of them the image) but the model's context is " + std::to_string(limit) +
                                " (max_position_embeddings in " + c.config_path + "): shorten the question");
  if (prompt + max_new_tokens - 1 > limit)
    throw Error("--max-new-tokens", std::to_string(max_new_tokens) + " new tokens after a prompt of " +
                                        std::to_string(prompt) + " tokens exceed the model's context of " +
                                        std::to_string(limit) + " (max_position_embeddings); at most " +
                                        std::to_string(limit - prompt + 1) + " fit");
}

// The KV cache and prefill buffers of `tokens` positions against what is left: --max-memory minus the weights, or
// what the machine has available now.
void check_memory(const Model::Impl& impl, int64_t tokens) {
  const MemoryEstimate need = estimate_memory(impl.model->cfg, tokens, impl.element_size);
  const int64_t extra = need.kv_cache + need.activations;
  const int64_t left = impl.options.max_memory > 0 ? impl.options.max_memory - need.weights : available_memory();
  if (left > 0 && extra > left)
    throw Error("--max-memory", "a prompt and answer of " + std::to_string(tokens) + " tokens need about " +
                                    format_bytes(extra) + " (KV cache " + format_bytes(need.kv_cache) +
                                    ", prefill buffers " + format_bytes(need.activations) + ") beyond the weights, but " +
                                    format_bytes(left) + " are left" +
                                    (impl.options.max_memory > 0 ? " within --max-memory" : " on this machine"));
}

}  // namespace

std::unique_ptr<Model> Model::load(const ModelOptions& options) {
  configure_threads(options.threads);
  at::ScalarType dtype;
  if (options.dtype == "f32" || options.dtype == "fp32" || options.dtype == "float32") dtype = at::kFloat;
  else if (options.dtype == "bf16" || options.dtype == "bfloat16") dtype = at::kBFloat16;
  else throw Error("--dtype", "unknown dtype '" + options.dtype + "' (f32 or bf16)");
  at::Device device = at::kCPU;
  if (options.device == "cuda") {
    if (!at::hasCUDA())
      throw Error("--device", "CUDA is not available: this build's LibTorch has no CUDA support or no GPU is visible "
                              "(see the README on GPU builds)");
    device = at::Device(at::kCUDA);
  } else if (options.device != "cpu") {
    throw Error("--device", "unknown device '" + options.device + "' (cpu or cuda)");
  }
  if (options.max_memory < 0) throw Error("--max-memory", "must be positive");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const LlavaConfig cfg = load_llava_config(resolve_model_path(options.path), options.vision_tower);
  // Refuse before mapping anything what cannot fit: the weights and the smallest ask (the prompt's image tokens).
  impl->shape = flops::model_shape(cfg);
  impl->element_size = int(at::elementSize(dtype));
  const MemoryEstimate need = estimate_memory(cfg, impl->shape.image_tokens + 64, impl->element_size);
  const int64_t budget = options.max_memory > 0 ? options.max_memory : available_memory();
  if (budget > 0 && need.total() > budget)
    throw Error("--max-memory", cfg.model_dir + " needs about " + format_bytes(need.total()) + " (weights " +
                                    format_bytes(need.weights) + " in " + options.dtype + ", KV cache and buffers " +
                                    format_bytes(need.kv_cache + need.activations) + ") but " +
                                    (options.max_memory > 0 ? "--max-memory allows " : "the machine has ") +
                                    format_bytes(budget) + (options.max_memory > 0 ? "" : " available"));
  impl->model = load_llava_model(cfg, dtype, device);
  return std::unique_ptr<Model>(new Model(std::move(impl)));
}

AskResult Model::ask(const AskOptions& q) {
  const LlavaModel& m = *impl_->model;
  if (q.question.find_first_not_of(" \t\r\n") == std::string::npos) throw Error("question", "the question is empty");
  check_sampling(q, m.cfg.text.max_positions);
  const flops::MethodSpec spec = flops::parse_method_spec(q.method);
  std::unique_ptr<TokenMethod> method = make_method(m, spec, q.overrides, q.seed);
  AskResult r;
  const bool router_token = uses_router_token(m);
  r.prompt_ids = tokenize_prompt(*m.tokenizer, render_prompt(q.question, m.cfg.conv_template, router_token ? "<ROUTER>" : ""));
  check_context(m.cfg, impl_->shape.image_tokens, r.prompt_ids, q.max_new_tokens);
  check_memory(*impl_, int64_t(r.prompt_ids.size()) - 1 + impl_->shape.image_tokens + q.max_new_tokens);
  if (q.encoded && q.encoded->owner != impl_.get())
    throw Error("encoded image", "was made by another model; encode it with this one");
  // A vision-side method (VisionZip) chooses inside the tower, so it encodes the image itself; every other method may
  // take the image encoded once for all methods.
  VisionTokens chosen;
  std::shared_ptr<const EncodedImage> image = method && method->selects_vision_tokens() ? nullptr : q.encoded;
  r.timing.encoding_shared = image != nullptr;
  if (!image) image = encode_with(*impl_, q.image_path, method.get(), &chosen);
  r.timing.load_image_ms = image->load_image_ms;
  r.timing.preprocess_ms = image->preprocess_ms;
  r.timing.vision_ms = image->vision_ms;
  r.timing.projector_ms = image->projector_ms;
  EmbeddedPrompt prompt = embed_prompt(m, r.prompt_ids, image->visual, chosen.regions);
  r.visual_tokens = int(prompt.visual_count);
  r.prompt_tokens = int(prompt.embeds.size(0));

  GenerateOptions go;
  go.max_new_tokens = q.max_new_tokens;
  go.sampler = {q.temperature, q.top_p, q.seed};
  go.stop_at_eos = q.stop_at_eos;
  go.method = method.get();
  go.trace_attention = q.trace_attention;
  if (router_token) go.router_pos = router_position(r.prompt_ids, m.tokenizer->added_tokens().at("<ROUTER>"), prompt.visual_count);
  std::vector<int> so_far;
  if (q.on_token)
    go.on_token = [&](int token) {
      so_far.push_back(token);
      return q.on_token(m.tokenizer->decode(so_far));
    };
  Generation g = generate(m, prompt, go);
  r.tokens = g.tokens;
  r.answer = m.tokenizer->decode(g.tokens);
  // LLaVA strips the decoded answer.
  size_t b = r.answer.find_first_not_of(" \t\r\n"), e = r.answer.find_last_not_of(" \t\r\n");
  r.answer = b == std::string::npos ? "" : r.answer.substr(b, e - b + 1);
  r.stop_reason = g.stop_reason;
  r.cancelled = g.stop_reason == "cancelled";
  r.timing.prefill_ms = g.prefill_ms;
  r.timing.decode_ms = g.decode_ms;
  r.timing.decode_steps = int(g.tokens.size());
  r.kv_cache_bytes = g.cache.bytes();
  if (q.trace) fill_trace(m, impl_->shape, image->width, image->height, prompt, g, chosen, r);
  return r;
}

std::shared_ptr<const EncodedImage> Model::encode(const std::string& image_path) {
  return encode_with(*impl_, image_path, nullptr, nullptr);
}

void Model::check_method(const std::string& method) const {
  make_method(*impl_->model, flops::parse_method_spec(method), {}, 0);
}

ModelInfo Model::info() const {
  const LlavaModel& m = *impl_->model;
  ModelInfo i;
  i.path = m.cfg.model_dir;
  i.layout = layout_name(m.cfg.layout);
  i.dtype = m.dtype == at::kBFloat16 ? "bf16" : "f32";
  i.device = impl_->options.device;
  i.llm_layers = m.cfg.text.layers;
  i.hidden = m.cfg.text.hidden;
  i.heads = m.cfg.text.heads;
  i.kv_heads = m.cfg.text.kv_heads;
  i.vocab = m.cfg.text.vocab;
  i.image_size = m.cfg.input_size();
  i.grid = m.cfg.base_grid();
  i.patch_size = i.image_size / i.grid;
  i.vision_layers = m.cfg.vision.layers;
  for (const auto& pl : m.cfg.pooling.layers) i.dpe_layers.push_back(pl.index);
  auto count = [](const at::Tensor& t) { return t.defined() ? t.numel() : int64_t(0); };
  const auto& W = m.weights;
  int64_t n = count(W.llm.embed) + count(W.llm.norm) + (m.cfg.names.lm_head.empty() ? 0 : count(W.llm.lm_head));
  for (const auto& l : W.llm.layers)
    for (const at::Tensor* t : {&l.attn_norm, &l.q, &l.k, &l.v, &l.o, &l.mlp_norm, &l.gate, &l.up, &l.down, &l.router.ln_w,
                                &l.router.ln_b, &l.router.fc1, &l.router.predictor})
      n += count(*t);
  n += count(W.projector.w1) + count(W.projector.b1) + count(W.projector.w2) + count(W.projector.b2);
  n += count(W.vision.class_embedding) + count(W.vision.patch_w) + count(W.vision.pos_embedding) + 2 * count(W.vision.pre_ln_w);
  for (const auto& l : W.vision.layers)
    for (const at::Tensor* t : {&l.ln1_w, &l.ln1_b, &l.q_w, &l.q_b, &l.k_w, &l.k_b, &l.v_w, &l.v_b, &l.o_w, &l.o_b, &l.ln2_w,
                                &l.ln2_b, &l.fc1_w, &l.fc1_b, &l.fc2_w, &l.fc2_b})
      n += count(*t);
  i.parameters = n;
  i.threads = at::get_num_threads();
  return i;
}

}  // namespace dpn
