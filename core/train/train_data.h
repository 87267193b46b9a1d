// Training sequences from DPNBench scenes: the LLaVA conversation (vicuna_v1) with several question-answer turns
// per image, tokenized exactly as the engine tokenizes a single-turn prompt (text/prompt.h), plus the dense
// per-patch labels for the vision pre-training and the text the tokenizer is trained on.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "datasets/synthetic_vqa.h"
#include "text/tokenizer.h"

namespace dpn::train {

// Training scenes use seed kFirstTrainSeed + run seed; held-out evaluation scenes use this offset on top.
constexpr uint64_t kHeldOutSeedOffset = 500000;

struct EncodedScene {
  at::Tensor pixels;                  // [3, S, S], normalised like the engine's preprocessing
  std::vector<int> ids;               // BOS ... kImageSentinel ... ; answers and their EOS included
  std::vector<int> target_family;     // per id: the Family of the answer it belongs to, -1 when not supervised
  std::vector<int> answer_first;      // per turn: index in `ids` of the answer's first token
  std::vector<int> turn_family;       // per turn
  int router_index = 0;               // index in `ids` of the first prompt's last token (the router's input)
  datasets::PatchLabels patches;
};

// Encodes the QA pairs `turns` (indices into scene.qa) as one conversation; the first turn carries the image.
EncodedScene encode_scene(const datasets::Scene& scene, const std::vector<int>& turns, const Tokenizer& tok);

// The lines SentencePiece is trained on: every prompt chunk and answer of `scenes` training scenes (seed given).
std::vector<std::string> tokenizer_corpus(uint64_t seed, int scenes);

}  // namespace dpn::train
