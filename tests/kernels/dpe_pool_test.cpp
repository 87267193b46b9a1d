// DPE pooling: the CPU driver (the kernel's per-thread body) against the plain reference on random and edge
// shapes, bit for bit, plus hand-computed values that pin the semantics and rounding of both.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "dpe_pool.h"
#include "half_types.h"
#include "kernel_cases.h"

namespace dpn::kernels {
namespace {

using test::make_pool_case;
using test::pool_seq;

std::vector<uint8_t> run_driver(const test::PoolCase& c, const std::vector<uint8_t>& in, int block_threads = 0) {
  std::vector<uint8_t> out(c.out_rows * c.channels * elem_type_size(c.dtype), 0xAB);
  EXPECT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data(), block_threads), "");
  return out;
}

std::vector<uint8_t> run_reference(const test::PoolCase& c, const std::vector<uint8_t>& in) {
  std::vector<uint8_t> out(c.out_rows * c.channels * elem_type_size(c.dtype), 0xCD);
  EXPECT_EQ(dpe_pool_ref(c.args(), in.data(), out.data()), "");
  return out;
}

// Index of the first differing element, or -1.
int64_t first_difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, ElemType t) {
  const int size = elem_type_size(t);
  for (size_t i = 0; i < a.size(); i += size) {
    if (std::memcmp(a.data() + i, b.data() + i, size) != 0) return static_cast<int64_t>(i / size);
  }
  return -1;
}

TEST(DpePool, DriverMatchesReferenceBitForBitOnAllCases) {
  std::mt19937 rng(7);
  const std::vector<test::PoolCase> cases = test::pool_cases();
  ASSERT_GE(cases.size(), 60u);
  for (const test::PoolCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<uint8_t> in = test::random_elems(c.dtype, c.in_rows * c.channels, rng);
    const std::vector<uint8_t> driver = run_driver(c, in);
    const std::vector<uint8_t> reference = run_reference(c, in);
    const int64_t at = first_difference(driver, reference, c.dtype);
    EXPECT_EQ(at, -1) << "first differing element " << at << " (row " << at / c.channels << ", channel "
                      << at % c.channels << ")";
  }
}

TEST(DpePool, DriverIsIndependentOfBlockSize) {
  std::mt19937 rng(11);
  const test::PoolCase c = make_pool_case("mixed", {pool_seq(3, 6, 4, 2, 2, 2, 0.7f), pool_seq(1, 4, 4, 0, 1, 2, 0.5f)},
                                          70, PoolOp::avg, ElemType::bf16);
  const std::vector<uint8_t> in = test::random_elems(c.dtype, c.in_rows * c.channels, rng);
  const std::vector<uint8_t> reference = run_reference(c, in);
  for (int threads : {1, 7, 32, 64, 256}) {
    SCOPED_TRACE(threads);
    EXPECT_EQ(first_difference(run_driver(c, in, threads), reference, c.dtype), -1);
  }
}

// One sequence [t0 | 4x4 grid | t1 t2], C = 1, values chosen so every window's max and mean are known.
TEST(DpePool, HandComputedMaxAndAverageWithScaling) {
  // grid (row-major):  1  2  3  4 /  5  6  7  8 /  9 10 11 12 / 13 14 15 16
  std::vector<float> in = {-1.0f};
  for (int v = 1; v <= 16; ++v) in.push_back(static_cast<float>(v));
  in.push_back(-2.0f);
  in.push_back(-3.0f);
  for (PoolOp op : {PoolOp::max, PoolOp::avg}) {
    const test::PoolCase c = make_pool_case("hand", {pool_seq(1, 4, 4, 2, 2, 2, 0.5f)}, 1, op, ElemType::f32);
    ASSERT_EQ(c.out_rows, 1 + 4 + 2);
    const std::vector<float> expected =
        op == PoolOp::max ? std::vector<float>{-1.0f, 3.0f, 4.0f, 7.0f, 8.0f, -2.0f, -3.0f}  // 6,8,14,16 * 0.5
                          : std::vector<float>{-1.0f, 1.75f, 2.75f, 5.75f, 6.75f, -2.0f, -3.0f};  // 3.5,5.5,11.5,13.5
    std::vector<float> driver(c.out_rows), reference(c.out_rows);
    ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), driver.data()), "");
    ASSERT_EQ(dpe_pool_ref(c.args(), in.data(), reference.data()), "");
    EXPECT_EQ(driver, expected);
    EXPECT_EQ(reference, expected);
  }
}

