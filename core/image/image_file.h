// Decoding an image file to RGB with its size bounded before anything is decoded (no LibTorch here: fuzzed).
#pragma once
#include <cstddef>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>

namespace dpn {

struct ImageLimits {
  // Pillow's decompression-bomb bound (2 x Image.MAX_IMAGE_PIXELS), applied to the square LLaVA pads the image to:
  // max(W, H)^2 pixels. Decoding and padding therefore cost at most ~540 MB, and a 40000x1 image, whose square
  // the Python pipeline would allocate as 4.8 GB, is refused like a 30000x30000 one.
  uint64_t max_pixels = 178'956'970;
  // An uncompressed 32-bit image of max_pixels, plus room for metadata.
  uint64_t max_file_bytes = 4 * 178'956'970ull + 64'000'000;
};

// Decodes an image file to RGB uint8 like PIL's open().convert('RGB'): no EXIF rotation, alpha dropped, grey
// replicated. The file must be a regular file (a FIFO is refused before it is opened); its header is read first
// and an image above `limits` is refused before decoding. Throws dpn::Error naming the file: missing, empty, not a
// regular file, too large (its size and the limit), or not a decodable image.
cv::Mat load_image_rgb(const std::string& path, const ImageLimits& limits = {});

// The same from the bytes of a file; `where` names it in errors.
cv::Mat decode_image_rgb(const std::byte* data, size_t size, const std::string& where, const ImageLimits& limits = {});

// Throws dpn::Error naming `where` when a width x height image, or the square it is padded to, exceeds
// limits.max_pixels.
void check_image_pixels(uint64_t width, uint64_t height, const std::string& where, const ImageLimits& limits = {});

}  // namespace dpn
