// Evaluation presets: the generation settings of a published evaluation, per benchmark, so that a run reproduces the
// paper's setup. "llava-1.5" = haotian-liu/LLaVA scripts/v1_5/eval/*.sh with the scripts they call:
//
//   kind                          script (llava/eval/)      max_new_tokens  prompt suffix added by the script
//   vqav2 gqa vizwiz textvqa      model_vqa_loader.py       128             none (the question files carry it)
//   pope mme seed
//   scienceqa                     model_vqa_science.py      1024            "\nAnswer with the option's letter ..."
//   mmbench / mmbench-cn          model_vqa_mmbench.py      1024            same / "\n请直接回答选项字母。"
//   mmvet llavabench              model_vqa.py              1024            none
//
// All: conversation vicuna_v1, temperature 0 (greedy, one beam), the decoded answer stripped with Python's
// str.strip(). The readers build the same prompts (llava_prompt_suffix), with or without a preset.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dpn::eval {

struct EvalPreset {
  std::string name;           // "llava-1.5"
  std::string kind;           // reader name
  std::string script;         // the script whose settings these are
  int max_new_tokens = 0;
  double temperature = 0;
  std::string conv_mode;      // "vicuna_v1" (the engine's prompt)
  std::string prompt_suffix;  // what the script appends to the question ("" when the question file has it)
  std::string answer_processing;  // "strip": Python str.strip() of the decoded text
};

const std::vector<std::string>& preset_names();

// Throws dpn::Error naming the preset for an unknown name, or a kind the preset has no setting for (dpnbench).
EvalPreset eval_preset(const std::string& name, const std::string& kind);

// The suffix LLaVA's scripts append to a question of this kind (see the table).
std::string llava_prompt_suffix(const std::string& kind);

// The preset's answer post-processing applied to a decoded answer.
std::string postprocess_answer(const EvalPreset& preset, const std::string& answer);

// The preset's values as they go into a run's identity in the store (sorted keys).
nlohmann::json preset_identity(const EvalPreset& preset);

}  // namespace dpn::eval
