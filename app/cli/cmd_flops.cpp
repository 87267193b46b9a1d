// `dpn flops`: the analytic FLOPs of a model under a method, per stage, against `none` (core/flops).
#include <iostream>

#include "command.h"
#include "dpn.h"
#include "flops/flops.h"
#include "flops/report.h"

namespace dpn::cli {
namespace {

int run_flops(Args& args) {
  const std::string model = args.require("model");
  const std::string vision_tower = args.get("vision-tower");
  const std::string method_text = args.get("method", "none");
  flops::FlopsOptions o;
  o.image_tokens = args.get_int("image-tokens", -1);
  o.text_tokens = args.get_int("text-tokens", o.text_tokens);
  o.decode_tokens = args.get_int("decode-tokens", 0);
  o.causal = args.flag("causal");
  const bool json = args.flag("json");
  const bool per_layer = args.flag("per-layer");
  args.finish();
  if (o.image_tokens < -1) throw UsageError("--image-tokens must be >= 0");

  // Built-in names and folders resolve as in every other command; anything else is a preset.
  const flops::ModelShape shape = flops::resolve_model_shape(resolve_model_path(model), vision_tower);
  const flops::MethodSpec method = flops::parse_method_spec(method_text);
  // The baseline sees the model's own visual tokens unless --image-tokens says otherwise.
  const flops::FlopsReport none = flops::count_flops(shape, flops::parse_method_spec("none"), o);
  const flops::FlopsReport counted = flops::count_flops(shape, method, o);
  std::cout << (json ? flops::report_json(none, counted) + "\n" : flops::report_text(none, counted, per_layer));
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(flops, "flops", "analytic FLOPs of a model under a method, per stage, with the saving against none",
                "Usage: dpn flops --model DIR|NAME|PRESET [--vision-tower DIR] [--method SPEC] [--image-tokens N]\n"
                "                 [--text-tokens M] [--decode-tokens K] [--causal] [--per-layer] [--json]\n\n"
                "--model    a LLaVA folder (config.json, either layout; weights are not needed), a built-in model\n"
                "           (demo-dpn, ...) or a preset: llava-1.5-7b, llava-1.5-13b, llava-hr-7b, llava-hr-x-13b\n"
                "--method   none (default) | dpn:path=7=2x2,15=1x2,23=2x2[,location=pre|post] |\n"
                "           static:7=2,15=1x2 | fastv:k=2,r=0.5[,rank=last|mean] | tokenpacker[:tokens=144]\n"
                "           (dpn needs the path the routers took: the FLOPs depend on it)\n"
                "--image-tokens  visual tokens entering the LLM (default: the model's, e.g. 576)\n"
                "--text-tokens   all other prompt tokens (default 36, the FastV paper's system length)\n"
                "--decode-tokens decode passes to add (each feeds one generated token; default 0)\n"
                "--causal        count only the causal half of prefill attention (default: the full square)\n\n"
                "Counts every matmul as 2*M*N*K; elementwise terms (norms, RoPE, softmax, activations) are listed\n"
                "separately; prefill logits for the last position only. Also prints the FastV paper's convention\n"
                "(MACs, 4nd^2 + 2n^2d + 2ndm per layer) so published reductions can be compared by name.",
                run_flops);

}  // namespace dpn::cli
