// Python 3 `str` semantics the official evaluation scripts rely on, for UTF-8 text: lower() with the full Unicode
// mapping (U+0130 -> "i̇", final sigma), strip()/split() on Unicode whitespace, len() and slices in code points, and
// the `\d` of `re` (any decimal digit, category Nd). Character properties come from ICU (libicu), not from tables of
// our own. ICU 72 follows Unicode 15.0, Python 3.11 Unicode 14.0: the ~4500 characters added in 15.0 (none of them
// whitespace or cased, 20 of them digits) may differ; every older character is tested against Python
// (tests/core/eval/py_text_test.cpp).
#pragma once
#include <string>
#include <vector>

namespace dpn::eval::py {

// UTF-8 <-> code points. Ill-formed UTF-8 decodes to U+FFFD per bad byte (Python's json/open would have refused
// the file; nlohmann::json refuses it too, so only plain-text inputs can reach this).
std::u32string decode(const std::string& utf8);
std::string encode(const std::u32string& text);

// str.isspace() for one character: bidirectional class WS, B or S, or category Zs (what split()/strip() use).
bool is_space(char32_t c);
// `\d` in a str pattern: a decimal digit (category Nd).
bool is_digit(char32_t c);
// Simple (one-to-one) lowercase mapping, as `re` compares characters under IGNORECASE.
char32_t simple_lower(char32_t c);

std::string lower(const std::string& s);                  // str.lower()
std::u32string lower(const std::u32string& s);
std::string strip(const std::string& s);                  // str.strip()
std::u32string strip(const std::u32string& s);
std::string rstrip_chars(const std::string& s, char32_t c);  // str.rstrip(c)
std::vector<std::string> split(const std::string& s);     // str.split()
std::vector<std::u32string> split(const std::u32string& s);
size_t length(const std::string& s);                      // len(s): code points
std::string prefix(const std::string& s, size_t n);       // s[:n]

// str.replace(old, new) (all occurrences, left to right, non-overlapping).
std::string replace_all(std::string s, const std::string& from, const std::string& to);
std::u32string replace_all(std::u32string s, const std::u32string& from, const std::u32string& to);
bool contains(const std::string& s, const std::string& sub);

}  // namespace dpn::eval::py
