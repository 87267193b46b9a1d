// VisionZip's dominant and contextual tokens; see visionzip.h. T = 1 + N tokens (class token first), Dv width.
#include "methods/visionzip.h"

#include <ATen/ATen.h>

#include "util/error.h"

namespace dpn {

VisionTokens VisionZipMethod::select_vision_tokens(const ClipFeatureLayer& f, int grid_h, int grid_w) {
  const int64_t T = f.hidden.size(0), D = o_.dominant, C = o_.contextual, rest = T - D;
  if (T != int64_t(grid_h) * grid_w + 1)
    throw Error("visionzip", "the feature layer has " + std::to_string(T) + " tokens; expected a class token and a " +
                                 std::to_string(grid_h) + "x" + std::to_string(grid_w) + " patch grid");
  if (D + C > T || C > rest)
    throw Error("visionzip", std::to_string(D) + " dominant + " + std::to_string(C) + " contextual tokens exceed the " +
                                 std::to_string(T) + " tokens of the vision tower (class token included)");
  const auto cpu_long = at::TensorOptions().dtype(at::kLong);

  // Dominant: the class row of the attention summed over heads, top D-1 patches, plus the class token (index 0).
  at::Tensor cls = f.probs.select(1, 0).narrow(1, 1, T - 1).sum(0).cpu();  // [N]
  at::Tensor top = std::get<1>(cls.topk(D - 1)) + 1;
  at::Tensor keep = at::zeros({T}, at::TensorOptions().dtype(at::kBool));
  keep[0] = true;
  keep.index_fill_(0, top, true);
  at::Tensor dom_idx = keep.nonzero().flatten();           // original order, class token first
  at::Tensor rest_idx = keep.logical_not().nonzero().flatten();

  // Contextual: targets at a uniform stride among the rest; every other token joins its most similar target.
  const int64_t step = std::max<int64_t>(1, rest / C);
  at::Tensor is_target = at::zeros({rest}, at::TensorOptions().dtype(at::kBool));
  for (int64_t t = 0; t < C; ++t) is_target[t * step] = true;
  at::Tensor tgt_pos = is_target.nonzero().flatten(), mrg_pos = is_target.logical_not().nonzero().flatten();
  at::Tensor keys = f.keys_mean.cpu().index_select(0, rest_idx);
  keys = keys / keys.norm(2, -1, /*keepdim=*/true);
  at::Tensor sim = at::matmul(keys.index_select(0, mrg_pos), keys.index_select(0, tgt_pos).t());  // [rest-C, C]
  at::Tensor assign = sim.argmax(1);                                                               // first max on ties

  const at::Device dev = f.hidden.device();
  at::Tensor hidden_rest = f.hidden.index_select(0, rest_idx.to(dev));
  at::Tensor merged = hidden_rest.index_select(0, mrg_pos.to(dev));
  at::Tensor sums = at::zeros({C, f.hidden.size(1)}, f.hidden.options()).index_add_(0, assign.to(dev), merged);
  at::Tensor counts = at::bincount(assign, {}, C).clamp_min(1).to(f.hidden.options()).unsqueeze(1);
  at::Tensor contextual = hidden_rest.index_select(0, tgt_pos.to(dev)) + sums / counts;

  VisionTokens out;
  out.features = at::cat({f.hidden.index_select(0, dom_idx.to(dev)), contextual}, 0);
  // Regions: patch p (token p + 1) is base cell p; the class token covers none; a contextual token its target and
  // the tokens merged into it.
  SeqState cells;
  cells.base_h = grid_h;
  cells.base_w = grid_w;
  for (int r = 0; r < grid_h; ++r)
    for (int c = 0; c < grid_w; ++c) cells.regions.push_back({r, c, r + 1, c + 1});
  const int64_t* di = dom_idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < D; ++i) out.regions.push_back(di[i] == 0 ? TokenRegion{} : cells.regions[size_t(di[i] - 1)]);
  const int64_t* ri = rest_idx.data_ptr<int64_t>();
  const int64_t* tp = tgt_pos.data_ptr<int64_t>();
  const int64_t* mp = mrg_pos.data_ptr<int64_t>();
  const int64_t* as = assign.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> members(static_cast<size_t>(C));
  for (int64_t t = 0; t < C; ++t) members[size_t(t)].push_back(ri[tp[t]] - 1);
  for (int64_t j = 0; j < rest - C; ++j) members[size_t(as[j])].push_back(ri[mp[j]] - 1);
  for (const auto& mem : members) out.regions.push_back(cells.merge_regions(mem));

  out.work.ranked = T - 1;
  out.work.heads = int(f.probs.size(0));
  out.work.normalised = rest;
  out.work.similarity_pairs = (rest - C) * C;
  out.work.key_dim = int(f.keys_mean.size(1));
  out.work.merged = rest - C;
  out.work.targets = C;
  out.work.feature_dim = int(f.hidden.size(1));
  return out;
}

}  // namespace dpn
