// The real engine adapter and the trace completion used when the engine reports no per-layer trace.
#include "views/engine.h"

namespace dpn::views {

namespace {
class ModelEngine : public Engine {
 public:
  explicit ModelEngine(std::unique_ptr<Model> model) : model_(std::move(model)) {}
  ModelInfo info() const override { return model_->info(); }
  AskResult ask(const AskOptions& options) override { return model_->ask(options); }

 private:
  std::unique_ptr<Model> model_;
};
}  // namespace

EngineFactory model_engine_factory() {
  return [](const ModelOptions& options) -> std::unique_ptr<Engine> {
    return std::make_unique<ModelEngine>(Model::load(options));
  };
}

void complete_trace(const ModelInfo& info, AskResult& r) {
  RunTrace& t = r.trace;
  if (t.image.grid_h == 0) {
    t.image.grid_h = t.image.grid_w = info.grid;
    t.image.input_size = info.image_size;
  }
  if (t.stages.empty()) {
    const Timing& tm = r.timing;
    t.stages = {{"load_image", tm.load_image_ms, 0}, {"preprocess", tm.preprocess_ms, 0},
                {"vision", tm.vision_ms, t.vision_flops},  {"projector", tm.projector_ms, t.projector_flops},
                {"prefill", tm.prefill_ms, t.llm_prefill_flops}, {"decode", tm.decode_ms, t.llm_decode_flops}};
  }
  if (!t.layers.empty() || info.llm_layers <= 0) return;
  const int g = t.image.grid_h;
  for (int l = 0; l < info.llm_layers; ++l) {
    LayerTrace lt;
    lt.layer = l;
    lt.seq_len = r.prompt_tokens;
    lt.visual = r.visual_tokens;
    lt.grid_h = lt.grid_w = g;
    if (g * g == r.visual_tokens)
      for (int i = 0; i < g; ++i)
        for (int j = 0; j < g; ++j) lt.regions.push_back({i, j, i + 1, j + 1});
    lt.ms = info.llm_layers ? r.timing.prefill_ms / info.llm_layers : 0;
    t.layers.push_back(std::move(lt));
  }
}

}  // namespace dpn::views
