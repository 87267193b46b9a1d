// Resolving `--dataset` (and --kind/--images/--annotations) into a reader spec and a run-store name.
#include "bench/dataset_source.h"

#include <algorithm>
#include <filesystem>

#include "eval/sample.h"
#include "util/error.h"

namespace fs = std::filesystem;

namespace dpn::bench {

ResolvedDataset resolve_dataset(const DatasetChoice& c) {
  const std::string kind = c.kind.empty() ? "dpnbench" : c.kind;
  const auto& names = eval::reader_names();
  if (std::find(names.begin(), names.end(), kind) == names.end()) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw Error("--kind", "unknown dataset kind '" + kind + "' (expected one of " + list + ")");
  }
  if (c.path.empty()) throw Error("--dataset", "missing: a dpnbench folder or a question file");
  if (!fs::exists(c.path)) throw Error(c.path, "dataset not found");
  ResolvedDataset r;
  r.spec.kind = kind;
  r.path = fs::absolute(c.path).lexically_normal().string();
  fs::path p = fs::path(r.path);
  if (kind == "dpnbench" && fs::is_directory(p)) {
    r.spec.questions = (p / "questions.jsonl").string();
    r.spec.annotations = (p / "answers.jsonl").string();
    r.spec.images = (p / "images").string();
    for (const auto& f : {r.spec.questions, r.spec.annotations})
      if (!fs::is_regular_file(f))
        throw Error(f, "missing: a dpnbench folder holds questions.jsonl, answers.jsonl and images/ "
                       "(write one with `dpn dataset generate`)");
    if (!c.images.empty()) r.spec.images = c.images;
    if (!c.annotations.empty()) r.spec.annotations = c.annotations;
  } else {
    if (fs::is_directory(p))
      throw Error(c.path, "is a folder; for --kind " + kind + " give the question file and --images/--annotations");
    r.spec.questions = r.path;
    r.spec.images = c.images;
    r.spec.annotations = c.annotations;
  }
  if (!c.name.empty()) {
    r.name = c.name;
  } else {
    fs::path base = p.filename().empty() ? p.parent_path() : p;
    r.name = kind + ":" + (fs::is_directory(base) ? base.filename().string() : base.stem().string());
  }
  return r;
}

}  // namespace dpn::bench
