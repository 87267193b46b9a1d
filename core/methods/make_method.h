// Builds the TokenMethod for a `--method` spec on a given model, checking that the model supports it.
#pragma once
#include <memory>
#include <utility>
#include <vector>

#include "flops/method_spec.h"
#include "methods/method.h"
#include "model/llava_model.h"

namespace dpn {

// nullptr for `none`. Throws dpn::Error when the spec does not fit the model (no pooling section for `dpn`, a forced
// kernel that is not an expert of that layer, FastV's K beyond the depth, overrides without `dpn`, ...).
std::unique_ptr<TokenMethod> make_method(const LlavaModel& m, const flops::MethodSpec& spec,
                                         const std::vector<std::pair<int, int>>& overrides, uint64_t seed);

// Whether prompts for this model carry DPN's <ROUTER> token (a use_special_token checkpoint).
bool uses_router_token(const LlavaModel& m);

// Index of the (last) <ROUTER> token in the embedded sequence (the image sentinel expanded to `visual_count`
// tokens); -1 when the prompt has none.
int64_t router_position(const std::vector<int>& ids, int router_id, int64_t visual_count);

}  // namespace dpn
