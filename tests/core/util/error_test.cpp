// dpn::Error: the message is "where: what", and a file name's control bytes never break it into several lines.
#include <gtest/gtest.h>

#include "util/error.h"

using dpn::Error;

TEST(Error, NamesWhereThenWhat) {
  const Error e("model/config.json", "field 'hidden_size' must be positive");
  EXPECT_STREQ(e.what(), "model/config.json: field 'hidden_size' must be positive");
  EXPECT_EQ(e.where(), "model/config.json");
  EXPECT_STREQ(Error("", "no file").what(), "no file");
}

TEST(Error, ControlBytesInWhereAreEscapedUtf8Kept) {
  // A question file may name an image "a\nb" and a folder may be called "caf\xc3\xa9" (café).
  const Error e(std::string("ann/caf\xc3\xa9/a\nb\x1b[2J\x7f.txt"), "not found");
  EXPECT_STREQ(e.what(), "ann/caf\xc3\xa9/a\\x0ab\\x1b[2J\\x7f.txt: not found");
  EXPECT_EQ(e.where(), "ann/caf\xc3\xa9/a\\x0ab\\x1b[2J\\x7f.txt");
}
