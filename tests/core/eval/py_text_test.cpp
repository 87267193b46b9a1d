// Python str semantics on named cases (every code point is compared with Python in official_fixtures_test.cpp).
#include "eval/py_text.h"

#include <gtest/gtest.h>

using namespace dpn::eval;

namespace {

TEST(PyText, FullLowercaseMappingAndFinalSigma) {
  EXPECT_EQ(py::lower("CAFÉ"), "café");
  EXPECT_EQ(py::lower("İ"), "i\u0307");  // two code points, as Python's lower()
  EXPECT_EQ(py::length(py::lower("İ")), 2u);
  EXPECT_EQ(py::lower("ΟΔΟΣ"), "οδος");  // final sigma
  EXPECT_EQ(py::lower("ΣΑ"), "σα");
  EXPECT_EQ(py::lower("ẞ"), "ß");
  EXPECT_EQ(py::lower("K"), "k");  // Kelvin sign
}

TEST(PyText, UnicodeWhitespaceAndDigits) {
  EXPECT_EQ(py::strip("\u00a0 yes\u3000\u2028"), "yes");
  EXPECT_EQ(py::strip("\u200byes"), "\u200byes");  // zero width space is not whitespace in Python
  EXPECT_EQ(py::split("a\u00a0b\x1c" "c\u0085d"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(py::is_digit(U'\uff12'));   // fullwidth 2
  EXPECT_TRUE(py::is_digit(U'\u0663'));   // Arabic-Indic 3
  EXPECT_FALSE(py::is_digit(U'\u00b2'));  // superscript 2 is a digit for isdigit() but not for \d
  EXPECT_EQ(py::prefix("óyes", 3), "óye");
  EXPECT_EQ(py::rstrip_chars("a...", U'.'), "a");
  EXPECT_EQ(py::decode("\xff" "a"), std::u32string(U"\uFFFDa"));
}

}  // namespace
