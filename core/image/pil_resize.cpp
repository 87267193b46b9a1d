// Re-implementation of Pillow's ImagingResample for the BICUBIC filter on 8-bit images (llava-detail.md §5.2).
#include "image/pil_resize.h"

#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "util/error.h"

namespace dpn {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // Pillow's PRECISION_BITS

double bicubic(double x) {
  constexpr double a = -0.5;
  if (x < 0.0) x = -x;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}

struct Coeffs {
  int ksize = 0;
  std::vector<int> bounds;  // per output: xmin, count
  std::vector<int> k;       // fixed point, ksize per output
};

Coeffs precompute(int in_size, int out_size) {
  const double support_base = 2.0;
  double scale = double(in_size) / out_size;
  double filterscale = scale < 1.0 ? 1.0 : scale;
  double support = support_base * filterscale;
  Coeffs c;
  c.ksize = int(std::ceil(support)) * 2 + 1;
  c.bounds.resize(out_size * 2);
  c.k.assign(size_t(out_size) * c.ksize, 0);
  std::vector<double> w(c.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    double center = (xx + 0.5) * scale;
    double ww = 0.0, ss = 1.0 / filterscale;
    int xmin = int(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = int(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    for (int x = 0; x < xmax; ++x) {
      w[x] = bicubic((x + xmin - center + 0.5) * ss);
      ww += w[x];
    }
    for (int x = 0; x < c.ksize; ++x) {
      double v = x < xmax ? (ww != 0.0 ? w[x] / ww : w[x]) : 0.0;
      c.k[size_t(xx) * c.ksize + x] = v < 0 ? int(-0.5 + v * (1 << kPrecisionBits)) : int(0.5 + v * (1 << kPrecisionBits));
    }
    c.bounds[xx * 2] = xmin;
    c.bounds[xx * 2 + 1] = xmax;
  }
  return c;
}

inline uint8_t clip8(int64_t v) {
  if (v >= (int64_t(1) << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return uint8_t(v >> kPrecisionBits);
}

// Resamples one row of `ch` interleaved channels along x into out_w pixels.
void horizontal_row(const uint8_t* in, uint8_t* out, int out_w, int ch, const Coeffs& c) {
  for (int xx = 0; xx < out_w; ++xx) {
    const int xmin = c.bounds[xx * 2], n = c.bounds[xx * 2 + 1];
    const int* k = &c.k[size_t(xx) * c.ksize];
    for (int b = 0; b < ch; ++b) {
      int64_t ss = int64_t(1) << (kPrecisionBits - 1);
      for (int x = 0; x < n; ++x) ss += int64_t(in[(x + xmin) * ch + b]) * k[x];
      out[xx * ch + b] = clip8(ss);
    }
  }
}

// Resamples along x for rows [y0, y0 + rows) of src into dst (rows x out_w).
void horizontal(const cv::Mat& src, cv::Mat& dst, int y0, const Coeffs& c) {
  for (int y = 0; y < dst.rows; ++y) horizontal_row(src.ptr<uint8_t>(y0 + y), dst.ptr<uint8_t>(y), dst.cols, src.channels(), c);
}

void vertical(const cv::Mat& src, cv::Mat& dst, const Coeffs& c, int shift) {
  const int ch = src.channels();
  for (int yy = 0; yy < dst.rows; ++yy) {
    const int ymin = c.bounds[yy * 2] - shift, n = c.bounds[yy * 2 + 1];
    const int* k = &c.k[size_t(yy) * c.ksize];
    uint8_t* out = dst.ptr<uint8_t>(yy);
    for (int xx = 0; xx < dst.cols; ++xx)
      for (int b = 0; b < ch; ++b) {
        int64_t ss = int64_t(1) << (kPrecisionBits - 1);
        for (int y = 0; y < n; ++y) ss += int64_t(src.ptr<uint8_t>(y + ymin)[xx * ch + b]) * k[y];
        out[xx * ch + b] = clip8(ss);
      }
  }
}

// The input rows the vertical pass reads (Pillow's ybox_first..ybox_last), all of them without a vertical pass.
std::pair<int, int> rows_read(const Coeffs& v, int height, bool need_v, int rows) {
  if (!need_v) return {0, rows};
  return {v.bounds[0], v.bounds[(height - 1) * 2] + v.bounds[(height - 1) * 2 + 1]};
}

}  // namespace

cv::Mat pil_resize_bicubic(const cv::Mat& src, int width, int height) {
  if (src.depth() != CV_8U || (src.channels() != 3 && src.channels() != 1))
    throw Error("image", "pil_resize_bicubic expects an 8-bit RGB or grey image");
  if (width <= 0 || height <= 0 || src.empty()) throw Error("image", "cannot resize an empty image");
  const bool need_h = width != src.cols, need_v = height != src.rows;
  cv::Mat cur = src;
  Coeffs cv_ = precompute(src.rows, height);
  if (need_h) {
    Coeffs ch = precompute(src.cols, width);
    const auto [first, last] = rows_read(cv_, height, need_v, src.rows);
    cv::Mat tmp(last - first, width, src.type());
    horizontal(src, tmp, first, ch);
    if (!need_v) return tmp;
    cv::Mat out(height, width, src.type());
    vertical(tmp, out, cv_, first);
    return out;
  }
  if (need_v) {
    cv::Mat out(height, width, src.type());
    vertical(cur, out, cv_, 0);
    return out;
  }
  return src.clone();
}

cv::Mat pil_pad_resize_bicubic(const cv::Mat& src, int side, int offset_x, int offset_y, const cv::Scalar& fill, int width,
                               int height) {
  if (src.depth() != CV_8U || (src.channels() != 3 && src.channels() != 1))
    throw Error("image", "pil_pad_resize_bicubic expects an 8-bit RGB or grey image");
  if (width <= 0 || height <= 0 || src.empty()) throw Error("image", "cannot resize an empty image");
  if (offset_x < 0 || offset_y < 0 || offset_x + src.cols > side || offset_y + src.rows > side)
    throw Error("image", "the image does not fit in the padded square");
  const int ch = src.channels();
  // One padded row: the fill colour, with an image row pasted at offset_x when the row crosses the image.
  std::vector<uint8_t> fill_row(size_t(side) * ch), row(fill_row.size());
  for (int x = 0; x < side; ++x)
    for (int b = 0; b < ch; ++b) fill_row[size_t(x) * ch + b] = cv::saturate_cast<uint8_t>(fill[b]);
  auto padded_row = [&](int y) -> const uint8_t* {
    if (y < offset_y || y >= offset_y + src.rows) return fill_row.data();
    row = fill_row;
    std::memcpy(row.data() + size_t(offset_x) * ch, src.ptr<uint8_t>(y - offset_y), size_t(src.cols) * ch);
    return row.data();
  };
  const bool need_h = width != side, need_v = height != side;
  const Coeffs cv_ = precompute(side, height);
  const auto [first, last] = rows_read(cv_, height, need_v, side);
  // The horizontal pass of the rows the vertical pass reads (side x width at most); fill rows all give one result.
  cv::Mat tmp(last - first, width, src.type());
  const Coeffs ch_ = need_h ? precompute(side, width) : Coeffs{};
  std::vector<uint8_t> fill_out(size_t(width) * ch);
  if (need_h) horizontal_row(fill_row.data(), fill_out.data(), width, ch, ch_);
  else fill_out = fill_row;
  for (int y = first; y < last; ++y) {
    uint8_t* out = tmp.ptr<uint8_t>(y - first);
    const bool in_image = y >= offset_y && y < offset_y + src.rows;
    if (!in_image) std::memcpy(out, fill_out.data(), fill_out.size());
    else if (need_h) horizontal_row(padded_row(y), out, width, ch, ch_);
    else std::memcpy(out, padded_row(y), fill_out.size());
  }
  if (!need_v) return tmp;
  cv::Mat out(height, width, src.type());
  vertical(tmp, out, cv_, first);
  return out;
}

}  // namespace dpn
