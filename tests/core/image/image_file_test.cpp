// Image decoding bounded before it starts: a 198-byte 40000x1 PNG and a 109 KB 1-bit 30000x30000 PNG cost 4.7 and
// 5.3 GB before issue 15; now both are refused from their headers, naming the file, the size and the limit.
#include "image/image_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "core/image/png_header.h"
#include "core/scratch_dir.h"
#include "util/error.h"

namespace fs = std::filesystem;
using namespace dpn;

namespace {

std::string load_error(const fs::path& p, const ImageLimits& limits = {}) {
  try {
    load_image_rgb(p.string(), limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

long peak_rss_kb() {
  struct rusage r {};
  ::getrusage(RUSAGE_SELF, &r);
  return r.ru_maxrss;
}

}  // namespace

TEST(ImageFile, HugeImageIsRefusedFromItsHeader) {
  const fs::path d = test::scratch_dir("imgf");
  std::ofstream(d / "bomb.png", std::ios::binary) << test::png_declaring(30000, 30000);
  const long before = peak_rss_kb();
  const std::string e = load_error(d / "bomb.png");
  EXPECT_NE(e.find((d / "bomb.png").string() + ": image is 30000x30000 pixels (900000000), above the limit of 178956970 pixels"),
            std::string::npos) << e;
  EXPECT_LT(peak_rss_kb() - before, 10 * 1024) << "refused before decoding";
}

TEST(ImageFile, LongThinImageIsRefusedBeforePadding) {
  const fs::path d = test::scratch_dir("imgf");
  ASSERT_TRUE(cv::imwrite((d / "wide.png").string(), cv::Mat(1, 40000, CV_8UC3, cv::Scalar(10, 20, 30))));
  const long before = peak_rss_kb();
  const std::string e = load_error(d / "wide.png");
  EXPECT_NE(e.find("wide.png: image is 40000x1 pixels; padded to a square as LLaVA does, it would be 40000x40000 "
                   "(1600000000), above the limit of 178956970 pixels"),
            std::string::npos) << e;
  EXPECT_LT(peak_rss_kb() - before, 10 * 1024) << "refused before decoding";
}

TEST(ImageFile, LimitsAreParameters) {
  const fs::path d = test::scratch_dir("imgf");
  ASSERT_TRUE(cv::imwrite((d / "a.png").string(), cv::Mat(30, 40, CV_8UC3, cv::Scalar(10, 20, 30))));
  EXPECT_EQ(load_error(d / "a.png", ImageLimits{1600, 1 << 20}), "(no error)");
  EXPECT_NE(load_error(d / "a.png", ImageLimits{1599, 1 << 20}).find("40x30 pixels; padded"), std::string::npos);
  EXPECT_NE(load_error(d / "a.png", ImageLimits{1600, 50}).find("bytes, above the limit of 50 bytes"), std::string::npos);
}

TEST(ImageFile, DecodesLikePilConvertRgb) {
  const fs::path d = test::scratch_dir("imgf");
  cv::Mat bgra(2, 3, CV_8UC4, cv::Scalar(10, 20, 30, 7));  // B, G, R, alpha
  ASSERT_TRUE(cv::imwrite((d / "a.png").string(), bgra));
  const cv::Mat rgb = load_image_rgb((d / "a.png").string());
  ASSERT_EQ(rgb.type(), CV_8UC3);
  EXPECT_EQ(rgb.at<cv::Vec3b>(1, 2), cv::Vec3b(30, 20, 10)) << "RGB order, alpha dropped";
}

TEST(ImageFile, FifoFolderAndTruncatedFilesAreErrors) {
  const fs::path d = test::scratch_dir("imgf");
  ASSERT_EQ(::mkfifo((d / "pipe.png").c_str(), 0600), 0);
  EXPECT_NE(load_error(d / "pipe.png").find("pipe.png: is a FIFO (named pipe), not a regular file"), std::string::npos);
  EXPECT_NE(load_error(d).find("is a folder, not a regular file"), std::string::npos);
  std::vector<uchar> png;
  cv::imencode(".png", cv::Mat(64, 64, CV_8UC3, cv::Scalar(1, 2, 3)), png);
  std::ofstream(d / "cut.png", std::ios::binary).write(reinterpret_cast<const char*>(png.data()), 60);
  EXPECT_NE(load_error(d / "cut.png").find("cut.png: not a readable image (the PNG data is corrupt"), std::string::npos)
      << load_error(d / "cut.png");
  EXPECT_NE(load_error(d / "nope.png").find("nope.png: image file not found"), std::string::npos);
}
