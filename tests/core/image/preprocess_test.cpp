// Preprocessing against Pillow: decode, expand2square and bicubic resize on up/down-scaled, grey, RGBA and JPEG
// inputs (fixtures from tests/golden/make_llava_golden.py, Pillow version in preprocess/manifest.json).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/golden_fixture.h"
#include "image/pil_resize.h"
#include "image/preprocess.h"

#include <opencv2/imgproc.hpp>

using namespace dpn;
using namespace dpn::test;

namespace {

at::Tensor as_tensor(const cv::Mat& m) { return at::from_blob(m.data, {m.rows, m.cols, 3}, at::kByte).clone(); }

const std::vector<double> kClipMean{0.48145466, 0.4578275, 0.40821073};

}  // namespace

TEST(Preprocess, MatchesPillowWithinOneLevel) {
  const std::string dir = golden_dir() + "/preprocess";
  nlohmann::json manifest = nlohmann::json::parse(std::ifstream(dir + "/manifest.json"));
  SafetensorsFile expected(dir + "/expected.safetensors");
  auto get = [&](const std::string& name) {
    for (const auto& t : expected.tensors())
      if (t.name == name) return at::from_blob(const_cast<std::byte*>(t.data), t.shape, at::kByte).clone();
    throw std::runtime_error("fixture lacks " + name);
  };
  ASSERT_GE(manifest["images"].size(), 5u);
  for (const auto& img : manifest["images"]) {
    const std::string stem = img["stem"], file = img["file"];
    const int size = img["size"];
    cv::Mat rgb = load_image_rgb(dir + "/" + file);
    // JPEG decoders may differ by a level; PNG decoding must be exact.
    double dec = max_abs_diff(as_tensor(rgb), get(stem + ".decoded"));
    EXPECT_LE(dec, file.find(".jpg") != std::string::npos ? 1.0 : 0.0) << file;
    cv::Mat sq = expand_to_square(rgb, kClipMean);
    at::Tensor want_pad = get(stem + ".padded");
    ASSERT_EQ(sq.rows, want_pad.size(0)) << file;
    // Resize the fixture's own padded image so a JPEG decoder difference does not hide a resampler difference.
    cv::Mat pad(int(want_pad.size(0)), int(want_pad.size(1)), CV_8UC3, want_pad.data_ptr());
    at::Tensor got = as_tensor(pil_resize_bicubic(pad, size, size));
    double d = max_abs_diff(got, get(stem + ".resized"));
    std::printf("%-18s -> %dx%d: max diff %.0f level(s)\n", file.c_str(), size, size, d);
    EXPECT_LE(d, 1.0) << file << ": issue acceptance is within 1/255";
    EXPECT_EQ(d, 0.0) << file << ": the resampler is meant to be bit-exact";
  }
}

TEST(Preprocess, OpenCvCubicWouldNotMatch) {
  // Guards the reason pil_resize exists: OpenCV's INTER_CUBIC differs visibly from Pillow when shrinking.
  const std::string dir = golden_dir() + "/preprocess";
  cv::Mat rgb = load_image_rgb(dir + "/down_151x89.png");
  cv::Mat sq = expand_to_square(rgb, kClipMean), ocv;
  cv::resize(sq, ocv, cv::Size(64, 64), 0, 0, cv::INTER_CUBIC);
  double d = max_abs_diff(as_tensor(ocv), as_tensor(pil_resize_bicubic(sq, 64, 64)));
  EXPECT_GT(d, 5.0);
}

TEST(Preprocess, PadGeometryCentresWithExtraPixelRightBottom) {
  PadGeometry g = pad_geometry(37, 23);
  EXPECT_EQ(g.side, 37);
  EXPECT_EQ(g.offset_x, 0);
  EXPECT_EQ(g.offset_y, 7);
  g = pad_geometry(10, 15);
  EXPECT_EQ(g.offset_x, 2);
  EXPECT_EQ(g.offset_y, 0);
}
