// The sentencepiece shim (see spm_shim.h): plain C functions over SentencePieceProcessor.
#include "spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

// Exported by libsentencepiece but not declared in its public headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

namespace {

// The corpus, one sentence per line.
class LineIterator : public sentencepiece::SentenceIterator {
 public:
  explicit LineIterator(const char* path) : in_(path) {
    if (!in_) status_ = sentencepiece::util::Status(sentencepiece::util::StatusCode::kNotFound, std::string("cannot read ") + path);
    Next();
  }
  bool done() const override { return done_; }
  void Next() override { done_ = !status_.ok() || !std::getline(in_, line_); }
  const std::string& value() const override { return line_; }
  sentencepiece::util::Status status() const override { return status_; }

 private:
  std::ifstream in_;
  std::string line_;
  bool done_ = false;
  sentencepiece::util::Status status_;
};

}  // namespace

extern "C" {

void* dpn_spm_load(const char* path, char* err, size_t errlen) {
  auto* sp = new sentencepiece::SentencePieceProcessor();
  auto status = sp->Load(path);
  if (!status.ok()) {
    std::snprintf(err, errlen, "%s", status.ToString().c_str());
    delete sp;
    return nullptr;
  }
  return sp;
}

void dpn_spm_free(void* h) { delete static_cast<sentencepiece::SentencePieceProcessor*>(h); }

int dpn_spm_encode(void* h, const char* text, size_t len, int* ids, int cap) {
  std::vector<int> out;
  if (!static_cast<sentencepiece::SentencePieceProcessor*>(h)->Encode(std::string(text, len), &out).ok()) return -1;
  for (int i = 0; i < int(out.size()) && i < cap; ++i) ids[i] = out[i];
  return int(out.size());
}

int dpn_spm_decode(void* h, const int* ids, int n, char* out, int cap) {
  std::string text;
  if (!static_cast<sentencepiece::SentencePieceProcessor*>(h)->Decode(std::vector<int>(ids, ids + n), &text).ok()) return -1;
  std::memcpy(out, text.data(), std::min<size_t>(text.size(), size_t(cap)));
  return int(text.size());
}

int dpn_spm_piece_size(void* h) { return static_cast<sentencepiece::SentencePieceProcessor*>(h)->GetPieceSize(); }
int dpn_spm_bos_id(void* h) { return static_cast<sentencepiece::SentencePieceProcessor*>(h)->bos_id(); }
int dpn_spm_eos_id(void* h) { return static_cast<sentencepiece::SentencePieceProcessor*>(h)->eos_id(); }
int dpn_spm_is_special(void* h, int id) {
  auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(h);
  return sp->IsControl(id) || sp->IsUnknown(id);
}

int dpn_spm_train(const char* flags, const char* corpus_path, const char* model_path, char* err, size_t errlen) {
  // Under RTLD_DEEPBIND the library's std::cerr is not the initialised one of the host program: any log line
  // crashes, so logging is switched off (errors still come back through the status).
  sentencepiece::logging::SetMinLogLevel(3);
  // Reproducible bytes: the trainer's random generator is seeded from the clock unless told, and --input and
  // --model_prefix would be recorded in the model's trainer spec; the corpus is streamed and the model written here.
  sentencepiece::SetRandomGeneratorSeed(1);
  LineIterator lines(corpus_path);
  std::string model;
  auto status = sentencepiece::SentencePieceTrainer::Train(flags, &lines, &model);
  if (status.ok()) {
    std::ofstream out(model_path, std::ios::binary);
    out.write(model.data(), std::streamsize(model.size()));
    if (out.flush()) return 0;
    std::snprintf(err, errlen, "cannot write %s", model_path);
    return -1;
  }
  std::snprintf(err, errlen, "%s", status.ToString().c_str());
  return -1;
}
}
