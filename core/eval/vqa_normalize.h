// The EvalAI / m4c answer processor that VQAv2 and TextVQA scores depend on (LLaVA's llava/eval/m4c_evaluator.py,
// itself copied from facebookresearch/mmf). Reproduced rule by rule, quirks included, so our numbers equal theirs.
#pragma once
#include <string>

namespace dpn::eval {

// EvalAIAnswerProcessor.__call__: lowercase; drop ',' and '?'; "'s" -> " 's"; newlines/tabs -> spaces; punctuation
// removed or turned into spaces; periods not before a digit removed (at most 32, as re.sub(..., re.UNICODE) passes
// 32 as the count); number words -> digits; articles dropped; apostrophe-less contractions repaired.
// Lowercasing is ASCII-only (Python lowercases all of Unicode; answers are ASCII in practice).
std::string vqa_normalize_answer(const std::string& answer);

// The steps on their own, for tests.
std::string vqa_process_punctuation(const std::string& text);
std::string vqa_process_digit_article(const std::string& text);

}  // namespace dpn::eval
