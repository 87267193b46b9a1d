// Option parsing for the `dpn` CLI.
#include "args.h"

#include <cmath>
#include <limits>

namespace dpn::cli {

Args::Args(int argc, char** argv, int first) {
  std::vector<std::string> t;
  for (int i = first; i < argc; ++i) t.emplace_back(argv[i]);
  parse(t);
}

Args::Args(std::vector<std::string> tokens) { parse(tokens); }

void Args::parse(const std::vector<std::string>& t) {
  for (size_t i = 0; i < t.size(); ++i) {
    const std::string& s = t[i];
    if (s == "--help" || s == "-h") {
      help_ = true;
    } else if (s.rfind("--", 0) == 0) {
      std::string key = s.substr(2);
      auto eq = key.find('=');
      if (eq != std::string::npos) {
        values_[key.substr(0, eq)] = key.substr(eq + 1);
      } else if (i + 1 < t.size() && t[i + 1].rfind("--", 0) != 0) {
        values_[key] = t[++i];
      } else {
        flags_.insert(key);
      }
    } else {
      positional_.push_back(s);
    }
  }
}

std::string Args::get(const std::string& key, const std::string& fallback) {
  used_.insert(key);
  auto it = values_.find(key);
  if (it != values_.end()) return it->second;
  if (flags_.count(key)) throw UsageError("--" + key + " needs a value");
  return fallback;
}

std::string Args::require(const std::string& key) {
  used_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end() || it->second.empty()) throw UsageError("missing required option --" + key);
  return it->second;
}

bool Args::flag(const std::string& key) {
  used_.insert(key);
  if (values_.count(key)) {
    // `--json true` style is accepted; anything else after a flag is an error.
    const std::string& v = values_[key];
    if (v == "true" || v == "1") return true;
    if (v == "false" || v == "0") return false;
    throw UsageError("--" + key + " takes no value (got '" + v + "')");
  }
  return flags_.count(key) > 0;
}

int Args::get_int(const std::string& key, int fallback) {
  std::string v = get(key);
  if (v.empty()) return fallback;
  size_t pos = 0;
  int x = 0;
  try {
    x = std::stoi(v, &pos);
  } catch (const std::out_of_range&) {
    throw UsageError("--" + key + " " + v + " is out of range (" + std::to_string(std::numeric_limits<int>::min()) +
                     " to " + std::to_string(std::numeric_limits<int>::max()) + ")");
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size()) throw UsageError("--" + key + " expects an integer, got '" + v + "'");
  return x;
}

namespace {
double parse_number(const std::string& key, const std::string& v) {
  size_t pos = 0;
  double x = 0;
  try {
    x = std::stod(v, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != v.size()) throw UsageError("--" + key + " expects a number, got '" + v + "'");
  // stod reads "nan", "inf" and 1e999 (as inf): no option of dpn means them.
  if (!std::isfinite(x)) throw UsageError("--" + key + " expects a finite number, got '" + v + "'");
  return x;
}
}  // namespace

double Args::get_double(const std::string& key, double fallback) {
  std::string v = get(key);
  if (v.empty()) return fallback;
  return parse_number(key, v);
}

std::vector<double> Args::get_doubles(const std::string& key, const std::vector<double>& fallback) {
  std::string v = get(key);
  if (v.empty()) return fallback;
  std::vector<double> out;
  size_t start = 0;
  while (true) {
    const size_t comma = v.find(',', start);
    out.push_back(parse_number(key, v.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<std::string> Args::positional() { return positional_; }

void Args::finish() const {
  for (const auto& kv : values_)
    if (!used_.count(kv.first)) throw UsageError("unknown option --" + kv.first);
  for (const auto& f : flags_)
    if (!used_.count(f)) throw UsageError("unknown option --" + f);
}

}  // namespace dpn::cli
