// Parser and printer for method specs (`none`, `dpn:...`, `static:...`, `fastv:...`, `tokenpacker:...`).
#include "flops/method_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "util/error.h"

namespace dpn::flops {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return out;
    start = pos + 1;
  }
}

// The shortest decimal that reads back as the same double.
std::string shortest(double v) {
  char r[32];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(r, sizeof r, "%.*g", prec, v);
    if (std::strtod(r, nullptr) == v) break;
  }
  return r;
}

template <typename T>
std::string join(const std::vector<T>& v, std::string (*f)(T)) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + f(v[i]);
  return s;
}
std::string int_text(int v) { return std::to_string(v); }

// SparseVLM's per-layer counts for its budgets (score.py sparse_token_list_*; v2.0 = USE_VERSION 2_0).
struct SparseBudget {
  int tokens;
  std::vector<int> v1, v2;
};
const SparseBudget kSparseBudgets[] = {{192, {300, 200, 110}, {300, 200, 118}},
                                      {128, {303, 110, 36}, {238, 108, 60}},
                                      {96, {238, 48, 26}, {246, 54, 28}},
                                      {64, {66, 30, 17}, {66, 34, 20}}};

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class SpecParser {
 public:
  explicit SpecParser(std::string text) : text_(std::move(text)) {}

  [[noreturn]] void fail(const std::string& what) const { throw Error("method spec '" + text_ + "'", what); }

  int parse_int(const std::string& s, const std::string& part) const {
    if (!all_digits(s) || s.size() > 9) fail("'" + part + "': expected a non-negative integer, got '" + s + "'");
    return std::atoi(s.c_str());
  }

  double parse_fraction(const std::string& s, const std::string& part) const {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v))
      fail("'" + part + "': expected a number, got '" + s + "'");
    return v;
  }

  // "2" -> 2x2, "1x2" -> 1 high, 2 wide.
  std::pair<int, int> parse_kernel(const std::string& s, const std::string& part) const {
    const auto hw = split(s, 'x');
    if (hw.size() == 1) {
      const int k = parse_int(hw[0], part);
      if (k <= 0) fail("'" + part + "': the kernel must be positive");
      return {k, k};
    }
    if (hw.size() != 2) fail("'" + part + "': the kernel must be K or HxW, got '" + s + "'");
    const int kh = parse_int(hw[0], part), kw = parse_int(hw[1], part);
    if (kh <= 0 || kw <= 0) fail("'" + part + "': kernel sides must be positive");
    return {kh, kw};
  }

  // "L=K" -> a pool step at layer L.
  PoolStep parse_step(const std::string& item, const std::string& part) const {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) fail("'" + part + "': expected LAYER=KERNEL (e.g. 7=2x2)");
    const std::string layer = item.substr(0, eq);
    if (!all_digits(layer)) fail("'" + part + "': the layer must be a 0-based index, got '" + layer + "'");
    PoolStep st;
    st.layer = parse_int(layer, part);
    std::tie(st.kh, st.kw) = parse_kernel(item.substr(eq + 1), part);
    return st;
  }

  MethodSpec::Location parse_location(const std::string& v, const std::string& part) const {
    if (v == "pre") return MethodSpec::Location::Pre;
    if (v == "post") return MethodSpec::Location::Post;
    fail("'" + part + "': location must be pre or post");
  }

  // dpn and static: LAYER=KERNEL items (dpn may start its list with path=), and location=.
  void parse_pooling(const std::vector<std::string>& parts, MethodSpec& m) const {
    for (const auto& part : parts) {
      if (part.rfind("location=", 0) == 0) {
        m.location = parse_location(part.substr(9), part);
      } else if (part.rfind("path=", 0) == 0) {
        if (m.kind != MethodSpec::Kind::Dpn) fail("'" + part + "': path= is for dpn; static takes LAYER=KERNEL items");
        m.steps.push_back(parse_step(part.substr(5), part));
      } else if (!part.empty() && part[0] >= '0' && part[0] <= '9') {
        m.steps.push_back(parse_step(part, part));
      } else {
        fail("unknown option '" + part + "' (expected LAYER=KERNEL, path=LAYER=KERNEL or location=pre|post)");
      }
    }
    std::sort(m.steps.begin(), m.steps.end(), [](const PoolStep& a, const PoolStep& b) { return a.layer < b.layer; });
    for (size_t i = 1; i < m.steps.size(); ++i)
      if (m.steps[i].layer == m.steps[i - 1].layer) fail("layer " + std::to_string(m.steps[i].layer) + " is listed twice");
    if (m.kind == MethodSpec::Kind::Static && m.steps.empty())
      fail("static needs at least one LAYER=KERNEL item, e.g. static:7=2,15=2");
  }

  void parse_fastv(const std::vector<std::string>& parts, MethodSpec& m) const {
    for (const auto& part : parts) {
      if (part.rfind("k=", 0) == 0) {
        m.k = parse_int(part.substr(2), part);
        if (m.k < 1) fail("'" + part + "': k must be >= 1 (FastV ranks with the attention of layer k-1)");
      } else if (part.rfind("r=", 0) == 0) {
        m.r = parse_fraction(part.substr(2), part);
        if (m.r < 0.0 || m.r >= 1.0) fail("'" + part + "': r is the dropped fraction of image tokens, in [0, 1)");
      } else if (part == "rank=last") {
        m.rank = MethodSpec::Rank::Last;
      } else if (part == "rank=mean") {
        m.rank = MethodSpec::Rank::Mean;
      } else {
        fail("unknown option '" + part + "' (expected k=INT, r=FRACTION, rank=last|mean)");
      }
    }
  }

  void parse_tokenpacker(const std::vector<std::string>& parts, MethodSpec& m) const {
    for (const auto& part : parts) {
      if (part.rfind("tokens=", 0) != 0) fail("unknown option '" + part + "' (expected tokens=N, e.g. tokens=144)");
      m.tokens = parse_int(part.substr(7), part);
      const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(m.tokens))));
      if (m.tokens <= 0 || side * side != m.tokens)
        fail("'" + part + "': tokens must be a positive square (144, 64, 36)");
    }
  }

  // KEY=VALUE items; a bare item continues the list of the key before it ("layers=8,16,24" -> layers: 8 16 24).
  std::vector<std::pair<std::string, std::vector<std::string>>> keyed(const std::vector<std::string>& parts) const {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (const auto& part : parts) {
      const size_t eq = part.find('=');
      if (eq == std::string::npos) {
        if (out.empty()) fail("'" + part + "': expected KEY=VALUE");
        out.back().second.push_back(part);
        continue;
      }
      const std::string key = part.substr(0, eq);
      for (const auto& kv : out)
        if (kv.first == key) fail("'" + key + "=' is given twice");
      out.push_back({key, {part.substr(eq + 1)}});
    }
    return out;
  }

  std::vector<int> int_list(const std::string& key, const std::vector<std::string>& values) const {
    std::vector<int> v;
    for (const auto& x : values) v.push_back(parse_int(x, key + "=" + x));
    return v;
  }

  int single_int(const std::string& key, const std::vector<std::string>& values) const {
    if (values.size() != 1) fail("'" + key + "=' takes one value");
    return parse_int(values[0], key + "=" + values[0]);
  }

  void check_layers(const std::vector<int>& layers, const std::string& key, int first) const {
    if (layers.empty()) fail("'" + key + "=' needs at least one layer");
    for (size_t i = 0; i < layers.size(); ++i) {
      if (layers[i] < first) fail("'" + key + "=': layer " + std::to_string(layers[i]) + " must be >= " + std::to_string(first));
      if (i > 0 && layers[i] <= layers[i - 1]) fail("'" + key + "=': layers must be increasing");
    }
  }

  void parse_visionzip(const std::vector<std::string>& parts, MethodSpec& m) const {
    int tokens = 0;
    bool split = false;
    for (const auto& [key, values] : keyed(parts)) {
      if (key == "dominant") m.dominant = single_int(key, values), split = true;
      else if (key == "contextual") m.contextual = single_int(key, values), split = true;
      else if (key == "tokens") tokens = single_int(key, values);
      else fail("unknown option '" + key + "' (expected dominant=D,contextual=C or tokens=N)");
    }
    if (tokens > 0 && split) fail("give tokens=N or dominant=D,contextual=C, not both");
    if (tokens > 0 || !split) {  // the published budgets split N as 27:5 (54+10, 108+20, 162+30)
      const int n = tokens > 0 ? tokens : 64;
      if (n < 2) fail("tokens=" + std::to_string(n) + ": VisionZip needs at least one dominant and one contextual token");
      m.dominant = std::clamp(static_cast<int>(std::lround(n * 27.0 / 32.0)), 1, n - 1);
      m.contextual = n - m.dominant;
    }
    if (m.dominant < 1) fail("dominant must be >= 1 (it counts the class token)");
    if (m.contextual < 1) fail("contextual must be >= 1 (the official code divides by it)");
  }

  void parse_pdrop(const std::vector<std::string>& parts, MethodSpec& m) const {
    double lambda = 0;
    for (const auto& [key, values] : keyed(parts)) {
      if (key == "layers") {
        m.layers = int_list(key, values);
      } else if (key == "ratios") {
        for (const auto& x : values) m.ratios.push_back(parse_fraction(x, "ratios=" + x));
      } else if (key == "lambda") {
        if (values.size() != 1) fail("'lambda=' takes one value");
        lambda = parse_fraction(values[0], "lambda=" + values[0]);
        if (lambda <= 0 || lambda >= 1) fail("'lambda=" + values[0] + "': lambda must be in (0, 1)");
      } else {
        fail("unknown option '" + key + "' (expected layers=L1,L2,..., ratios=R1,R2,... or lambda=X)");
      }
    }
    if (lambda > 0 && !m.ratios.empty()) fail("give ratios= or lambda=, not both");
    if (m.layers.empty()) m.layers = {8, 16, 24};  // scripts/v1_5/pdrop_eval/*.sh
    if (m.ratios.empty()) {
      if (lambda == 0) lambda = 0.5;
      for (size_t i = 0; i < m.layers.size(); ++i) m.ratios.push_back(std::pow(lambda, double(i + 1)));
    }
    check_layers(m.layers, "layers", 1);
    if (m.ratios.size() != m.layers.size())
      fail(std::to_string(m.layers.size()) + " layers but " + std::to_string(m.ratios.size()) + " ratios");
    for (size_t i = 0; i < m.ratios.size(); ++i) {
      const double prev = i == 0 ? 1.0 : m.ratios[i - 1];
      if (m.ratios[i] <= 0 || m.ratios[i] > prev)
        fail("ratios must be in (0, 1] and non-increasing (each stage keeps a fraction of the original tokens)");
    }
  }

  void parse_sparsevlm(const std::vector<std::string>& parts, MethodSpec& m) const {
    int tokens = 0;
    bool heads_given = false;
    for (const auto& [key, values] : keyed(parts)) {
      if (key == "tokens") {
        tokens = single_int(key, values);
      } else if (key == "layers") {
        m.layers = int_list(key, values);
      } else if (key == "counts") {
        m.counts = int_list(key, values);
      } else if (key == "version") {
        if (values.size() != 1) fail("'version=' takes one value");
        if (values[0] == "1.5" || values[0] == "1") m.version = 1;
        else if (values[0] == "2.0" || values[0] == "2") m.version = 2;
        else fail("'version=" + values[0] + "': expected 1.5 (v1.5/main) or 2.0 (SparseVLM+); v1's rank rule is not supported");
      } else if (key == "heads") {
        m.heads = single_int(key, values);
        heads_given = true;
        if (m.heads < 1) fail("'heads=" + values[0] + "': at least one head");
      } else if (key == "recycle") {
        if (values.size() != 1 || (values[0] != "on" && values[0] != "off")) fail("'recycle=': expected on or off");
        m.recycle = values[0] == "on";
      } else {
        fail("unknown option '" + key + "' (expected tokens=N, layers=..., counts=..., version=1.5|2.0, heads=H, recycle=on)");
      }
    }
    if (tokens > 0 && !m.counts.empty()) fail("give tokens=N or counts=..., not both");
    if (m.counts.empty()) {
      if (tokens == 0) tokens = 192;
      const SparseBudget* b = nullptr;
      for (const auto& sb : kSparseBudgets)
        if (sb.tokens == tokens) b = &sb;
      if (!b) fail("tokens=" + std::to_string(tokens) + ": the official counts exist for 192, 128, 96 and 64; give counts=...");
      m.counts = m.version == 2 ? b->v2 : b->v1;
    }
    if (m.layers.empty()) m.layers = {2, 6, 15};  // modelling_sparse_llama.py pruning_loc
    check_layers(m.layers, "layers", 0);
    if (m.counts.size() != m.layers.size())
      fail(std::to_string(m.layers.size()) + " layers but " + std::to_string(m.counts.size()) + " counts");
    for (int c : m.counts)
      if (c < 1) fail("counts must be >= 1");
    if (m.version == 2 && m.recycle) fail("recycle=on is v1.5 only (v2.0 cancels the merge)");
    if (m.version != 2 && heads_given) fail("heads= is for version=2.0 (v1.5 averages every head)");
  }

  MethodSpec parse() const {
    if (text_.empty()) fail("empty; expected none, dpn, static:..., fastv, tokenpacker, visionzip, pdrop or sparsevlm");
    const size_t colon = text_.find(':');
    const std::string name = text_.substr(0, colon);
    std::vector<std::string> parts;
    if (colon != std::string::npos) {
      parts = split(text_.substr(colon + 1), ',');
      for (const auto& p : parts)
        if (p.empty()) fail("empty item in the option list (a stray comma?)");
    }
    MethodSpec m;
    if (name == "none") {
      m.kind = MethodSpec::Kind::None;
      if (!parts.empty()) fail("none takes no options");
    } else if (name == "dpn") {
      m.kind = MethodSpec::Kind::Dpn;
      parse_pooling(parts, m);
    } else if (name == "static") {
      m.kind = MethodSpec::Kind::Static;
      parse_pooling(parts, m);
    } else if (name == "fastv") {
      m.kind = MethodSpec::Kind::FastV;
      parse_fastv(parts, m);
    } else if (name == "tokenpacker") {
      m.kind = MethodSpec::Kind::TokenPacker;
      parse_tokenpacker(parts, m);
    } else if (name == "visionzip") {
      m.kind = MethodSpec::Kind::VisionZip;
      parse_visionzip(parts, m);
    } else if (name == "pdrop") {
      m.kind = MethodSpec::Kind::PDrop;
      parse_pdrop(parts, m);
    } else if (name == "sparsevlm") {
      m.kind = MethodSpec::Kind::SparseVlm;
      parse_sparsevlm(parts, m);
    } else {
      fail("unknown method '" + name + "' (expected none, dpn, static, fastv, tokenpacker, visionzip, pdrop or sparsevlm)");
    }
    return m;
  }

 private:
  std::string text_;
};

}  // namespace

