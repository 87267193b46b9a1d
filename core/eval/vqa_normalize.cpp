// EvalAI answer normalisation, following llava/eval/m4c_evaluator.py (EvalAIAnswerProcessor) step by step.
#include "eval/vqa_normalize.h"

#include <cctype>
#include <map>
#include <set>
#include <vector>

namespace dpn::eval {

namespace {

// Python's str.split()/strip() whitespace in the ASCII range.
bool is_py_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

std::string py_strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_py_space(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && is_py_space(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

bool contains(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }

// COMMA_STRIP = (?<=\d)(\,)+(?=\d): a digit, one or more commas, a digit.
bool has_digit_comma_digit(const std::string& s) {
  for (size_t i = 1; i < s.size(); ++i) {
    if (s[i] != ',' || !std::isdigit(static_cast<unsigned char>(s[i - 1]))) continue;
    size_t j = i;
    while (j < s.size() && s[j] == ',') ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) return true;
  }
  return false;
}

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

}  // namespace

std::string vqa_process_punctuation(const std::string& in_text) {
  std::string out = in_text;
  const bool digit_comma = has_digit_comma_digit(in_text);
  // The test looks at the ORIGINAL text for every mark, as the Python does.
  for (const auto& p : punctuations()) {
    if (contains(in_text, p + " ") || contains(in_text, " " + p) || digit_comma)
      out = replace_all(out, p, "");
    else
      out = replace_all(out, p, " ");
  }
  // PERIOD_STRIP = (?!<=\d)(\.)(?!\d): the first group is a (mistyped) look-ahead that never blocks, so every '.'
  // not followed by a digit goes, up to the first 32 such periods.
  std::string res;
  int removed = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    bool before_digit = i + 1 < out.size() && std::isdigit(static_cast<unsigned char>(out[i + 1]));
    if (out[i] == '.' && !before_digit && removed < kPeriodStripCount) {
      ++removed;
      continue;
    }
    res.push_back(out[i]);
  }
  return res;
}

std::string vqa_process_digit_article(const std::string& in_text) {
  std::string lower = ascii_lower(in_text);
  std::vector<std::string> words;
  std::string cur;
  for (char c : lower + " ") {
    if (is_py_space(static_cast<unsigned char>(c))) {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  static const std::set<std::string> articles = {"a", "an", "the"};
  std::vector<std::string> kept;
  for (auto w : words) {
    auto n = number_map().find(w);
    if (n != number_map().end()) w = n->second;
    if (!articles.count(w)) kept.push_back(w);
  }
  std::string out;
  for (size_t i = 0; i < kept.size(); ++i) {
    auto c = contractions().find(kept[i]);
    out += (i ? " " : "") + (c != contractions().end() ? c->second : kept[i]);
  }
  return out;
}

std::string vqa_normalize_answer(const std::string& answer) {
  // word_tokenize
  std::string item = ascii_lower(answer);
  item = replace_all(item, ",", "");
  item = replace_all(item, "?", "");
  item = replace_all(item, "'s", " 's");
  item = py_strip(item);
  // __call__
  item = replace_all(item, "\n", " ");
  item = replace_all(item, "\t", " ");
  item = py_strip(item);
  item = vqa_process_punctuation(item);
  return vqa_process_digit_article(item);
}

}  // namespace dpn::eval
