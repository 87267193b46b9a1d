// VLMEvalKit's can_infer and circular grouping, on code points with Python's Unicode semantics.
#include "eval/mmbench_eval.h"

#include <algorithm>
#include <map>
#include <set>

#include "eval/py_text.h"

namespace dpn::eval {

namespace {

// `lower(x) == c` under re.IGNORECASE for a lowercase ASCII letter c of the pattern, with sre's extra
// equivalences for 'i' (U+0131 dotless i) and 's' (U+017F long s).
bool ci_equal(char32_t x, char32_t c) {
  const char32_t l = py::simple_lower(x);
  return l == c || (c == U'i' && l == 0x131) || (c == U's' && l == 0x17F);
}

// Matches the literal `word` case-insensitively at a[i..]; returns the end or npos.
size_t ci_literal(const std::u32string& a, size_t i, const char32_t* word) {
  for (; *word; ++word, ++i)
    if (i >= a.size() || !ci_equal(a[i], *word)) return std::u32string::npos;
  return i;
}

// \s+ at a[i..]; npos when there is none.
size_t spaces(const std::u32string& a, size_t i) {
  size_t j = i;
  while (j < a.size() && py::is_space(a[j])) ++j;
  return j > i ? j : std::u32string::npos;
}

// re.search(r"(?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\**", answer).group(1).upper(), or "" without a match.
// The optional "correct" prefix cannot move which "answer is" matches first, so only that part is searched for.
std::string verbose_answer_letter(const std::u32string& a) {
  for (size_t i = 0; i < a.size(); ++i) {
    size_t j = ci_literal(a, i, U"answer");
    if (j == std::u32string::npos || (j = spaces(a, j)) == std::u32string::npos) continue;
    if ((j = ci_literal(a, j, U"is")) == std::u32string::npos || (j = spaces(a, j)) == std::u32string::npos) continue;
    while (j < a.size() && a[j] == U'*') ++j;
    if (j >= a.size()) continue;
    const char32_t l = py::simple_lower(a[j]);
    if (l >= U'a' && l <= U'd') return std::string(1, static_cast<char>('A' + (l - U'a')));
  }
  return "";
}

bool has_letter(const McqChoices& choices, const std::string& letter) {
  for (const auto& [k, v] : choices)
    if (k == letter) return true;
  return false;
}

}  // namespace

bool pandas_na(const std::string& f) {
  static const std::set<std::string> na = {"",     "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN",
                                           "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",     "NA",       "NULL",
                                           "NaN",  "None", "n/a",      "nan",  "null"};
  return na.count(f) > 0;
}

std::string xlsx_text(const std::string& text) {
  return py::replace_all(py::replace_all(text, "\r\n", "\n"), "\r", "\n");
}

std::string mmbench_prediction_cell(const std::string& prediction) {
  return pandas_na(prediction) ? "nan" : xlsx_text(prediction);
}

std::string mmbench_can_infer_option(const std::string& answer, const McqChoices& choices) {
  if (py::contains(answer, "Failed to obtain answer via API")) return "";
  static const char* const reject[] = {"Sorry, I can't help with images of people yet.", "I can't process this file.",
                                       "I'm sorry, but without the image provided", "Cannot determine the answer"};
  for (const char* r : reject)
    if (py::contains(answer, r)) return "Z";
  std::u32string mod = py::decode(answer);
  for (char32_t& c : mod)
    if (std::u32string(U".()[],:;!*#{}").find(c) != std::u32string::npos) c = U' ';
  std::vector<std::string> splits;
  for (const auto& w : py::split(mod)) splits.push_back(py::encode(w));
  auto in_splits = [&](const std::string& s) { return std::find(splits.begin(), splits.end(), s) != splits.end(); };
  int count = 0;
  for (const auto& [k, v] : choices) count += in_splits(k);
  if (count == 1) {
    for (const auto& [k, v] : choices) {
      if (!in_splits(k)) continue;
      const auto pos = std::find(splits.begin(), splits.end(), k) - splits.begin();
      if (pos > static_cast<long>(splits.size()) - 5) return k;
    }
  } else if (count == 0 && in_splits("Z")) {  // count_choice(splits, {'Z', ''}) == 1; '' is never a split
    return "Z";
  }
  const std::string letter = verbose_answer_letter(py::decode(answer));
  if (!letter.empty() && has_letter(choices, letter)) return letter;
  return "";
}

std::string mmbench_can_infer_text(const std::string& answer, const McqChoices& choices) {
  const std::string a = py::lower(answer);
  size_t total = 0;
  for (const auto& [k, v] : choices) total += py::length(v);
  if (py::length(a) > 2 * total) return "";
  std::string found;
  int n = 0;
  for (const auto& [k, v] : choices)
    if (py::contains(a, py::lower(v))) found = k, ++n;
  return n == 1 ? found : "";
}

std::string mmbench_can_infer(const std::string& answer, const McqChoices& choices) {
  const std::string opt = mmbench_can_infer_option(answer, choices);
  return opt.empty() ? mmbench_can_infer_text(answer, choices) : opt;
}

McqChoices mmbench_choices(const nlohmann::json& extra) {
  McqChoices out;
  if (!extra.is_object() || !extra.contains("choices")) return out;
  for (const auto& c : extra["choices"])
    if (c.is_array() && c.size() == 2 && c[0].is_string() && c[1].is_string())
      out.emplace_back(c[0].get<std::string>(), c[1].get<std::string>());
  return out;
}

std::vector<McqGroupHit> mmbench_circular_hits(const std::vector<McqRow>& rows) {
  std::map<int64_t, std::vector<const McqRow*>> groups;
  for (const auto& r : rows) groups[r.group].push_back(&r);
  std::vector<McqGroupHit> out;
  for (const auto& r : rows) {
    if (r.index != r.group) continue;
    McqGroupHit h;
    h.group = r.group;
    h.main = &r;
    h.hit = true;
    for (const McqRow* m : groups[r.group]) {
      ++h.rows;
      h.hit = h.hit && !m->parsed.empty() && m->parsed == m->answer;
    }
    out.push_back(h);
  }
  return out;
}

}  // namespace dpn::eval
