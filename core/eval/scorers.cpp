// Scorers reproducing LLaVA's evaluation scripts; see scorers.h for the source of each rule.
#include "eval/scorers.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "eval/vqa_normalize.h"
#include "util/error.h"

namespace dpn::eval {

namespace {

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string ascii_upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }
std::string strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_space(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}
std::string strip_chars(const std::string& s, char c) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == c) ++b;
  while (e > b && s[e - 1] == c) --e;
  return s.substr(b, e - b);
}
// The first n Unicode code points of UTF-8 text (Python slices code points).
std::string first_code_points(const std::string& s, size_t n) {
  size_t i = 0, count = 0;
  while (i < s.size() && count < n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++count;
  }
  return s.substr(0, i);
}
bool contains(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }

const std::string kOptions = "ABCDE";  // eval_science_qa.py --options default

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

std::string gqa_normalize(const std::string& prediction) {
  std::string s = prediction;
  while (!s.empty() && s.back() == '.') s.pop_back();
  return ascii_lower(s);
}

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
  const std::string p = ascii_lower(prediction);
  if (p == "yes" || p == "no") return p;
  const std::string prefix = first_code_points(p, 4);
  if (contains(prefix, "yes")) return "yes";
  if (contains(prefix, "no")) return "no";
  return "other";
}

