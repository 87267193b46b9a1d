// Image header parsers (PNG spec §11.2.2, ITU T.81 §B.2, the BMP info headers, WebP container spec, TIFF 6.0 §2
// and BigTIFF, netpbm). Every read is bounds-checked; nothing here allocates in proportion to the input.
#include "image/image_header.h"

#include <cctype>
#include <cstring>

#include "util/error.h"
#include "util/printable.h"

namespace dpn {

namespace {

// Bounds-checked integer reads; a read past the end throws "header is cut short".
class Bytes {
 public:
  Bytes(const std::byte* data, size_t size, const std::string& where, const char* format)
      : p_(reinterpret_cast<const uint8_t*>(data)), size_(size), where_(where), format_(format) {}
  size_t size() const { return size_; }
  uint8_t at(uint64_t off) const {
    need(off, 1);
    return p_[off];
  }
  uint64_t be(uint64_t off, int n) const {
    need(off, n);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p_[off + i];
    return v;
  }
  uint64_t le(uint64_t off, int n) const {
    need(off, n);
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p_[off + i];
    return v;
  }
  bool starts(uint64_t off, const char* text) const {
    const size_t n = std::strlen(text);
    return off <= size_ && n <= size_ - off && std::memcmp(p_ + off, text, n) == 0;
  }
  [[noreturn]] void fail(const std::string& what) const { throw Error(where_, std::string(format_) + " " + what); }

