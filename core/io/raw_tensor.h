// A tensor as it lies in a checkpoint file: dtype, shape and a pointer into mapped memory. No LibTorch here,
// so readers (safetensors, torch zip) and writers stay light and fuzzable.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dpn {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

// Bytes per element.
size_t dtype_size(DType dtype);
// safetensors spelling: "F32", "BF16", ...
const char* dtype_name(DType dtype);
// Parses the safetensors spelling; returns false for an unknown or unsupported dtype.
bool parse_dtype(const std::string& name, DType* out);

struct RawTensor {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const std::byte* data = nullptr;  // points into a mapping owned by the reader
  uint64_t nbytes = 0;
  std::string file;  // the file it came from, for error messages

  int64_t numel() const;
};

std::string shape_string(const std::vector<int64_t>& shape);

}  // namespace dpn
