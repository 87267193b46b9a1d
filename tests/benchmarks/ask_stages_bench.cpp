// The dpn side of tests/benchmarks/vs_transformers: loads one model through the public API (what `dpn ask` runs) and
// answers one question per line read on stdin, printing one JSON object per answer with the stage times, so the
// script can interleave its rounds with transformers' while both models stay loaded. Not part of the test run.
// Usage: ask_stages_bench MODEL_DIR DTYPE IMAGE TOKENS THREADS QUESTION
//   stdin "ask\n" -> stdout {"vision_ms", "projector_ms", "prefill_ms", "decode_ms", "decode_steps", "tokens",
//                            "prompt_ids", "prompt_tokens"}; EOS does not stop the answer (TOKENS tokens each time).
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "dpn.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: ask_stages_bench MODEL_DIR f32|bf16 IMAGE TOKENS THREADS QUESTION\n";
    return 2;
  }
  try {
    dpn::ModelOptions mo;
    mo.path = argv[1];
    mo.dtype = argv[2];
    mo.threads = std::atoi(argv[5]);
    auto model = dpn::Model::load(mo);
    dpn::AskOptions q;
    q.image_path = argv[3];
    q.question = argv[6];
    q.max_new_tokens = std::atoi(argv[4]);
    q.stop_at_eos = false;
    std::cout << nlohmann::json{{"ready", true}, {"threads", model->info().threads}}.dump() << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
      if (line != "ask") break;
      dpn::AskResult r = model->ask(q);
      nlohmann::json j{{"vision_ms", r.timing.vision_ms},         {"projector_ms", r.timing.projector_ms},
                       {"preprocess_ms", r.timing.preprocess_ms}, {"prefill_ms", r.timing.prefill_ms},
                       {"decode_ms", r.timing.decode_ms},         {"decode_steps", r.timing.decode_steps},
                       {"tokens", r.tokens},                      {"prompt_ids", r.prompt_ids},
                       {"prompt_tokens", r.prompt_tokens}};
      std::cout << j.dump() << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "ask_stages_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
