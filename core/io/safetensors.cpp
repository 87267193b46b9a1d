// Validating safetensors reader (rules of huggingface/safetensors tensor.rs, restated in llava-detail.md §4).
#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "util/error.h"
#include "util/json_error.h"
#include "util/printable.h"

namespace dpn {

namespace {

using json = nlohmann::json;

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

}  // namespace

SafetensorsFile::SafetensorsFile(const std::string& path) : map_(std::make_shared<MappedFile>(path)) {
  const uint64_t file_size = map_->size();
  if (file_size < 8) throw Error(path, "truncated safetensors file: " + std::to_string(file_size) + " bytes, need at least 8");
  uint64_t n = 0;
  std::memcpy(&n, map_->data(), 8);  // little-endian on every platform we build for
  // Until the header has parsed as JSON this may be any file (an index can name /etc/passwd): say what is wrong
  // without echoing its bytes, not even the first 8 as a number.
  if (n > kMaxSafetensorsHeader)
    throw Error(path, "is not a safetensors file: its first 8 bytes give a header length above the limit of " +
                          std::to_string(kMaxSafetensorsHeader) + " bytes");
  if (n > file_size - 8)
    throw Error(path, "header length runs beyond the end of the file (" + std::to_string(file_size) +
                          " bytes); the file is truncated or not safetensors");
  const char* hbeg = reinterpret_cast<const char*>(map_->data() + 8);
  std::string header(hbeg, hbeg + n);
  if (header.empty() || header[0] != '{') throw Error(path, "header is not a JSON object (does not start with '{')");

  // Duplicate keys are forbidden: detect them with a parser callback.
  std::set<std::string> seen_top;
  bool duplicate = false;
  std::string duplicate_key;
  json j;
  try {
    j = json::parse(header, [&](int depth, json::parse_event_t ev, json& parsed) {
      if (depth == 1 && ev == json::parse_event_t::key) {
        std::string k = parsed.get<std::string>();
        if (!seen_top.insert(k).second) {
          duplicate = true;
          duplicate_key = k;
        }
      }
      return true;
    });
  } catch (const json::exception& e) {
    throw Error(path, "header JSON is invalid: " + json_error_summary(e));
  }
  if (duplicate) throw Error(path, "header lists tensor '" + printable(duplicate_key) + "' twice");
  if (!j.is_object()) throw Error(path, "header is not a JSON object");

  const uint64_t data_start = 8 + n;
  const uint64_t data_len = file_size - data_start;
  struct Span {
    uint64_t begin, end;
    size_t index;
  };
  std::vector<Span> spans;

  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& name = it.key();
    const json& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) throw Error(path, "__metadata__ must be an object of strings");
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) throw Error(path, "__metadata__." + printable(m.key()) + " must be a string");
        metadata_[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    const std::string where = path + ": tensor '" + printable(name) + "'";  // names are file bytes
    if (!v.is_object()) throw Error(where, "entry is not an object");
    if (!v.contains("dtype") || !v["dtype"].is_string()) throw Error(where, "missing string field 'dtype'");
    if (!v.contains("shape") || !v["shape"].is_array()) throw Error(where, "missing array field 'shape'");
    if (!v.contains("data_offsets") || !v["data_offsets"].is_array() || v["data_offsets"].size() != 2)
      throw Error(where, "field 'data_offsets' must be [begin, end]");
    RawTensor t;
    t.name = name;
    t.file = path;
    const std::string dt = v["dtype"].get<std::string>();
    if (!parse_dtype(dt, &t.dtype)) throw Error(where, "unknown or unsupported dtype '" + printable(dt) + "'");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned()) throw Error(where, "shape entries must be non-negative integers");
      uint64_t dim = d.get<uint64_t>();
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) || mul_overflows(numel, dim, &numel))
        throw Error(where, "shape overflows");
      t.shape.push_back(static_cast<int64_t>(dim));
    }
    const auto& off = v["data_offsets"];
    if (!off[0].is_number_unsigned() || !off[1].is_number_unsigned())
      throw Error(where, "data_offsets must be non-negative integers");
    uint64_t b = off[0].get<uint64_t>(), e = off[1].get<uint64_t>();
    if (e < b) throw Error(where, "data_offsets end " + std::to_string(e) + " is before begin " + std::to_string(b));
    if (e > data_len)
      throw Error(where, "data_offsets [" + std::to_string(b) + ", " + std::to_string(e) +
                             ") run beyond the data buffer of " + std::to_string(data_len) + " bytes");
    uint64_t nbytes = 0;
    if (mul_overflows(numel, dtype_size(t.dtype), &nbytes)) throw Error(where, "byte size overflows");
    if (nbytes != e - b)
      throw Error(where, "dtype " + dt + " and shape " + shape_string(t.shape) + " need " + std::to_string(nbytes) +
                             " bytes but data_offsets span " + std::to_string(e - b));
    t.nbytes = nbytes;
    t.data = map_->data() + data_start + b;
    spans.push_back({b, e, tensors_.size()});
    tensors_.push_back(std::move(t));
  }

  // No holes, no overlaps, and the data buffer is exactly covered.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
  uint64_t cursor = 0;
  for (const Span& s : spans) {
    const std::string& name = tensors_[s.index].name;
    if (s.begin < cursor) throw Error(path + ": tensor '" + printable(name) + "'", "data overlaps the previous tensor");
    if (s.begin > cursor)
      throw Error(path + ": tensor '" + printable(name) + "'", "hole in the data buffer before this tensor (offset " + std::to_string(cursor) + ")");
    cursor = s.end;
  }
  if (cursor != data_len)
    throw Error(path, "data buffer is " + std::to_string(data_len) + " bytes but tensors cover " + std::to_string(cursor) +
                          " (trailing bytes or truncated file)");
  std::sort(tensors_.begin(), tensors_.end(), [](const RawTensor& a, const RawTensor& b) { return a.name < b.name; });
}

}  // namespace dpn
