// torch.save zip archive -> RawTensors (layout in llava-detail.md §3.6): `<top>/data.pkl`, `<top>/data/<key>`
// (raw little-endian storages), `<top>/byteorder`. The top folder name varies (archive/, or the file stem).
#include "io/torch_checkpoint.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <tuple>

#include "io/torch_pickle.h"
#include "io/torch_zip.h"
#include "util/error.h"
#include "util/mapped_file.h"
#include "util/printable.h"

namespace dpn {

namespace {

// What a TorchCheckpoint's tensors point into.
struct Owned {
  std::shared_ptr<const MappedFile> map;
  std::vector<std::vector<std::byte>> copies;
};

// A view of a storage, as the pickle describes it; equal keys are the same data.
using ViewKey = std::tuple<std::string, DType, int64_t, std::vector<int64_t>, std::vector<int64_t>>;

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }
bool add_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_add_overflow(a, b, out); }

// Finds the single `<top>/data.pkl` and returns "<top>/".
std::string archive_prefix(const ZipArchive& zip) {
  std::string found;
  for (const ZipEntry& e : zip.entries()) {
    const size_t slash = e.name.find('/');
    if (slash == std::string::npos || e.name.compare(slash + 1, std::string::npos, "data.pkl") != 0) continue;
    if (!found.empty()) throw Error(zip.path(), "holds two pickles ('" + printable(found + "data.pkl") + "' and '" + printable(e.name) + "'); expected one");
    found = e.name.substr(0, slash + 1);
  }
  if (found.empty()) throw Error(zip.path(), "is a ZIP file without '<folder>/data.pkl'; it was not written by torch.save");
  return found;
}

