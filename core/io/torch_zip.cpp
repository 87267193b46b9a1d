// ZIP / ZIP64 central-directory reader (APPNOTE.TXT 4.3: EOCD, ZIP64 EOCD locator and record, central and local
// headers, ZIP64 extended information extra field 0x0001). Reads little-endian fields with bounds checks only.
#include "io/torch_zip.h"

#include <algorithm>
#include <cstring>

#include "util/error.h"
#include "util/printable.h"

namespace dpn {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint64_t kEocdSize = 22;
constexpr uint64_t kZip64LocatorSize = 20;
constexpr uint64_t kZip64EocdSize = 56;
constexpr uint64_t kCentralSize = 46;
constexpr uint64_t kLocalSize = 30;
constexpr uint64_t kMaxComment = 0xffff;

// Bounds-checked little-endian reads from the mapping.
class Reader {
 public:
  Reader(const MappedFile& map) : p_(map.data()), size_(map.size()), path_(map.path()) {}
  uint64_t size() const { return size_; }
  void need(uint64_t off, uint64_t len, const std::string& what) const {
    if (off > size_ || len > size_ - off)
      throw Error(path_, what + " at offset " + std::to_string(off) + " (+" + std::to_string(len) +
                             " bytes) runs beyond the end of the file (" + std::to_string(size_) + " bytes)");
  }
  uint16_t u16(uint64_t off) const { return static_cast<uint16_t>(u(off, 2)); }
  uint32_t u32(uint64_t off) const { return static_cast<uint32_t>(u(off, 4)); }
  uint64_t u64(uint64_t off) const { return u(off, 8); }
  std::string str(uint64_t off, uint64_t len) const {
    const char* b = reinterpret_cast<const char*>(p_ + off);
    return std::string(b, b + len);
  }

 private:
  uint64_t u(uint64_t off, int n) const {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p_[off + i]);
    return v;
  }
  const std::byte* p_;
  uint64_t size_;
  const std::string& path_;
};

struct Directory {
  uint64_t count = 0, offset = 0, size = 0;
};

Directory read_end_records(const Reader& r, const std::string& path) {
  if (r.size() < kEocdSize)
    throw Error(path, "too short (" + std::to_string(r.size()) + " bytes) to be a ZIP archive");
  // The EOCD is the last record, followed only by a comment of at most 64 KiB: search backwards.
  const uint64_t lowest = r.size() > kEocdSize + kMaxComment ? r.size() - kEocdSize - kMaxComment : 0;
  uint64_t eocd = UINT64_MAX;
  for (uint64_t off = r.size() - kEocdSize + 1; off-- > lowest;) {
    if (r.u32(off) == kEocdSig && off + kEocdSize + r.u16(off + 20) == r.size()) {
      eocd = off;
      break;
    }
  }
  if (eocd == UINT64_MAX) throw Error(path, "no ZIP end-of-central-directory record found (truncated or not a ZIP file)");
  if (r.u16(eocd + 4) != 0 || r.u16(eocd + 6) != 0) throw Error(path, "multi-disk ZIP archives are not supported");
  Directory d{r.u16(eocd + 10), r.u32(eocd + 16), r.u32(eocd + 12)};
  const bool needs64 = d.count == 0xffff || d.offset == 0xffffffff || d.size == 0xffffffff;
  if (eocd >= kZip64LocatorSize && r.u32(eocd - kZip64LocatorSize) == kZip64LocatorSig) {
    const uint64_t loc = eocd - kZip64LocatorSize;
    const uint64_t rec = r.u64(loc + 8);
    r.need(rec, kZip64EocdSize, "ZIP64 end-of-central-directory record");
    if (r.u32(rec) != kZip64EocdSig) throw Error(path, "ZIP64 locator points at offset " + std::to_string(rec) + ", which holds no ZIP64 end record");
    d.count = r.u64(rec + 32);
    d.size = r.u64(rec + 40);
    d.offset = r.u64(rec + 48);
  } else if (needs64) {
    throw Error(path, "end record says ZIP64 but there is no ZIP64 locator before it");
  }
  r.need(d.offset, d.size, "central directory");
  // Each central header is at least 46 bytes: a count larger than that allows is corrupt (and would over-allocate).
  if (d.count > d.size / kCentralSize)
    throw Error(path, "central directory claims " + std::to_string(d.count) + " entries in " + std::to_string(d.size) + " bytes");
  return d;
}

}  // namespace

