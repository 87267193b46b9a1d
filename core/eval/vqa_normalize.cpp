// The VQA answer processing of the official scorers, step by step: m4c_evaluator.py's EvalAIAnswerProcessor (TextVQA,
// and LLaVA's submission converters) and the VQA team's vqaEval.py (processPunctuation / processDigitArticle), on
// code points with Python's Unicode lower/split/strip and `\d`.
#include "eval/vqa_normalize.h"

#include <map>
#include <set>
#include <vector>

#include "eval/py_text.h"

namespace dpn::eval {

namespace {

using py::is_digit;

const std::vector<std::string>& punctuations() {
  static const std::vector<std::string> p = {";", "/", "[", "]", "\"", "{", "}", "(", ")", "=", "+",
                                             "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"};
  return p;
}

const std::map<std::string, std::string>& number_map() {
  static const std::map<std::string, std::string> m = {
      {"none", "0"}, {"zero", "0"}, {"one", "1"}, {"two", "2"},   {"three", "3"}, {"four", "4"},
      {"five", "5"}, {"six", "6"},  {"seven", "7"}, {"eight", "8"}, {"nine", "9"},  {"ten", "10"}};
  return m;
}

// The CONTRACTIONS table of m4c_evaluator.py, entries as they are there (including the capitalised keys that can
// never match after lowercasing, and "somebody'd" -> "somebodyd").
const std::map<std::string, std::string>& contractions() {
  static const std::map<std::string, std::string> m = {
      {"aint", "ain't"}, {"arent", "aren't"}, {"cant", "can't"}, {"couldve", "could've"}, {"couldnt", "couldn't"},
      {"couldn'tve", "couldn't've"}, {"couldnt've", "couldn't've"}, {"didnt", "didn't"}, {"doesnt", "doesn't"},
      {"dont", "don't"}, {"hadnt", "hadn't"}, {"hadnt've", "hadn't've"}, {"hadn'tve", "hadn't've"},
      {"hasnt", "hasn't"}, {"havent", "haven't"}, {"hed", "he'd"}, {"hed've", "he'd've"}, {"he'dve", "he'd've"},
      {"hes", "he's"}, {"howd", "how'd"}, {"howll", "how'll"}, {"hows", "how's"}, {"Id've", "I'd've"},
      {"I'dve", "I'd've"}, {"Im", "I'm"}, {"Ive", "I've"}, {"isnt", "isn't"}, {"itd", "it'd"},
      {"itd've", "it'd've"}, {"it'dve", "it'd've"}, {"itll", "it'll"}, {"let's", "let's"}, {"maam", "ma'am"},
      {"mightnt", "mightn't"}, {"mightnt've", "mightn't've"}, {"mightn'tve", "mightn't've"},
      {"mightve", "might've"}, {"mustnt", "mustn't"}, {"mustve", "must've"}, {"neednt", "needn't"},
      {"notve", "not've"}, {"oclock", "o'clock"}, {"oughtnt", "oughtn't"}, {"ow's'at", "'ow's'at"},
      {"'ows'at", "'ow's'at"}, {"'ow'sat", "'ow's'at"}, {"shant", "shan't"}, {"shed've", "she'd've"},
      {"she'dve", "she'd've"}, {"she's", "she's"}, {"shouldve", "should've"}, {"shouldnt", "shouldn't"},
      {"shouldnt've", "shouldn't've"}, {"shouldn'tve", "shouldn't've"}, {"somebody'd", "somebodyd"},
      {"somebodyd've", "somebody'd've"}, {"somebody'dve", "somebody'd've"}, {"somebodyll", "somebody'll"},
      {"somebodys", "somebody's"}, {"someoned", "someone'd"}, {"someoned've", "someone'd've"},
      {"someone'dve", "someone'd've"}, {"someonell", "someone'll"}, {"someones", "someone's"},
      {"somethingd", "something'd"}, {"somethingd've", "something'd've"}, {"something'dve", "something'd've"},
      {"somethingll", "something'll"}, {"thats", "that's"}, {"thered", "there'd"}, {"thered've", "there'd've"},
      {"there'dve", "there'd've"}, {"therere", "there're"}, {"theres", "there's"}, {"theyd", "they'd"},
      {"theyd've", "they'd've"}, {"they'dve", "they'd've"}, {"theyll", "they'll"}, {"theyre", "they're"},
      {"theyve", "they've"}, {"twas", "'twas"}, {"wasnt", "wasn't"}, {"wed've", "we'd've"},
      {"we'dve", "we'd've"}, {"weve", "we've"}, {"werent", "weren't"}, {"whatll", "what'll"},
      {"whatre", "what're"}, {"whats", "what's"}, {"whatve", "what've"}, {"whens", "when's"},
      {"whered", "where'd"}, {"wheres", "where's"}, {"whereve", "where've"}, {"whod", "who'd"},
      {"whod've", "who'd've"}, {"who'dve", "who'd've"}, {"wholl", "who'll"}, {"whos", "who's"},
      {"whove", "who've"}, {"whyll", "why'll"}, {"whyre", "why're"}, {"whys", "why's"}, {"wont", "won't"},
      {"wouldve", "would've"}, {"wouldnt", "wouldn't"}, {"wouldnt've", "wouldn't've"},
      {"wouldn'tve", "wouldn't've"}, {"yall", "y'all"}, {"yall'll", "y'all'll"}, {"y'allll", "y'all'll"},
      {"yall'd've", "y'all'd've"}, {"y'alld've", "y'all'd've"}, {"y'all'dve", "y'all'd've"}, {"youd", "you'd"},
      {"youd've", "you'd've"}, {"you'dve", "you'd've"}, {"youll", "you'll"}, {"youre", "you're"},
      {"youve", "you've"}};
  return m;
}

// The re.sub count that `PERIOD_STRIP.sub("", out_text, re.UNICODE)` passes by accident (re.UNICODE == 32).
constexpr int kPeriodStripCount = 32;

// m4c COMMA_STRIP = (?<=\d)(\,)+(?=\d): a digit, one or more commas, a digit.
// vqaEval commaStrip = (\d)(\,)(\d): a digit, exactly one comma, a digit.
bool has_comma_strip(const std::u32string& s, CommaRule rule) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] != U',' || !is_digit(s[i - 1])) continue;
    size_t j = i + 1;
    if (rule == CommaRule::M4c)
      while (j < s.size() && s[j] == U',') ++j;
    if (j < s.size() && is_digit(s[j])) return true;
  }
  return false;
}

