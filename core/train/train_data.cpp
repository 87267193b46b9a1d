// Conversation building for `dpn train` (see train_data.h).
#include "train/train_data.h"

#include "image/preprocess.h"
#include "text/prompt.h"

namespace dpn::train {

namespace {
const std::vector<double> kMean{0.48145466, 0.4578275, 0.40821073};
const std::vector<double> kStd{0.26862954, 0.26130258, 0.27577711};
}  // namespace

EncodedScene encode_scene(const datasets::Scene& scene, const std::vector<int>& turns, const Tokenizer& tok) {
  EncodedScene e;
  e.pixels = preprocess_image(scene.image, scene.image.cols, kMean, kStd);
  e.patches = scene.patches;
  for (size_t t = 0; t < turns.size(); ++t) {
    const datasets::QA& qa = scene.qa.at(size_t(turns[t]));
    const std::string q = qa.question + datasets::kShortAnswerSuffix;
    std::vector<int> prompt;
    if (t == 0) {
      prompt = tokenize_prompt(tok, render_prompt(q, "vicuna_v1"));
    } else {
      prompt = tok.encode("USER: " + q + " ASSISTANT:");  // vicuna_v1: "</s>USER: ... ASSISTANT:"
    }
    e.ids.insert(e.ids.end(), prompt.begin(), prompt.end());
    e.target_family.insert(e.target_family.end(), prompt.size(), -1);
    if (t == 0) e.router_index = int(e.ids.size()) - 1;
    std::vector<int> ans = tok.encode(qa.answer);
    ans.push_back(tok.eos_id());
    e.answer_first.push_back(int(e.ids.size()));
    e.turn_family.push_back(int(qa.family));
    e.ids.insert(e.ids.end(), ans.begin(), ans.end());
    e.target_family.insert(e.target_family.end(), ans.size(), int(qa.family));
  }
  return e;
}

std::vector<std::string> tokenizer_corpus(uint64_t seed, int scenes) {
  datasets::GeneratorConfig cfg;
  std::vector<std::string> lines;
  auto flat = [](std::string s) {
    for (char& c : s)
      if (c == '\n') c = ' ';
    return s;
  };
  for (int i = 0; i < scenes; ++i) {
    datasets::Scene s = datasets::generate_scene(cfg, datasets::kFirstTrainSeed + seed, uint64_t(i));
    for (const auto& qa : s.qa) {
      const std::string prompt = render_prompt(qa.question + datasets::kShortAnswerSuffix, "vicuna_v1");
      const size_t img = prompt.find("<image>");
      lines.push_back(flat(prompt.substr(0, img)));
      lines.push_back(flat(prompt.substr(img + 7)));
      lines.push_back("USER: " + flat(qa.question + datasets::kShortAnswerSuffix) + " ASSISTANT:");
      lines.push_back(qa.answer);
    }
  }
  // Every answer word on lines of its own, often enough that BPE gives each one a single piece ("▁red"): the
  // answer is then one token and held-out accuracy can be read from the first answer token.
  for (int r = 0; r < 2000; ++r)
    for (const auto& a : datasets::answer_vocabulary()) lines.push_back(a);
  return lines;
}

}  // namespace dpn::train