TEST(DpePool, HalfWidthExpertKeepsRowsAndHalvesColumns) {
  // 2x4 grid, kernel 1x2: (1,2) (3,4) / (5,6) (7,8) -> max 2 4 6 8, no text, p = 1.
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8};
  const test::PoolCase c = make_pool_case("1x2", {pool_seq(0, 2, 4, 0, 1, 2, 1.0f)}, 1, PoolOp::max, ElemType::f32);
  std::vector<float> out(c.out_rows);
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data()), "");
  EXPECT_EQ(out, (std::vector<float>{2, 4, 6, 8}));
}

TEST(DpePool, FloorModeDropsTrailingRowAndColumn) {
  // 3x3 grid, kernel 2x2: one window over cells 0,1,3,4; row 2 and column 2 are dropped (they hold 100s).
  const std::vector<float> in = {1, 2, 100, 3, 4, 100, 100, 100, 100, 9};
  const test::PoolCase c = make_pool_case("floor", {pool_seq(0, 3, 3, 1, 2, 2, 1.0f)}, 1, PoolOp::max, ElemType::f32);
  ASSERT_EQ(c.out_rows, 2);
  std::vector<float> out(c.out_rows);
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data()), "");
  EXPECT_EQ(out, (std::vector<float>{4, 9}));
}

TEST(DpePool, OneByOneExpertIsStillScaledByTheProbability) {
  const std::vector<float> in = {10, 1, -2, 4, 20};  // text | 1x3 grid | text
  const test::PoolCase c = make_pool_case("1x1", {pool_seq(1, 1, 3, 1, 1, 1, 0.25f)}, 1, PoolOp::avg, ElemType::f32);
  std::vector<float> out(c.out_rows);
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data()), "");
  EXPECT_EQ(out, (std::vector<float>{10, 0.25f, -0.5f, 1.0f, 20}));
}

uint16_t bf16_bits(float v) { return bf16_from_float(v).bits; }

// bf16 has 8 significant bits: spacing 2^-7 in [1, 2). Averages that land exactly between two bf16 values
// must round to the even one, and the pooled value is rounded before the scaling (as torch does).
TEST(DpePool, Bf16AverageRoundsToNearestEvenThenScales) {
  const float one = 1.0f, step = 1.0f / 128.0f;
  const std::vector<uint16_t> in = {bf16_bits(one), bf16_bits(one + step),             // mean 1 + 2^-8: tie -> 1
                                    bf16_bits(one + step), bf16_bits(one + 2 * step)};  // tie -> 1 + 2^-6 (even)
  const test::PoolCase c = make_pool_case("ties", {pool_seq(0, 2, 2, 0, 1, 2, 1.0f)}, 1, PoolOp::avg, ElemType::bf16);
  std::vector<uint16_t> out(c.out_rows), ref(c.out_rows);
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data()), "");
  ASSERT_EQ(dpe_pool_ref(c.args(), in.data(), ref.data()), "");
  EXPECT_EQ(out, (std::vector<uint16_t>{bf16_bits(one), bf16_bits(one + 2 * step)}));
  EXPECT_EQ(ref, out);

  // Two roundings: round(round(1 + 3*2^-8) * 0.75) = round(1.015625 * 0.75) = 0.76171875 (exact in bf16);
  // a single rounding of 1.01171875 * 0.75 = 0.7587890625 would give 0.7578125.
  test::PoolCase scaled = c;
  scaled.seqs[0].scale = 0.75f;
  ASSERT_EQ(dpe_pool_cpu(scaled.args(), in.data(), out.data()), "");
  EXPECT_EQ(to_float(bf16{out[1]}), 0.76171875f);
}

