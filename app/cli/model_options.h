// The model options every command that loads a model reads the same way: --model, --vision-tower, --dtype,
// --device, --threads, --max-memory.
#pragma once
#include "args.h"
#include "dpn.h"

namespace dpn::cli {

// `required`: --model must be given (else it may be empty, for commands with other sources).
ModelOptions model_options(Args& a, bool required);

}  // namespace dpn::cli
