// safetensors writer with atomic rename.
#include "io/safetensors_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "util/error.h"

namespace dpn {

void write_safetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  std::vector<const RawTensor*> order;
  for (const auto& t : tensors) {
    if (t.nbytes != static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype))
      throw Error(path, "tensor '" + t.name + "' has " + std::to_string(t.nbytes) + " bytes for shape " + shape_string(t.shape));
    order.push_back(&t);
  }
  std::sort(order.begin(), order.end(), [](const RawTensor* a, const RawTensor* b) {
    size_t sa = dtype_size(a->dtype), sb = dtype_size(b->dtype);
    return sa != sb ? sa > sb : a->name < b->name;
  });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const RawTensor* t : order) {
    header[t->name] = {{"dtype", dtype_name(t->dtype)}, {"shape", t->shape}, {"data_offsets", {offset, offset + t->nbytes}}};
    offset += t->nbytes;
  }
  std::string h = header.dump();
  while (h.size() % 8) h.push_back(' ');
  // A temporary name of our own (O_EXCL): a "path.tmp" that already exists may be someone's file.
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(attempt);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt >= 100)) throw Error(path, std::string("cannot create: ") + std::strerror(errno));
  }
  FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    const int e = errno;
    ::close(fd);
    std::remove(tmp.c_str());
    throw Error(path, std::string("cannot create: ") + std::strerror(e));
  }
  auto fail = [&](const char* what) {
    int e = errno;
    std::fclose(f);
    std::remove(tmp.c_str());
    throw Error(path, std::string(what) + ": " + std::strerror(e));
  };
  uint64_t n = h.size();
  if (std::fwrite(&n, 8, 1, f) != 1 || std::fwrite(h.data(), 1, h.size(), f) != h.size()) fail("write failed");
  for (const RawTensor* t : order)
    if (t->nbytes && std::fwrite(t->data, 1, t->nbytes, f) != t->nbytes) fail("write failed");
  if (std::fflush(f) != 0) fail("write failed");
  if (std::fclose(f) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    throw Error(path, std::string("write failed: ") + std::strerror(e));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    throw Error(path, std::string("cannot rename into place: ") + std::strerror(e));
  }
}

}  // namespace dpn
