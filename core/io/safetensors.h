// safetensors reader: mmap the file, validate header, dtypes, shapes and every offset before any tensor is
// touched. Format: [u64 LE header length N][N bytes JSON][data]; offsets are relative to the data start.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/raw_tensor.h"
#include "util/mapped_file.h"

namespace dpn {

class SafetensorsFile {
 public:
  // Throws dpn::Error naming the path and the offending tensor/field on any malformed input.
  explicit SafetensorsFile(const std::string& path);

  const std::string& path() const { return map_->path(); }
  // Sorted by name. Data pointers stay valid while this object (or a copy of mapping()) lives.
  const std::vector<RawTensor>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  std::shared_ptr<const MappedFile> mapping() const { return map_; }

 private:
  std::shared_ptr<const MappedFile> map_;
  std::vector<RawTensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

// The largest header the reference reader accepts.
constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

}  // namespace dpn
