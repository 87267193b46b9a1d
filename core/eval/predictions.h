// Reading a LLaVA answer file ({question_id, prompt, text, ...} per line) to score another program's outputs with
// our scorers, e.g. to cross-check against the official scripts.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "eval/sample.h"

namespace dpn::eval {

// question_id -> text. An id that is not among `samples`, or a second answer for one id, throws dpn::Error naming
// "<path>:<line>". Samples without an answer are simply absent from the map (the caller decides).
std::map<std::string, std::string> read_llava_answers(const std::string& path, const std::vector<EvalSample>& samples);

}  // namespace dpn::eval
