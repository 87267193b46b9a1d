// Central directory of the uncompressed ZIP (ZIP64 for large shards) that torch.save writes; entries are
// located by offset inside the mapped file, never copied.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/mapped_file.h"

namespace dpn {

struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;  // from the start of the file, past the local header
  uint64_t size = 0;         // stored entries: compressed size == uncompressed size
};

class ZipArchive {
 public:
  // Parses the EOCD record (and the ZIP64 EOCD locator/record and ZIP64 extra fields when present), then every
  // central-directory entry and its local header. Only stored (method 0), unencrypted entries are accepted; every
  // offset and size is checked against the file size. Throws dpn::Error naming the file and the record.
  explicit ZipArchive(std::shared_ptr<const MappedFile> map);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(const std::string& name) const;
  const std::byte* data(const ZipEntry& e) const { return map_->data() + e.data_offset; }
  const std::string& path() const { return map_->path(); }
  std::shared_ptr<const MappedFile> mapping() const { return map_; }

 private:
  std::shared_ptr<const MappedFile> map_;
  std::vector<ZipEntry> entries_;
  std::map<std::string, size_t> by_name_;
};

// True when the mapped file starts with a ZIP local-file-header signature ("PK\3\4").
bool looks_like_zip(const MappedFile& map);

}  // namespace dpn
