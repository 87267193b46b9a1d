// The VQAv2 accuracy of the VQA team's evaluation (GT-Vision-Lab/VQA PythonEvaluationTools/vqaEvaluation/vqaEval.py,
// run by the EvalAI server) applied to what LLaVA submits: the model's answer after EvalAIAnswerProcessor
// (scripts/convert_vqav2_for_submission.py). Differences from the TextVQA (m4c) rule it is often confused with:
// - nothing is normalised when the ten human answers are identical (10x "two" vs submitted "2" scores 0);
// - the possessive "'s" stays attached ("man's" is one word), "red,white" becomes "red white";
// - leave-one-out drops every human answer EQUAL (as a dict: answer text and its other fields) to the one left out.
#pragma once
#include <string>
#include <vector>

namespace dpn::eval {

struct VqaHumanAnswer {
  std::string answer;
  // The answer object's other fields (answer_id, answer_confidence, ...) as canonical JSON: vqaEval compares whole
  // dicts when it leaves one answer out. Real annotations number their answers, so no two are equal.
  std::string other_fields;
};

// vqaEval.evaluate for one question: `submitted` is the answer as the server receives it. Returns the accuracy in
// [0, 1] (vqaEval keeps it unrounded for the overall mean and reports round(100 * acc, 2) per question).
double vqa_eval_accuracy(const std::string& submitted, const std::vector<VqaHumanAnswer>& humans);

// The VQAv2 pipeline of LLaVA-1.5 for a raw model answer: EvalAIAnswerProcessor, then vqa_eval_accuracy.
double vqav2_pipeline_accuracy(const std::string& model_answer, const std::vector<VqaHumanAnswer>& humans);

}  // namespace dpn::eval
