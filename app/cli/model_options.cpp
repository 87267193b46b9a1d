#include "model_options.h"

#include "io/convert.h"

namespace dpn::cli {

ModelOptions model_options(Args& a, bool required) {
  ModelOptions mo;
  mo.path = required ? a.require("model") : a.get("model");
  mo.vision_tower = a.get("vision-tower");
  mo.dtype = a.get("dtype", "f32");
  mo.device = a.get("device", "cpu");
  mo.threads = a.get_int("threads", 0);
  const std::string max_memory = a.get("max-memory");
  if (!max_memory.empty()) mo.max_memory = int64_t(parse_byte_size(max_memory, "--max-memory"));
  return mo;
}

}  // namespace dpn::cli
