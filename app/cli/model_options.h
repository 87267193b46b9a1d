// The model options every command that loads a model reads the same way: --model, --vision-tower, --dtype,
// --device, --threads, --max-memory.
#pragma once
#include "args.h"
#include "dpn.h"

namespace dpn::cli {

// --max-memory SIZE in bytes (0 when not given); a malformed size is a UsageError.
int64_t max_memory_option(Args& a);

// `required`: --model must be given (else it may be empty, for commands with other sources).
ModelOptions model_options(Args& a, bool required);

}  // namespace dpn::cli
