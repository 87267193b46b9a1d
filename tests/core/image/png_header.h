// A PNG that declares its size and holds no image data, for tests of the checks that must refuse an image from its
// header before any decoder allocates (CRCs are zero: nothing may get as far as checking them).
#pragma once
#include <cstdint>
#include <string>

namespace dpn::test {

// Signature and an IHDR of width x height 1-bit grey pixels.
inline std::string png_declaring(uint32_t width, uint32_t height) {
  std::string s = "\x89PNG\r\n\x1a\n";
  auto be32 = [&](uint32_t v) {
    for (int i = 3; i >= 0; --i) s.push_back(char((v >> (8 * i)) & 0xff));
  };
  be32(13);
  s += "IHDR";
  be32(width);
  be32(height);
  s += std::string("\x01\x00\x00\x00\x00", 5);  // bit depth 1, grey, deflate, no filter, no interlace
  be32(0);
  return s;
}

}  // namespace dpn::test
