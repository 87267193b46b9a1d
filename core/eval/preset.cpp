// The llava-1.5 evaluation preset.
#include "eval/preset.h"

#include "eval/py_text.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

const std::string kLetterSuffix = "\nAnswer with the option's letter from the given choices directly.";
const std::string kLetterSuffixCn = "\n请直接回答选项字母。";

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"llava-1.5"};
  return names;
}

std::string llava_prompt_suffix(const std::string& kind) {
  if (kind == "scienceqa" || kind == "mmbench") return kLetterSuffix;
  if (kind == "mmbench-cn") return kLetterSuffixCn;
  return "";
}

EvalPreset eval_preset(const std::string& name, const std::string& kind) {
  if (name != "llava-1.5") throw Error("--preset " + name, "unknown preset; expected llava-1.5");
  EvalPreset p;
  p.name = name;
  p.kind = kind;
  p.temperature = 0;
  p.conv_mode = "vicuna_v1";
  p.answer_processing = "strip";
  p.prompt_suffix = llava_prompt_suffix(kind);
  if (kind == "vqav2" || kind == "gqa" || kind == "vizwiz" || kind == "textvqa" || kind == "pope" || kind == "mme" ||
      kind == "seed") {
    p.script = "llava/eval/model_vqa_loader.py";
    p.max_new_tokens = 128;
  } else if (kind == "scienceqa") {
    p.script = "llava/eval/model_vqa_science.py --single-pred-prompt";
    p.max_new_tokens = 1024;
  } else if (kind == "mmbench" || kind == "mmbench-cn") {
    p.script = std::string("llava/eval/model_vqa_mmbench.py --single-pred-prompt") +
               (kind == "mmbench-cn" ? " --lang cn" : "");
    p.max_new_tokens = 1024;
  } else if (kind == "mmvet" || kind == "llavabench") {
    p.script = "llava/eval/model_vqa.py";
    p.max_new_tokens = 1024;
  } else {
    throw Error("--preset " + name, "has no setting for dataset kind '" + kind +
                                        "' (it covers the LLaVA-1.5 benchmarks: vqav2, gqa, vizwiz, scienceqa, textvqa, "
                                        "pope, mme, mmbench, mmbench-cn, seed, llavabench, mmvet)");
  }
  return p;
}

std::string postprocess_answer(const EvalPreset& preset, const std::string& answer) {
  return preset.answer_processing == "strip" ? py::strip(answer) : answer;
}

nlohmann::json preset_identity(const EvalPreset& p) {
  nlohmann::json j;  // std::map-backed: sorted keys
  j["name"] = p.name;
  j["max_new_tokens"] = p.max_new_tokens;
  j["temperature"] = p.temperature;
  j["conv_mode"] = p.conv_mode;
  j["prompt_suffix"] = p.prompt_suffix;
  j["answer_processing"] = p.answer_processing;
  j["script"] = p.script;
  return j;
}

}  // namespace dpn::eval
