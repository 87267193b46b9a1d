// SentencePiece training through libdpn_spm.so (the shim that text/shim/spm_shim_loader.h loads).
#include "train/spm_train.h"

#include <filesystem>
#include <fstream>

#include "text/shim/spm_shim_loader.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn::train {

namespace {

using TrainFn = int (*)(const char*, const char*, const char*, char*, size_t);

TrainFn load_train_fn() { return reinterpret_cast<TrainFn>(spm_shim_symbol("dpn_spm_train")); }

}  // namespace

void train_sentencepiece(const std::vector<std::string>& lines, const std::string& out_dir, const SpmTrainOptions& opt) {
  static TrainFn fn = load_train_fn();
  fs::create_directories(out_dir);
  const fs::path corpus = fs::path(out_dir) / "tokenizer_corpus.txt";
  {
    std::ofstream f(corpus);
    for (const auto& l : lines) f << l << "\n";
    if (!f) throw Error(corpus.string(), "cannot write the tokenizer corpus");
  }
  // LLaMA's conventions: unk 0, bos 1 (<s>), eos 2 (</s>), no pad piece; BPE like LLaMA's tokenizer.
  std::string flags = "--vocab_size=" + std::to_string(opt.vocab_size) +
                      " --model_type=bpe --character_coverage=1.0 --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1" +
                      " --split_by_whitespace=" + (opt.split_by_whitespace ? "true" : "false") +
                      " --max_sentencepiece_length=64 --num_threads=1 --minloglevel=2 --hard_vocab_limit=false";
  if (!opt.user_symbols.empty()) {
    flags += " --user_defined_symbols=";
    for (size_t i = 0; i < opt.user_symbols.size(); ++i) flags += (i ? "," : "") + opt.user_symbols[i];
  }
  char err[1024] = {0};
  const std::string model = (fs::path(out_dir) / "tokenizer.model").string();
  if (fn(flags.c_str(), corpus.string().c_str(), model.c_str(), err, sizeof(err)) != 0) throw Error(out_dir, std::string("SentencePiece training failed: ") + err);
  fs::remove(corpus);
}

}  // namespace dpn::train