const char* method_kind_name(MethodSpec::Kind kind) {
  switch (kind) {
    case MethodSpec::Kind::None: return "none";
    case MethodSpec::Kind::Dpn: return "dpn";
    case MethodSpec::Kind::Static: return "static";
    case MethodSpec::Kind::FastV: return "fastv";
    case MethodSpec::Kind::TokenPacker: return "tokenpacker";
    case MethodSpec::Kind::VisionZip: return "visionzip";
    case MethodSpec::Kind::PDrop: return "pdrop";
    case MethodSpec::Kind::SparseVlm: return "sparsevlm";
  }
  return "?";
}

const std::vector<std::string>& method_kind_names() {
  static const std::vector<std::string> names = {"none", "dpn", "static", "fastv", "tokenpacker", "visionzip", "pdrop",
                                                 "sparsevlm"};
  return names;
}

MethodSpec parse_method_spec(const std::string& text) { return SpecParser(text).parse(); }

void validate_method_spec(const MethodSpec& spec, int llm_layers) {
  const std::string where = "method spec '" + to_string(spec) + "'";
  for (const auto& st : spec.steps)
    if (st.layer >= llm_layers)
      throw Error(where, "pooling layer " + std::to_string(st.layer) + " is beyond the decoder's depth (layers 0.." +
                             std::to_string(llm_layers - 1) + ")");
  for (int l : spec.layers)
    if (l >= llm_layers)
      throw Error(where, "layer " + std::to_string(l) + " is beyond the decoder's depth (layers 0.." +
                             std::to_string(llm_layers - 1) + "); give layers= for this model");
  if (spec.kind == MethodSpec::Kind::FastV && spec.k >= llm_layers)
    throw Error(where, "k=" + std::to_string(spec.k) + " is beyond the decoder's depth: with " +
                           std::to_string(llm_layers) + " layers k must be at most " + std::to_string(llm_layers - 1));
}

