// JSON errors say where and what, never the bytes read (an index may name /etc/passwd).
#include "util/json_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

TEST(JsonError, ParseErrorKeepsPositionButNotTheBytes) {
  // An unterminated string: nlohmann quotes all of it as "last read".
  try {
    const nlohmann::json j = nlohmann::json::parse("\"root:x:0:0:root:/root:/bin/bash");
    (void)j;
    FAIL() << "not JSON";
  } catch (const nlohmann::json::exception& e) {
    ASSERT_NE(std::string(e.what()).find("root"), std::string::npos) << "nlohmann quotes the input: " << e.what();
    const std::string s = dpn::json_error_summary(e);
    EXPECT_EQ(s.find("root"), std::string::npos) << s;
    EXPECT_EQ(s.find("json.exception"), std::string::npos) << s;
    EXPECT_NE(s.find("line 1, column"), std::string::npos) << s;
  }
}
