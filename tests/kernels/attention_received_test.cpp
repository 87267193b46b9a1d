// Attention received: the CPU driver (the kernel's phases with emulated barriers and shared memory) against
// the materialised double-precision reference, plus hand-computed values and the properties that must hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "attention_received.h"
#include "kernel_cases.h"

namespace dpn::kernels {
namespace {

struct Inputs {
  std::vector<uint8_t> q, k;
};

Inputs random_inputs(const test::AttentionCase& c, std::mt19937& rng) {
  const float r = c.value_range;
  return {test::random_elems(c.args.dtype, c.q_elems(), rng, -r, r),
          test::random_elems(c.args.dtype, c.k_elems(), rng, -r, r)};
}

// Largest |a - b| / (abs_tol + rel_tol * |b|); <= 1 passes.
double worst_error(const std::vector<float>& a, const std::vector<float>& b, double abs_tol, double rel_tol) {
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(double(a[i]) - b[i]) / (abs_tol + rel_tol * std::abs(double(b[i]))));
  }
  return worst;
}

TEST(AttentionReceived, DriverMatchesReferenceOnAllCases) {
  std::mt19937 rng(3);
  const std::vector<test::AttentionCase> cases = test::attention_cases();
  ASSERT_GE(cases.size(), 20u);
  for (const test::AttentionCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Inputs in = random_inputs(c, rng);
    std::vector<float> driver(c.args.keys, -1.0f), reference(c.args.keys, -1.0f);
    ASSERT_EQ(attention_received_cpu(c.bind(), in.q.data(), in.k.data(), driver.data()), "");
    ASSERT_EQ(attention_received_ref(c.bind(), in.q.data(), in.k.data(), reference.data()), "");
    EXPECT_LE(worst_error(driver, reference, 1e-7, 2e-5), 1.0);
    if (c.args.queries > 0) {  // every (head, query) row sums to 1, so the mean does too
      EXPECT_NEAR(std::accumulate(driver.begin(), driver.end(), 0.0), 1.0, 1e-5);
    }
  }
}

TEST(AttentionReceived, BlockReductionIsCorrectForAnyPowerOfTwoBlock) {
  // Blocks from 1 thread to more threads than keys (threads with no key carry max = -inf, sum = 0).
  std::mt19937 rng(5);
  test::AttentionCase c{"blocks", attention_received_contiguous(4, 2, 7, 45, 16, 38, ElemType::bf16), {}};
  const Inputs in = random_inputs(c, rng);
  std::vector<float> reference(c.args.keys);
  ASSERT_EQ(attention_received_ref(c.bind(), in.q.data(), in.k.data(), reference.data()), "");
  for (int threads : {1, 2, 8, 32, 128, 256}) {
    SCOPED_TRACE(threads);
    std::vector<float> driver(c.args.keys);
    ASSERT_EQ(attention_received_cpu(c.bind(), in.q.data(), in.k.data(), driver.data(), threads), "");
    EXPECT_LE(worst_error(driver, reference, 1e-7, 2e-5), 1.0);
  }
  std::vector<float> driver(c.args.keys);
  EXPECT_NE(attention_received_cpu(c.bind(), in.q.data(), in.k.data(), driver.data(), 48).find("power of two"),
            std::string::npos);
}

TEST(AttentionReceived, HandComputedTwoQueries) {
  // Dh = 1, scale 1, q = 1: scores = k = [0, ln 3]. Query at 0 sees key 0 only: [1, 0];
  // query at 1: softmax [1, 3] / 4 = [0.25, 0.75]. Mean over the two queries: [0.625, 0.375].
  const std::vector<float> q = {1.0f, 1.0f};
  const std::vector<float> k = {0.0f, std::log(3.0f)};
  const AttentionReceivedArgs a = attention_received_contiguous(1, 1, 2, 2, 1, 0, ElemType::f32);
  std::vector<float> driver(2), reference(2);
  ASSERT_EQ(attention_received_cpu(a, q.data(), k.data(), driver.data()), "");
  ASSERT_EQ(attention_received_ref(a, q.data(), k.data(), reference.data()), "");
  EXPECT_NEAR(driver[0], 0.625f, 1e-6f);
  EXPECT_NEAR(driver[1], 0.375f, 1e-6f);
  EXPECT_NEAR(reference[0], 0.625f, 1e-6f);
  EXPECT_NEAR(reference[1], 0.375f, 1e-6f);
}

