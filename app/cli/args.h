// Minimal `--key value` / `--flag` parser for the CLI; unknown options are errors, not silently ignored.
#pragma once
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace dpn::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  Args(int argc, char** argv, int first);
  explicit Args(std::vector<std::string> tokens);

  // Declares options; consume them in order, then call finish() to reject leftovers.
  std::string get(const std::string& key, const std::string& fallback = "");
  std::string require(const std::string& key);
  bool flag(const std::string& key);
  int get_int(const std::string& key, int fallback);
  double get_double(const std::string& key, double fallback);
  // A comma-separated list of finite numbers ("0.02,0.03"); fallback when the option is absent.
  std::vector<double> get_doubles(const std::string& key, const std::vector<double>& fallback);
  std::vector<std::string> positional();
  void finish() const;  // throws UsageError naming the first unknown option
  bool wants_help() const { return help_; }

 private:
  void parse(const std::vector<std::string>& tokens);
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::set<std::string> used_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

}  // namespace dpn::cli