std::string to_string(const MethodSpec& spec) {
  std::string s = method_kind_name(spec.kind);
  std::vector<std::string> items;
  switch (spec.kind) {
    case MethodSpec::Kind::None: break;
    case MethodSpec::Kind::Dpn:
    case MethodSpec::Kind::Static:
      for (size_t i = 0; i < spec.steps.size(); ++i) {
        const auto& st = spec.steps[i];
        std::string item = std::to_string(st.layer) + "=" + std::to_string(st.kh) + "x" + std::to_string(st.kw);
        if (i == 0 && spec.kind == MethodSpec::Kind::Dpn) item = "path=" + item;
        items.push_back(item);
      }
      if (spec.location == MethodSpec::Location::Pre) items.push_back("location=pre");
      if (spec.location == MethodSpec::Location::Post) items.push_back("location=post");
      break;
    case MethodSpec::Kind::FastV:
      items = {"k=" + std::to_string(spec.k), "r=" + shortest(spec.r),
               spec.rank == MethodSpec::Rank::Last ? "rank=last" : "rank=mean"};
      break;
    case MethodSpec::Kind::VisionZip:
      items = {"dominant=" + std::to_string(spec.dominant), "contextual=" + std::to_string(spec.contextual)};
      break;
    case MethodSpec::Kind::PDrop:
      items = {"layers=" + join(spec.layers, int_text), "ratios=" + join(spec.ratios, shortest)};
      break;
    case MethodSpec::Kind::SparseVlm:
      items = {"layers=" + join(spec.layers, int_text), "counts=" + join(spec.counts, int_text),
               spec.version == 2 ? "version=2.0" : "version=1.5"};
      if (spec.version == 2) items.push_back("heads=" + std::to_string(spec.heads));
      if (spec.recycle) items.push_back("recycle=on");
      break;
    case MethodSpec::Kind::TokenPacker:
      if (spec.tokens > 0) items.push_back("tokens=" + std::to_string(spec.tokens));
      break;
  }
  for (size_t i = 0; i < items.size(); ++i) s += (i == 0 ? ":" : ",") + items[i];
  return s;
}

}  // namespace dpn::flops
