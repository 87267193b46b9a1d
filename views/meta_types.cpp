// Registers the cross-thread structs with Qt's meta-type system (queued connections copy them by type id).
#include "views/meta_types.h"

namespace dpn::views {

void register_meta_types() {
  qRegisterMetaType<dpn::ModelInfo>();
  qRegisterMetaType<dpn::AskResult>();
  qRegisterMetaType<dpn::views::BenchmarkProgress>();
  qRegisterMetaType<dpn::views::BenchmarkOutcome>();
  qRegisterMetaType<dpn::views::RunDetail>();
  qRegisterMetaType<dpn::store::RunDiff>();
  qRegisterMetaType<std::vector<dpn::store::RunInfo>>();
}

}  // namespace dpn::views
