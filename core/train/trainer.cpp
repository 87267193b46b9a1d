// The staged training recipe behind `dpn train` (see trainer.h and core/train/README.md).
#include "train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <random>
#include <sstream>

#include "datasets/synthetic_vqa.h"
#include "text/prompt.h"
#include "text/tokenizer.h"
#include "train/checkpoint_io.h"
#include "train/spm_train.h"
#include "train/train_data.h"
#include "train/train_model.h"
#include "runtime/threads.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn::train {

namespace {

using Clock = std::chrono::steady_clock;

struct StageDef {
  std::string name;
  int id = 0, steps = 0, batch = 0;  // id: the stage's data stream and seed (scenes of step k depend on seed, id, k)
  double lr = 0;
  int threads = 0;  // 0: --threads
};

StageDef stage_def(const std::string& name, const TrainOptions& o) {
  const bool smoke = o.size == "smoke";
  StageDef s;
  s.name = name;
  // The step counts of the shipped demo models (resources/models/demo-*/README.md).
  if (name == "vision") s = {name, 1, 700, 32, 2e-3};
  else if (name == "stage1") s = {name, 2, 100, 32, 1e-3};
  else if (name == "stage2") s = {name, 3, 6000, 32, 1e-3};
  // Stage 2 continued on stage 2's own stream (id 3): presence questions only, then the usual mix, which brings the
  // other families back (core/train/README.md, "Presence"). The presence phase runs on one thread: the thread count
  // changes the floating-point summation order, and with it whether this phase learns presence within its steps.
  else if (name == "presence") s = {name, 3, 1500, 32, 5e-4, 1};
  else if (name == "consolidate") s = {name, 3, 400, 32, 5e-4};
  else if (name == "dpn") s = {name, 4, 1000, 32, 3e-4};
  // Deciding routers (core/train/README.md, "Deciding routers"): from dpn's model, routing targets from the LM loss.
  else if (name == "route") s = {name, 6, 600, 16, 3e-4, 1};  // one thread: see the presence phase
  else if (name == "tokenpacker") s = {name, 5, 1600, 32, 1e-3, 1};  // one thread: see the presence phase
  else
    throw Error("--stage",
                "unknown stage '" + name +
                    "' (vision, stage1, stage2, presence, consolidate, dpn, route, tokenpacker, all)");
  if (smoke) {
    s.steps = 6;
    s.batch = 4;
  }
  if (o.steps > 0) s.steps = o.steps;
  if (o.batch > 0) s.batch = o.batch;
  if (o.lr > 0) s.lr = o.lr;
  return s;
}

ModelDims dims_for(const std::string& size) {
  ModelDims d;
  if (size == "smoke") {
    d.v_hidden = 32, d.v_layers = 4, d.v_heads = 2, d.v_inter = 64;
    d.hidden = 32, d.layers = 2, d.heads = 2, d.kv_heads = 2, d.inter = 64;
  } else if (size != "demo") {
    throw Error("--size", "unknown model size '" + size + "' (demo, smoke)");
  }
  return d;
}

DpnSpec dpn_spec_for(const ModelDims& d) {
  DpnSpec s;
  // The coarse families survive 4x4 pooling of the 12x12 grid by construction (datasets/README.md); the fine ones
  // need 1x1. The 18-token rule of the reference (made for 576 tokens) would forbid the 3x3 grid: 9 here.
  s.layers.push_back({0, {{1, 1}, {2, 2}, {4, 4}}});
  // The second DPE layer sees 12x12, 6x6 or 3x3 (not pooled: < 16 tokens). 4x4 there would pool 6x6 in floor mode
  // to 1x1, dropping 2 of 6 rows and columns (the reference's expert sets never drop one, dpn-detail.md §1.7), and
  // would always be re-drawn in training (36 / 16 < 9 tokens) while argmax can still pick it at inference.
  if (d.layers > 2) s.layers.push_back({d.layers / 2, {{1, 1}, {2, 2}}});
  s.min_tokens = 9;
  return s;
}

// The `route` stage's (and the shipped demo-dpn's) DPE layers: layer 0 as in dpn_spec_for, the second one at
// `second_layer` (default 1, not 2: a fine question keeps 1x1 at layer 0, and its 2x2 choice after layer 1 instead
// of layer 2 keeps the mean saving above 40% while the coarse questions take 4x4; core/train/README.md), and
// `explore` of every training draw spread uniformly over the experts.
DpnSpec route_spec_for(const ModelDims& d, int second_layer, double explore) {
  DpnSpec s = dpn_spec_for(d);
  s.layers.resize(1);
  if (second_layer > 0 && second_layer < d.layers) s.layers.push_back({second_layer, {{1, 1}, {2, 2}}});
  s.explore = explore;
  return s;
}

struct Adam {
  std::map<std::string, at::Tensor> m, v;
  int64_t t = 0;
  // Parameters whose name contains `scaled` (the routers) move at lr * scale.
  void step(Params& p, const std::vector<std::string>& names, double lr, double clip, const std::string& scaled = "",
            double scale_lr = 1.0) {
    torch::NoGradGuard ng;
    double sq = 0;
    for (const auto& n : names)
      if (p[n].grad().defined()) sq += p[n].grad().pow(2).sum().item<double>();
    const double scale = std::min(1.0, clip / (std::sqrt(sq) + 1e-12));
    ++t;
    const double b1 = 0.9, b2 = 0.98, eps = 1e-8;
    const double c1 = 1 - std::pow(b1, double(t)), c2 = 1 - std::pow(b2, double(t));
    for (const auto& n : names) {
      at::Tensor g = p[n].grad();
      if (!g.defined()) continue;
      g = g * scale;
      if (!m.count(n)) {
        m[n] = at::zeros_like(g);
        v[n] = at::zeros_like(g);
      }
      m[n].mul_(b1).add_(g, 1 - b1);
      v[n].mul_(b2).addcmul_(g, g, 1 - b2);
      const double lr_n = !scaled.empty() && n.find(scaled) != std::string::npos ? lr * scale_lr : lr;
      p[n].sub_(lr_n / c1 * m[n] / ((v[n] / c2).sqrt() + eps));
      p[n].grad().zero_();
    }
  }
};

double lr_at(const StageDef& s, int step) {
  const int warm = std::max(1, s.steps * 3 / 100);
  if (step < warm) return s.lr * (step + 1) / warm;
  const double t = double(step - warm) / std::max(1, s.steps - warm);
  return s.lr * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * t)));
}

