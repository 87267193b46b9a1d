// The method a run uses, as written on the command line (`--method`): parsed once, validated against a model.
//
//   none
//   dpn                                  the routers choose (needs a DPN checkpoint)
//   dpn:path=7=2x2,15=1x2,23=2x2         force the expert at each DPE layer (`path=` may be omitted)
//   dpn:...,location=pre|post            where the pooling happens relative to the layer (default: the checkpoint's)
//   static:7=2,15=2                      fixed pooling, no router; K = square kernel or HxW (kernel = stride)
//   fastv | fastv:k=2,r=0.5[,rank=last|mean]   drop the fraction r of image tokens after layer k (k >= 1)
//   tokenpacker | tokenpacker:tokens=144 a TokenPacker projector emitting that many tokens (a square)
//   visionzip:dominant=54,contextual=10  VisionZip in the vision tower: D dominant tokens (the class token among them)
//                                        + C contextual (merged) tokens; visionzip:tokens=64|128|192 (or any N) splits N
//                                        as the published budgets do (54+10, 108+20, 162+30: D = N*27/32); bare = 64
//   pdrop:layers=8,16,24,ratios=0.5,0.25,0.125   PyramidDrop: before each listed layer keep int(N * ratio) of the N
//                                        image tokens, ranked with that layer's attention; lambda=L gives ratios L, L^2, ...
//                                        (bare: the official eval scripts' 8,16,24 with lambda 0.5)
//   sparsevlm:tokens=192|128|96|64       SparseVLM (v1.5/main, prune-only): after layers 2,6,15 keep the official per-layer
//   sparsevlm:layers=2,6,15,counts=300,200,110[,version=1.5|2.0][,heads=14][,recycle=on]
//                                        counts; version=2.0 = "SparseVLM+" (RoPE correction, top heads, original
//                                        positions); recycle=on merges pruned tokens (v1.5, approximate); bare = 192
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
  enum class Kind { None, Dpn, Static, FastV, TokenPacker, VisionZip, PDrop, SparseVlm };
  enum class Location { Default, Pre, Post };  // Default: the checkpoint's pooling_location (post when unknown)
  enum class Rank { Last, Mean };              // FastV: attention from the last prompt token (code) or all (paper)

  Kind kind = Kind::None;
  std::vector<PoolStep> steps;  // dpn: forced path (empty = routers decide); static: the kernels. Sorted by layer.
  Location location = Location::Default;
  int k = 2;                    // fastv: layers 0..k-1 see every token
  double r = 0.5;               // fastv: fraction of image tokens dropped, in [0, 1)
  Rank rank = Rank::Last;
  int tokens = 0;               // tokenpacker: tokens out of the projector; 0 = the checkpoint's
  int dominant = 54;            // visionzip: dominant tokens, the class token counted among them
  int contextual = 10;          // visionzip: contextual tokens (targets plus the mean of the tokens merged into them)
  std::vector<int> layers;      // pdrop: stage boundaries (ranked and dropped before each); sparsevlm: pruning layers
  std::vector<double> ratios;   // pdrop: fraction of the ORIGINAL image tokens kept from each boundary on
  std::vector<int> counts;      // sparsevlm: visual tokens kept after each pruning layer (at most the current - 1)
  int version = 1;              // sparsevlm: 1 = v1.5/main (USE_VERSION 1_0), 2 = v2.0 "SparseVLM+"
  int heads = 14;               // sparsevlm v2.0: the heads with the most rater-to-visual attention that are averaged
  bool recycle = false;         // sparsevlm v1.5: cluster the best pruned tokens into recycled ones (approximate)
};

// The method names `--method` accepts, in the order a picker should list them.
const std::vector<std::string>& method_kind_names();

const char* method_kind_name(MethodSpec::Kind kind);

// Parses the text above. Throws dpn::Error whose message quotes the whole spec and names the bad part.
MethodSpec parse_method_spec(const std::string& text);

// Checks the spec against a decoder of `llm_layers` layers: pooling layer indices and FastV's k inside the depth.
void validate_method_spec(const MethodSpec& spec, int llm_layers);

// The canonical text of a spec (parse_method_spec(to_string(s)) == s).
std::string to_string(const MethodSpec& spec);

}  // namespace dpn::flops