TEST(AttentionReceived, GqaHeadsShareTheirKvHead) {
  // Hq = 2, Hkv = 1, Dh = 1, scale 1. Head 0 has q = 0 (uniform over 3 keys), head 1 has q = 1 with
  // k = [0, 0, ln 2]: [1/4, 1/4, 1/2]. Mean: [7/24, 7/24, 10/24].
  const std::vector<float> q = {0.0f, 1.0f};
  const std::vector<float> k = {0.0f, 0.0f, std::log(2.0f)};
  const AttentionReceivedArgs a = attention_received_contiguous(2, 1, 1, 3, 1, 2, ElemType::f32);
  std::vector<float> out(3);
  ASSERT_EQ(attention_received_cpu(a, q.data(), k.data(), out.data()), "");
  EXPECT_NEAR(out[0], 7.0f / 24.0f, 1e-6f);
  EXPECT_NEAR(out[1], 7.0f / 24.0f, 1e-6f);
  EXPECT_NEAR(out[2], 10.0f / 24.0f, 1e-6f);
}

TEST(AttentionReceived, CausalCutLeavesLaterKeysAtExactlyZero) {
  std::mt19937 rng(9);
  test::AttentionCase c{"causal", attention_received_contiguous(4, 4, 3, 100, 32, 40, ElemType::f32), {}};
  const Inputs in = random_inputs(c, rng);
  std::vector<float> out(c.args.keys, -1.0f);
  ASSERT_EQ(attention_received_cpu(c.bind(), in.q.data(), in.k.data(), out.data()), "");
  for (int j = 0; j <= 42; ++j) EXPECT_GT(out[j], 0.0f) << "key " << j;  // last query is at 42
  for (int j = 43; j < 100; ++j) EXPECT_EQ(out[j], 0.0f) << "key " << j;
}

TEST(AttentionReceived, TokenMajorLayoutGivesTheSameResultAsHeadMajor) {
  std::mt19937 rng(21);
  const AttentionReceivedArgs head_major = attention_received_contiguous(4, 2, 6, 50, 8, 44, ElemType::f32);
  const AttentionReceivedArgs token_major = test::token_major(head_major);
  const int Hq = 4, Hkv = 2, Nq = 6, Tk = 50, Dh = 8;
  const std::vector<uint8_t> qb = test::random_elems(ElemType::f32, Hq * Nq * Dh, rng);
  const std::vector<uint8_t> kb = test::random_elems(ElemType::f32, Hkv * Tk * Dh, rng);
  const float* q = reinterpret_cast<const float*>(qb.data());
  const float* k = reinterpret_cast<const float*>(kb.data());
  // Transpose [H, T, Dh] -> [T, H, Dh].
  std::vector<float> qt(qb.size() / 4), kt(kb.size() / 4);
  for (int h = 0; h < Hq; ++h)
    for (int t = 0; t < Nq; ++t)
      for (int d = 0; d < Dh; ++d) qt[(t * Hq + h) * Dh + d] = q[(h * Nq + t) * Dh + d];
  for (int h = 0; h < Hkv; ++h)
    for (int t = 0; t < Tk; ++t)
      for (int d = 0; d < Dh; ++d) kt[(t * Hkv + h) * Dh + d] = k[(h * Tk + t) * Dh + d];
  std::vector<float> a(Tk), b(Tk);
  ASSERT_EQ(attention_received_cpu(head_major, q, k, a.data()), "");
  ASSERT_EQ(attention_received_cpu(token_major, qt.data(), kt.data(), b.data()), "");
  EXPECT_EQ(a, b);
}

TEST(AttentionReceived, CheckNamesTheBadField) {
  AttentionReceivedArgs a = attention_received_contiguous(8, 3, 1, 10, 4, 9, ElemType::f32);
  EXPECT_NE(attention_received_check(a, true).find("kv_heads must divide q_heads 8, got 3"), std::string::npos);
  a = attention_received_contiguous(8, 2, 2, 10, 4, 9, ElemType::f32);  // positions 9, 10
  EXPECT_NE(attention_received_check(a, true).find("query positions [9, 10] must lie in [0, keys = 10)"),
            std::string::npos);
  const std::vector<int32_t> positions = {3, -1};
  a = attention_received_contiguous(8, 2, 2, 10, 4, 0, ElemType::f32);
  a.query_positions = positions.data();
  EXPECT_NE(attention_received_check(a, true).find("query_positions[1] = -1"), std::string::npos);
  EXPECT_EQ(attention_received_check(a, /*positions_on_host=*/false), "");  // device memory is not read
  std::vector<float> out(10);
  EXPECT_NE(attention_received_ref(a, out.data(), out.data(), out.data()), "");
}

}  // namespace
}  // namespace dpn::kernels