std::string fmt_time(double s) {
  char b[32];
  int t = int(s + 0.5);
  std::snprintf(b, sizeof(b), "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60);
  return b;
}

void progress_bar(const std::string& stage, int step, int total, double loss, double sps) {
  const int width = 24, fill = total ? width * step / total : width;
  std::string bar(size_t(fill), '=');
  bar.resize(size_t(width), ' ');
  std::fprintf(stderr, "\r%-11s %6d/%-6d [%s] loss %.4f  %.2f s/step  ETA %s ", stage.c_str(), step, total, bar.c_str(),
               loss, sps, fmt_time(sps * (total - step)).c_str());
  std::fflush(stderr);
}

struct Ctx {
  TrainOptions o;
  ModelDims d;
  DpnSpec dpn, route;  // the dpn stage's DPE layers; the route stage's (the shipped demo-dpn's)
  std::unique_ptr<Tokenizer> tok;
  std::string tok_path;
  fs::path out;
};

void ensure_tokenizer(Ctx& c) {
  const fs::path dir = c.out / "tokenizer";
  c.tok_path = (dir / "tokenizer.model").string();
  if (!fs::exists(c.tok_path)) {
    SpmTrainOptions so;
    if (c.o.size == "smoke") so.vocab_size = 160;
    train_sentencepiece(tokenizer_corpus(c.o.seed, c.o.size == "smoke" ? 60 : 600), dir.string(), so);
  }
  c.tok = std::make_unique<Tokenizer>(dir.string());
  c.d.vocab = c.tok->vocab_size();
}

datasets::Scene scene_at(const Ctx& c, uint64_t seed_offset, uint64_t index) {
  return datasets::generate_scene(datasets::GeneratorConfig{}, datasets::kFirstTrainSeed + c.o.seed + seed_offset, index);
}

// The order in which a scene's six questions (qa[k] has Family k) enter training samples: a weighted random order
// (Efraimidis-Spirakis keys u^(1/w)). By default a one-turn sample asks the question-conditioned families
// (small-object colour, presence, position) twice as often as the others, which are learned within a few hundred
// steps; `custom` (--family-weights) replaces those weights.
std::vector<int> turns_for(uint64_t index, uint64_t seed, const std::vector<double>& custom) {
  static const std::vector<double> kDefault = {1, 2, 2, 1, 1, 2};  // Family order
  const std::vector<double>& weight = custom.empty() ? kDefault : custom;  // --family-weights
  std::mt19937_64 rng(seed * 1000003ULL + index);
  std::uniform_real_distribution<double> u(1e-12, 1.0);
  std::vector<std::pair<double, int>> keyed;
  for (int k = 0; k < datasets::kFamilies; ++k) keyed.push_back({-std::pow(u(rng), 1.0 / weight[size_t(k)]), k});
  std::sort(keyed.begin(), keyed.end());
  std::vector<int> t;
  for (const auto& [key, k] : keyed) t.push_back(k);
  return t;
}

// Text embeddings with the visual tokens spliced in at the sentinel, right-padded; targets at the answer tokens.
SeqBatch build_batch(const Params& p, const ModelDims& d, const std::vector<EncodedScene>& es, const at::Tensor& visual) {
  const int64_t B = int64_t(es.size()), Nv = visual.size(1), D = d.hidden;
  const at::Tensor& embed = p.at("model.embed_tokens.weight");
  int64_t Lmax = 0;
  for (const auto& e : es) Lmax = std::max<int64_t>(Lmax, int64_t(e.ids.size()) - 1 + Nv);
  SeqBatch b;
  std::vector<at::Tensor> rows;
  b.targets = at::full({B, Lmax}, -100, at::kLong);
  auto tacc = b.targets.accessor<int64_t, 2>();
  const int g = int(std::lround(std::sqrt(double(Nv))));
  for (int64_t i = 0; i < B; ++i) {
    const auto& e = es[size_t(i)];
    int64_t s = -1;
    std::vector<int64_t> text;
    for (size_t j = 0; j < e.ids.size(); ++j) {
      if (e.ids[j] == kImageSentinel) s = int64_t(j);
      else text.push_back(e.ids[j]);
    }
    if (s < 0) throw Error("train data", "a training sequence has no image");
    at::Tensor te = at::embedding(embed, at::tensor(text, at::kLong));
    const int64_t len = int64_t(text.size()) + Nv;
    std::vector<at::Tensor> parts{te.narrow(0, 0, s), visual[i], te.narrow(0, s, te.size(0) - s)};
    if (Lmax > len) parts.push_back(at::zeros({Lmax - len, D}));
    rows.push_back(at::cat(parts, 0));
    auto pos = [&](int64_t j) { return j < s ? j : j - 1 + Nv; };
    for (size_t j = 0; j < e.ids.size(); ++j)
      if (e.target_family[j] >= 0) tacc[i][pos(int64_t(j)) - 1] = e.ids[j];
    b.vis_start.push_back(s);
    b.vis_count.push_back(Nv);
    b.length.push_back(len);
    b.grid_h.push_back(g);
    b.grid_w.push_back(g);
    b.router_pos.push_back(pos(e.router_index));
  }
  b.embeds = at::stack(rows, 0);
  return b;
}

bool is_packer(const std::string& stage) { return stage == "tokenpacker"; }
bool is_routed(const std::string& stage) { return stage == "dpn" || stage == "route"; }
const DpnSpec& spec_of(const Ctx& c, const std::string& stage) { return stage == "route" ? c.route : c.dpn; }

struct Batch {
  std::vector<EncodedScene> es;
  at::Tensor pixels;
};

// `families`: the question families kept (datasets::Family values); empty keeps all.
Batch make_batch(const Ctx& c, uint64_t seed_offset, uint64_t first, int n, bool single,
                 const std::vector<int>& families) {
  Batch b;
  std::vector<at::Tensor> px;
  for (int i = 0; i < n; ++i) {
    const uint64_t idx = first + uint64_t(i);
    datasets::Scene s = scene_at(c, seed_offset, idx);
    std::vector<int> turns = turns_for(idx, c.o.seed + seed_offset, c.o.family_weights);
    if (!families.empty())
      turns.erase(std::remove_if(turns.begin(), turns.end(), [&](int t) {
                    const int f = int(s.qa[size_t(t)].family);
                    return std::find(families.begin(), families.end(), f) == families.end();
                  }),
                  turns.end());
    turns.resize(std::min(turns.size(), size_t(single ? 1 : std::max(1, c.o.turns))));
    b.es.push_back(encode_scene(s, turns, *c.tok));
    px.push_back(b.es.back().pixels);
  }
  b.pixels = at::stack(px, 0);
  return b;
}

// The frozen tower's last-level patch features over one batch of training scenes (fixed: seed offset 9, index 0):
// the mean over patches of each patch's mean and of its standard deviation over channels.
std::pair<double, double> feature_stats(const Ctx& c, const Params& p) {
  torch::NoGradGuard ng;
  const Batch b = make_batch(c, 9, 0, 32, true, c.o.families);
  at::Tensor f = vit_forward(p, c.d, b.pixels).back();
  f = f.narrow(1, 1, f.size(1) - 1);
  return {f.mean(-1).mean().item<double>(), f.std(-1, false).mean().item<double>()};
}

// Per-patch cross-entropy of the dense heads. Background patches (kind 0) weigh 1, big-shape patches 2 and the small
// items (small shapes, glyph box: 3-4 patches of 144) `small_weight`, so the tower learns the local detail the fine
// families need instead of the background that dominates an unweighted mean. `acc` receives, per head, the accuracy
// over all patches and then over the small-item patches only.
at::Tensor vision_loss(const Ctx& c, const Params& p, const Batch& b, std::vector<double>* acc = nullptr) {
  auto hs = vit_forward(p, c.d, b.pixels);
  at::Tensor f = hs.back().narrow(1, 1, hs.back().size(1) - 1);
  auto logits = aux_logits(p, f);
  const int64_t B = f.size(0), N = f.size(1), G = c.d.grid();
  std::vector<float> w;
  std::vector<uint8_t> is_small;
  for (const auto& e : b.es)
    for (int64_t k = 0; k < N; ++k) {
      const int kind = e.patches.kind[size_t(k)];
      w.push_back(kind == 0 ? 1.f : kind == 1 ? 2.f : float(c.o.small_patch_weight));
      is_small.push_back(kind >= 2);
    }
  at::Tensor wt = at::tensor(w, at::kFloat);
  at::Tensor small = at::tensor(std::vector<int64_t>(is_small.begin(), is_small.end()), at::kLong).gt(0);
  at::Tensor loss = at::zeros({});
  const auto& heads = aux_heads();
  for (size_t h = 0; h < heads.size(); ++h) {
    std::vector<int64_t> t;
    for (const auto& e : b.es)
      for (int64_t k = 0; k < N; ++k) {
        const auto& pl = e.patches;
        const std::string n = heads[h].name;
        t.push_back(n == "color" ? pl.color[size_t(k)] : n == "kind" ? pl.kind[size_t(k)] : n == "shape" ? pl.shape[size_t(k)]
                    : n == "digit" ? pl.digit[size_t(k)] : n == "row" ? k / G : k % G);
      }
    at::Tensor tt = at::tensor(t, at::kLong);
    at::Tensor lg = logits[h].reshape({B * N, -1});
    at::Tensor ce = at::cross_entropy_loss(lg, tt, {}, at::Reduction::None);
    loss = loss + (ce * wt).sum() / wt.sum();
    if (acc) {
      at::Tensor ok = lg.argmax(-1).eq(tt).to(at::kFloat);
      acc->push_back(ok.mean().item<double>());
      acc->push_back(ok.masked_select(small).mean().item<double>());
    }
  }
  return loss / double(heads.size());
}

// Held-out accuracy per family (first answer token, single-turn prompts as at inference), and DPN routing stats.
void evaluate(const Ctx& c, const Params& p, const std::string& stage, StageReport& r) {
  torch::NoGradGuard ng;
  if (stage == "vision") {
    Batch b = make_batch(c, kHeldOutSeedOffset, 0, c.o.eval_scenes, true, {});
    std::vector<double> acc;
    vision_loss(c, p, b, &acc);
    for (size_t h = 0; h < aux_heads().size(); ++h) {
      r.accuracy[std::string("patch_") + aux_heads()[h].name] = acc[2 * h];
      r.accuracy[std::string("small_patch_") + aux_heads()[h].name] = acc[2 * h + 1];
    }
    return;
  }
  const bool dpn = is_routed(stage);
  const DpnSpec& spec = spec_of(c, stage);
  std::map<int, std::pair<int, int>> fam;  // family -> (correct, total)
  std::map<int, std::vector<std::vector<int>>> freq;
  std::map<int, std::pair<int, int>> confident;  // DPE layer -> (decisions with p[chosen] >= 0.8, decisions)
  double frac_sum = 0;
  int frac_n = 0;
  const int chunk = 16;
  for (int s0 = 0; s0 < c.o.eval_scenes; s0 += chunk) {
    const int n = std::min(chunk, c.o.eval_scenes - s0);
    std::vector<EncodedScene> es;
    std::vector<at::Tensor> px;
    for (int i = 0; i < n; ++i) {
      datasets::Scene s = scene_at(c, kHeldOutSeedOffset, uint64_t(s0 + i));
      for (int f = 0; f < datasets::kFamilies; ++f) {
        es.push_back(encode_scene(s, {f}, *c.tok));
        px.push_back(es.back().pixels);
      }
    }
    at::Tensor vis = visual_tokens(p, c.d, at::stack(px, 0), is_packer(stage));
    SeqBatch sb = build_batch(p, c.d, es, vis);
    DecoderResult dr = decoder_forward(p, c.d, sb, dpn ? &spec : nullptr, RouteMode::Argmax);
    at::Tensor pred = dr.logits.argmax(-1);
    std::vector<bool> seen(es.size(), false);
    for (size_t k = 0; k < dr.target_sample.size(); ++k) {
      const auto sidx = size_t(dr.target_sample[k]);
      if (seen[sidx]) continue;
      seen[sidx] = true;
      auto& [ok, tot] = fam[es[sidx].turn_family[0]];
      ok += pred[int64_t(k)].item<int64_t>() == dr.target_ids[int64_t(k)].item<int64_t>();
      ++tot;
    }
    if (dpn) {
      // token-layers through the decoder relative to no pooling (FLOPs proxy), per sample
      std::vector<std::vector<int>> chosen(es.size(), std::vector<int>(spec.layers.size(), -1));
      for (const auto& rr : dr.routes) {
        for (size_t li = 0; li < spec.layers.size(); ++li)
          if (spec.layers[li].index == rr.layer) chosen[size_t(rr.sample)][li] = rr.chosen;
        auto& [sure, all] = confident[rr.layer];
        sure += rr.probs[rr.chosen].item<double>() >= 0.8;
        ++all;
      }
      for (size_t i = 0; i < es.size(); ++i) {
        const int64_t N = c.d.grid() * c.d.grid(), T = int64_t(es[i].ids.size()) - 1;
        int64_t n = N;
        double used = 0;
        size_t li = 0;
        for (int l = 0; l < c.d.layers; ++l) {
          used += double(T + n);
          if (li < spec.layers.size() && spec.layers[li].index == l) {
            if (chosen[i][li] >= 0) {
              auto [kh, kw] = spec.layers[li].experts[size_t(chosen[i][li])];
              n /= (kh * kw);
            }
            ++li;
          }
        }
        frac_sum += used / double(c.d.layers * (T + N));
        ++frac_n;
        freq[es[i].turn_family[0]].push_back(chosen[i]);
      }
    }
  }
  for (auto& [f, v] : fam)
    r.accuracy[datasets::family_name(datasets::Family(f))] = double(v.first) / std::max(1, v.second);
  if (dpn) {
    r.mean_visual_fraction = frac_sum / std::max(1, frac_n);
    for (const auto& [layer, v] : confident)
      r.accuracy["p>=0.8@layer" + std::to_string(layer)] = double(v.first) / std::max(1, v.second);
    for (auto& [f, rows] : freq) {
      std::vector<double> fr;
      for (size_t li = 0; li < spec.layers.size(); ++li) {
        const size_t E = spec.layers[li].experts.size();
        std::vector<double> cnt(E + 1, 0);  // last: not pooled
        for (const auto& row : rows) cnt[row[li] < 0 ? E : size_t(row[li])] += 1;
        for (double x : cnt) fr.push_back(x / std::max<size_t>(1, rows.size()));
      }
      r.expert_freq[datasets::family_name(datasets::Family(f))] = fr;
    }
  }
}

// The route stage's routing targets, from the LM loss. Per DPE layer, the cost of its strongest expert for each
// sample: the answer's loss under it (the other DPE layers at 1x1, tokens unscaled) minus the loss with every layer
// at 1x1. The cost is averaged per question family (an exponential moving average over steps, `decay`), and every
// question of a family gets that layer's strongest expert as its target when the family's mean cost is at most
// `tolerance` nats (one value per DPE layer, the last for the rest), else the lightest; a family's target changes only
// when its mean cost moves `band` nats past the tolerance (a dead band: a family whose cost sits on the tolerance
// otherwise flips target between steps and its router learns a coin, run r4). Per-sample targets were measured noisy (run r2 in core/train/README.md:
// small-object colour half on 4x4, routers unsure); the router reads the question, so one decision per kind of
// question is what it can learn confidently. The middle experts are never targets: the router learns a decision
// (pool to the pyramid's top or keep the detail), not a blend.
struct RouteCosts {
  std::map<std::pair<int, int>, double> ema;  // (DPE layer, family) -> mean cost of the strongest expert
  std::map<std::pair<int, int>, bool> strong;  // (DPE layer, family) -> its current target is the strongest expert
};

}  // namespace

