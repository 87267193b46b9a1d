// SentencePiece tokenizer through the dlopen'ed shim (see text/shim/spm_shim.h for why).
#include "text/tokenizer.h"

#include <filesystem>

#include "text/shim/spm_shim.h"
#include "text/shim/spm_shim_loader.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn {

namespace {

struct Shim {
  decltype(&dpn_spm_load) load;
  decltype(&dpn_spm_free) free;
  decltype(&dpn_spm_encode) encode;
  decltype(&dpn_spm_decode) decode;
  decltype(&dpn_spm_piece_size) piece_size;
  decltype(&dpn_spm_bos_id) bos_id;
  decltype(&dpn_spm_eos_id) eos_id;
  decltype(&dpn_spm_is_special) is_special;
};

const Shim& shim() {
  static const Shim s = [] {
    auto sym = [](const char* name) { return spm_shim_symbol(name); };
    Shim r;
    r.load = reinterpret_cast<decltype(r.load)>(sym("dpn_spm_load"));
    r.free = reinterpret_cast<decltype(r.free)>(sym("dpn_spm_free"));
    r.encode = reinterpret_cast<decltype(r.encode)>(sym("dpn_spm_encode"));
    r.decode = reinterpret_cast<decltype(r.decode)>(sym("dpn_spm_decode"));
    r.piece_size = reinterpret_cast<decltype(r.piece_size)>(sym("dpn_spm_piece_size"));
    r.bos_id = reinterpret_cast<decltype(r.bos_id)>(sym("dpn_spm_bos_id"));
    r.eos_id = reinterpret_cast<decltype(r.eos_id)>(sym("dpn_spm_eos_id"));
    r.is_special = reinterpret_cast<decltype(r.is_special)>(sym("dpn_spm_is_special"));
    return r;
  }();
  return s;
}

}  // namespace

Tokenizer::Tokenizer(const std::string& dir) {
  path_ = (fs::path(dir) / "tokenizer.model").string();
  if (!fs::exists(path_))
    throw Error(path_, "missing tokenizer (a LLaVA checkpoint folder needs the SentencePiece tokenizer.model)");
  if (!fs::is_regular_file(path_)) throw Error(path_, "is not a file (expected the SentencePiece tokenizer.model)");
  char err[512] = {0};
  sp_ = shim().load(path_.c_str(), err, sizeof(err));
  if (!sp_) throw Error(path_, std::string("cannot load SentencePiece model: ") + err);
}

Tokenizer::~Tokenizer() {
  if (sp_) shim().free(sp_);
}

std::vector<int> Tokenizer::encode(const std::string& text) const {
  std::vector<int> ids(text.size() * 2 + 16);
  int n = shim().encode(sp_, text.data(), text.size(), ids.data(), int(ids.size()));
  if (n < 0) throw Error(path_, "encoding failed");
  if (n > int(ids.size())) {
    ids.resize(n);
    n = shim().encode(sp_, text.data(), text.size(), ids.data(), n);
  }
  ids.resize(n);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
  std::vector<int> keep;
  const int n = vocab_size();
  for (int id : ids)
    if (id >= 0 && id < n && !shim().is_special(sp_, id)) keep.push_back(id);
  std::string out(keep.size() * 8 + 16, '\0');
  int len = shim().decode(sp_, keep.data(), int(keep.size()), out.data(), int(out.size()));
  if (len < 0) throw Error(path_, "decoding failed");
  if (len > int(out.size())) {
    out.resize(len);
    len = shim().decode(sp_, keep.data(), int(keep.size()), out.data(), len);
  }
  out.resize(len);
  return out;
}

int Tokenizer::vocab_size() const { return shim().piece_size(sp_); }
int Tokenizer::bos_id() const { return shim().bos_id(sp_); }
int Tokenizer::eos_id() const { return shim().eos_id(sp_); }

}  // namespace dpn
