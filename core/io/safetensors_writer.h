// Writes safetensors files (the reference layout: header padded to 8 bytes, tensors sorted by dtype size then
// name, so each tensor is naturally aligned). Written to a temporary file of its own ("path.tmp-PID-N", created
// exclusively) and renamed, so a failure never leaves a half-written file under the final name.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "io/raw_tensor.h"

namespace dpn {

// `tensors` point at caller-owned memory (RawTensor::data, nbytes). Throws dpn::Error naming `path` on I/O
// failure (disk full included).
void write_safetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace dpn
