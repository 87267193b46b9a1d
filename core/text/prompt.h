// Conversation templates and LLaVA's `tokenizer_image_token`: the prompt is split on <image> (and added tokens such
// as <ROUTER>), each text chunk is encoded separately, BOS once at the start, the image marked by kImageSentinel.
#pragma once
#include <string>
#include <vector>

#include "text/tokenizer.h"

namespace dpn {

constexpr int kImageSentinel = -200;  // LLaVA's IMAGE_TOKEN_INDEX

// Renders a single-turn prompt. Templates: "vicuna_v1" (LLaVA-1.5 eval), "llava_v1" ("human" wording), "plain".
// The question gets "<image>\n" in front; `suffix` (e.g. "<ROUTER>") is appended right after the question.
std::string render_prompt(const std::string& question, const std::string& conv_template, const std::string& suffix = "");

// Tokenizes a rendered prompt: ids with one kImageSentinel where <image> was, BOS first.
std::vector<int> tokenize_prompt(const Tokenizer& tok, const std::string& prompt);

}  // namespace dpn
