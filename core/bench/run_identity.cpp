// Building the run-store identity of one method of a benchmark.
#include "bench/run_identity.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "eval/preset.h"
#include "flops/method_spec.h"

namespace dpn::bench {

std::string model_store_name(const std::string& model_path) {
  std::filesystem::path p = std::filesystem::path(model_path).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

store::RunSpec make_run_spec(const BenchSpec& spec, const std::string& method, const std::string& model_name,
                             const std::string& model_path, const ResolvedDataset& dataset) {
  const flops::MethodSpec parsed = flops::parse_method_spec(method);
  nlohmann::json params;  // std::map-backed: keys come out sorted, so equal settings give equal text
  params["method"] = flops::to_string(parsed);
  params["max_new_tokens"] = spec.max_new_tokens;
  params["temperature"] = 0;
  params["category"] = spec.subset.category;
  params["family"] = spec.subset.family;
  params["limit"] = spec.subset.limit;
  params["seed"] = spec.subset.seed ? nlohmann::json(*spec.subset.seed) : nlohmann::json(nullptr);
  // Only with a preset, so runs made before presets keep their identity.
  if (!spec.preset.empty()) params["preset"] = eval::preset_identity(eval::eval_preset(spec.preset, dataset.spec.kind));
  store::RunSpec r;
  r.model_name = model_name;
  r.model_path = model_path;
  r.dataset_name = dataset.name;
  r.dataset_kind = dataset.spec.kind;
  r.dataset_path = dataset.path;
  r.method = flops::method_kind_name(parsed.kind);
  r.params_json = params.dump();
  r.dtype = spec.dtype;
  r.device = spec.device;
  r.shard = spec.subset.shard_count > 1
                ? std::to_string(spec.subset.shard_index) + "/" + std::to_string(spec.subset.shard_count)
                : "";
  r.code_version = DPN_VERSION;
  r.threads = spec.threads;
  return r;
}

}  // namespace dpn::bench
