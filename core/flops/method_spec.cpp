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

  MethodSpec parse() const {
    if (text_.empty()) fail("empty; expected none, dpn, static:..., fastv or tokenpacker");
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
    } else {
      fail("unknown method '" + name + "' (expected none, dpn, static, fastv or tokenpacker)");
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
  }
  return "?";
}

MethodSpec parse_method_spec(const std::string& text) { return SpecParser(text).parse(); }

void validate_method_spec(const MethodSpec& spec, int llm_layers) {
  const std::string where = "method spec '" + to_string(spec) + "'";
  for (const auto& st : spec.steps)
    if (st.layer >= llm_layers)
      throw Error(where, "pooling layer " + std::to_string(st.layer) + " is beyond the decoder's depth (layers 0.." +
                             std::to_string(llm_layers - 1) + ")");
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
    case MethodSpec::Kind::FastV: {
      // The shortest decimal that reads back as the same double.
      char r[32];
      for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(r, sizeof r, "%.*g", prec, spec.r);
        if (std::strtod(r, nullptr) == spec.r) break;
      }
      items = {"k=" + std::to_string(spec.k), std::string("r=") + r,
               spec.rank == MethodSpec::Rank::Last ? "rank=last" : "rank=mean"};
      break;
    }
    case MethodSpec::Kind::TokenPacker:
      if (spec.tokens > 0) items.push_back("tokens=" + std::to_string(spec.tokens));
      break;
  }
  for (size_t i = 0; i < items.size(); ++i) s += (i == 0 ? ":" : ",") + items[i];
  return s;
}

}  // namespace dpn::flops
