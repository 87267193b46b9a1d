// The --methods list: commas inside a method's parameters do not split it; every method is validated up front.
#include "bench/method_list.h"

#include <gtest/gtest.h>

#include "util/error.h"

using dpn::bench::parse_method_list;

TEST(MethodList, SplitsOnlyWhereAMethodStarts) {
  const auto m = parse_method_list("none,dpn,fastv:k=2,r=0.5,static:7=2,15=1x2,tokenpacker:tokens=144");
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[0], "none");
  EXPECT_EQ(m[1], "dpn");
  EXPECT_EQ(m[2], "fastv:k=2,r=0.5,rank=last");
  EXPECT_EQ(m[3], "static:7=2x2,15=1x2");
  EXPECT_EQ(m[4], "tokenpacker:tokens=144");
}

TEST(MethodList, CanonicalFormsMakeDefaultsEqual) {
  EXPECT_EQ(parse_method_list("fastv"), parse_method_list("fastv:k=2,r=0.5"));
  try {
    parse_method_list("fastv,fastv:k=2,r=0.5");
    FAIL() << "a method given twice was accepted";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("listed twice"), std::string::npos) << e.what();
  }
}

TEST(MethodList, BadItemsNameTheListAndThePart) {
  for (const char* bad : {"", "none,", ",none", "none,,dpn"}) {
    try {
      parse_method_list(bad);
      FAIL() << "accepted '" << bad << "'";
    } catch (const dpn::Error& e) {
      EXPECT_NE(std::string(e.what()).find("empty method"), std::string::npos) << e.what();
    }
  }
  try {
    parse_method_list("none,fastv:k=2,bogus=1");
    FAIL() << "accepted an unknown fastv parameter";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("fastv:k=2,bogus=1"), std::string::npos) << e.what();
  }
  try {
    parse_method_list("none,turbo,fastv");
    FAIL() << "accepted an unknown method";
  } catch (const dpn::Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown method 'turbo'"), std::string::npos) << e.what();
  }
}
