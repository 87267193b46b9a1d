// File contents quoted in an error message (a tensor or shard name from a checkpoint) must not drive the terminal:
// control bytes and non-ASCII bytes are shown as \xNN, and long text is cut.
#pragma once
#include <cstddef>
#include <string>

namespace dpn {

// `text` with bytes outside printable ASCII escaped as \xNN (and '\' as \\), cut after `max_chars` with "...".
std::string printable(const std::string& text, size_t max_chars = 200);

}  // namespace dpn
