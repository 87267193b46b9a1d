// The 5x7 pixel digits drawn in DPNBench glyph boxes (crisp at 8 px, unlike an anti-aliased system font).
#include <array>

#include "datasets/synthetic_vqa.h"
#include "util/error.h"

namespace dpn::datasets {

namespace {
// Classic 5x7 LCD-style digits; each row is 5 bits, most significant bit = leftmost column.
constexpr std::array<std::array<uint8_t, 7>, 10> kDigits = {{
    {0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110},  // 0
    {0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110},  // 1
    {0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111},  // 2
    {0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110},  // 3
    {0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010},  // 4
    {0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110},  // 5
    {0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110},  // 6
    {0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000},  // 7
    {0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110},  // 8
    {0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100},  // 9
}};
}  // namespace

const std::array<uint8_t, 7>& digit_bitmap(int digit) {
  if (digit < 0 || digit > 9) throw Error("digit_font", "digit must be 0..9, got " + std::to_string(digit));
  return kDigits[static_cast<size_t>(digit)];
}

}  // namespace dpn::datasets
