// `dpn ask`: one question about one image, printed as text or as one JSON object.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.h"
#include "dpn.h"
#include "model_options.h"
#include "trace_json.h"

namespace dpn::cli {
namespace {

int run_ask(Args& a) {
  const ModelOptions mo = model_options(a, true);
  AskOptions q;
  q.image_path = a.require("image");
  q.question = a.get("question");
  q.method = a.get("method", "none");
  q.overrides = parse_overrides(a.get("override"));
  q.trace_attention = a.flag("attention");
  q.max_new_tokens = a.get_int("max-new-tokens", 64);
  q.temperature = float(a.get_double("temperature", 0.0));
  q.top_p = float(a.get_double("top-p", 1.0));
  q.seed = uint64_t(a.get_int("seed", 0));
  const bool json = a.flag("json");
  const bool a_verbose = a.flag("verbose");
  a.finish();
  if (q.max_new_tokens < 1) throw UsageError("--max-new-tokens must be at least 1");
  auto model = Model::load(mo);
  AskResult r = model->ask(q);
  if (json) {
    nlohmann::json j;
    j["answer"] = r.answer;
    j["tokens"] = r.tokens;
    j["stop_reason"] = r.stop_reason;
    j["prompt_tokens"] = r.prompt_tokens;
    j["visual_tokens"] = r.visual_tokens;
    j["prefill_ms"] = r.timing.prefill_ms;
    j["decode_ms"] = r.timing.decode_ms;
    j["vision_ms"] = r.timing.vision_ms;
    j["projector_ms"] = r.timing.projector_ms;
    j["preprocess_ms"] = r.timing.preprocess_ms;
    j["kv_cache_bytes"] = r.kv_cache_bytes;
    j["method"] = q.method;
    j["model"] = model->info().path;
    j.update(trace_to_json(r.trace));  // image, layers, router, stages, flops
    std::cout << j.dump() << "\n";
  } else {
    std::cout << r.answer << "\n";
    if (a_verbose) {
      std::fprintf(stderr, "[%s, %s: %d visual tokens, prompt %d tokens, prefill %.0f ms, decode %.0f ms for %d tokens, "
                           "LLM prefill %.3g GFLOP]\n",
                   model->info().path.c_str(), q.method.c_str(), r.visual_tokens, r.prompt_tokens, r.timing.prefill_ms,
                   r.timing.decode_ms, r.timing.decode_steps, r.trace.llm_prefill_flops / 1e9);
      for (const auto& rt : r.trace.routers) {
        std::fprintf(stderr, "  DPE layer %d: expert %dx%d (p=%.2f%s), grid %dx%d -> %dx%d\n", rt.layer,
                     rt.experts[rt.chosen].first, rt.experts[rt.chosen].second, rt.probs.empty() ? 1.0 : rt.probs[rt.chosen],
                     rt.overridden ? ", forced" : "", rt.grid_before_h, rt.grid_before_w, rt.grid_after_h, rt.grid_after_w);
      }
    }
  }
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(ask, "ask", "answer a question about an image",
                "dpn ask --model DIR|NAME --image FILE --question TEXT [--method M] [--override L=E,...] [--attention]\n"
                "        [--max-new-tokens N] [--dtype f32|bf16]\n"
                "        [--device cpu|cuda] [--vision-tower DIR] [--temperature T --top-p P --seed S] [--threads N]\n"
                "        [--max-memory SIZE] [--json] [--verbose]\n"
                "Methods: none | dpn | dpn:path=7=2x2,15=1x2 | static:7=2,15=2x1 | fastv:k=2,r=0.5[,rank=last|mean] | tokenpacker\n"
                "--override L=E forces expert E at DPE layer L (what-if); --attention records the attention each visual\n"
                "token receives from the last prompt token at every layer; --max-memory (e.g. 16GB or 16GiB; default: what the machine has\n"
                "available) refuses a model or an answer whose estimated weights + KV cache + buffers do not fit.\n"
                "Prints the answer, or with --json one object with answer, tokens, prefill_ms, decode_ms, layers, router, flops.",
                run_ask);

}  // namespace dpn::cli
