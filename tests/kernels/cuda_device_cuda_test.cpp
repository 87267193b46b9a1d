// Device discovery: answers (0 with a reason, or a count) on machines with and without a GPU.
#include <gtest/gtest.h>

#include <string>

#include "cuda_device.h"

namespace dpn::kernels {
namespace {

TEST(CudaDevice, DeviceCountAnswersWithoutCrashing) {
  std::string why;
  const int count = cuda_device_count(&why);
  EXPECT_GE(count, 0);
  if (count == 0) EXPECT_FALSE(why.empty());
}

}  // namespace
}  // namespace dpn::kernels
