// The fused pad-and-resize gives, bit for bit, what expand2square followed by Pillow's bicubic resize gives (the
// unfused path is pinned to Pillow by preprocess_test.cpp), without making the padded square.
#include "image/pil_resize.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <array>
#include <cstring>
#include <random>

#include "image/preprocess.h"

using namespace dpn;

namespace {

const std::vector<double> kClipMean{0.48145466, 0.4578275, 0.40821073};

cv::Mat random_image(int w, int h, int type, uint32_t seed) {
  cv::Mat m(h, w, type);
  std::mt19937 rng(seed);
  for (int y = 0; y < h; ++y)
    for (size_t x = 0; x < size_t(w) * m.channels(); ++x) m.ptr<uint8_t>(y)[x] = uint8_t(rng());
  return m;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size() || a.type() != b.type()) return false;
  for (int y = 0; y < a.rows; ++y)
    if (std::memcmp(a.ptr(y), b.ptr(y), a.cols * a.elemSize()) != 0) return false;
  return true;
}

}  // namespace

TEST(PilPadResize, FusedEqualsPadThenResize) {
  // Wide, tall, square, smaller and larger than the output, and sides equal to it (no pass in that direction).
  const std::vector<std::array<int, 3>> cases = {{37, 23, 24},  {23, 37, 24},   {1, 50, 16},  {50, 1, 16},  {336, 100, 336},
                                                 {100, 336, 336}, {700, 336, 336}, {10, 10, 32}, {5, 64, 64}, {301, 299, 48},
                                                 {2, 3, 336},    {640, 480, 336}};
  uint32_t seed = 1;
  for (const auto& [w, h, size] : cases) {
    for (int type : {CV_8UC3, CV_8UC1}) {
      const cv::Mat img = random_image(w, h, type, seed++);
      const PadGeometry g = pad_geometry(w, h);
      const cv::Scalar fill(int(kClipMean[0] * 255), int(kClipMean[1] * 255), int(kClipMean[2] * 255));
      const cv::Mat square = type == CV_8UC3 ? expand_to_square(img, kClipMean) : [&] {
        cv::Mat s(g.side, g.side, type, fill);
        img.copyTo(s(cv::Rect(g.offset_x, g.offset_y, w, h)));
        return s;
      }();
      const cv::Mat want = pil_resize_bicubic(square, size, size);
      const cv::Mat got = pil_pad_resize_bicubic(img, g.side, g.offset_x, g.offset_y, fill, size, size);
      EXPECT_TRUE(same(got, want)) << w << "x" << h << " -> " << size << " channels " << img.channels();
    }
  }
}

TEST(PilPadResize, ALongThinImageCostsNoSquare) {
  // 13000x1: the square would be 13000x13000x3 = 507 MB; the fused path holds the horizontal pass only (13000 x 336
  // x 3 = 13 MB) and gives a plain fill image except near the middle row. ctest runs each test in its own process,
  // so the peak resident size measures this test.
  const cv::Mat img = random_image(13000, 1, CV_8UC3, 7);
  const PadGeometry g = pad_geometry(img.cols, img.rows);
  struct rusage before {}, after {};
  ::getrusage(RUSAGE_SELF, &before);
  const cv::Mat out = pil_pad_resize_bicubic(img, g.side, g.offset_x, g.offset_y, cv::Scalar(122, 116, 104), 336, 336);
  ::getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 100 * 1024) << "peak grew by " << (after.ru_maxrss - before.ru_maxrss) << " KB";
  ASSERT_EQ(out.rows, 336);
  EXPECT_EQ(out.at<cv::Vec3b>(0, 0), cv::Vec3b(122, 116, 104));
  EXPECT_EQ(out.at<cv::Vec3b>(335, 335), cv::Vec3b(122, 116, 104));
}

TEST(PilPadResize, ImageOutsideTheSquareIsAnError) {
  const cv::Mat img = random_image(10, 10, CV_8UC3, 3);
  EXPECT_THROW(pil_pad_resize_bicubic(img, 10, 1, 0, cv::Scalar(), 5, 5), std::exception);
}
