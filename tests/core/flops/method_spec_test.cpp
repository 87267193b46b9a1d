// The --method parser: every form, the canonical round trip, and errors that name the bad part.
#include "flops/method_spec.h"

#include <gtest/gtest.h>

#include "util/error.h"

using namespace dpn::flops;

namespace {

// The message of the dpn::Error that parsing (and, when layers > 0, validating) `text` throws; "" if none.
std::string error_of(const std::string& text, int layers = 0) {
  try {
    MethodSpec m = parse_method_spec(text);
    if (layers > 0) validate_method_spec(m, layers);
  } catch (const dpn::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(MethodSpec, ParsesEveryForm) {
  EXPECT_EQ(parse_method_spec("none").kind, MethodSpec::Kind::None);

  const MethodSpec dpn = parse_method_spec("dpn");
  EXPECT_EQ(dpn.kind, MethodSpec::Kind::Dpn);
  EXPECT_TRUE(dpn.steps.empty());

  const MethodSpec path = parse_method_spec("dpn:path=7=2x2,15=1x2,23=2x2");
  ASSERT_EQ(path.steps.size(), 3u);
  EXPECT_EQ(path.steps[0], (PoolStep{7, 2, 2}));
  EXPECT_EQ(path.steps[1], (PoolStep{15, 1, 2}));
  EXPECT_EQ(path.steps[2], (PoolStep{23, 2, 2}));
  EXPECT_EQ(path.location, MethodSpec::Location::Default);
  EXPECT_EQ(parse_method_spec("dpn:23=2x2,7=2x2,location=pre").steps[0].layer, 7) << "steps are sorted";
  EXPECT_EQ(parse_method_spec("dpn:7=2,location=pre").location, MethodSpec::Location::Pre);

  const MethodSpec st = parse_method_spec("static:7=2,15=1x2");
  EXPECT_EQ(st.kind, MethodSpec::Kind::Static);
  EXPECT_EQ(st.steps[0], (PoolStep{7, 2, 2}));
  EXPECT_EQ(st.steps[1], (PoolStep{15, 1, 2}));

  const MethodSpec fv = parse_method_spec("fastv");
  EXPECT_EQ(fv.k, 2);
  EXPECT_DOUBLE_EQ(fv.r, 0.5);
  EXPECT_EQ(fv.rank, MethodSpec::Rank::Last);
  const MethodSpec fv2 = parse_method_spec("fastv:k=3,r=0.75,rank=mean");
  EXPECT_EQ(fv2.k, 3);
  EXPECT_DOUBLE_EQ(fv2.r, 0.75);
  EXPECT_EQ(fv2.rank, MethodSpec::Rank::Mean);

  EXPECT_EQ(parse_method_spec("tokenpacker").tokens, 0);
  EXPECT_EQ(parse_method_spec("tokenpacker:tokens=64").tokens, 64);
}

TEST(MethodSpec, CanonicalTextRoundTrips) {
  for (const char* text : {"none", "dpn", "dpn:path=7=2x2,15=1x2,23=2x2", "dpn:path=8=1x1,location=pre",
                           "static:7=2x2,15=2x2,location=post", "fastv:k=2,r=0.5,rank=last",
                           "fastv:k=5,r=0.1,rank=mean", "tokenpacker", "tokenpacker:tokens=144"}) {
    EXPECT_EQ(to_string(parse_method_spec(text)), text);
  }
  EXPECT_EQ(to_string(parse_method_spec("static:15=2,7=1x2")), "static:7=1x2,15=2x2");
  // VisionZip, PyramidDrop, SparseVLM: the published budgets and the official defaults, spelled out.
  EXPECT_EQ(to_string(parse_method_spec("visionzip")), "visionzip:dominant=54,contextual=10");
  EXPECT_EQ(to_string(parse_method_spec("visionzip:tokens=128")), "visionzip:dominant=108,contextual=20");
  EXPECT_EQ(to_string(parse_method_spec("visionzip:tokens=192")), "visionzip:dominant=162,contextual=30");
  EXPECT_EQ(to_string(parse_method_spec("pdrop")), "pdrop:layers=8,16,24,ratios=0.5,0.25,0.125");
  EXPECT_EQ(to_string(parse_method_spec("pdrop:layers=8,16,24,lambda=0.5")), "pdrop:layers=8,16,24,ratios=0.5,0.25,0.125");
  EXPECT_EQ(to_string(parse_method_spec("sparsevlm")), "sparsevlm:layers=2,6,15,counts=300,200,110,version=1.5");
  EXPECT_EQ(to_string(parse_method_spec("sparsevlm:tokens=64")), "sparsevlm:layers=2,6,15,counts=66,30,17,version=1.5");
  EXPECT_EQ(to_string(parse_method_spec("sparsevlm:tokens=128,version=2.0")),
            "sparsevlm:layers=2,6,15,counts=238,108,60,version=2.0,heads=14");
  for (const char* text : {"visionzip:dominant=10,contextual=6", "pdrop:layers=1,2,4,ratios=0.7,0.49,0.343",
                           "sparsevlm:layers=2,6,15,counts=300,200,110,version=1.5,recycle=on"})
    EXPECT_EQ(to_string(parse_method_spec(to_string(parse_method_spec(text)))), text);
}

TEST(MethodSpec, ErrorsNameTheBadPart) {
  EXPECT_NE(error_of("pyramid:k=2").find("unknown method 'pyramid'"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("pdrop:layers=8,16,ratios=0.5").find("2 layers but 1 ratios"), std::string::npos);
  EXPECT_NE(error_of("sparsevlm:tokens=100").find("tokens=100"), std::string::npos);
  // r outside [0, 1)
  EXPECT_NE(error_of("fastv:r=1").find("'r=1'"), std::string::npos);
  EXPECT_NE(error_of("fastv:r=-0.1").find("'r=-0.1'"), std::string::npos);
  EXPECT_NE(error_of("fastv:r=half").find("expected a number"), std::string::npos);
  EXPECT_EQ(error_of("fastv:r=0"), "");
  EXPECT_NE(error_of("fastv:k=0").find("k must be >= 1"), std::string::npos);
  EXPECT_NE(error_of("fastv:rank=first").find("'rank=first'"), std::string::npos);
  // K beyond depth (validated against the model)
  EXPECT_NE(error_of("fastv:k=32", 32).find("k=32 is beyond the decoder's depth"), std::string::npos);
  EXPECT_EQ(error_of("fastv:k=31", 32), "");
  EXPECT_NE(error_of("dpn:path=7=2x2,40=2x2", 32).find("pooling layer 40 is beyond"), std::string::npos);
  // malformed layer lists
  EXPECT_NE(error_of("static:7").find("'7': expected LAYER=KERNEL"), std::string::npos);
  EXPECT_NE(error_of("static:a=2").find("unknown option 'a=2'"), std::string::npos);
  EXPECT_NE(error_of("static:7=2x").find("'7=2x'"), std::string::npos);
  EXPECT_NE(error_of("static:7=0").find("positive"), std::string::npos);
  EXPECT_NE(error_of("static:7=2x2x2").find("K or HxW"), std::string::npos);
  EXPECT_NE(error_of("static:7=2,,15=2").find("stray comma"), std::string::npos);
  EXPECT_NE(error_of("static:7=2,7=1x2").find("layer 7 is listed twice"), std::string::npos);
  EXPECT_NE(error_of("static").find("at least one"), std::string::npos);
  EXPECT_NE(error_of("static:path=7=2").find("path= is for dpn"), std::string::npos);
  EXPECT_NE(error_of("dpn:location=middle").find("pre or post"), std::string::npos);
  EXPECT_NE(error_of("none:k=2").find("none takes no options"), std::string::npos);
  EXPECT_NE(error_of("tokenpacker:tokens=100x").find("'tokens=100x'"), std::string::npos);
  EXPECT_NE(error_of("tokenpacker:tokens=145").find("square"), std::string::npos);
  // every message quotes the whole spec
  EXPECT_NE(error_of("static:7=2,x").find("method spec 'static:7=2,x'"), std::string::npos);
}