std::u32string process_punctuation(const std::u32string& in_text, CommaRule rule) {
  std::u32string out = in_text;
  const bool comma_strip = has_comma_strip(in_text, rule);
  // The test looks at the ORIGINAL text for every mark, as the Python does.
  for (const auto& mark : punctuations()) {
    const std::u32string p = py::decode(mark);
    const bool spaced = in_text.find(p + U" ") != std::u32string::npos || in_text.find(U" " + p) != std::u32string::npos;
    out = py::replace_all(out, p, spaced || comma_strip ? U"" : U" ");
  }
  // PERIOD_STRIP = (?!<=\d)(\.)(?!\d): the first group is a (mistyped) look-ahead that never blocks, so every '.'
  // not followed by a digit goes, up to the first 32 such periods.
  std::u32string res;
  int removed = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const bool before_digit = i + 1 < out.size() && is_digit(out[i + 1]);
    if (out[i] == U'.' && !before_digit && removed < kPeriodStripCount) {
      ++removed;
      continue;
    }
    res.push_back(out[i]);
  }
  return res;
}

std::u32string process_digit_article(const std::u32string& in_text) {
  static const std::set<std::string> articles = {"a", "an", "the"};
  std::vector<std::string> kept;
  for (const auto& w32 : py::split(py::lower(in_text))) {
    std::string w = py::encode(w32);
    auto n = number_map().find(w);
    if (n != number_map().end()) w = n->second;
    if (!articles.count(w)) kept.push_back(w);
  }
  std::string out;
  for (size_t i = 0; i < kept.size(); ++i) {
    auto c = contractions().find(kept[i]);
    out += (i ? " " : "") + (c != contractions().end() ? c->second : kept[i]);
  }
  return py::decode(out);
}

}  // namespace

std::string vqa_process_punctuation(const std::string& text, CommaRule rule) {
  return py::encode(process_punctuation(py::decode(text), rule));
}

std::string vqa_process_digit_article(const std::string& text) {
  return py::encode(process_digit_article(py::decode(text)));
}

std::string vqa_normalize_answer(const std::string& answer) {
  // word_tokenize: lower, drop ',' and '?', split off "'s", strip
  std::u32string item = py::lower(py::decode(answer));
  item = py::replace_all(item, U",", U"");
  item = py::replace_all(item, U"?", U"");
  item = py::replace_all(item, U"'s", U" 's");
  item = py::strip(item);
  // __call__
  item = py::replace_all(item, U"\n", U" ");
  item = py::replace_all(item, U"\t", U" ");
  item = py::strip(item);
  item = process_punctuation(item, CommaRule::M4c);
  return py::encode(process_digit_article(item));
}

std::string vqa_eval_normalize(const std::string& answer) {
  return py::encode(process_digit_article(process_punctuation(py::decode(answer), CommaRule::VqaEval)));
}

}  // namespace dpn::eval
