// Whether a CUDA device is usable, asked without including CUDA headers (for tests and the engine's dispatch).
#pragma once
#include <string>

namespace dpn::kernels {

// Number of CUDA devices the runtime sees; 0 when there is no device or no driver, with the reason in
// *why_none (the runtime's error text) when given.
int cuda_device_count(std::string* why_none = nullptr);

}  // namespace dpn::kernels
