// Official aggregates over a stored run's samples.
#include "eval/run_metrics.h"

#include <algorithm>
#include <cmath>

#include "eval/mme_truth.h"
#include "eval/preset.h"
#include "eval/scorers.h"

namespace dpn::eval {

namespace {

// The store keeps the ground truth joined with " | " (bench/sample_record.cpp); single answers are unchanged.
std::string first_answer(const store::SampleResult& s) { return s.answer.substr(0, s.answer.find(" | ")); }

std::string category_of(const std::map<std::string, std::string>* categories, const std::string& id) {
  if (!categories) return "";
  auto it = categories->find(id);
  return it == categories->end() ? "" : it->second;
}

}  // namespace

McqChoices mmbench_choices_from_prompt(const std::string& prompt, const std::string& kind) {
  const std::string suffix = llava_prompt_suffix(kind);
  if (prompt.size() < suffix.size() || prompt.compare(prompt.size() - suffix.size(), suffix.size(), suffix) != 0) return {};
  const std::string body = prompt.substr(0, prompt.size() - suffix.size());
  McqChoices out;
  size_t start = body.rfind("\nA. ");
  for (char c = 'A'; start != std::string::npos && c <= 'D'; ++c) {
    const size_t text_at = start + 4;
    const size_t next = body.find(std::string("\n") + static_cast<char>(c + 1) + ". ", text_at);
    out.emplace_back(std::string(1, c), body.substr(text_at, next == std::string::npos ? std::string::npos : next - text_at));
    start = next;
  }
  return out;
}

BenchmarkMetrics run_metrics(const std::string& kind, const std::vector<store::SampleResult>& in,
                             const std::map<std::string, std::string>* categories) {
  std::vector<const store::SampleResult*> samples;
  for (const auto& s : in) samples.push_back(&s);
  std::sort(samples.begin(), samples.end(), [](auto* a, auto* b) { return a->sample_id < b->sample_id; });
  if (kind == "vqav2" || kind == "textvqa") {
    std::vector<VqaItem> items;
    for (auto* s : samples) items.push_back({s->score, s->family, ""});
    return vqa_metrics(kind, items);
  }
  if (kind == "gqa") {
    std::vector<GqaItem> items;
    for (auto* s : samples) items.push_back({s->correct, s->family, true});
    return gqa_metrics(items);
  }
  if (kind == "pope") {
    std::vector<PopeItem> items;
    for (auto* s : samples) items.push_back({s->family, first_answer(*s), s->prediction, true});
    return pope_metrics(items);
  }
  if (kind == "mme") {
    std::vector<MmeItem> items;
    for (auto* s : samples) {
      const MmeKey key = mme_key(s->sample_id.substr(0, s->sample_id.rfind('#')));
      items.push_back({key.category, key.category + "/" + key.file, first_answer(*s), s->prediction});
    }
    return mme_metrics(items);
  }
  if (kind == "scienceqa") {
    std::vector<ScienceQaItem> items;
    for (auto* s : samples) items.push_back({s->correct, s->family == "img"});
    return scienceqa_metrics(items);
  }
  if (kind == "seed") {
    std::vector<SeedItem> items;
    for (auto* s : samples) items.push_back({category_of(categories, s->sample_id), s->family, s->correct, true});
    return seed_metrics(items);
  }
  if (kind == "mmbench" || kind == "mmbench-cn") {
    std::vector<McqRow> rows;
    bool all_parsed_known = true;
    for (auto* s : samples) {
      McqRow r;
      try {
        r.index = std::stoll(s->sample_id);
      } catch (const std::exception&) {
        continue;
      }
      r.group = static_cast<int64_t>(std::fmod(static_cast<double>(r.index), 1e6));
      r.answer = first_answer(*s);
      const McqChoices choices = mmbench_choices_from_prompt(s->question, kind);
      all_parsed_known = all_parsed_known && !choices.empty();
      // The stored verdict decides the hit; the parse (for the unparsed count) is redone from the prompt's options.
      r.parsed = s->correct ? r.answer : mmbench_can_infer(mmbench_prediction_cell(s->prediction), choices);
      if (!s->correct && r.parsed == r.answer) r.parsed = "?";  // never let a re-parse turn a stored miss into a hit
      r.category = category_of(categories, s->sample_id);
      r.l2_category = s->family;
      r.split = "none";
      rows.push_back(r);
    }
    BenchmarkMetrics m = mmbench_metrics(kind, rows);
    if (!all_parsed_known) m.unparsed = -1;
    if (!categories) m.groups.erase(std::remove_if(m.groups.begin(), m.groups.end(),
                                                   [](const MetricGroup& g) { return g.section == "categories"; }),
                                    m.groups.end());
    return m;
  }
  if (kind == "vizwiz" || kind == "mmvet" || kind == "llavabench") return unscored_metrics(kind, static_cast<int64_t>(in.size()));
  BenchmarkMetrics m;  // dpnbench: the bench table's accuracy is its metric
  m.kind = kind;
  m.n = static_cast<int64_t>(in.size());
  return m;
}

}  // namespace dpn::eval
