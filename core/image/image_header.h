// The pixel size of an image file read from its header, before anything is decoded: a 109 KB PNG can declare
// 30000x30000 pixels, and the decoder would allocate all of them before finding out anything else.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace dpn {

struct ImageHeader {
  std::string format;  // "PNG", "JPEG", "BMP", "WebP", "TIFF", "PNM"
  uint64_t width = 0, height = 0;
};

// The formats read_image_header knows, for messages.
constexpr const char* kImageFormats = "PNG, JPEG, BMP, WebP, TIFF, PNM";

// Format and size from the first bytes of an image file: PNG's IHDR, JPEG's SOFn frame header, BMP's info header,
// WebP's VP8/VP8L/VP8X header, TIFF's first IFD (classic and BigTIFF), PNM/PAM's text header. Throws dpn::Error
// naming `where` when the bytes are none of these, the header is cut short, or it declares a zero size.
ImageHeader read_image_header(const std::byte* data, size_t size, const std::string& where);

}  // namespace dpn
