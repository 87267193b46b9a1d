// Image sizes read from headers, before decoding: every format OpenCV writes here, a JPEG whose frame header sits
// behind a large APP1 segment, a BigTIFF, and refusals of cut-short and unknown files.
#include "image/image_header.h"

#include <gtest/gtest.h>

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "util/error.h"

using namespace dpn;

namespace {

std::vector<uchar> encode(const std::string& ext, int w, int h, int type = CV_8UC3, const std::vector<int>& params = {}) {
  cv::Mat img(h, w, type, cv::Scalar(30, 60, 90));
  std::vector<uchar> out;
  EXPECT_TRUE(cv::imencode(ext, img, out, params)) << ext;
  return out;
}

ImageHeader header(const std::vector<uchar>& bytes) {
  return read_image_header(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size(), "img");
}

std::string error_of(const std::vector<uchar>& bytes) {
  try {
    header(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

// The bytes of a literal, embedded NULs included.
template <size_t N>
std::vector<uchar> bytes_of(const char (&s)[N]) {
  return std::vector<uchar>(s, s + N - 1);
}

}  // namespace

TEST(ImageHeader, SizesOfEveryFormatMatchTheEncodedImage) {
  struct Case {
    std::string ext, format;
    int type;
    std::vector<int> params;
  };
  const std::vector<Case> cases = {
      {".png", "PNG", CV_8UC3, {}},
      {".png", "PNG", CV_8UC1, {}},
      {".jpg", "JPEG", CV_8UC3, {}},
      {".jpg", "JPEG", CV_8UC3, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}},
      {".bmp", "BMP", CV_8UC3, {}},
      {".webp", "WebP", CV_8UC3, {cv::IMWRITE_WEBP_QUALITY, 80}},
      {".webp", "WebP", CV_8UC3, {cv::IMWRITE_WEBP_QUALITY, 101}},  // lossless: VP8L
      {".tiff", "TIFF", CV_8UC3, {}},
      {".ppm", "PNM", CV_8UC3, {}},
      {".pgm", "PNM", CV_8UC1, {}},
      {".pbm", "PNM", CV_8UC1, {}},
      {".pam", "PNM", CV_8UC3, {}},
  };
  for (const Case& c : cases)
    for (const auto& [w, h] : std::vector<std::pair<int, int>>{{37, 23}, {5, 300}}) {
      const ImageHeader got = header(encode(c.ext, w, h, c.type, c.params));
      EXPECT_EQ(got.format, c.format) << c.ext;
      EXPECT_EQ(got.width, uint64_t(w)) << c.ext;
      EXPECT_EQ(got.height, uint64_t(h)) << c.ext;
    }
}

TEST(ImageHeader, JpegFrameHeaderBehindLargeSegments) {
  // An EXIF-sized APP1 and an ICC-sized APP2 before SOF0, with fill bytes, as cameras write them.
  std::vector<uchar> jpg = encode(".jpg", 640, 480);
  std::vector<uchar> extra;
  for (uchar marker : {0xE1, 0xE2}) {
    const int len = 60000;
    extra.insert(extra.end(), {0xFF, 0xFF, marker, uchar(len >> 8), uchar(len & 0xff)});
    extra.insert(extra.end(), len - 2, 0x41);
  }
  jpg.insert(jpg.begin() + 2, extra.begin(), extra.end());
  const ImageHeader got = header(jpg);
  EXPECT_EQ(got.width, 640u);
  EXPECT_EQ(got.height, 480u);
}

TEST(ImageHeader, BigTiffAndTopDownBmp) {
  // BigTIFF: "II" 43, offset size 8, first IFD at 16 with ImageWidth as LONG8 and ImageLength as SHORT.
  std::vector<uchar> t = {'I', 'I', 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0};
  auto entry = [&](int tag, int type, uint64_t value) {
    t.insert(t.end(), {uchar(tag), uchar(tag >> 8), uchar(type), 0, 1, 0, 0, 0, 0, 0, 0, 0});
    for (int i = 0; i < 8; ++i) t.push_back(uchar(value >> (8 * i)));
  };
  entry(256, 16, 70000);
  entry(257, 3, 3);
  const ImageHeader got = header(t);
  EXPECT_EQ(got.format, "TIFF");
  EXPECT_EQ(got.width, 70000u);
  EXPECT_EQ(got.height, 3u);
  std::vector<uchar> bmp = encode(".bmp", 7, 9);
  const int32_t top_down = -9;
  std::memcpy(&bmp[22], &top_down, 4);
  EXPECT_EQ(header(bmp).height, 9u);
}

TEST(ImageHeader, CutShortUnknownAndZeroSizedFilesAreErrors) {
  const std::vector<uchar> png = encode(".png", 4, 4);
  EXPECT_NE(error_of(std::vector<uchar>(png.begin(), png.begin() + 18)).find("img: PNG header is cut short"), std::string::npos);
  EXPECT_NE(error_of(bytes_of("\xFF\xD8\xFF\xDA\x00\x02")).find("JPEG has no frame header (SOF)"), std::string::npos);
  EXPECT_NE(error_of(bytes_of("\xFF\xD8\xFF\xE0\x00\x10JFIF")).find("JPEG header is cut short"), std::string::npos);
  EXPECT_NE(error_of(bytes_of("GIF89a....")).find("img: not a readable image (supported formats: PNG, JPEG"), std::string::npos);
  EXPECT_NE(error_of(bytes_of("P6\n0 5\n255\n")).find("PNM header declares a zero size (0x5)"), std::string::npos);
  EXPECT_NE(error_of(bytes_of("P6\n99999999999999 5\n")).find("is not a number of pixels"), std::string::npos);
  EXPECT_NE(error_of(bytes_of("P7\nWIDTH 3\n")).find("PNM header has no ENDHDR"), std::string::npos);
  std::vector<uchar> ihdr0 = png;
  std::fill(ihdr0.begin() + 16, ihdr0.begin() + 20, 0);
  EXPECT_NE(error_of(ihdr0).find("PNG header declares a zero size"), std::string::npos);
}
