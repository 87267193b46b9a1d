#include "model_options.h"

#include "io/convert.h"
#include "util/error.h"

namespace dpn::cli {

int64_t max_memory_option(Args& a) {
  const std::string v = a.get("max-memory");
  if (v.empty()) return 0;
  try {
    return int64_t(parse_byte_size(v, "--max-memory"));
  } catch (const Error& e) {
    throw UsageError(e.what());  // a malformed option is a usage error (exit 2)
  }
}

ModelOptions model_options(Args& a, bool required) {
  ModelOptions mo;
  mo.path = required ? a.require("model") : a.get("model");
  mo.vision_tower = a.get("vision-tower");
  mo.dtype = a.get("dtype", "f32");
  mo.device = a.get("device", "cpu");
  mo.threads = a.get_int("threads", 0);
  mo.max_memory = max_memory_option(a);
  return mo;
}

}  // namespace dpn::cli
