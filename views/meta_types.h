// The plain structs that travel through queued signals between the worker threads and the views.
#pragma once
#include <QMetaType>
#include <vector>

#include "dpn.h"
#include "store/run_store.h"
#include "views/benchmark_job.h"

namespace dpn::views {

// One stored run as the Runs view shows it: its summary and every sample.
struct RunDetail {
  store::RunSummary summary;
  std::vector<store::SampleResult> samples;
};

// Once per process, before the first queued signal (Session and RunsView call it; repeated calls are harmless).
void register_meta_types();

}  // namespace dpn::views

Q_DECLARE_METATYPE(dpn::ModelInfo)
Q_DECLARE_METATYPE(dpn::AskResult)
Q_DECLARE_METATYPE(dpn::views::BenchmarkProgress)
Q_DECLARE_METATYPE(dpn::views::BenchmarkOutcome)
Q_DECLARE_METATYPE(dpn::views::RunDetail)
Q_DECLARE_METATYPE(dpn::store::RunDiff)
Q_DECLARE_METATYPE(std::vector<dpn::store::RunInfo>)