std::string scienceqa_parse(const std::string& text) {
  if (text.size() == 1 && kOptions.find(text[0]) != std::string::npos) return text;
  if (text.size() >= 3 && kOptions.find(text[0]) != std::string::npos && text.compare(1, 2, ". ") == 0)
    return text.substr(0, 1);
  // re.findall(r'The answer is ([A-Z]).', text): non-overlapping; '.' is any character but a newline.
  const std::string lead = "The answer is ";
  std::vector<char> found;
  size_t pos = 0;
  while ((pos = text.find(lead, pos)) != std::string::npos) {
    size_t l = pos + lead.size();
    if (l + 1 < text.size() && text[l] >= 'A' && text[l] <= 'Z' && text[l + 1] != '\n') {
      found.push_back(text[l]);
      pos = l + 2;
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

std::string mmbench_parse(const std::string& answer, const std::vector<std::string>& options) {
  const std::string letters = std::string("ABCD").substr(0, std::min<size_t>(4, options.size()));
  const std::string bare = ascii_upper(strip(strip_chars(answer, '.')));
  if (bare.size() == 1 && letters.find(bare[0]) != std::string::npos) return bare;
  const std::string lower = ascii_lower(answer);
  for (char l : letters)
    if (contains(lower, ascii_lower(std::string("The answer is ") + l + "."))) return std::string(1, l);
  std::vector<char> matched;
  for (size_t i = 0; i < letters.size(); ++i)
    if (contains(ascii_lower(options[i]), lower)) matched.push_back(letters[i]);
  if (matched.size() == 1) return std::string(1, matched[0]);
  return "";
}

std::string dpnbench_normalize(const std::string& text) {
  std::string s = strip(ascii_lower(text));
  while (!s.empty() && s.back() == '.') s.pop_back();
  return strip(s);
}

SampleScore score_sample(const std::string& kind, const EvalSample& s, const std::string& prediction) {
  SampleScore r;
  if (s.answers.empty()) return r;  // no ground truth in this split
  r.scored = true;
  if (kind == "vqav2" || kind == "textvqa") {
    r.parsed = vqa_normalize_answer(prediction);
    r.score = vqa_soft_accuracy(prediction, s.answers);
    r.correct = r.score >= 1.0;
  } else if (kind == "gqa") {
    r.parsed = gqa_normalize(prediction);
    r.correct = r.parsed == s.answers[0];
  } else if (kind == "pope") {
    r.parsed = pope_parse(prediction);
    r.correct = r.parsed == s.answers[0];
  } else if (kind == "mme") {
    r.parsed = mme_parse(prediction);
    r.correct = r.parsed == ascii_lower(s.answers[0]);
  } else if (kind == "scienceqa") {
    r.parsed = scienceqa_parse(prediction);
    int n_choices = s.extra.value("n_choices", 0);
    int idx = scienceqa_choice_index(r.parsed, n_choices);
    r.correct = idx >= 0 && idx == scienceqa_choice_index(s.answers[0], n_choices);
  } else if (kind == "mmbench") {
    std::vector<std::string> options = s.extra.value("options", std::vector<std::string>{});
    r.parsed = mmbench_parse(prediction, options);
    r.correct = !r.parsed.empty() && r.parsed == s.answers[0];
  } else if (kind == "dpnbench") {
    r.parsed = dpnbench_normalize(prediction);
    for (const auto& a : s.answers) r.correct = r.correct || r.parsed == dpnbench_normalize(a);
  } else {
    throw Error("dataset kind '" + kind + "'", "unknown; expected one of vqav2, textvqa, gqa, pope, mme, scienceqa, "
                                               "mmbench, dpnbench");
  }
  if (kind != "vqav2" && kind != "textvqa") r.score = r.correct ? 1.0 : 0.0;
  return r;
}

PopeMetrics pope_metrics(const std::vector<std::string>& labels, const std::vector<std::string>& predictions) {
  if (labels.size() != predictions.size())
    throw Error("POPE", "labels (" + std::to_string(labels.size()) + ") and predictions (" +
                            std::to_string(predictions.size()) + ") differ in number");
  PopeMetrics m;
  int yes = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    bool pred = pope_parse(predictions[i]) != "no";  // positive class = yes
    bool label = labels[i] != "no";                  // the script maps anything but "no" to 1
    yes += pred;
    if (pred && label) ++m.tp;
    else if (pred && !label) ++m.fp;
    else if (!pred && !label) ++m.tn;
    else ++m.fn;
  }
  const int n = static_cast<int>(labels.size());
  if (n == 0) return m;
  m.yes_ratio = static_cast<double>(yes) / n;
  m.precision = m.tp + m.fp ? static_cast<double>(m.tp) / (m.tp + m.fp) : 0.0;
  m.recall = m.tp + m.fn ? static_cast<double>(m.tp) / (m.tp + m.fn) : 0.0;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  m.accuracy = static_cast<double>(m.tp + m.tn) / n;
  return m;
}

const std::vector<std::string>& mme_perception_tasks() {
  static const std::vector<std::string> t = {"existence", "count",    "position", "color",   "posters",
                                             "celebrity", "scene",    "landmark", "artwork", "OCR"};
  return t;
}
const std::vector<std::string>& mme_cognition_tasks() {
  static const std::vector<std::string> t = {"commonsense_reasoning", "numerical_calculation", "text_translation",
                                             "code_reasoning"};
  return t;
}

MmeScores mme_scores(const std::vector<MmeItem>& items) {
  struct Task {
    int n = 0, correct = 0;
    std::map<std::string, std::pair<int, int>> images;  // key -> (questions, correct)
  };
  std::map<std::string, Task> tasks;
  for (const auto& it : items) {
    const std::string gt = ascii_lower(it.gt);
    if (gt != "yes" && gt != "no")
      throw Error("MME " + it.category + "/" + it.image_key, "ground truth must be yes or no, got '" + it.gt + "'");
    bool ok = mme_parse(it.prediction) == gt;
    Task& t = tasks[it.category];
    ++t.n;
    t.correct += ok;
    auto& img = t.images[it.image_key];
    ++img.first;
    img.second += ok;
  }
  MmeScores out;
  for (const auto& [name, t] : tasks) {
    int plus = 0;
    for (const auto& [key, img] : t.images) {
      if (img.first != 2)
        throw Error("MME " + name + "/" + key, "an image must have exactly 2 questions (calculation.py asserts it), "
                                               "found " + std::to_string(img.first));
      plus += img.second == 2;
    }
    double acc = static_cast<double>(t.correct) / t.n;
    double acc_plus = static_cast<double>(plus) / static_cast<double>(t.images.size());
    out.subtask[name] = 0.0 + acc * 100 + acc_plus * 100;
  }
  for (const auto& n : mme_perception_tasks())
    if (out.subtask.count(n)) out.perception += out.subtask[n];
  for (const auto& n : mme_cognition_tasks())
    if (out.subtask.count(n)) out.cognition += out.subtask[n];
  return out;
}

ScienceQaAccuracy scienceqa_accuracy(const std::vector<bool>& correct, const std::vector<bool>& has_image) {
  if (correct.size() != has_image.size()) throw Error("ScienceQA", "correct and has_image differ in length");
  ScienceQaAccuracy a;
  for (size_t i = 0; i < correct.size(); ++i) {
    ++a.total;
    a.correct += correct[i];
    if (has_image[i]) {
      ++a.img_total;
      a.img_correct += correct[i];
    }
  }
  if (a.total) a.accuracy = static_cast<double>(a.correct) / a.total * 100;
  if (a.img_total) a.img_accuracy = static_cast<double>(a.img_correct) / a.img_total * 100;
  return a;
}

}  // namespace dpn::eval
