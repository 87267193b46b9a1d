// Component-wise containment of paths.
#include "util/path_within.h"

#include <gtest/gtest.h>

using dpn::path_is_within;

TEST(PathWithin, ComparesWholeComponents) {
  EXPECT_TRUE(path_is_within("/m/model/a.safetensors", "/m/model"));
  EXPECT_TRUE(path_is_within("/m/model/sub/a", "/m/model/"));
  EXPECT_TRUE(path_is_within("/m/model", "/m/model"));
  EXPECT_FALSE(path_is_within("/m/model-x/a", "/m/model"));
  EXPECT_FALSE(path_is_within("/m", "/m/model"));
  EXPECT_FALSE(path_is_within("/etc/passwd", "/m/model"));
}
