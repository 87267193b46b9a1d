// Device discovery for tests and dispatch: cudaGetDeviceCount with its error turned into a message.
#include <cuda_runtime.h>

#include <string>

#include "cuda_device.h"

namespace dpn::kernels {

int cuda_device_count(std::string* why_none) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky error so later calls are not confused by it
    if (why_none) *why_none = std::string("cudaGetDeviceCount: ") + cudaGetErrorString(e);
    return 0;
  }
  if (count == 0 && why_none) *why_none = "cudaGetDeviceCount returned 0 devices";
  return count;
}

}  // namespace dpn::kernels
