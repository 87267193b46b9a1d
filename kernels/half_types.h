// bf16 and fp16 storage types with round-to-nearest-even conversions that compile for host and device,
// so the CPU driver and the CUDA kernels round identically without cuda_bf16.h / cuda_fp16.h.
#pragma once
#include <cstdint>
#include <cstring>

#include "host_device.h"

namespace dpn::kernels {

// Raw 16-bit patterns; arithmetic always happens in fp32 after to_float().
struct bf16 {
  uint16_t bits;
};
struct fp16 {
  uint16_t bits;
};

DPN_HD inline uint32_t float_to_bits(float f) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(f);
#else
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

DPN_HD inline float bits_to_float(uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

DPN_HD inline float to_float(float x) { return x; }

DPN_HD inline float to_float(bf16 x) { return bits_to_float(static_cast<uint32_t>(x.bits) << 16); }

DPN_HD inline float to_float(fp16 x) {
  const uint32_t sign = static_cast<uint32_t>(x.bits & 0x8000u) << 16;
  const uint32_t exponent = (x.bits >> 10) & 0x1fu;
  const uint32_t mantissa = x.bits & 0x3ffu;
  if (exponent == 0x1fu) return bits_to_float(sign | 0x7f800000u | (mantissa << 13));  // inf / NaN
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in fp32.
    const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
  }
  return bits_to_float(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
}

DPN_HD inline bf16 bf16_from_float(float f) {
  uint32_t u = float_to_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return bf16{static_cast<uint16_t>((u >> 16) | 0x0040u)};  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest, ties to even; overflow carries into inf
  return bf16{static_cast<uint16_t>(u >> 16)};
}

DPN_HD inline fp16 fp16_from_float(float f) {
  const uint32_t u = float_to_bits(f);
  const uint32_t sign = (u >> 16) & 0x8000u;
  const uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return fp16{static_cast<uint16_t>(sign | 0x7e00u)};  // NaN
  // 65520 is half-way between 65504 (largest half, odd mantissa) and 65536: ties go to even = inf.
  if (a >= 0x477ff000u) return fp16{static_cast<uint16_t>(sign | 0x7c00u)};
  if (a < 0x38800000u) {
    // Below 2^-14: a half subnormal m * 2^-24. The fp32 value is mant * 2^(exp-150), so m = mant >> (126-exp).
    const uint32_t exponent = a >> 23;
    const uint32_t shift = 126u - exponent;
    if (shift > 24u) return fp16{static_cast<uint16_t>(sign)};  // < 2^-25 (or tie at 2^-25 with even 0)
    const uint32_t mant = (a & 0x7fffffu) | 0x800000u;
    uint32_t m = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (m & 1u))) ++m;  // may carry into the smallest normal: still correct
    return fp16{static_cast<uint16_t>(sign | m)};
  }
  uint32_t h = (a >> 13) - ((127u - 15u) << 10);  // re-bias the exponent, keep 10 mantissa bits
  const uint32_t rest = a & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return fp16{static_cast<uint16_t>(sign | h)};
}

// from_float<T>: the one rounding step every kernel uses when it stores a value of type T.
template <typename T>
DPN_HD T from_float(float f);

template <>
DPN_HD inline float from_float<float>(float f) {
  return f;
}
template <>
DPN_HD inline bf16 from_float<bf16>(float f) {
  return bf16_from_float(f);
}
template <>
DPN_HD inline fp16 from_float<fp16>(float f) {
  return fp16_from_float(f);
}

// round_to<T>: the fp32 value that storing into T and loading back would give.
template <typename T>
DPN_HD inline float round_to(float f) {
  return to_float(from_float<T>(f));
}

}  // namespace dpn::kernels
