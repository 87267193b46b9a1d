// DPN inference (dpn-detail.md §1.13): at each DPE layer the router reads the <ROUTER> (or last) token's hidden state,
// picks an expert (argmax, or a user override), the visual grid is pooled with that expert's kernel and multiplied by
// its probability, and positions are re-indexed. Also the `static` pyramid (fixed kernels, no router, no scaling) and
// the `random` pooling type.
#pragma once
#include <map>
#include <random>

#include "methods/method.h"
#include "model/llava_model.h"

namespace dpn {

struct DpnOptions {
  PoolingType type = PoolingType::Adaptive;
  std::vector<PoolingLayer> layers;        // DPE layers and their experts
  PoolFunction function = PoolFunction::Max;
  PoolLocation location = PoolLocation::Post;
  std::map<int, int> overrides;            // layer -> forced expert index (adaptive)
  uint64_t seed = 0;                       // random pooling type
};

class DpnMethod : public TokenMethod {
 public:
  DpnMethod(const LlavaModel& model, DpnOptions options);
  void before_layer(int layer, SeqState& s, LayerAction& action) override;
  void after_layer(int layer, SeqState& s, LayerAction& action) override;

 private:
  void pool(int layer, SeqState& s, LayerAction& action);
  const LlavaModel& m_;
  DpnOptions o_;
  std::mt19937_64 rng_;
};

}  // namespace dpn
