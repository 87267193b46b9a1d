// The official aggregates, step for step as the scripts compute them (summation order, rounding, failures).
#include "eval/official_metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "eval/py_text.h"
#include "eval/scorers.h"

namespace dpn::eval {

namespace {

// Python's round(x, ndigits) on a float: the exact binary value rounded to ndigits decimals, ties to even. glibc's
// printf rounds the exact value the same way.
double py_round(double x, int ndigits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", ndigits, x);
  return std::strtod(buf, nullptr);
}

Metric metric(const std::string& name, double value, int64_t n, const std::string& unit) { return {name, value, n, unit}; }

BenchmarkMetrics start(const std::string& kind, const std::string& official, size_t n) {
  BenchmarkMetrics r;
  r.kind = kind;
  r.official = official;
  r.n = static_cast<int64_t>(n);
  return r;
}

// np.mean of 0/1 hits: the count over the number (exact for counts below 2^53).
double mean_hits(int64_t hits, int64_t n) { return static_cast<double>(hits) / static_cast<double>(n); }

// MMBench's report_acc abbreviations of the l2 categories.
std::string mmb_abbr(const std::string& l2) {
  static const std::map<std::string, std::string> abbr = {
      {"coarse_perception", "CP"},       {"finegrained_perception (instance-level)", "FP-S"},
      {"finegrained_perception (cross-instance)", "FP-C"}, {"logic_reasoning", "LR"},
      {"relation_reasoning", "RR"},      {"attribute_reasoning", "AR"}};
  auto it = abbr.find(l2);
  return it == abbr.end() ? l2 : it->second;
}

std::string fmt(double v, const char* f) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string format_value(const Metric& m) {
  if (m.unit == "%") return fmt(m.value, "%.2f%%");
  if (m.unit == "points") return fmt(m.value, "%.2f");
  if (m.unit == "count") return fmt(m.value, "%.0f");
  return fmt(m.value, "%.4f");
}

}  // namespace

const Metric* BenchmarkMetrics::find(const std::string& name) const {
  for (const auto& m : headline)
    if (m.name == name) return &m;
  return nullptr;
}

BenchmarkMetrics vqa_metrics(const std::string& kind, const std::vector<VqaItem>& items) {
  BenchmarkMetrics r = start(kind, "", items.size());
  if (kind == "textvqa") {
    r.official = "llava/eval/eval_textvqa.py (m4c TextVQAAccuracyEvaluator)";
    if (items.empty()) {
      r.errors.push_back("eval_textvqa.py stops: sum(pred_scores) / len(pred_scores) divides by zero (no answers)");
      return r;
    }
    double sum = 0;
    for (const auto& it : items) sum += it.accuracy;
    r.headline.push_back(metric("acc", 100.0 * (sum / static_cast<double>(items.size())), r.n, "%"));
    return r;
  }
  r.official = "scripts/convert_vqav2_for_submission.py + VQA vqaEval.py (EvalAI server)";
  if (items.empty()) {
    r.errors.push_back("vqaEval.py stops: setAccuracy divides by len(accQA) = 0 (no questions)");
    return r;
  }
  // setAccuracy: round(100 * float(sum(acc)) / len(acc), n=2), sums in question order.
  auto rounded = [](const std::vector<double>& accs) {
    double sum = 0;
    for (double a : accs) sum += a;
    return py_round(100 * sum / static_cast<double>(accs.size()), 2);
  };
  std::vector<double> all;
  std::map<std::string, std::vector<double>> by_answer, by_question;
  for (const auto& it : items) {
    all.push_back(it.accuracy);
    by_answer[it.answer_type].push_back(it.accuracy);
    by_question[it.question_type].push_back(it.accuracy);
  }
  r.headline.push_back(metric("acc", rounded(all), r.n, "%"));
  for (const auto& [type, accs] : by_answer)
    r.groups.push_back({"answer_types", type, {metric("acc", rounded(accs), static_cast<int64_t>(accs.size()), "%")}});
  for (const auto& [type, accs] : by_question)
    if (!(by_question.size() == 1 && type.empty()))  // stored runs do not keep the question type
      r.groups.push_back({"question_types", type, {metric("acc", rounded(accs), static_cast<int64_t>(accs.size()), "%")}});
  return r;
}

BenchmarkMetrics gqa_metrics(const std::vector<GqaItem>& items) {
  BenchmarkMetrics r = start("gqa", "scripts/convert_gqa_for_eval.py + GQA eval.py --tier testdev_balanced", items.size());
  // avg(l) = float(sum(l)) / len(l), 0 for an empty list; reported * 100.
  int64_t correct = 0, binary = 0, binary_correct = 0, open = 0, open_correct = 0;
  bool any_group = false;
  for (const auto& it : items) {
    correct += it.correct;
    any_group = any_group || it.has_global_group;
    if (it.structural == "query") ++open, open_correct += it.correct;
    else ++binary, binary_correct += it.correct;
  }
  if (!any_group) {
    r.errors.push_back("eval.py stops before printing: the distribution score divides by zero (no balanced question "
                       "has a global group)");
    return r;
  }
  auto avg = [](int64_t c, int64_t n) { return n ? static_cast<double>(c) / static_cast<double>(n) * 100 : 0.0; };
  r.headline.push_back(metric("acc", avg(correct, r.n), r.n, "%"));
  r.headline.push_back(metric("binary", avg(binary_correct, binary), binary, "%"));
  r.headline.push_back(metric("open", avg(open_correct, open), open, "%"));
  return r;
}

BenchmarkMetrics pope_metrics(const std::vector<PopeItem>& items) {
  BenchmarkMetrics r = start("pope", "llava/eval/eval_pope.py", items.size());
  std::map<std::string, std::vector<const PopeItem*>> splits;
  for (const auto& it : items) splits[it.split].push_back(&it);
  double f1_sum = 0, acc_sum = 0;
  bool all_ok = !splits.empty();
  for (const auto& [name, list] : splits) {
    MetricGroup g{"splits", name, {}};
    int64_t tp = 0, fp = 0, tn = 0, fn = 0, yes = 0;
    for (const PopeItem* it : list) {
      const bool pred = pope_parse(it->prediction) != "no";
      yes += pred;
      if (!it->has_label) continue;  // zip(pred_list, label_list) stops at the shorter list
      const bool label = it->label != "no";
      if (pred && label) ++tp;
      else if (pred && !label) ++fp;
      else if (!pred && !label) ++tn;
      else ++fn;
    }
    const int64_t n = static_cast<int64_t>(list.size());
    for (auto [k, v] : {std::pair<const char*, int64_t>{"tp", tp}, {"fp", fp}, {"tn", tn}, {"fn", fn}})
      g.metrics.push_back(metric(k, static_cast<double>(v), 0, "count"));
    const std::string stop = "eval_pope.py stops at split " + name + ": ";
    if (tp + fp == 0) {
      r.errors.push_back(stop + "precision = TP / (TP + FP) divides by zero (no answer was parsed as yes)");
    } else if (tp + fn == 0) {
      r.errors.push_back(stop + "recall = TP / (TP + FN) divides by zero (no label is yes)");
    } else {
      const double precision = static_cast<double>(tp) / static_cast<double>(tp + fp);
      const double recall = static_cast<double>(tp) / static_cast<double>(tp + fn);
      if (precision + recall == 0) {
        r.errors.push_back(stop + "F1 divides by zero (precision and recall are 0)");
      } else {
        const double f1 = 2 * precision * recall / (precision + recall);
        const double acc = static_cast<double>(tp + tn) / static_cast<double>(tp + tn + fp + fn);
        const double yes_ratio = static_cast<double>(yes) / static_cast<double>(n);
        const int64_t paired = tp + tn + fp + fn;
        g.metrics.push_back(metric("acc", acc, paired, ""));
        g.metrics.push_back(metric("precision", precision, tp + fp, ""));
        g.metrics.push_back(metric("recall", recall, tp + fn, ""));
        g.metrics.push_back(metric("f1", f1, paired, ""));
        g.metrics.push_back(metric("yes_ratio", yes_ratio, n, ""));
        f1_sum += f1;
        acc_sum += acc;
        if (paired != n)
          r.notes.push_back("split " + name + ": " + std::to_string(n) + " answers but " + std::to_string(paired) +
                            " labels; eval_pope.py pairs them in order and drops the rest (yes_ratio counts all)");
        r.groups.push_back(g);
        continue;
      }
    }
    all_ok = false;
    r.groups.push_back(g);
  }
  if (all_ok) {
    // LLaVA-1.5's POPE column: F1 averaged over the splits.
    const double k = static_cast<double>(splits.size());
    r.headline.push_back(metric("f1", f1_sum / k, r.n, ""));
    r.headline.push_back(metric("acc", acc_sum / k, r.n, ""));
  }
  return r;
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

BenchmarkMetrics mme_metrics(const std::vector<MmeItem>& items) {
  BenchmarkMetrics r = start("mme", "MME convert_answer_to_mme.py + eval_tool/calculation.py", items.size());
  std::map<std::string, std::vector<const MmeItem*>> tasks;  // answer-file order within each subtask
  for (const auto& it : items) tasks[it.category].push_back(&it);
  std::set<std::string> known(mme_perception_tasks().begin(), mme_perception_tasks().end());
  known.insert(mme_cognition_tasks().begin(), mme_cognition_tasks().end());
  for (const auto& [name, list] : tasks)
    if (!known.count(name))
      r.notes.push_back("subtask '" + name + "' (" + std::to_string(list.size()) +
                        " answers) is not one of calculation.py's 14 subtasks and is not scored");
  bool stopped = false;  // calculation.py raises and prints nothing more
  for (const auto* type : {&mme_perception_tasks(), &mme_cognition_tasks()}) {
    const bool perception = type == &mme_perception_tasks();
    double total = 0;
    bool total_ok = !stopped;
    for (const auto& task : *type) {
      auto it = tasks.find(task);
      std::string error;
      if (it == tasks.end()) {
        error = "no answers for subtask " + task + " (calculation.py opens " + task + ".txt for each of the 14)";
      } else {
        const auto& list = it->second;
        for (const MmeItem* m : list) {
          const std::string gt = py::lower(m->gt);
          if (gt != "yes" && gt != "no") error = "ground truth '" + m->gt + "' of " + m->image_key + " is not yes/no";
          if (m->prediction.find_first_of("\t\n\r") != std::string::npos)
            error = "the answer for " + m->image_key + " contains a tab or line break, which breaks the line format of " +
                    task + ".txt";
          if (!error.empty()) break;
        }
        if (error.empty() && list.size() % 2 != 0)
          error = task + " has " + std::to_string(list.size()) + " answers; calculation.py pairs lines two by two";
        if (error.empty()) {
          int64_t correct = 0, plus = 0, other = 0;
          for (size_t i = 0; i < list.size(); i += 2) {
            int both = 0;
            for (size_t k = i; k < i + 2; ++k) {
              const std::string p = mme_parse(list[k]->prediction);
              other += p == "other";
              const bool ok = p == py::lower(list[k]->gt);
              correct += ok;
              both += ok;
            }
            plus += both == 2;
            if (list[i]->image_key != list[i + 1]->image_key)
              r.notes.push_back(task + ": consecutive answers " + std::to_string(i + 1) + " and " + std::to_string(i + 2) +
                                " are about different images (" + list[i]->image_key + ", " + list[i + 1]->image_key +
                                "); calculation.py pairs them anyway");
          }
          if (other == static_cast<int64_t>(list.size())) {
            error = "every answer of " + task + " is neither yes nor no; scikit-learn's precision_score raises on the "
                    "empty yes/no subset";
          } else {
            const double acc = static_cast<double>(correct) / static_cast<double>(list.size());
            const double acc_plus = static_cast<double>(plus) / static_cast<double>(list.size() / 2);
            const double score = 0.0 + acc * 100 + acc_plus * 100;
            const int64_t n = static_cast<int64_t>(list.size());
            r.groups.push_back({"subtasks", task,
                                {metric("score", score, n, "points"), metric("acc", acc, n, ""),
                                 metric("acc_plus", acc_plus, n / 2, ""), metric("other", static_cast<double>(other), 0, "count")}});
            total += score;
          }
        }
      }
      if (!error.empty()) {
        if (!stopped) r.errors.push_back("calculation.py stops: " + error);
        stopped = true;
        total_ok = false;
      }
    }
    if (total_ok) r.headline.push_back(metric(perception ? "perception" : "cognition", total, 0, "points"));
  }
  return r;
}

BenchmarkMetrics scienceqa_metrics(const std::vector<ScienceQaItem>& items) {
  BenchmarkMetrics r = start("scienceqa", "llava/eval/eval_science_qa.py", items.size());
  int64_t correct = 0, mm = 0, mm_correct = 0;
  for (const auto& it : items) {
    correct += it.correct;
    mm += it.multimodal;
    mm_correct += it.correct && it.multimodal;
  }
  // One print computes both numbers: either division by zero loses the whole line (and the result files).
  if (r.n == 0) {
    r.errors.push_back("eval_science_qa.py stops: correct / total divides by zero (no problems in the split)");
    return r;
  }
  if (mm == 0) {
    r.errors.push_back("eval_science_qa.py stops: IMG-Accuracy divides by zero (no answered problem has an image; "
                       "it looks for '<image>' in the answer's prompt)");
    return r;
  }
  r.headline.push_back(metric("acc", static_cast<double>(correct) / static_cast<double>(r.n) * 100, r.n, "%"));
  r.headline.push_back(metric("img_acc", static_cast<double>(mm_correct) / static_cast<double>(mm) * 100, mm, "%"));
  return r;
}

BenchmarkMetrics seed_metrics(const std::vector<SeedItem>& items) {
  BenchmarkMetrics r = start("seed", "scripts/convert_seed_for_submission.py", items.size());
  std::map<std::string, std::pair<int64_t, int64_t>> types;  // type -> (count, correct)
  std::map<std::string, bool> has_count;                      // correct_counts[type] exists
  for (const auto& it : items) has_count[it.question_type] = has_count[it.question_type] || it.correct || !it.answered;
  std::map<std::string, std::pair<int64_t, int64_t>> data;   // image / video -> (count, correct)
  int64_t correct = 0;
  for (const auto& it : items) {
    auto& t = types[it.question_type];
    ++t.first, t.second += it.correct;
    auto& d = data[it.data_type];
    ++d.first, d.second += it.correct;
    correct += it.correct;
  }
  if (r.n == 0) {
    r.errors.push_back("convert_seed_for_submission.py stops: total_correct / total_count divides by zero");
    return r;
  }
  for (const auto& [type, ok] : has_count)
    if (!ok) {
      r.errors.push_back("convert_seed_for_submission.py stops with KeyError: every question of type '" + type +
                         "' is answered and none is right, so correct_counts has no entry for it");
      return r;
    }
  for (const auto& [type, c] : types)
    r.groups.push_back({"question_types", type,
                        {metric("acc", static_cast<double>(c.second) / static_cast<double>(c.first) * 100, c.first, "%")}});
  r.headline.push_back(metric("acc", static_cast<double>(correct) / static_cast<double>(r.n) * 100, r.n, "%"));
  for (const char* dt : {"image", "video"}) {
    auto it = data.find(dt);
    if (it == data.end()) {
      r.notes.push_back(std::string("no ") + dt + " questions in the question file: " + dt + " accuracy not reported");
      continue;
    }
    r.headline.push_back(metric(std::string(dt) + "_acc",
                                static_cast<double>(it->second.second) / static_cast<double>(it->second.first) * 100,
                                it->second.first, "%"));
  }
  return r;
}

BenchmarkMetrics mmbench_metrics(const std::string& kind, const std::vector<McqRow>& all_rows) {
  BenchmarkMetrics r;
  r.kind = kind;
  r.official = "VLMEvalKit mcq_circular_eval (exact matching, no GPT judge) on convert_mmbench_for_submission.py's xlsx";
  std::vector<McqRow> rows;
  for (const auto& row : all_rows)
    if (!row.answer.empty()) rows.push_back(row);
  r.n = static_cast<int64_t>(rows.size());
  r.unparsed = 0;
  for (const auto& row : rows) r.unparsed += row.parsed.empty();
  if (rows.empty()) {
    r.notes.push_back("no ground truth (test split): submit the .xlsx from `dpn runs export ID --format "
                      "mmbench-submission` to the MMBench server");
    r.unparsed = -1;
    return r;
  }
  const std::vector<McqGroupHit> hits = mmbench_circular_hits(rows);
  // report_acc: per split; abilities sorted, l2 names abbreviated.
  std::map<std::string, std::pair<int64_t, int64_t>> overall;                            // split -> (n, hits)
  std::map<std::string, std::map<std::string, std::pair<int64_t, int64_t>>> l2, cat;   // name -> split -> ...
  for (const auto& h : hits) {
    auto add = [&](std::pair<int64_t, int64_t>& p) { ++p.first, p.second += h.hit; };
    add(overall[h.main->split]);
    add(l2[mmb_abbr(h.main->l2_category)][h.main->split]);
    add(cat[h.main->category][h.main->split]);
  }
  const bool one_split = overall.size() == 1;
  for (const auto& [split, c] : overall)
    r.headline.push_back(metric(one_split ? "Overall" : "Overall " + split, mean_hits(c.second, c.first), c.first, ""));
  for (const auto* section : {&l2, &cat})
    for (const auto& [name, per_split] : *section) {
      MetricGroup g{section == &l2 ? "l2_categories" : "categories", name, {}};
      for (const auto& [split, c] : per_split)
        g.metrics.push_back(metric(one_split ? "acc" : "acc " + split, mean_hits(c.second, c.first), c.first, ""));
      r.groups.push_back(g);
    }
  r.notes.push_back(std::to_string(hits.size()) + " questions (" + std::to_string(rows.size()) +
                    " rows with their circular copies); a question counts when every copy is answered right");
  return r;
}

BenchmarkMetrics unscored_metrics(const std::string& kind, int64_t n) {
  BenchmarkMetrics r;
  r.kind = kind;
  r.n = n;
  if (kind == "vizwiz") {
    r.official = "scripts/convert_vizwiz_for_submission.py (EvalAI server)";
    r.notes.push_back("scored by the VizWiz EvalAI server: upload `dpn runs export ID --format vizwiz-submission`");
  } else if (kind == "mmvet") {
    r.official = "scripts/convert_mmvet_for_eval.py (MM-Vet GPT-4 evaluator)";
    r.notes.push_back("GPT-4 judged: give `dpn runs export ID --format mmvet` to the MM-Vet evaluator");
  } else if (kind == "llavabench") {
    r.official = "llava/eval/eval_gpt_review_bench.py + summarize_gpt_review.py (GPT-4 judged)";
    r.notes.push_back("GPT-4 judged: review `dpn runs export ID --format llava-answers` with eval_gpt_review_bench.py");
  } else {
    r.notes.push_back("this split has no ground truth: export the answers for the benchmark's server");
  }
  return r;
}

nlohmann::json metrics_json(const BenchmarkMetrics& m) {
  nlohmann::ordered_json j;
  j["kind"] = m.kind;
  j["official"] = m.official;
  j["n"] = m.n;
  for (const auto& h : m.headline) j[h.name] = h.value;
  for (const auto& g : m.groups) {
    nlohmann::ordered_json o;
    int64_t n = 0;
    for (const auto& x : g.metrics) {
      o[x.name] = x.value;
      n = std::max(n, x.n);
    }
    if (n > 0) o["n"] = n;
    j[g.section][g.name] = o;
  }
  if (m.unparsed >= 0) j["unparsed"] = m.unparsed;
  j["errors"] = m.errors;
  j["notes"] = m.notes;
  return nlohmann::json::parse(j.dump());  // keys sorted for stable output
}

std::string format_metrics(const BenchmarkMetrics& m) {
  std::string out = "official metrics (" + m.official + "), " + std::to_string(m.n) + " samples";
  if (!m.headline.empty()) {
    out += ":";
    for (const auto& h : m.headline) out += "  " + h.name + " " + format_value(h);
  }
  out += "\n";
  if (m.unparsed >= 0) out += "  unparsed answers: " + std::to_string(m.unparsed) + "\n";
  std::string section;
  for (const auto& g : m.groups) {
    if (g.section != section) out += "  " + (section = g.section) + ":\n";
    out += "    " + g.name + ":";
    for (const auto& x : g.metrics) out += "  " + x.name + " " + format_value(x);
    out += "\n";
  }
  for (const auto& e : m.errors) out += "  error: " + e + "\n";
  for (const auto& n : m.notes) out += "  note: " + n + "\n";
  return out;
}

}  // namespace dpn::eval
