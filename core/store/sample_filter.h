// Samples of a stored run picked by correctness and by how hard DPN pooled them: "wrong answers where DPN pooled
// more than 2x2" (the benchmark view's filter, `dpn runs show ID --wrong --pooled-beyond 2x2`). Everything is read
// from the stored run: the kernel a router decision applied is the shrink of the visual grid across its layer in the
// sample's layer traces, so no model has to be loaded. Torch-free.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/run_store.h"

namespace dpn::store {

// One router decision with the pooling it applied.
struct PooledDecision {
  int layer = 0;
  int expert = 0;
  double probability = 0;  // the router's probability of the chosen expert (0 when not stored)
  int kh = 1, kw = 1;      // kernel applied: grid before / grid after (1x1 when nothing shrank)
};

// The decisions of `s` (which must carry its traces) with their kernels. Pooling "post" shrinks the grid between
// the decision's layer and the next one; "pre" between the previous layer and the decision's.
std::vector<PooledDecision> pooled_decisions(const SampleResult& s);

struct SampleFilter {
  enum class Correctness { any, wrong, correct };
  Correctness correctness = Correctness::any;
  int pooled_beyond_h = 0, pooled_beyond_w = 0;  // > 0: some decision pooled with a kernel of more cells than this
  std::string family;                             // non-empty: this family only
};

// Parses "2x2" (or "2"): the kernel a --pooled-beyond / the GUI filter names. Throws dpn::Error naming `what`.
void parse_pooled_beyond(const std::string& text, SampleFilter& f, const std::string& what = "--pooled-beyond");

bool matches(bool correct, const std::string& family, const std::vector<PooledDecision>& pooling,
             const SampleFilter& f);
bool matches(const SampleResult& s, const SampleFilter& f);

// The run's samples (with traces) that match, in the store's sample order.
std::vector<SampleResult> filter_samples(RunStore& db, int64_t run, const SampleFilter& f);

}  // namespace dpn::store