bool is_contiguous(const std::vector<int64_t>& shape, const std::vector<int64_t>& stride) {
  int64_t expected = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1 && stride[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

// Gathers a strided view into a dense row-major buffer. Bounds were checked by the caller.
std::vector<std::byte> gather(const std::byte* storage, size_t elsize, int64_t offset, const std::vector<int64_t>& shape,
                              const std::vector<int64_t>& stride, uint64_t numel) {
  std::vector<std::byte> out(numel * elsize);
  std::vector<int64_t> idx(shape.size(), 0);
  for (uint64_t n = 0; n < numel; ++n) {
    int64_t src = offset;
    for (size_t d = 0; d < shape.size(); ++d) src += idx[d] * stride[d];
    std::memcpy(out.data() + n * elsize, storage + static_cast<uint64_t>(src) * elsize, elsize);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace

bool is_legacy_torch_save(const std::byte* data, uint64_t size) {
  // PROTO 2, LONG1 of 10 bytes, then the magic number little-endian.
  static const unsigned char kHead[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
  return size >= sizeof(kHead) && std::memcmp(data, kHead, sizeof(kHead)) == 0;
}

TorchCheckpoint::TorchCheckpoint(const std::string& path) : path_(path) {
  auto owned = std::make_shared<Owned>();
  owned->map = std::make_shared<MappedFile>(path);
  const MappedFile& map = *owned->map;
  if (is_legacy_torch_save(map.data(), map.size()))
    throw Error(path,
                "is in the legacy (pre-1.6, non-zip) torch.save format, which is not read (its pickle cannot be "
                "checked as safely). Re-save it in Python with PyTorch >= 1.6: `torch.save(torch.load(F, "
                "map_location='cpu', weights_only=True), F)`, or convert it to safetensors; `dpn convert` cannot "
                "read it either");
  if (!looks_like_zip(map))
    throw Error(path, "is not a torch.save checkpoint (expected a ZIP archive starting with 'PK\\3\\4')");
  ZipArchive zip(owned->map);
  const std::string top = archive_prefix(zip);
  if (const ZipEntry* bo = zip.find(top + "byteorder")) {
    const std::string order(reinterpret_cast<const char*>(zip.data(*bo)), bo->size);
    if (order != "little")
      throw Error(path + ": " + printable(bo->name), "byte order is '" + printable(order, 16) + "'; only little-endian checkpoints are supported");
  }
  const ZipEntry& pkl = *zip.find(top + "data.pkl");
  const std::vector<PickledTensor> pickled = read_state_dict_pickle(zip.data(pkl), pkl.size, path + ": " + printable(pkl.name));

  // Copies of non-contiguous views are bounded by the storages the archive holds: one copy per distinct view
  // (however many dict entries name it), and all copies together at most the bytes of the storages referenced. A
  // real checkpoint's views never repeat data beyond that; a crafted one could otherwise turn 17 MB into 1.7 GB.
  uint64_t storage_total = 0, copied = 0;
  std::set<std::string> counted;
  for (const PickledTensor& p : pickled)
    if (const ZipEntry* st = zip.find(top + "data/" + p.storage_key); st && counted.insert(p.storage_key).second)
      storage_total += st->size;
  std::map<ViewKey, const std::byte*> copies_by_view;

  for (const PickledTensor& p : pickled) {
    const std::string where = path + ": tensor '" + printable(p.name) + "'";  // names and keys are file bytes
    const size_t elsize = dtype_size(p.dtype);
    const ZipEntry* st = zip.find(top + "data/" + p.storage_key);
    if (!st) throw Error(where, "its storage '" + printable(top + "data/" + p.storage_key) + "' is not in the archive");
    uint64_t storage_bytes = 0;
    if (mul_overflows(p.storage_numel, elsize, &storage_bytes) || storage_bytes != st->size)
      throw Error(where, "storage '" + printable(p.storage_key) + "' declares " + std::to_string(p.storage_numel) + " " +
                             dtype_name(p.dtype) + " elements but its entry holds " + std::to_string(st->size) + " bytes");
    // Element count and the last element the view reaches, both overflow-checked.
    uint64_t numel = 1, last = static_cast<uint64_t>(p.offset), span = 0;
    for (size_t d = 0; d < p.shape.size(); ++d) {
      const uint64_t n = static_cast<uint64_t>(p.shape[d]);
      if (mul_overflows(numel, n, &numel)) throw Error(where, "shape " + shape_string(p.shape) + " overflows");
      if (n > 0 && (mul_overflows(n - 1, static_cast<uint64_t>(p.stride[d]), &span) || add_overflows(last, span, &last)))
        throw Error(where, "stride " + shape_string(p.stride) + " overflows");
    }
    RawTensor t;
    t.name = p.name;
    t.dtype = p.dtype;
    t.shape = p.shape;
    t.file = path;
    t.nbytes = numel * elsize;  // cannot overflow: checked below against the storage size
    const std::byte* storage = zip.data(*st);
    if (numel == 0) {
      t.data = storage;
      t.nbytes = 0;
    } else {
      if (last >= p.storage_numel)
        throw Error(where, "view (offset " + std::to_string(p.offset) + ", shape " + shape_string(p.shape) + ", stride " +
                               shape_string(p.stride) + ") reaches element " + std::to_string(last) + " of a storage of " +
                               std::to_string(p.storage_numel));
      if (is_contiguous(p.shape, p.stride)) {
        t.data = storage + static_cast<uint64_t>(p.offset) * elsize;
      } else {
        if (numel > p.storage_numel)
          throw Error(where, "is a broadcast view (stride " + shape_string(p.stride) + ") with more elements than its storage; "
                             "save it with .contiguous() (or .clone()) first");
        const ViewKey key{p.storage_key, p.dtype, p.offset, p.shape, p.stride};
        auto known = copies_by_view.find(key);
        if (known == copies_by_view.end()) {
          if (t.nbytes > storage_total - copied)
            throw Error(where, "copying its non-contiguous view would bring the copies of this checkpoint to more than "
                               "the " + std::to_string(storage_total) + " bytes of storage it holds; save its tensors "
                               "with .contiguous() (or .clone()) first");
          copied += t.nbytes;
          owned->copies.push_back(gather(storage, elsize, p.offset, p.shape, p.stride, numel));
          known = copies_by_view.emplace(key, owned->copies.back().data()).first;
        }
        t.data = known->second;
        materialised_.push_back(p.name);
      }
    }
    tensors_.push_back(std::move(t));
  }
  std::sort(tensors_.begin(), tensors_.end(), [](const RawTensor& a, const RawTensor& b) { return a.name < b.name; });
  owner_ = std::move(owned);
}

}  // namespace dpn
