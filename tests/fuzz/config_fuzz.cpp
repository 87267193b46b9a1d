// libFuzzer target: config.json of a model folder, read by both config parsers (the engine's load_llava_config and
// the FLOPs counter's model_shape_from_folder). Each returns or throws a dpn::Error naming the file on one line.
// The calls are one line each, so the harness follows the loaders wherever they move.
#include "flops/model_shape.h"
#include "fuzz_util.h"
#include "model/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = dpn::fuzz::write_file("m/config.json", data, size);
  const std::string dir = dpn::fuzz::scratch() + "/m";
  try {
    (void)dpn::load_llava_config(dir);
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, dir);
  }
  try {
    (void)dpn::flops::model_shape_from_folder(dir);
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, dir);
  }
  return 0;
}
