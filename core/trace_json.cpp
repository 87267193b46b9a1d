// Serialises the per-layer trace.
#include "trace_json.h"

#include <sstream>

#include "util/error.h"

namespace dpn {

nlohmann::json trace_to_json(const RunTrace& t) {
  using json = nlohmann::json;
  json j;
  j["image"] = {{"orig_w", t.image.orig_w}, {"orig_h", t.image.orig_h}, {"side", t.image.side}, {"offset_x", t.image.offset_x},
                {"offset_y", t.image.offset_y}, {"input_size", t.image.input_size}, {"grid_h", t.image.grid_h}, {"grid_w", t.image.grid_w}};
  json layers = json::array();
  for (const LayerTrace& l : t.layers) {
    json regions = json::array();
    for (const TokenRegion& r : l.regions) {
      json region = {r.r0, r.c0, r.r1, r.c1};
      if (!r.cells.empty()) region.push_back(r.cells);  // a merge that covers only some cells of its rectangle
      regions.push_back(region);
    }
    json e = {{"layer", l.layer}, {"seq_len", l.seq_len}, {"visual", l.visual}, {"grid", {l.grid_h, l.grid_w}},
              {"regions", regions}, {"ms", l.ms}, {"flops", l.flops}, {"kv_bytes", l.kv_bytes}};
    if (!l.attention.empty()) e["attention"] = l.attention;
    layers.push_back(e);
  }
  j["layers"] = layers;
  json routers = json::array();
  for (const RouterTrace& r : t.routers) {
    json experts = json::array();
    for (auto [kh, kw] : r.experts) experts.push_back({kh, kw});
    routers.push_back({{"layer", r.layer}, {"experts", experts}, {"probs", r.probs}, {"chosen", r.chosen}, {"overridden", r.overridden},
                       {"grid_before", {r.grid_before_h, r.grid_before_w}}, {"grid_after", {r.grid_after_h, r.grid_after_w}}});
  }
  j["router"] = routers;
  json stages = json::array();
  for (const StageTrace& s : t.stages) stages.push_back({{"name", s.name}, {"ms", s.ms}, {"flops", s.flops}});
  j["stages"] = stages;
  j["flops"] = {{"llm_prefill", t.llm_prefill_flops}, {"lm_head", t.lm_head_flops}, {"llm_decode", t.llm_decode_flops},
                {"decode_passes", t.decode_passes}, {"vision", t.vision_flops}, {"projector", t.projector_flops},
                {"total", t.total_flops()}};
  return j;
}

std::vector<std::pair<int, int>> parse_overrides(const std::string& text) {
  std::vector<std::pair<int, int>> out;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, ',')) {
    size_t eq = part.find('=');
    try {
      if (eq == std::string::npos) throw std::invalid_argument(part);
      size_t a = 0, b = 0;
      int layer = std::stoi(part.substr(0, eq), &a), expert = std::stoi(part.substr(eq + 1), &b);
      if (a != eq || b != part.size() - eq - 1 || layer < 0 || expert < 0) throw std::invalid_argument(part);
      out.emplace_back(layer, expert);
    } catch (const std::exception&) {
      throw Error("--override", "'" + part + "' is not LAYER=EXPERT (e.g. --override 7=2,15=0)");
    }
  }
  return out;
}

}  // namespace dpn
