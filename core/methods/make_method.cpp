// Method factory: spec + model -> the TokenMethod that runs it (one table row per kind).
#include "methods/make_method.h"

#include <algorithm>
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

namespace {

using Kind = flops::MethodSpec::Kind;

// The pooling location a spec asks for, else the checkpoint's (or post, the reference default).
PoolLocation location_of(const flops::MethodSpec& spec, PoolLocation fallback) {
  switch (spec.location) {
    case flops::MethodSpec::Location::Pre: return PoolLocation::Pre;
    case flops::MethodSpec::Location::Post: return PoolLocation::Post;
    case flops::MethodSpec::Location::Default: break;
  }
  return fallback;
}

// What a factory gets: the model, the parsed spec, the what-if overrides and the seed of random choices.
struct MethodRequest {
  const LlavaModel& m;
  const flops::MethodSpec& spec;
  const std::vector<std::pair<int, int>>& overrides;
  uint64_t seed;
};

std::unique_ptr<TokenMethod> make_dpn(const MethodRequest& q) {
  const PoolingConfig& pc = q.m.cfg.pooling;
  if (!pc.present || pc.layers.empty())
    throw Error(q.m.cfg.config_path, "not a DPN checkpoint: config.json has no 'pooling' section with pooling_layers "
                                     "(use --method static:L=K,... for a fixed pyramid on any model)");
  DpnOptions o;
  o.type = pc.type;
  o.layers = pc.layers;
  o.function = pc.function;
  o.location = location_of(q.spec, pc.location);
  o.seed = q.seed;
  std::map<int, int> forced(q.overrides.begin(), q.overrides.end());
  for (const auto& step : q.spec.steps) {  // dpn:path=7=2x2,... forces by kernel
    auto it = std::find_if(pc.layers.begin(), pc.layers.end(), [&](const PoolingLayer& p) { return p.index == step.layer; });
    if (it == pc.layers.end()) throw Error("--method", "layer " + std::to_string(step.layer) + " is not a DPE layer of this checkpoint");
    auto e = std::find(it->experts.begin(), it->experts.end(), std::make_pair(step.kh, step.kw));
    if (e == it->experts.end())
      throw Error("--method", "layer " + std::to_string(step.layer) + " has no " + std::to_string(step.kh) + "x" + std::to_string(step.kw) + " expert");
    forced[step.layer] = int(e - it->experts.begin());
  }
  if (!forced.empty() && o.type != PoolingType::Adaptive)
    throw Error("--override", std::string("this checkpoint's pooling_type is '") + pooling_type_name(o.type) +
                                  "': it has no router to override");
  o.overrides = forced;
  return std::make_unique<DpnMethod>(q.m, o);
}

std::unique_ptr<TokenMethod> make_static(const MethodRequest& q) {
  DpnOptions o;
  o.type = PoolingType::Static;
  for (const auto& step : q.spec.steps) o.layers.push_back({step.layer, {{step.kh, step.kw}}});
  const PoolingConfig& pc = q.m.cfg.pooling;
  // conv experts belong to a router's expert set: a fixed pyramid on a conv checkpoint max-pools.
  o.function = pc.present && pc.function != PoolFunction::Conv ? pc.function : PoolFunction::Max;
  o.location = location_of(q.spec, PoolLocation::Post);
  return std::make_unique<DpnMethod>(q.m, o);
}

std::unique_ptr<TokenMethod> make_fastv(const MethodRequest& q) {
  FastVOptions o;
  o.k = q.spec.k;
  o.r = q.spec.r;
  o.rank_by_mean = q.spec.rank == flops::MethodSpec::Rank::Mean;
  return std::make_unique<FastVMethod>(o);
}

std::unique_ptr<TokenMethod> check_tokenpacker(const MethodRequest& q) {
  if (q.m.cfg.projector != ProjectorKind::TokenPacker)
    throw Error(q.m.cfg.config_path, std::string("this checkpoint's projector is '") + projector_kind_name(q.m.cfg.projector) +
                                         "'; --method tokenpacker needs a TokenPacker checkpoint (its projector emits fewer tokens)");
  return nullptr;  // the projector itself compresses
}

// One row per method kind: how to build it. `none` (and TokenPacker, a projector) act through no TokenMethod.
struct Factory {
  Kind kind;
  std::unique_ptr<TokenMethod> (*make)(const MethodRequest&);
};
constexpr Factory kFactories[] = {
    {Kind::Dpn, make_dpn},
    {Kind::Static, make_static},
    {Kind::FastV, make_fastv},
    {Kind::TokenPacker, check_tokenpacker},
};

}  // namespace

std::unique_ptr<TokenMethod> make_method(const LlavaModel& m, const flops::MethodSpec& spec,
                                         const std::vector<std::pair<int, int>>& overrides, uint64_t seed) {
  flops::validate_method_spec(spec, m.cfg.text.layers);
  if (!overrides.empty() && spec.kind != Kind::Dpn)
    throw Error("--override", "router overrides need --method dpn (got " + flops::to_string(spec) + ")");
  for (const Factory& f : kFactories)
    if (f.kind == spec.kind) return f.make({m, spec, overrides, seed});
  return nullptr;  // none
}

}  // namespace dpn
