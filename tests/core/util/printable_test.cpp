// Quoted file contents in errors cannot drive the terminal.
#include "util/printable.h"

#include <gtest/gtest.h>

using dpn::printable;

TEST(Printable, EscapesControlAndNonAsciiBytesAndCuts) {
  EXPECT_EQ(printable("model-00001.safetensors"), "model-00001.safetensors");
  EXPECT_EQ(printable("a\x1b[2Jb\n\\"), "a\\x1b[2Jb\\x0a\\\\");
  EXPECT_EQ(printable("\xc3\xa9"), "\\xc3\\xa9");
  EXPECT_EQ(printable(std::string(300, 'x'), 10), std::string(10, 'x') + "...");
}
