// Which dataset `dpn bench` reads: a DPNBench folder by itself, or any reader with its files named explicitly.
#pragma once
#include <string>

#include "eval/dataset.h"

namespace dpn::bench {

struct DatasetChoice {
  std::string path;         // dpnbench: the exported folder; other kinds: the question file
  std::string kind;         // reader name; "" = dpnbench (the only kind a folder identifies by itself)
  std::string images;       // image folder (other kinds)
  std::string annotations;  // answers / annotations (other kinds; see eval/dataset.h for which need it)
  std::string name;         // name in the run store; "" = "<kind>:<folder or file stem>"
};

struct ResolvedDataset {
  eval::DatasetSpec spec;
  std::string name;  // e.g. "dpnbench:test"
  std::string path;  // what the store records
};

// A dpnbench folder holds questions.jsonl, answers.jsonl and images/. Throws dpn::Error naming the missing file,
// an unknown kind (listing the reader names) or a folder given for a kind that needs a question file.
ResolvedDataset resolve_dataset(const DatasetChoice& choice);

}  // namespace dpn::bench
