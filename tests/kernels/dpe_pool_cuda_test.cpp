// DPE pooling on the device against the CPU driver, bit for bit, on the shared case table. Skips without a device.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "cuda_test_support.h"

#include "dpe_pool.h"
#include "kernel_cases.h"

namespace dpn::kernels {
namespace {

using test::DeviceBuffer;

TEST(DpePoolCuda, DpePoolMatchesCpuDriverBitForBit) {
  DPN_REQUIRE_CUDA_DEVICE();
  std::mt19937 rng(17);
  for (const test::PoolCase& c : test::pool_cases()) {
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> in = test::random_elems(c.dtype, c.in_rows * c.channels, rng);
    std::vector<uint8_t> expected(c.out_rows * c.channels * elem_type_size(c.dtype));
    ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), expected.data()), "");
    DeviceBuffer d_in(in);
    DeviceBuffer d_out(expected.size());
    ASSERT_EQ(dpe_pool_cuda(c.args(), d_in.get(), d_out.get(), /*stream=*/nullptr), "");
    EXPECT_TRUE(d_out.download<uint8_t>() == expected);
  }
}

}  // namespace
}  // namespace dpn::kernels
