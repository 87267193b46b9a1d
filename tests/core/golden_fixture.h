// Loads a golden fixture written by tests/golden/make_llava_golden.py (expected/<name>.safetensors + .json).
#pragma once
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "io/safetensors.h"

namespace dpn::test {

inline std::string golden_dir() { return std::string(DPN_TEST_DATA) + "/golden"; }

struct GoldenFixture {
  nlohmann::json meta;
  std::shared_ptr<SafetensorsFile> file;
  std::map<std::string, at::Tensor> tensors;

  // Reads <dir>/<name>.json and .safetensors; dir defaults to the engine fixtures' expected/ folder.
  explicit GoldenFixture(const std::string& name, const std::string& dir = golden_dir() + "/expected") {
    const std::string base = dir + "/" + name;
    std::ifstream in(base + ".json");
    meta = nlohmann::json::parse(in);
    file = std::make_shared<SafetensorsFile>(base + ".safetensors");
    for (const RawTensor& t : file->tensors()) {
      at::ScalarType st = t.dtype == DType::F32 ? at::kFloat : t.dtype == DType::I64 ? at::kLong : at::kByte;
      tensors[t.name] = at::from_blob(const_cast<std::byte*>(t.data), t.shape, at::TensorOptions().dtype(st)).clone();
    }
  }
  const at::Tensor& operator[](const std::string& k) const { return tensors.at(k); }
  bool has(const std::string& k) const { return tensors.count(k) > 0; }
};

// Max |a - b| after casting both to float32.
inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

}  // namespace dpn::test
