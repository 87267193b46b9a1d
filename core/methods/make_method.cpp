// Method factory: spec + model -> DpnMethod / FastVMethod.
#include "methods/make_method.h"

#include <map>

#include "methods/dpn_method.h"
#include "methods/fastv.h"
#include "text/prompt.h"
#include "util/error.h"

namespace dpn {

int64_t router_position(const std::vector<int>& ids, int router_id, int64_t visual_count) {
  int64_t pos = -1, offset = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] == kImageSentinel) offset = visual_count - 1;
    if (ids[i] == router_id) pos = int64_t(i) + offset;
  }
  return pos;
}

bool uses_router_token(const LlavaModel& m) { return m.cfg.pooling.present && m.cfg.pooling.use_special_token; }

std::unique_ptr<TokenMethod> make_method(const LlavaModel& m, const flops::MethodSpec& spec,
                                         const std::vector<std::pair<int, int>>& overrides, uint64_t seed) {
  using Kind = flops::MethodSpec::Kind;
  flops::validate_method_spec(spec, m.cfg.text.layers);
  if (!overrides.empty() && spec.kind != Kind::Dpn)
    throw Error("--override", "router overrides need --method dpn (got " + flops::to_string(spec) + ")");
  auto location = [&](const std::string& fallback) {
    if (spec.location == flops::MethodSpec::Location::Pre) return std::string("pre");
    if (spec.location == flops::MethodSpec::Location::Post) return std::string("post");
    return fallback;
  };
  switch (spec.kind) {
    case Kind::None:
      return nullptr;
    case Kind::Dpn: {
      const PoolingConfig& pc = m.cfg.pooling;
      if (!pc.present || pc.layers.empty())
        throw Error(m.cfg.config_path, "not a DPN checkpoint: config.json has no 'pooling' section with pooling_layers "
                                       "(use --method static:L=K,... for a fixed pyramid on any model)");
      DpnOptions o;
      o.type = pc.type;
      o.layers = pc.layers;
      o.function = pc.function;
      o.location = location(pc.location);
      o.seed = seed;
      std::map<int, int> forced(overrides.begin(), overrides.end());
      for (const auto& step : spec.steps) {  // dpn:path=7=2x2,... forces by kernel
        auto it = std::find_if(pc.layers.begin(), pc.layers.end(), [&](const PoolingLayer& p) { return p.index == step.layer; });
        if (it == pc.layers.end()) throw Error("--method", "layer " + std::to_string(step.layer) + " is not a DPE layer of this checkpoint");
        auto e = std::find(it->experts.begin(), it->experts.end(), std::make_pair(step.kh, step.kw));
        if (e == it->experts.end())
          throw Error("--method", "layer " + std::to_string(step.layer) + " has no " + std::to_string(step.kh) + "x" + std::to_string(step.kw) + " expert");
        forced[step.layer] = int(e - it->experts.begin());
      }
      if (!forced.empty() && o.type != "adaptive")
        throw Error("--override", "this checkpoint's pooling_type is '" + o.type + "': it has no router to override");
      o.overrides = forced;
      return std::make_unique<DpnMethod>(m, o);
    }
    case Kind::Static: {
      DpnOptions o;
      o.type = "static";
      for (const auto& step : spec.steps) o.layers.push_back({step.layer, {{step.kh, step.kw}}});
      o.function = m.cfg.pooling.present ? m.cfg.pooling.function : "max";
      if (o.function == "conv") o.function = "max";  // conv experts belong to a router's expert set
      o.location = location("post");
      return std::make_unique<DpnMethod>(m, o);
    }
    case Kind::FastV: {
      FastVOptions o;
      o.k = spec.k;
      o.r = spec.r;
      o.rank_by_mean = spec.rank == flops::MethodSpec::Rank::Mean;
      return std::make_unique<FastVMethod>(o);
    }
    case Kind::TokenPacker:
      if (m.cfg.projector != "tokenpacker")
        throw Error(m.cfg.config_path, "this checkpoint's projector is '" + m.cfg.projector +
                                           "'; --method tokenpacker needs a TokenPacker checkpoint (its projector emits fewer tokens)");
      return nullptr;  // the projector itself compresses
  }
  return nullptr;
}

}  // namespace dpn
