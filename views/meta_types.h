// The plain structs that travel through queued signals between the worker thread and the views.
#pragma once
#include <QMetaType>

#include "dpn.h"
#include "views/benchmark_job.h"

Q_DECLARE_METATYPE(dpn::ModelOptions)
Q_DECLARE_METATYPE(dpn::ModelInfo)
Q_DECLARE_METATYPE(dpn::AskOptions)
Q_DECLARE_METATYPE(dpn::AskResult)
Q_DECLARE_METATYPE(dpn::views::BenchmarkRequest)
Q_DECLARE_METATYPE(dpn::views::BenchmarkProgress)
Q_DECLARE_METATYPE(dpn::views::BenchmarkOutcome)

namespace dpn::views {
void register_meta_types();
}
