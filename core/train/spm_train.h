// Trains the demo models' SentencePiece tokenizer on the benchmark's text, through the dlopen'ed shim
// (text/shim/spm_shim.h explains why SentencePiece is never linked into a LibTorch program).
#pragma once
#include <string>
#include <vector>

namespace dpn::train {

struct SpmTrainOptions {
  int vocab_size = 400;
  // false lets pieces span spaces, so the fixed prompt text (system prompt, short-answer suffix) becomes a few
  // tokens: the tiny model then spends its compute on visual tokens (measured: see core/train/README.md).
  bool split_by_whitespace = false;
  std::vector<std::string> user_symbols;  // e.g. "<ROUTER>"
};

// Writes `out_dir/tokenizer.model` from `lines` (one sentence per line). Deterministic for the same input.
// Throws dpn::Error naming the folder when the shim is missing or SentencePiece refuses the input.
void train_sentencepiece(const std::vector<std::string>& lines, const std::string& out_dir, const SpmTrainOptions& opt);

}  // namespace dpn::train
