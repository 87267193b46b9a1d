// bf16/fp16 conversions: exhaustive over all 16-bit patterns for the widening direction, and against the
// compiler's _Float16 and a nearest-even formulation in double for the narrowing direction.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "half_types.h"

#if !defined(__FLT16_MAX__)
#error "half_types_test needs the compiler's _Float16 (GCC >= 12 or Clang on x86-64/aarch64) as its fp16 oracle"
#endif

namespace dpn::kernels {
namespace {

uint16_t compiler_fp16_bits(float f) {
  const _Float16 h = static_cast<_Float16>(f);
  uint16_t bits;
  std::memcpy(&bits, &h, 2);
  return bits;
}

float compiler_fp16_value(uint16_t bits) {
  _Float16 h;
  std::memcpy(&h, &bits, 2);
  return static_cast<float>(h);
}

// Nearest bf16 to f by comparing the two candidates around it in double; ties to the even pattern.
uint16_t nearest_bf16_bits(float f) {
  uint32_t u = float_to_bits(f);
  const uint16_t low = static_cast<uint16_t>(u >> 16);  // truncation: same sign, |low| <= |f|
  const uint16_t high = static_cast<uint16_t>(low + 1);
  auto value = [](uint16_t b) {
    if ((b & 0x7fffu) == 0x7f80u) return std::copysign(std::ldexp(1.0, 128), (b & 0x8000u) ? -1.0 : 1.0);
    return static_cast<double>(bits_to_float(static_cast<uint32_t>(b) << 16));
  };
  const double dl = std::abs(double(f) - value(low)), dh = std::abs(double(f) - value(high));
  if (dl < dh) return low;
  if (dh < dl) return high;
  return (low & 1u) ? high : low;
}

TEST(HalfTypes, Fp16ToFloatMatchesCompilerForAllPatterns) {
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    const float ours = to_float(fp16{static_cast<uint16_t>(b)});
    const float theirs = compiler_fp16_value(static_cast<uint16_t>(b));
    if (std::isnan(theirs)) {
      EXPECT_TRUE(std::isnan(ours)) << std::hex << b;
    } else {
      ASSERT_EQ(float_to_bits(ours), float_to_bits(theirs)) << std::hex << b;
      ASSERT_EQ(fp16_from_float(ours).bits, b) << "round trip " << std::hex << b;
    }
  }
}

TEST(HalfTypes, FloatToFp16MatchesCompilerOnTiesBoundariesAndRandomBits) {
  std::vector<float> values = {0.0f, -0.0f, 65504.0f, 65519.996f, 65520.0f, 65536.0f, 1e10f, -1e10f, INFINITY,
                               -INFINITY, 6.1035156e-05f /* 2^-14 */, 5.9604645e-08f /* 2^-24 */,
                               2.9802322e-08f /* 2^-25: tie with 0 */, 2.9802326e-08f, 8.940697e-08f /* 1.5*2^-24 */,
                               1e-30f, -1e-30f, 1.0e-45f};
  // Every midpoint between consecutive finite halves (exact ties), and its two float neighbours.
  for (uint32_t b = 0; b < 0x7bffu; ++b) {
    const float mid = 0.5f * (compiler_fp16_value(b) + compiler_fp16_value(b + 1));
    values.push_back(mid);
    values.push_back(std::nextafter(mid, 0.0f));
    values.push_back(std::nextafter(mid, 1e9f));
    values.push_back(-mid);
  }
  std::mt19937 rng(1);
  for (int i = 0; i < 1000000; ++i) values.push_back(bits_to_float(rng()));
  int64_t checked = 0;
  for (float f : values) {
    if (std::isnan(f)) {
      EXPECT_EQ(fp16_from_float(f).bits & 0x7fffu, 0x7e00u);
      continue;
    }
    ASSERT_EQ(fp16_from_float(f).bits, compiler_fp16_bits(f)) << f;
    ++checked;
  }
  EXPECT_GT(checked, 1000000);
}

TEST(HalfTypes, Bf16ToFloatIsExactForAllPatterns) {
  for (uint32_t b = 0; b < 0x10000u; ++b) {
    const float f = to_float(bf16{static_cast<uint16_t>(b)});
    ASSERT_EQ(float_to_bits(f), b << 16);
    if (!std::isnan(f)) ASSERT_EQ(bf16_from_float(f).bits, b);
  }
}

TEST(HalfTypes, FloatToBf16RoundsToNearestEven) {
  EXPECT_EQ(bf16_from_float(1.0f + 1.0f / 256.0f).bits, 0x3f80u);        // tie between 1 and 1+2^-7 -> 1
  EXPECT_EQ(bf16_from_float(1.0f + 3.0f / 256.0f).bits, 0x3f82u);        // tie -> 1 + 2^-6 (even)
  EXPECT_EQ(bf16_from_float(3.4028235e38f).bits, 0x7f80u);               // FLT_MAX rounds up to inf
  EXPECT_EQ(bf16_from_float(-0.0f).bits, 0x8000u);
  EXPECT_EQ(bf16_from_float(NAN).bits & 0x7fc0u, 0x7fc0u);               // stays a (quiet) NaN
  std::mt19937 rng(2);
  for (int i = 0; i < 1000000; ++i) {
    const float f = bits_to_float(rng());
    if (!std::isfinite(f)) continue;
    ASSERT_EQ(bf16_from_float(f).bits, nearest_bf16_bits(f)) << f;
  }
}

}  // namespace
}  // namespace dpn::kernels
