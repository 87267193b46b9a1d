// SentencePiece training through libdpn_spm.so (dlopen RTLD_DEEPBIND, like text/tokenizer.cpp).
#include "train/spm_train.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn::train {

namespace {

using TrainFn = int (*)(const char*, char*, size_t);

TrainFn load_train_fn() {
  std::vector<fs::path> c;
  if (const char* env = std::getenv("DPN_SPM_SHIM")) c.emplace_back(env);
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path dir = fs::path(buf).parent_path();
    c.push_back(dir / "libdpn_spm.so");
    c.push_back(dir / "../lib/dpn-studio/libdpn_spm.so");
    c.push_back(dir / "../lib/libdpn_spm.so");  // build tree: build/{app,tests}/ next to build/lib/
  }
#ifdef DPN_SPM_SHIM_PATH
  c.emplace_back(DPN_SPM_SHIM_PATH);
#endif
  std::string tried;
  for (const auto& p : c) {
    if (!fs::exists(p)) {
      tried += " " + p.string();
      continue;
    }
    void* h = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!h) {
      tried += " " + p.string() + " (" + ::dlerror() + ")";
      continue;
    }
    if (void* f = ::dlsym(h, "dpn_spm_train")) return reinterpret_cast<TrainFn>(f);
    tried += " " + p.string() + " (no dpn_spm_train: an old shim)";
  }
  throw Error("libdpn_spm.so", "cannot load the SentencePiece shim with dpn_spm_train; tried:" + tried);
}

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
  std::string flags = "--input=" + corpus.string() + " --model_prefix=" + (fs::path(out_dir) / "tokenizer").string() +
                      " --vocab_size=" + std::to_string(opt.vocab_size) +
                      " --model_type=bpe --character_coverage=1.0 --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1" +
                      " --split_by_whitespace=" + (opt.split_by_whitespace ? "true" : "false") +
                      " --max_sentencepiece_length=64 --num_threads=1 --minloglevel=2 --hard_vocab_limit=false";
  if (!opt.user_symbols.empty()) {
    flags += " --user_defined_symbols=";
    for (size_t i = 0; i < opt.user_symbols.size(); ++i) flags += (i ? "," : "") + opt.user_symbols[i];
  }
  char err[1024] = {0};
  if (fn(flags.c_str(), err, sizeof(err)) != 0) throw Error(out_dir, std::string("SentencePiece training failed: ") + err);
  fs::remove(corpus);
  fs::remove(fs::path(out_dir) / "tokenizer.vocab");
}

}  // namespace dpn::train
