// The engine as the views see it: a loaded model that answers questions. An interface so GUI tests can drive the
// views with a scripted engine (a DPN trace with routers) while the real one wraps dpn::Model.
#pragma once
#include <functional>
#include <memory>

#include "dpn.h"

namespace dpn::views {

class Engine {
 public:
  virtual ~Engine() = default;
  virtual ModelInfo info() const = 0;
  virtual AskResult ask(const AskOptions& options) = 0;
};

// Loads a model; throws dpn::Error (bad checkpoint, unknown device...) like dpn::Model::load.
using EngineFactory = std::function<std::unique_ptr<Engine>(const ModelOptions&)>;

// The real engine (dpn::Model). Its symbols come from dpn_core, linked by the executable.
EngineFactory model_engine_factory();

// Fills layers the engine left empty with the uncompressed trace every method starts from (all visual tokens on the
// base grid at every layer), so the per-layer views always have something true to draw. Leaves filled traces alone.
void complete_trace(const ModelInfo& info, AskResult& result);

}  // namespace dpn::views
