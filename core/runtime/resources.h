// Where the bundled data (models, samples, the benchmark) lives, and how a built-in model name becomes a folder.
//
// Built-in model names: a bare name (no '/') such as "demo-dpn" that is not an existing path is looked up in these
// folders, in this order; the first that holds a folder of that name wins:
//   1. each folder listed in $DPN_MODELS (colon-separated, like $PATH);
//   2. the user's models: $XDG_DATA_HOME/dpn-studio/models, by default ~/.local/share/dpn-studio/models;
//   3. the bundled models: resources_dir()/models.
// resources_dir() is $DPN_RESOURCES when set; else the installed data, <prefix>/share/dpn-studio, found relative to
// the running executable (<prefix>/bin/dpn); else, only for a binary run from the build tree it was built in, the
// source tree's resources/. An installed binary never reads the source tree it was built from.
#pragma once
#include <string>
#include <vector>

namespace dpn {

// The folder with the bundled models/ and samples/ (see above). Returned even when it does not exist.
std::string resources_dir();

// The bundled benchmark DPNBench test split: datasets/dpnbench/test inside resources_dir() (installed), or beside it
// (the source tree keeps datasets/ next to resources/).
std::string bundled_benchmark_dir();

// The folders searched for built-in model names, in search order (existing or not).
std::vector<std::string> model_search_dirs();

// Names of the built-in models found in model_search_dirs(), sorted, each once (the first folder wins).
std::vector<std::string> builtin_model_names();

// A checkpoint folder for `name_or_path`: an existing path is returned as given; a bare name is looked up in
// model_search_dirs(); anything else is returned unchanged (the loader then reports it as missing).
std::string resolve_model_path(const std::string& name_or_path);

}  // namespace dpn
