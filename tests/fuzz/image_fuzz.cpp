// libFuzzer target: an image file, decoded as the engine does (header check, OpenCV, RGB), then padded and resized
// as LLaVA's preprocessing does. The limits are smaller than the engine's so a run spends its time on parsing, not
// on allocating large images; the code path is the same.
#include "fuzz_util.h"
#include "image/image_file.h"
#include "image/pil_resize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const dpn::ImageLimits limits{4'000'000, 16'000'000};
  try {
    const cv::Mat rgb = dpn::decode_image_rgb(reinterpret_cast<const std::byte*>(data), size, "fuzz.img", limits);
    const uint64_t side = uint64_t(std::max(rgb.cols, rgb.rows));
    dpn::fuzz::require(rgb.type() == CV_8UC3 && side * side <= limits.max_pixels, "decoded image beyond the limits");
    const cv::Mat out = dpn::pil_pad_resize_bicubic(rgb, int(side), (int(side) - rgb.cols) / 2, (int(side) - rgb.rows) / 2,
                                                    cv::Scalar(122, 116, 104), 32, 32);
    dpn::fuzz::require(out.rows == 32 && out.cols == 32, "resize gave the wrong size");
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, "fuzz.img");
  }
  return 0;
}
