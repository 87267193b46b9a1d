// Statistics over stored samples, shared by `dpn runs`, `dpn bench` and the views: accuracy and mean score with
// their 95% intervals per group, per-stage latency medians and quartiles, and the paired comparison of two runs.
// Every function orders the samples by id first, so the same samples give the same numbers whatever the storage
// order (a merged database prints what the unsharded run printed).
#pragma once
#include <string>
#include <vector>

#include "stats/interval.h"
#include "stats/paired.h"
#include "store/run_store.h"

namespace dpn::store {

// Accuracy (mean of `correct`) and mean score of `samples`, each with stats::estimate_mean's interval over the
// samples' clusters (SampleResult::cluster; an empty cluster is a cluster of its own).
FamilySummary score_group(const std::string& name, const std::vector<SampleResult>& samples);

// One group per distinct value of `key` (family, category), sorted by name.
std::vector<FamilySummary> score_groups(const std::vector<SampleResult>& samples, std::string SampleResult::*key);

LatencySummary latency_summary(const std::vector<SampleResult>& samples);

// B - A over the samples both hold (matched by id), on the per-sample score, clustered by A's cluster ids.
stats::PairedComparison paired_comparison(const std::vector<SampleResult>& a, const std::vector<SampleResult>& b);

}  // namespace dpn::store
