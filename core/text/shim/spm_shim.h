// C interface of libdpn_spm.so, a tiny shim around libsentencepiece that the tokenizer loads with
// dlopen(RTLD_LOCAL | RTLD_DEEPBIND). Why: Debian's libsentencepiece bundles protobuf-lite 3.14 and exports its
// symbols; linked directly next to LibTorch's libprotobuf 3.21 the two runtimes collide (crash or version abort).
#pragma once
#include <cstddef>

extern "C" {
// Returns an opaque handle, or nullptr with a message in `err` (size `errlen`).
void* dpn_spm_load(const char* path, char* err, size_t errlen);
void dpn_spm_free(void* h);
// Encodes `text` into `ids` (capacity `cap`); returns the count (may exceed cap: call again), or -1 on error.
int dpn_spm_encode(void* h, const char* text, size_t len, int* ids, int cap);
// Decodes ids into `out`; returns the byte length (may exceed cap), or -1 on error.
int dpn_spm_decode(void* h, const int* ids, int n, char* out, int cap);
int dpn_spm_piece_size(void* h);
int dpn_spm_bos_id(void* h);
int dpn_spm_eos_id(void* h);
// 1 if the id is a control or unknown piece (skipped when decoding answers).
int dpn_spm_is_special(void* h, int id);
// Trains a model with SentencePieceTrainer on the lines of `corpus_path` (flags as the spm_train tool takes them,
// without --input/--model_prefix, e.g. "--vocab_size=512 --model_type=bpe") and writes it to `model_path`;
// the same corpus and flags give the same bytes. Returns 0, or -1 with a message in `err`.
int dpn_spm_train(const char* flags, const char* corpus_path, const char* model_path, char* err, size_t errlen);
}
