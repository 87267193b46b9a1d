// What `dpn figure` hands to the figure renderer (libdpn_figures.so): plain data, no Qt and no LibTorch, so that the
// `dpn` executable can fill it without loading Qt and the renderer can draw it without the engine.
//
//   dpn (engine, store) --FigureRequest--> dpn_render_figures (Qt, offscreen) --> PNG / SVG / PDF files
#pragma once
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dpn.h"

namespace dpn::views {

// One answered question: the per-sample figures draw its trace over its image.
struct FigureRun {
  std::string method;      // method spec ("fastv:k=2,r=0.5")
  std::string model;       // name or folder
  std::string image_path;  // the image as given to the model
  std::string question;
  std::string answer;
  RunTrace trace;
  int heads = 0;           // attention heads of the LLM (the heatmap's aggregation statement)
};

// One method's accuracy and cost on a benchmark (accflops).
struct FigurePoint {
  std::string method;
  double flops = 0;     // mean LLM prefill FLOPs per sample
  double accuracy = 0;  // fraction correct
  double ci_lo = NAN;   // 95% interval of the accuracy; NaN = not available
  double ci_hi = NAN;
  int64_t n = 0;
};

// How often a DPE layer's router chose each expert for one question family (experts).
struct FigureExperts {
  int layer = 0;
  std::string family;
  std::vector<int> counts;                   // per expert index
  std::vector<std::pair<int, int>> kernels;  // (kh, kw) per expert index
};

// The data of one figure (one file, or one page of a batch).
struct FigurePage {
  std::string name;                    // the sample's id in a batch (file names); "" otherwise
  std::vector<FigureRun> runs;         // tokenmap, pyramid, router: one; compare, depth: one per method
  std::vector<FigurePoint> points;     // accflops
  std::vector<FigureExperts> experts;  // experts
  std::string interval;                // what the accflops error bars are, e.g. "Wilson 95% interval"
  std::string subject;                 // accflops/experts: "demo-dpn on dpnbench:test" (title, metadata)
  std::vector<std::pair<std::string, std::string>> params;  // embedded in the file: model, method, question, ...
};

// Everything one `dpn figure` invocation draws.
struct FigureRequest {
  std::string kind;             // one of figure_kinds()
  std::vector<FigurePage> pages;
  int layer = -1;               // tokenmap, compare: decoder layer; -1 = the last
  std::vector<int> layers;      // pyramid: decoder layers shown; empty = default_pyramid_layers
  bool attention = false;       // tokenmap, compare: the attention heatmap
  bool title = true;
  double width_pt = 0;          // 0 = the kind's default (single column, 3.3 in)
  double height_pt = 0;         // 0 = what the kind needs at that width
  int dpi = 300;                // PNG
  std::string font;             // font family; "" = the default
  std::string out;              // a file (one page, or every page of a PDF), or a folder (one file per page)
  std::string format;           // with a folder: png, svg or pdf
};

struct FigureOutcome {
  std::vector<std::string> files;     // written
  std::vector<std::string> warnings;  // layout problems at the requested size, images that differ from the trace
};

inline const std::vector<std::string>& figure_kinds() {
  static const std::vector<std::string> kinds = {"tokenmap", "pyramid", "router", "compare",
                                                 "depth",    "accflops", "experts"};
  return kinds;
}

// The renderer's entry point, exported by libdpn_figures.so with C linkage. Returns 0, or 1 with `error` set.
using RenderFiguresFn = int (*)(const FigureRequest* request, FigureOutcome* outcome, std::string* error);
inline constexpr const char* kRenderFiguresSymbol = "dpn_render_figures";

}  // namespace dpn::views
