// Attention received on the device against the double-precision reference (fp32 tolerance: FMA contraction
// and atomicAdd order differ from the CPU driver). Skips without a device.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "cuda_test_support.h"

#include "attention_received.h"
#include "kernel_cases.h"

namespace dpn::kernels {
namespace {

using test::DeviceBuffer;

TEST(AttentionReceivedCuda, AttentionReceivedMatchesReference) {
  DPN_REQUIRE_CUDA_DEVICE();
  std::mt19937 rng(19);
  for (const test::AttentionCase& c : test::attention_cases()) {
    SCOPED_TRACE(c.name);
    const float r = c.value_range;
    const std::vector<uint8_t> q = test::random_elems(c.args.dtype, c.q_elems(), rng, -r, r);
    const std::vector<uint8_t> k = test::random_elems(c.args.dtype, c.k_elems(), rng, -r, r);
    std::vector<float> reference(c.args.keys);
    ASSERT_EQ(attention_received_ref(c.bind(), q.data(), k.data(), reference.data()), "");
    DeviceBuffer d_q(q), d_k(k), d_positions(c.positions);
    DeviceBuffer d_out(sizeof(float) * c.args.keys);
    AttentionReceivedArgs args = c.args;
    args.query_positions = c.positions.empty() ? nullptr : d_positions.as<int32_t>();
    ASSERT_EQ(attention_received_cuda(args, d_q.get(), d_k.get(), d_out.as<float>(), /*stream=*/nullptr), "");
    const std::vector<float> got = d_out.download<float>();
    for (int j = 0; j < c.args.keys; ++j) {
      ASSERT_NEAR(got[j], reference[j], 1e-7 + 5e-5 * std::abs(reference[j])) << "key " << j;
    }
  }
}

TEST(AttentionReceivedCuda, LaunchErrorsAreReportedAsMessages) {
  // The argument check runs before any CUDA call, so this needs no device.
  AttentionReceivedArgs bad = attention_received_contiguous(8, 3, 1, 10, 4, 9, ElemType::f32);
  EXPECT_NE(attention_received_cuda(bad, nullptr, nullptr, nullptr, nullptr).find("kv_heads"), std::string::npos);
}

}  // namespace
}  // namespace dpn::kernels
