// The method a run uses, as written on the command line (`--method`): parsed once, validated against a model.
//
//   none
//   dpn                                  the routers choose (needs a DPN checkpoint)
//   dpn:path=7=2x2,15=1x2,23=2x2         force the expert at each DPE layer (`path=` may be omitted)
//   dpn:...,location=pre|post            where the pooling happens relative to the layer (default: the checkpoint's)
//   static:7=2,15=2                      fixed pooling, no router; K = square kernel or HxW (kernel = stride)
//   fastv | fastv:k=2,r=0.5[,rank=last|mean]   drop the fraction r of image tokens after layer k (k >= 1)
//   tokenpacker | tokenpacker:tokens=144 a TokenPacker projector emitting that many tokens (a square)
#pragma once
#include <string>
#include <vector>

namespace dpn::flops {

// One pooling step: the kernel (= stride) applied to the visual grid at decoder layer `layer` (0-based).
struct PoolStep {
  int layer = 0;
  int kh = 1, kw = 1;
  bool operator==(const PoolStep& o) const { return layer == o.layer && kh == o.kh && kw == o.kw; }
};

struct MethodSpec {
  enum class Kind { None, Dpn, Static, FastV, TokenPacker };
  enum class Location { Default, Pre, Post };  // Default: the checkpoint's pooling_location (post when unknown)
  enum class Rank { Last, Mean };              // FastV: attention from the last prompt token (code) or all (paper)

  Kind kind = Kind::None;
  std::vector<PoolStep> steps;  // dpn: forced path (empty = routers decide); static: the kernels. Sorted by layer.
  Location location = Location::Default;
  int k = 2;                    // fastv: layers 0..k-1 see every token
  double r = 0.5;               // fastv: fraction of image tokens dropped, in [0, 1)
  Rank rank = Rank::Last;
  int tokens = 0;               // tokenpacker: tokens out of the projector; 0 = the checkpoint's
};

const char* method_kind_name(MethodSpec::Kind kind);

// Parses the text above. Throws dpn::Error whose message quotes the whole spec and names the bad part.
MethodSpec parse_method_spec(const std::string& text);

// Checks the spec against a decoder of `llm_layers` layers: pooling layer indices and FastV's k inside the depth.
void validate_method_spec(const MethodSpec& spec, int llm_layers);

// The canonical text of a spec (parse_method_spec(to_string(s)) == s).
std::string to_string(const MethodSpec& spec);

}  // namespace dpn::flops
