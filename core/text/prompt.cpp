// Prompt rendering (llava-detail.md §6.2) and the per-chunk image splice (§6.3).
#include "text/prompt.h"

#include "util/error.h"

namespace dpn {

namespace {
const char* kVicunaSystem =
    "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
    "detailed, and polite answers to the user's questions.";
const char* kLlavaSystem =
    "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, "
    "detailed, and polite answers to the human's questions.";
}  // namespace

std::string render_prompt(const std::string& question, const std::string& conv_template, const std::string& suffix) {
  const std::string user = "<image>\n" + question + suffix;
  if (conv_template == "vicuna_v1") return std::string(kVicunaSystem) + " USER: " + user + " ASSISTANT:";
  if (conv_template == "llava_v1") return std::string(kLlavaSystem) + " USER: " + user + " ASSISTANT:";
  if (conv_template == "plain") return user;
  throw Error("prompt", "unknown conversation template '" + conv_template + "' (vicuna_v1, llava_v1, plain)");
}

std::vector<int> tokenize_prompt(const Tokenizer& tok, const std::string& prompt) {
  // Special pieces: <image> -> sentinel, added tokens -> their ids. Text between them is encoded chunk by chunk.
  std::vector<std::pair<std::string, int>> specials{{"<image>", kImageSentinel}};
  for (const auto& [content, id] : tok.added_tokens())
    if (content != "<image>") specials.emplace_back(content, id);
  std::vector<int> ids{tok.bos_id()};
  size_t pos = 0;
  bool after_added = false;
  while (pos <= prompt.size()) {
    size_t best = std::string::npos;
    int best_id = 0;
    size_t best_len = 0;
    for (const auto& [content, id] : specials) {
      size_t f = prompt.find(content, pos);
      if (f != std::string::npos && f < best) {
        best = f;
        best_id = id;
        best_len = content.size();
      }
    }
    std::string chunk = prompt.substr(pos, best == std::string::npos ? std::string::npos : best - pos);
    // HF's slow tokenizer strips the whitespace on both sides of an added special token such as <ROUTER>.
    if (after_added) chunk.erase(0, chunk.find_first_not_of(" \t\n"));
    if (best != std::string::npos && best_id != kImageSentinel) chunk.erase(chunk.find_last_not_of(" \t\n") + 1);
    if (!chunk.empty()) {
      auto piece = tok.encode(chunk);
      ids.insert(ids.end(), piece.begin(), piece.end());
    }
    if (best == std::string::npos) break;
    ids.push_back(best_id);
    after_added = best_id != kImageSentinel;
    pos = best + best_len;
  }
  return ids;
}

}  // namespace dpn
