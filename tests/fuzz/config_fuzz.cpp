// libFuzzer target: config.json of a model folder, read by the torch-free model description (load_llava_config, which
// the engine and the FLOPs counter both use). It returns or throws a dpn::Error naming the folder; the message may
// list, a line each, where a vision tower was looked for. The call is one line, so the harness follows the loader
// wherever it moves.
#include "fuzz_util.h"
#include "model/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dpn::fuzz::write_file("m/config.json", data, size);
  const std::string dir = dpn::fuzz::scratch() + "/m";
  try {
    (void)dpn::load_llava_config(dir);
  } catch (const dpn::Error& e) {
    dpn::fuzz::check_error(e, dir, /*lines=*/true);
  }
  return 0;
}
