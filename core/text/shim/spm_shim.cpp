// The sentencepiece shim (see spm_shim.h): plain C functions over SentencePieceProcessor.
#include "spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <string>
#include <vector>

// Exported by libsentencepiece but not declared in its public headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int v);
}

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

int dpn_spm_train(const char* flags, char* err, size_t errlen) {
  // Under RTLD_DEEPBIND the library's std::cerr is not the initialised one of the host program: any log line
  // crashes, so logging is switched off (errors still come back through the status).
  sentencepiece::logging::SetMinLogLevel(3);
  auto status = sentencepiece::SentencePieceTrainer::Train(flags);
  if (status.ok()) return 0;
  std::snprintf(err, errlen, "%s", status.ToString().c_str());
  return -1;
}
}