TEST(DpePool, Fp16MaxKeepsValueExactlyAndScalingRoundsToNearestEven) {
  // fp16 spacing in [1, 2) is 2^-10. max(1, 1 + 3*2^-10) * 0.5 is exact; * (1 + 2^-11) needs rounding:
  // (1 + 3*2^-10)(1 + 2^-11) = 1 + 3*2^-10 + 2^-11 + 3*2^-21 -> nearest is 1 + 4*2^-10 (above the tie).
  const float top = 1.0f + 3.0f / 1024.0f;
  const std::vector<uint16_t> in = {fp16_from_float(1.0f).bits, fp16_from_float(top).bits};
  test::PoolCase c = make_pool_case("fp16", {pool_seq(0, 1, 2, 0, 1, 2, 0.5f)}, 1, PoolOp::max, ElemType::f16);
  std::vector<uint16_t> out(1);
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data()), "");
  EXPECT_EQ(to_float(fp16{out[0]}), top * 0.5f);
  c.seqs[0].scale = 1.0f + 1.0f / 2048.0f;
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), out.data()), "");
  EXPECT_EQ(to_float(fp16{out[0]}), 1.0f + 4.0f / 1024.0f);
}

TEST(DpePool, MaxPropagatesNaN) {
  const std::vector<float> in = {1.0f, NAN, 3.0f, 2.0f};
  const test::PoolCase c = make_pool_case("nan", {pool_seq(0, 2, 2, 0, 2, 2, 1.0f)}, 1, PoolOp::max, ElemType::f32);
  float driver = 0.0f, reference = 0.0f;
  ASSERT_EQ(dpe_pool_cpu(c.args(), in.data(), &driver), "");
  ASSERT_EQ(dpe_pool_ref(c.args(), in.data(), &reference), "");
  EXPECT_TRUE(std::isnan(driver));
  EXPECT_TRUE(std::isnan(reference));
}

TEST(DpePool, PackOutputsPlacesSequencesBackToBack) {
  std::vector<DpePoolSeq> seqs = {pool_seq(2, 24, 24, 3, 2, 2, 1.0f), pool_seq(0, 4, 6, 0, 1, 2, 1.0f),
                                  pool_seq(1, 3, 3, 1, 2, 2, 1.0f)};
  EXPECT_EQ(dpe_pool_pack_outputs(seqs.data(), 3), (2 + 144 + 3) + 12 + (1 + 1 + 1));
  EXPECT_EQ(seqs[0].out_offset, 0);
  EXPECT_EQ(seqs[1].out_offset, 149);
  EXPECT_EQ(seqs[2].out_offset, 161);
}

TEST(DpePool, CheckNamesTheBadField) {
  test::PoolCase c = make_pool_case("bad", {pool_seq(2, 4, 4, 1, 2, 2, 1.0f)}, 8, PoolOp::max, ElemType::f32);
  std::vector<float> in(c.in_rows * c.channels), out(c.out_rows * c.channels);
  EXPECT_EQ(dpe_pool_check(c.args()), "");

  test::PoolCase bad = c;
  bad.seqs[0].visual_start = 4;  // 4 + 16 > 19 tokens
  EXPECT_NE(dpe_pool_cpu(bad.args(), in.data(), out.data()).find("seqs[0].visual run [4, 20)"), std::string::npos);
  bad = c;
  bad.seqs[0].kernel_w = 0;
  EXPECT_NE(dpe_pool_ref(bad.args(), in.data(), out.data()).find("seqs[0].kernel must be >= 1x1"), std::string::npos);
  bad = c;
  bad.out_rows -= 1;
  EXPECT_NE(dpe_pool_check(bad.args()).find("exceeds out_rows"), std::string::npos);
  bad = c;
  bad.in_rows -= 1;
  EXPECT_NE(dpe_pool_check(bad.args()).find("exceeds in_rows"), std::string::npos);
  bad = c;
  bad.channels = 0;
  EXPECT_NE(dpe_pool_check(bad.args()).find("channels must be > 0"), std::string::npos);
}

}  // namespace
}  // namespace dpn::kernels
