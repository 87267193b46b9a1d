// Helpers shared by the run-store tests: a temporary folder and a sample with 28 layer traces + 3 router decisions.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "store/run_store.h"

namespace dpn::store::test {

// A fresh folder under $TMPDIR, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") + "/dpn_store_XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : throw std::runtime_error("mkdtemp failed");
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline RunSpec test_spec(const std::string& shard = "") {
  RunSpec s;
  s.model_name = "llava-v1.5-7b";
  s.model_path = "/models/llava-v1.5-7b";
  s.dataset_name = "pope";
  s.dataset_kind = "pope";
  s.method = "dpn";
  s.params_json = R"({"limit":0,"ratio":0.5})";
  s.dtype = "fp16";
  s.device = "cpu";
  s.shard = shard;
  s.code_version = "v0.1.0";
  s.threads = 2;
  return s;
}

// Deterministic content per id, so two runs that store the same ids hold equal rows.
inline SampleResult test_sample(int i) {
  SampleResult r;
  r.sample_id = std::to_string(i);
  r.question = "Is there a dog in the image?\nAnswer the question using a single word or phrase.";
  r.answer = i % 2 ? "yes" : "no";
  r.prediction = i % 3 ? "Yes" : "No";
  r.score = (r.prediction == "Yes") == (r.answer == "yes") ? 1.0 : 0.0;
  r.correct = r.score == 1.0;
  r.family = i % 3 == 0 ? "random" : "popular";
  r.flops_llm = 1.5e12 + i;
  r.flops_total = 2.0e12 + i;
  r.latency_ms = 100 + i;
  r.prefill_ms = 60 + i;
  r.decode_ms = 40;
  r.kv_bytes = 1 << 20;
  r.peak_rss = int64_t(1) << 32;
  for (int l = 0; l < 28; ++l) r.layers.push_back({l, l < 2 ? 576 : 144, l < 2 ? 24 : 12, l < 2 ? 24 : 12, 1.25, 3.0e10});
  for (int l : {2, 8, 16}) r.routers.push_back({l, i % 3, "[0.2,0.5,0.3]", false});
  return r;
}

}  // namespace dpn::store::test
