// Shared by the libFuzzer harnesses: a private scratch folder for the files a harness hands to a reader, and the
// checks every error must pass (it is a dpn::Error naming the file, on one line, quoting no control bytes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "io/raw_tensor.h"
#include "util/error.h"

namespace dpn::fuzz {

// A folder of this process's own (mkdtemp under $TMPDIR), removed at exit.
const std::string& scratch();

// Writes `size` bytes to scratch()/name (sub-folders created) and returns its path.
std::string write_file(const std::string& name, const uint8_t* data, size_t size);
std::string write_file(const std::string& name, const std::string& text);

// Aborts (a finding) unless the message contains `must_name` and has no newline or other control byte. With
// `lines` true, newlines are allowed (a message that lists what it looked for, one item a line).
void check_error(const Error& e, const std::string& must_name, bool lines = false);

// Aborts with `what` (a finding) when `ok` is false.
void require(bool ok, const std::string& what);

// Reads every byte of every tensor, so ASan sees a pointer outside its mapping; returns a checksum.
uint64_t touch(const RawTensor& t);

}  // namespace dpn::fuzz
