// Method spec and subset of a stored run, from its params_json.
#include "store/run_labels.h"
#include "util/json_parse.h"

#include <nlohmann/json.hpp>

namespace dpn::store {
namespace {

nlohmann::json params_of(const RunInfo& run) {
  nlohmann::json p = parse_json_or_discarded(run.spec.params_json.empty() ? "{}" : run.spec.params_json);
  return p.is_object() ? p : nlohmann::json::object();
}

}  // namespace

std::string method_spec(const RunInfo& run) {
  const nlohmann::json p = params_of(run);
  if (p.contains("method") && p["method"].is_string()) return p["method"].get<std::string>();
  return run.spec.method;
}

std::string subset_text(const RunInfo& run) {
  const nlohmann::json p = params_of(run);
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : " ") + s; };
  if (p.contains("limit") && p["limit"].is_number_integer() && p["limit"].get<int64_t>() > 0)
    add("limit=" + std::to_string(p["limit"].get<int64_t>()));
  if (p.contains("seed") && p["seed"].is_number()) add("seed=" + p["seed"].dump());
  for (const char* key : {"category", "family"})
    if (p.contains(key) && p[key].is_string() && !p[key].get<std::string>().empty())
      add(std::string(key) + "=" + p[key].get<std::string>());
  if (out.empty()) out = "all";
  if (!run.spec.shard.empty()) out += " shard " + run.spec.shard;
  return out;
}

}  // namespace dpn::store
