#include "model_options.h"

namespace dpn::cli {

ModelOptions model_options(Args& a, bool required) {
  ModelOptions mo;
  mo.path = required ? a.require("model") : a.get("model");
  mo.vision_tower = a.get("vision-tower");
  mo.dtype = a.get("dtype", "f32");
  mo.device = a.get("device", "cpu");
  mo.threads = a.get_int("threads", 0);
  return mo;
}

}  // namespace dpn::cli
