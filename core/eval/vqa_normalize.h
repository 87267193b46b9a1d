// The answer processing VQAv2, VizWiz and TextVQA scores depend on, reproduced rule by rule, quirks included:
// - EvalAIAnswerProcessor of LLaVA's llava/eval/m4c_evaluator.py (copied there from facebookresearch/mmf), used by
//   eval_textvqa.py on both sides and by convert_vqav2/vizwiz_for_submission.py on the prediction;
// - processPunctuation + processDigitArticle of the VQA team's vqaEval.py (GT-Vision-Lab/VQA), which the VQAv2
//   evaluation server applies to the submitted answer and the human answers.
// Text is handled as Python 3 does: full Unicode lowercase, Unicode whitespace and `\d` (eval/py_text.h).
#pragma once
#include <string>

namespace dpn::eval {

// How a digit-comma-digit sequence is recognised; when present, punctuation is deleted rather than spaced.
enum class CommaRule {
  M4c,      // m4c COMMA_STRIP (?<=\d)(\,)+(?=\d): one or more commas
  VqaEval,  // vqaEval commaStrip (\d)(\,)(\d): exactly one comma
};

// EvalAIAnswerProcessor.__call__: lowercase; drop ',' and '?'; "'s" -> " 's"; newlines/tabs -> spaces; punctuation
// removed or turned into spaces; periods not before a digit removed (at most 32, as re.sub(..., re.UNICODE) passes
// 32 as the count); number words -> digits; articles dropped; apostrophe-less contractions repaired.
std::string vqa_normalize_answer(const std::string& answer);

// vqaEval.processDigitArticle(processPunctuation(answer)): no word_tokenize step, so "'s" stays attached and a comma
// between words is spaced ("red,white" -> "red white" where m4c gives "redwhite").
std::string vqa_eval_normalize(const std::string& answer);

// The steps on their own, for tests.
std::string vqa_process_punctuation(const std::string& text, CommaRule rule = CommaRule::M4c);
std::string vqa_process_digit_article(const std::string& text);

}  // namespace dpn::eval
