// SentencePiece tokenizer through the dlopen'ed shim (see text/shim/spm_shim.h for why).
#include "text/tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "text/shim/spm_shim.h"
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

std::vector<fs::path> shim_candidates() {
  std::vector<fs::path> c;
  if (const char* env = std::getenv("DPN_SPM_SHIM")) c.emplace_back(env);
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n > 0) {
    buf[n] = 0;
    fs::path dir = fs::path(buf).parent_path();
    c.push_back(dir / "libdpn_spm.so");
    c.push_back(dir / "../lib/dpn-studio/libdpn_spm.so");
  }
#ifdef DPN_SPM_SHIM_PATH
  c.emplace_back(DPN_SPM_SHIM_PATH);
#endif
  return c;
}

const Shim& shim() {
  static Shim s;
  static std::once_flag once;
  static std::string error;
  std::call_once(once, [] {
    void* h = nullptr;
    std::string tried;
    for (const auto& p : shim_candidates()) {
      if (!fs::exists(p)) {
        tried += " " + p.string();
        continue;
      }
      h = ::dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
      if (h) break;
      tried += " " + p.string() + " (" + ::dlerror() + ")";
    }
    if (!h) {
      error = "cannot load libdpn_spm.so (the SentencePiece shim); tried:" + tried;
      return;
    }
    auto sym = [&](const char* name) {
      void* f = ::dlsym(h, name);
      if (!f) error = std::string("libdpn_spm.so lacks ") + name;
      return f;
    };
    s.load = reinterpret_cast<decltype(s.load)>(sym("dpn_spm_load"));
    s.free = reinterpret_cast<decltype(s.free)>(sym("dpn_spm_free"));
    s.encode = reinterpret_cast<decltype(s.encode)>(sym("dpn_spm_encode"));
    s.decode = reinterpret_cast<decltype(s.decode)>(sym("dpn_spm_decode"));
    s.piece_size = reinterpret_cast<decltype(s.piece_size)>(sym("dpn_spm_piece_size"));
    s.bos_id = reinterpret_cast<decltype(s.bos_id)>(sym("dpn_spm_bos_id"));
    s.eos_id = reinterpret_cast<decltype(s.eos_id)>(sym("dpn_spm_eos_id"));
    s.is_special = reinterpret_cast<decltype(s.is_special)>(sym("dpn_spm_is_special"));
  });
  if (!error.empty()) throw Error("tokenizer", error);
  return s;
}

}  // namespace

Tokenizer::Tokenizer(const std::string& dir) {
  path_ = (fs::path(dir) / "tokenizer.model").string();
  if (!fs::exists(path_))
    throw Error(path_, "missing tokenizer (a LLaVA checkpoint folder needs the SentencePiece tokenizer.model)");
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