bool looks_like_zip(const MappedFile& map) {
  return map.size() >= 4 && std::memcmp(map.data(), "PK\x03\x04", 4) == 0;
}

ZipArchive::ZipArchive(std::shared_ptr<const MappedFile> map) : map_(std::move(map)) {
  const std::string& path = map_->path();
  Reader r(*map_);
  const Directory dir = read_end_records(r, path);
  const uint64_t dir_end = dir.offset + dir.size;
  entries_.reserve(dir.count);
  uint64_t off = dir.offset;
  for (uint64_t i = 0; i < dir.count; ++i) {
    const std::string rec = "central directory entry " + std::to_string(i);
    if (off > dir_end || kCentralSize > dir_end - off) throw Error(path, rec + " runs beyond the central directory");
    if (r.u32(off) != kCentralSig) throw Error(path, rec + " at offset " + std::to_string(off) + " has a bad signature");
    const uint16_t flags = r.u16(off + 8);
    const uint16_t method = r.u16(off + 10);
    uint64_t csize = r.u32(off + 20), usize = r.u32(off + 24);
    const uint64_t name_len = r.u16(off + 28), extra_len = r.u16(off + 30), comment_len = r.u16(off + 32);
    uint64_t local = r.u32(off + 42);
    const uint64_t var_len = name_len + extra_len + comment_len;
    if (var_len > dir_end - off - kCentralSize) throw Error(path, rec + ": name/extra/comment run beyond the central directory");
    ZipEntry e;
    e.name = r.str(off + kCentralSize, name_len);
    const std::string shown = printable(e.name);  // entry names are file bytes
    const std::string where = path + ": entry '" + shown + "'";
    // ZIP64 extra field: the 64-bit values appear in this order, only for fields that are 0xffffffff.
    uint64_t x = off + kCentralSize + name_len;
    const uint64_t x_end = x + extra_len;
    while (x + 4 <= x_end) {
      const uint16_t id = r.u16(x), len = r.u16(x + 2);
      if (len > x_end - x - 4) throw Error(where, "extra field " + std::to_string(id) + " runs beyond the extra area");
      if (id == 0x0001) {
        uint64_t p = x + 4;
        const uint64_t p_end = p + len;
        for (uint64_t* field : {&usize, &csize, &local}) {
          if (*field != 0xffffffff) continue;
          if (p + 8 > p_end) throw Error(where, "ZIP64 extra field is too short for the values it must hold");
          *field = r.u64(p);
          p += 8;
        }
      }
      x += 4 + len;
    }
    if (flags & 0x1) throw Error(where, "is encrypted; torch.save archives never are");
    if (method != 0)
      throw Error(where, "is compressed (method " + std::to_string(method) +
                             "); only stored entries are supported, as torch.save writes them. Re-save the checkpoint "
                             "with torch.save, or do not re-zip it with compression");
    if (csize != usize) throw Error(where, "stored entry has compressed size " + std::to_string(csize) + " != size " + std::to_string(usize));
    r.need(local, kLocalSize, "local header of '" + shown + "'");
    if (r.u32(local) != kLocalSig) throw Error(where, "local header at offset " + std::to_string(local) + " has a bad signature");
    const uint64_t data = local + kLocalSize + r.u16(local + 26) + r.u16(local + 28);
    r.need(data, usize, "data of entry '" + shown + "'");
    if (data + usize > dir.offset && data < dir_end)
      throw Error(where, "data overlaps the central directory");
    e.data_offset = data;
    e.size = usize;
    if (!by_name_.emplace(e.name, entries_.size()).second) throw Error(where, "appears twice in the central directory");
    entries_.push_back(std::move(e));
    off += kCentralSize + var_len;
  }
}

const ZipEntry* ZipArchive::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

}  // namespace dpn
