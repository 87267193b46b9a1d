// How a run is named to people: its full method spec and its subset, read back from the stored parameters.
#pragma once
#include <string>

#include "store/run_store.h"

namespace dpn::store {

// The method as given to `dpn bench` in canonical form ("dpn:path=0=4x4", "fastv:k=2,r=0.5,rank=last"): the
// "method" entry of params_json, else the method kind.
std::string method_spec(const RunInfo& run);

// The subset in a few words: "limit=60 seed=1 category=fine family=glyph" (only what is set), "all" when nothing
// is, with " shard i/N" appended for a shard.
std::string subset_text(const RunInfo& run);

}  // namespace dpn::store