 private:
  void need(uint64_t off, uint64_t n) const {
    if (off > size_ || n > size_ - off) fail("header is cut short (the file is truncated or corrupt)");
  }
  const uint8_t* p_;
  size_t size_;
  const std::string& where_;
  const char* format_;
};

ImageHeader sized(const Bytes& b, const char* format, uint64_t w, uint64_t h) {
  if (w == 0 || h == 0) b.fail("header declares a zero size (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  return ImageHeader{format, w, h};
}

ImageHeader png(const Bytes& b) {
  if (!b.starts(12, "IHDR")) b.fail("file does not start with an IHDR chunk");
  return sized(b, "PNG", b.be(16, 4), b.be(20, 4));
}

// Markers until the first frame header (SOF0..SOF15 except DHT C4, JPG C8, DAC CC); each segment's length is read
// from the file, so the walk is linear in the file size.
ImageHeader jpeg(const Bytes& b) {
  uint64_t pos = 2;
  while (true) {
    while (b.at(pos) != 0xFF) ++pos;  // bytes between segments: libjpeg skips them with a warning
    while (b.at(pos) == 0xFF) ++pos;  // fill bytes
    const uint8_t marker = b.at(pos++);
    if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no payload
    if (marker == 0xDA || marker == 0xD9) b.fail("has no frame header (SOF) before its image data");
    const uint64_t len = b.be(pos, 2);
    if (len < 2) b.fail("segment length " + std::to_string(len) + " is below 2");
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (len < 8) b.fail("frame header is too short");
      return sized(b, "JPEG", b.be(pos + 5, 2), b.be(pos + 3, 2));
    }
    pos += len;
  }
}

ImageHeader bmp(const Bytes& b) {
  const uint64_t info = b.le(14, 4);
  if (info == 12) return sized(b, "BMP", b.le(18, 2), b.le(20, 2));  // OS/2 BITMAPCOREHEADER: 16-bit sizes
  if (info < 16) b.fail("info header size " + std::to_string(info) + " is not a known one");
  const int64_t w = static_cast<int32_t>(b.le(18, 4)), h = static_cast<int32_t>(b.le(22, 4));
  if (w < 0) b.fail("header declares a negative width");
  return sized(b, "BMP", static_cast<uint64_t>(w), static_cast<uint64_t>(h < 0 ? -h : h));  // h < 0: top-down
}

ImageHeader webp(const Bytes& b) {
  if (b.starts(12, "VP8 ")) {  // lossy: frame tag (3 bytes), start code 9d 01 2a, 14-bit sizes
    if (b.be(23, 3) != 0x9d012a) b.fail("VP8 frame has no start code");
    return sized(b, "WebP", b.le(26, 2) & 0x3fff, b.le(28, 2) & 0x3fff);
  }
  if (b.starts(12, "VP8L")) {  // lossless: signature 0x2f, then 14 bits width - 1, 14 bits height - 1
    if (b.at(20) != 0x2f) b.fail("VP8L stream has no signature");
    const uint64_t bits = b.le(21, 4);
    return sized(b, "WebP", (bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (b.starts(12, "VP8X")) return sized(b, "WebP", b.le(24, 3) + 1, b.le(27, 3) + 1);  // extended: 24-bit canvas
  b.fail("file has no VP8, VP8L or VP8X chunk first");
}

// The first IFD's ImageWidth (256) and ImageLength (257), SHORT or LONG (or LONG8 in BigTIFF).
ImageHeader tiff(const Bytes& b) {
  const bool little = b.starts(0, "II");
  auto u = [&](uint64_t off, int n) { return little ? b.le(off, n) : b.be(off, n); };
  const bool big = u(2, 2) == 43;
  if (big && (u(4, 2) != 8 || u(6, 2) != 0)) b.fail("BigTIFF header has an unknown offset size");
  const uint64_t ifd = big ? u(8, 8) : u(4, 4);
  const uint64_t count = big ? u(ifd, 8) : u(ifd, 2);
  const uint64_t first = ifd + (big ? 8 : 2), entry = big ? 20 : 12;
  uint64_t w = 0, h = 0;
  for (uint64_t i = 0; i < count && (w == 0 || h == 0); ++i) {
    const uint64_t e = first + i * entry;
    if (e > b.size()) b.fail("first directory runs beyond the end of the file");
    const uint64_t tag = u(e, 2), type = u(e + 2, 2), value = e + (big ? 12 : 8);
    if (tag != 256 && tag != 257) continue;
    uint64_t v = 0;
    if (type == 3) v = u(value, 2);
    else if (type == 4) v = u(value, 4);
    else if (type == 16 && big) v = u(value, 8);
    else b.fail("size tag " + std::to_string(tag) + " has type " + std::to_string(type) + ", not SHORT or LONG");
    (tag == 256 ? w : h) = v;
  }
  return sized(b, "TIFF", w, h);
}

// Netpbm: "P1".."P6" then width and height as decimal text (with # comments); "P7" (PAM): WIDTH/HEIGHT lines.
ImageHeader pnm(const Bytes& b) {
  uint64_t pos = 2;
  auto token = [&]() {
    std::string t;
    while (true) {
      if (pos >= b.size()) break;
      const uint8_t c = b.at(pos);
      if (c == '#' && t.empty()) {
        while (pos < b.size() && b.at(pos) != '\n') ++pos;
      } else if (std::isspace(c)) {
        ++pos;
        if (!t.empty()) break;
      } else {
        if (t.size() >= 32) b.fail("header holds a token longer than 32 characters");
        t += static_cast<char>(c);
        ++pos;
      }
    }
    return t;
  };
  auto number = [&](const std::string& t) {
    if (t.empty() || t.size() > 12 || t.find_first_not_of("0123456789") != std::string::npos)
      b.fail("header size '" + printable(t, 12) + "' is not a number of pixels");
    return std::stoull(t);
  };
  if (b.at(1) != '7') {
    const uint64_t w = number(token());
    return sized(b, "PNM", w, number(token()));
  }
  uint64_t w = 0, h = 0;
  for (std::string t = token(); t != "ENDHDR"; t = token()) {
    if (t.empty()) b.fail("header has no ENDHDR");
    if (t == "WIDTH") w = number(token());
    if (t == "HEIGHT") h = number(token());
  }
  return sized(b, "PNM", w, h);
}

}  // namespace

ImageHeader read_image_header(const std::byte* data, size_t size, const std::string& where) {
  const Bytes any(data, size, where, "image");
  if (any.starts(0, "\x89PNG\r\n\x1a\n")) return png(Bytes(data, size, where, "PNG"));
  if (any.starts(0, "\xFF\xD8\xFF")) return jpeg(Bytes(data, size, where, "JPEG"));
  if (any.starts(0, "BM")) return bmp(Bytes(data, size, where, "BMP"));
  if (any.starts(0, "RIFF") && any.starts(8, "WEBP")) return webp(Bytes(data, size, where, "WebP"));
  if (any.starts(0, "II*") || any.starts(0, "MM") || any.starts(0, "II+")) {
    const Bytes b(data, size, where, "TIFF");
    const uint64_t magic = b.starts(0, "II") ? b.le(2, 2) : b.be(2, 2);
    if (magic == 42 || magic == 43) return tiff(b);
  }
  if (size >= 3 && any.at(0) == 'P' && any.at(1) >= '1' && any.at(1) <= '7' && std::isspace(any.at(2)))
    return pnm(Bytes(data, size, where, "PNM"));
  throw Error(where, std::string("not a readable image (supported formats: ") + kImageFormats + ")");
}

}  // namespace dpn
