// Support for the CUDA kernel tests: skip without a device, and device memory with upload/download.
#pragma once
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "cuda_device.h"

// Skips the current test, with the runtime's reason, when no CUDA device is usable.
#define DPN_REQUIRE_CUDA_DEVICE()                                                         \
  do {                                                                                    \
    std::string dpn_why_no_device;                                                        \
    if (::dpn::kernels::cuda_device_count(&dpn_why_no_device) == 0) {                     \
      GTEST_SKIP() << "no CUDA device: " << dpn_why_no_device;                            \
    }                                                                                     \
  } while (0)

namespace dpn::kernels::test {

// Owning device allocation; failures are test failures, not exceptions.

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes_ > 0) EXPECT_EQ(cudaMalloc(&ptr_, bytes_), cudaSuccess);
  }
  template <typename T>
  explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size() * sizeof(T)) {
    if (bytes_ > 0) EXPECT_EQ(cudaMemcpy(ptr_, host.data(), bytes_, cudaMemcpyHostToDevice), cudaSuccess);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr_) cudaFree(ptr_);
  }

  void* get() const { return ptr_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  template <typename T>
  std::vector<T> download() const {
    std::vector<T> host(bytes_ / sizeof(T));
    EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    if (bytes_ > 0) EXPECT_EQ(cudaMemcpy(host.data(), ptr_, bytes_, cudaMemcpyDeviceToHost), cudaSuccess);
    return host;
  }

 private:
  size_t bytes_ = 0;
  void* ptr_ = nullptr;
};

}  // namespace dpn::kernels::test