bool route_target_is_strongest(int current, double cost, double tolerance, double band) {
  if (current < 0) return cost <= tolerance;
  if (current == 1) return cost <= tolerance + band;
  return cost < tolerance - band;
}

namespace {

void print_route_costs(const RouteCosts& costs) {
  std::fprintf(stderr, "  strongest expert's mean extra loss (layer, family):");
  for (const auto& [k, v] : costs.ema)
    std::fprintf(stderr, " (%d, %s) %.3f%s", k.first, datasets::family_name(datasets::Family(k.second)), v,
                 costs.strong.count(k) && costs.strong.at(k) ? " [strongest]" : "");
  std::fprintf(stderr, "\n");
}

RouteTargets loss_targets(const Ctx& c, const Params& p, const SeqBatch& sb, const std::vector<int>& family,
                          RouteCosts& costs, const std::vector<double>& tolerance, double band, double decay = 0.9) {
  torch::NoGradGuard ng;
  const int64_t B = sb.embeds.size(0);
  std::map<int, int> light;
  for (const auto& l : c.route.layers) light[l.index] = 0;
  auto losses = [&](const std::map<int, int>& forced) {
    DpnSpec s = c.route;
    s.forced = forced;
    s.forced_unscaled = true;
    return per_sample_loss(decoder_forward(p, c.d, sb, &s, RouteMode::Argmax), B);
  };
  const at::Tensor base = losses(light);
  RouteTargets t;
  for (size_t li = 0; li < c.route.layers.size(); ++li) {
    const DpeLayer& l = c.route.layers[li];
    const double tol = tolerance.empty() ? 0.0 : tolerance[std::min(li, tolerance.size() - 1)];
    std::map<int, int> f = light;
    const int strongest = int(l.experts.size()) - 1;
    f[l.index] = strongest;
    const at::Tensor cost = (losses(f) - base).contiguous();
    auto acc = cost.accessor<float, 1>();
    std::map<int, std::pair<double, int>> batch;  // family -> (cost sum, samples)
    for (int64_t i = 0; i < B; ++i) {
      batch[family[size_t(i)]].first += acc[i];
      ++batch[family[size_t(i)]].second;
    }
    for (const auto& [fam, v] : batch) {
      const double mean = v.first / v.second;
      auto it = costs.ema.find({l.index, fam});
      if (it == costs.ema.end()) costs.ema[{l.index, fam}] = mean;
      else it->second = decay * it->second + (1 - decay) * mean;
    }
    for (const auto& [fam, v] : batch) {
      auto it = costs.strong.find({l.index, fam});
      const int current = it == costs.strong.end() ? -1 : int(it->second);
      costs.strong[{l.index, fam}] = route_target_is_strongest(current, costs.ema.at({l.index, fam}), tol, band);
    }
    std::vector<int>& v = t[l.index];
    for (int64_t i = 0; i < B; ++i) v.push_back(costs.strong.at({l.index, family[size_t(i)]}) ? strongest : 0);
  }
  return t;
}

void set_trainable(Params& p, const std::vector<std::string>& names) {
  for (auto& [k, t] : p) t = t.detach().set_requires_grad(false);
  for (const auto& n : names) p[n].set_requires_grad(true);
}

std::vector<std::string> names_with(const Params& p, const std::vector<std::string>& prefixes) {
  std::vector<std::string> out;
  for (const auto& [k, t] : p)
    for (const auto& pre : prefixes)
      if (k.rfind(pre, 0) == 0) {
        out.push_back(k);
        break;
      }
  return out;
}

Params merge(Params a, const Params& b) {
  for (const auto& [k, t] : b) a[k] = t;
  return a;
}

Params without(const Params& a, const std::string& prefix) {
  Params o;
  for (const auto& [k, t] : a)
    if (k.rfind(prefix, 0) != 0) o[k] = t;
  return o;
}

// The folder under --out that a stage writes.
std::string output_folder(const std::string& stage) {
  static const std::map<std::string, std::string> kFolder = {
      {"vision", "demo-clip"},       {"stage1", "stage1"}, {"stage2", "stage2"},  {"presence", "presence"},
      {"consolidate", "demo-base"}, {"dpn", "dpn-sampled"}, {"route", "demo-dpn"}, {"tokenpacker", "demo-tokenpacker"}};
  return kFolder.at(stage);
}

// The tensors an earlier stage wrote; an error naming the folder and the stage to run when it has not run.
Params read_stage(const Ctx& c, const std::string& stage) {
  const fs::path dir = c.out / output_folder(stage);
  if (!fs::exists(dir / "model.safetensors"))
    throw Error(dir.string(), "missing: run `dpn train --stage " + stage + "` first (same --out)");
  return read_tensors(dir.string());
}

StageReport run_stage(Ctx& c, const std::string& stage) {
  const StageDef sd = stage_def(stage, c.o);
  const uint64_t seed = c.o.seed * 100 + uint64_t(sd.id);
  Params p;
  std::vector<std::string> trainable;
  // Where each stage starts from, and what it trains.
  if (stage == "vision") {
    init_vision(p, c.d, seed);
    trainable = names_with(p, {"vision_model.", "aux."});
  } else {
    p = read_stage(c, "vision");
    if (stage == "stage1") {
      init_mlp_projector(p, c.d, seed);
      init_llm(p, c.d, seed + 1);
      trainable = names_with(p, {"model.mm_projector."});
    } else if (stage == "stage2" || stage == "presence" || stage == "consolidate") {
      p = merge(p, read_stage(c, stage == "stage2" ? "stage1" : stage == "presence" ? "stage2" : "presence"));
      trainable = names_with(p, {"model.", "lm_head."});
    } else if (stage == "dpn") {
      p = merge(p, read_stage(c, "consolidate"));
      init_routers(p, c.d, c.dpn, seed);
      trainable = names_with(p, {"model.", "lm_head."});
    } else if (stage == "route") {  // dpn's model; its routers where route_spec keeps the layer, new ones elsewhere
      Params prev = read_stage(c, "dpn"), fresh;
      init_routers(fresh, c.d, c.route, seed);
      for (const auto& l : c.dpn.layers) prev = without(prev, "model.layers." + std::to_string(l.index) + ".pooling_router.");
      for (const auto& [k, t] : read_stage(c, "dpn"))
        if (fresh.count(k)) fresh[k] = t;
      p = merge(merge(p, prev), fresh);
      trainable = names_with(p, {"model.", "lm_head."});
    } else {  // tokenpacker: demo-base's LLM, a new projector (projector-only first, then projector + LLM)
      const Params base = read_stage(c, "consolidate");
      p = merge(p, without(base, "model.mm_projector."));
      const auto [mean, std] = feature_stats(c, p);
      init_tokenpacker_as_avg_pool(p, c.d, seed, base, mean, std);
      trainable = names_with(p, {"model.", "lm_head."});
    }
  }
  for (auto& [k, t] : p) t = t.detach().set_requires_grad(false);
  Adam adam;
  int start = 0;
  const fs::path state = c.out / "state" / (stage + ".safetensors");
  if (c.o.resume && fs::exists(state)) {
    Params st = read_tensors(state.string());
    for (const auto& [k, t] : st) {
      if (k.rfind("p/", 0) == 0) p[k.substr(2)] = t;
      else if (k.rfind("m/", 0) == 0) adam.m[k.substr(2)] = t;
      else if (k.rfind("v/", 0) == 0) adam.v[k.substr(2)] = t;
    }
    start = int(st.at("meta/step").item<double>());
    adam.t = start;
    std::fprintf(stderr, "%s: resuming at step %d from %s\n", stage.c_str(), start, state.string().c_str());
  }
  auto trainable_now = [&](int step) {
    if (stage == "tokenpacker" && step < sd.steps / 4) return names_with(p, {"model.mm_projector."});
    return trainable;
  };
  auto save_state = [&](int step) {
    Params st;
    for (const auto& n : trainable) st["p/" + n] = p[n];
    for (const auto& [k, t] : adam.m) st["m/" + k] = t;
    for (const auto& [k, t] : adam.v) st["v/" + k] = t;
    st["meta/step"] = at::full({1}, double(step));
    write_tensors(state.string(), st, {{"stage", stage}, {"seed", std::to_string(c.o.seed)}});
  };

  std::vector<int> families = c.o.families;
  if (stage == "presence" && families.empty()) families = {int(datasets::Family::presence)};
  if (sd.threads > 0 && c.o.threads == 0) configure_threads(sd.threads);

  StageReport r;
  r.stage = stage;
  const bool single = is_routed(stage);  // one question per sample: the router reads it
  const DpnSpec& routing = spec_of(c, stage);
  RouteCosts costs;
  double t_sum = 0;
  int t_n = 0;
  for (int step = start; step < sd.steps; ++step) {
    const auto t0 = Clock::now();
    at::manual_seed(seed * 1000003ULL + uint64_t(step));
    auto names = trainable_now(step);
    set_trainable(p, names);
    Batch b = make_batch(c, uint64_t(sd.id) * 10000000ULL, uint64_t(step) * uint64_t(sd.batch), sd.batch, single,
                         families);
    if (stage != "vision")
      for (const auto& e : b.es)
        for (int f : e.turn_family) ++r.trained_questions[datasets::family_name(datasets::Family(f))];
    at::Tensor loss;
    if (stage == "vision") {
      loss = vision_loss(c, p, b);
    } else {
      at::Tensor vis = visual_tokens(p, c.d, b.pixels, is_packer(stage));
      const SeqBatch sb = build_batch(p, c.d, b.es, vis);
      DecoderResult dr = decoder_forward(p, c.d, sb, single ? &routing : nullptr, RouteMode::Sample);
      loss = dr.loss;
      if (stage == "route") {
        std::vector<int> family;
        for (const auto& e : b.es) family.push_back(e.turn_family[0]);
        const RouteTargets t = loss_targets(c, p, sb, family, costs, c.o.route_tolerance, c.o.route_band);
        loss = loss + c.o.target_weight * routing_target_loss(dr.routes, t);
      }
      else if (single)
        loss = loss + c.o.route_weight * routing_loss(dr.routes);
    }
    loss.backward();
    adam.step(p, names, lr_at(sd, step), 1.0, ".pooling_router.", stage == "route" ? c.o.router_lr_scale : 1.0);
    const double lv = loss.item<double>();
    if (r.steps_run == 0) r.first_loss = lv;
    r.last_loss = lv;
    ++r.steps_run;
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (r.steps_run > 1 || sd.steps - start == 1) {
      t_sum += dt;
      ++t_n;
    }
    r.seconds_per_step = t_n ? t_sum / t_n : dt;
    if (c.o.on_step) c.o.on_step(step, lv);
    if (c.o.progress) progress_bar(stage, step + 1, sd.steps, lv, r.seconds_per_step);
    if ((step + 1) % c.o.save_every == 0 && step + 1 < sd.steps) save_state(step + 1);
    if (c.o.eval_every > 0 && (step + 1) % c.o.eval_every == 0 && step + 1 < sd.steps) {
      StageReport e;
      evaluate(c, p, stage, e);
      if (c.o.progress) std::fprintf(stderr, "\n");
      std::fprintf(stderr, "  eval @%d: %s\n", step + 1, format_report(e).c_str());
      if (stage == "route") print_route_costs(costs);
    }
  }
  if (stage == "route") print_route_costs(costs);
  if (c.o.progress) std::fprintf(stderr, "\n");
  configure_threads(c.o.threads);
  save_state(sd.steps);
  set_trainable(p, {});
  LlavaFolderSpec spec;
  spec.tokenizer_model = c.tok_path;
  spec.bos_id = c.tok->bos_id();
  spec.eos_id = c.tok->eos_id();
  r.output = (c.out / output_folder(stage)).string();
  if (stage == "vision") {
    write_clip_folder(r.output, p, c.d);
  } else {
    if (is_routed(stage)) spec.dpn = &spec_of(c, stage);
    if (stage == "tokenpacker") spec.projector = "tokenpacker";
    write_llava_folder(r.output, p, c.d, spec);
  }
  if (c.o.eval_every >= 0) evaluate(c, p, stage, r);
  return r;
}

}  // namespace

