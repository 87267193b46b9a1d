// VisionZip (Yang et al., CVPR 2025; more-baselines.md §2): inside the vision tower, at the feature layer (the CLIP
// layer LLaVA takes its features from; hidden_states[-2] for LLaVA-1.5), keep the class token and the D-1 patches the
// class token attends to most (attention summed over heads), in their original order; from the remaining tokens take
// C targets at a uniform stride and add to each target the mean of the tokens whose head-mean keys are most
// cosine-similar to it. The D + C features go through the projector; the decoder runs unchanged on the shorter run.
// Follows dvlab-research/VisionZip visionzip/clip_encoder.py (CLIPVisionTower_VisionZip.forward) and utils.py.
#pragma once
#include "methods/method.h"

namespace dpn {

struct VisionZipOptions {
  int dominant = 54;    // the class token included
  int contextual = 10;
};

class VisionZipMethod : public TokenMethod {
 public:
  explicit VisionZipMethod(VisionZipOptions o) : o_(o) {}
  bool selects_vision_tokens() const override { return true; }
  VisionTokens select_vision_tokens(const ClipFeatureLayer& layer, int grid_h, int grid_w) override;

 private:
  VisionZipOptions o_;
};

}  // namespace dpn
