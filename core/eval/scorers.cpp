// Scorers reproducing the official evaluation scripts; see scorers.h for the source of each rule.
#include "eval/scorers.h"

#include <algorithm>

#include "eval/mmbench_eval.h"
#include "eval/py_text.h"
#include "eval/vqa_eval.h"
#include "eval/vqa_normalize.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

const std::string kOptions = "ABCDE";  // eval_science_qa.py --options default

// The human answers of a VQAv2 sample with the other fields of each answer object (read_vqa.cpp keeps them).
std::vector<VqaHumanAnswer> vqa_humans(const EvalSample& s) {
  std::vector<VqaHumanAnswer> out;
  const nlohmann::json keys =
      s.extra.is_object() ? s.extra.value("answer_keys", nlohmann::json::array()) : nlohmann::json::array();
  for (size_t i = 0; i < s.answers.size(); ++i)
    out.push_back({s.answers[i], i < keys.size() && keys[i].is_string() ? keys[i].get<std::string>() : ""});
  return out;
}

}  // namespace

double vqa_soft_accuracy(const std::string& prediction, const std::vector<std::string>& human_answers) {
  if (human_answers.empty()) return 0.0;
  std::vector<std::string> answers;
  for (const auto& a : human_answers) answers.push_back(vqa_normalize_answer(a));
  const std::string pred = vqa_normalize_answer(prediction);
  if (std::find(answers.begin(), answers.end(), pred) == answers.end()) return 0.0;
  // Same summation order as the Python: accs in answer order, sum from 0, divide by the count.
  double sum = 0.0;
  for (size_t i = 0; i < answers.size(); ++i) {
    int matches = 0;
    for (size_t j = 0; j < answers.size(); ++j)
      if (j != i && answers[j] == pred) ++matches;
    sum += std::min(1.0, static_cast<double>(matches) / 3);
  }
  return sum / static_cast<double>(answers.size());
}

std::string gqa_normalize(const std::string& prediction) { return py::lower(py::rstrip_chars(prediction, U'.')); }

std::string pope_parse(const std::string& prediction) {
  std::string text = prediction;
  auto dot = text.find('.');
  if (dot != std::string::npos) text = text.substr(0, dot);
  text.erase(std::remove(text.begin(), text.end(), ','), text.end());
  // split(' '): only the space character separates words; "no\n" stays one word.
  size_t start = 0;
  while (true) {
    size_t sp = text.find(' ', start);
    std::string w = text.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
    if (w == "No" || w == "not" || w == "no") return "no";
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  return "yes";
}

std::string mme_parse(const std::string& prediction) {
  const std::string p = py::lower(prediction);
  if (p == "yes" || p == "no") return p;
  const std::string head = py::prefix(p, 4);  // Python slices code points, after lowercasing
  if (py::contains(head, "yes")) return "yes";
  if (py::contains(head, "no")) return "no";
  return "other";
}

std::string scienceqa_parse(const std::string& text) {
  if (text.size() == 1 && kOptions.find(text[0]) != std::string::npos) return text;
  if (text.size() >= 3 && kOptions.find(text[0]) != std::string::npos && text.compare(1, 2, ". ") == 0)
    return text.substr(0, 1);
  // re.findall(r'The answer is ([A-Z]).', text): non-overlapping; '.' is any character but a newline. Bytes work
  // here: the pattern is ASCII, and a character after the letter starts with a byte that is never '\n'.
  const std::string lead = "The answer is ";
  std::vector<char> found;
  size_t pos = 0;
  while ((pos = text.find(lead, pos)) != std::string::npos) {
    size_t l = pos + lead.size();
    if (l + 1 < text.size() && text[l] >= 'A' && text[l] <= 'Z' && text[l + 1] != '\n') {
      found.push_back(text[l]);
      pos = l + 2;
      while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
    } else {
      pos += 1;
    }
  }
  return found.size() == 1 ? std::string(1, found[0]) : "FAILED";
}

int scienceqa_choice_index(const std::string& letter, int n_choices) {
  if (letter.size() != 1) return -1;
  auto i = kOptions.find(letter[0]);
  if (i == std::string::npos || static_cast<int>(i) >= n_choices) return -1;
  return static_cast<int>(i);
}

bool seed_correct(const std::string& prediction, const std::string& answer) { return prediction == answer; }

std::string dpnbench_normalize(const std::string& text) {
  std::string s = py::strip(py::lower(text));
  while (!s.empty() && s.back() == '.') s.pop_back();
  return py::strip(s);
}

SampleScore score_sample(const std::string& kind, const EvalSample& s, const std::string& prediction) {
  SampleScore r;
  if (s.answers.empty()) {  // no ground truth in this split
    const auto& names = reader_names();
    if (std::find(names.begin(), names.end(), kind) == names.end())
      throw Error("dataset kind '" + kind + "'", "unknown; expected one of " + reader_list());
    return r;
  }
  r.scored = true;
  if (kind == "vqav2") {
    r.parsed = vqa_normalize_answer(prediction);  // what convert_vqav2_for_submission.py submits
    r.score = vqa_eval_accuracy(r.parsed, vqa_humans(s));
    r.correct = r.score >= 1.0;
  } else if (kind == "textvqa") {
    r.parsed = vqa_normalize_answer(prediction);
    r.score = vqa_soft_accuracy(prediction, s.answers);
    r.correct = r.score >= 1.0;
  } else if (kind == "gqa") {
    r.parsed = gqa_normalize(prediction);
    r.correct = r.parsed == s.answers[0];
  } else if (kind == "pope") {
    r.parsed = pope_parse(prediction);
    r.correct = r.parsed == (s.answers[0] == "no" ? "no" : "yes");  // eval_pope.py: any label but "no" is 1
  } else if (kind == "mme") {
    r.parsed = mme_parse(prediction);
    r.correct = r.parsed == py::lower(s.answers[0]);
  } else if (kind == "scienceqa") {
    r.parsed = scienceqa_parse(prediction);
    int n_choices = s.extra.value("n_choices", 0);
    int idx = scienceqa_choice_index(r.parsed, n_choices);
    r.correct = idx >= 0 && idx == scienceqa_choice_index(s.answers[0], n_choices);
  } else if (kind == "mmbench" || kind == "mmbench-cn") {
    r.parsed = mmbench_can_infer(mmbench_prediction_cell(prediction), mmbench_choices(s.extra));
    r.correct = !r.parsed.empty() && r.parsed == s.answers[0];
  } else if (kind == "seed") {
    r.parsed = prediction;
    r.correct = seed_correct(prediction, s.answers[0]);
  } else if (kind == "dpnbench") {
    r.parsed = dpnbench_normalize(prediction);
    for (const auto& a : s.answers) r.correct = r.correct || r.parsed == dpnbench_normalize(a);
  } else {
    throw Error("dataset kind '" + kind + "'", "unknown or not scored locally; expected one of " + reader_list());
  }
  if (kind != "vqav2" && kind != "textvqa") r.score = r.correct ? 1.0 : 0.0;
  return r;
}

}  // namespace dpn::eval