std::string format_report(const StageReport& r) {
  std::ostringstream s;
  s.precision(3);
  if (!r.stage.empty())
    s << r.stage << ": " << r.steps_run << " steps, loss " << r.first_loss << " -> " << r.last_loss << ", "
      << r.seconds_per_step << " s/step";
  for (const auto& [k, v] : r.accuracy) s << " | " << k << " " << v;
  if (!r.expert_freq.empty()) {
    s << " | token-layers " << r.mean_visual_fraction << " of unpooled; experts per layer (+ unpooled):";
    for (const auto& [k, v] : r.expert_freq) {
      s << " " << k << " [";
      for (size_t i = 0; i < v.size(); ++i) s << (i ? " " : "") << v[i];
      s << "]";
    }
  }
  return s.str();
}

std::vector<StageReport> run_training(const TrainOptions& o) {
  if (o.out.empty()) throw Error("--out", "an output folder is required");
  Ctx c;
  c.o = o;
  c.out = fs::path(o.out);
  c.d = dims_for(o.size);
  c.dpn = dpn_spec_for(c.d);
  c.route = route_spec_for(c.d, o.second_dpe_layer, o.route_explore);
  fs::create_directories(c.out);
  configure_threads(o.threads);  // LibTorch alone would use one thread on this 2-core machine
  ensure_tokenizer(c);
  std::vector<std::string> stages;
  if (o.stage == "all") stages = {"vision", "stage1", "stage2", "presence", "consolidate", "dpn", "route", "tokenpacker"};
  else stages = {o.stage};
  std::vector<StageReport> out;
  for (const auto& s : stages) {
    stage_def(s, o);  // validates the name before any work
    out.push_back(run_stage(c, s));
    std::fprintf(stderr, "%s\n", format_report(out.back()).c_str());
  }
  return out;
}

}  // namespace dpn::train
