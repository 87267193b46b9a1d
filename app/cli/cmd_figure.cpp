// `dpn figure`: paper figures from the command line, with no display, drawn by the GUI's own paint functions.
// This file gathers the data (a live run of the engine, or the run store) into a FigureRequest; the drawing happens
// in libdpn_figures.so (figure_renderer.h), so that `dpn` loads Qt only for this command.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "bench/dataset_source.h"
#include "bench/method_list.h"
#include "bench/summary.h"
#include "command.h"
#include "dpn.h"
#include "eval/dataset.h"
#include "eval/jsonl.h"
#include "figure_renderer.h"
#include "model/config.h"
#include "model_options.h"
#include "store/run_store.h"
#include "trace_json.h"
#include "util/error.h"

namespace dpn::cli {
namespace {

namespace fs = std::filesystem;
using views::FigurePage;
using views::FigureRequest;
using views::FigureRun;

constexpr const char* kUsage =
    "dpn figure KIND --out FILE.pdf|svg|png [--width 3.3in|8.5cm|85mm|240pt] [--height ...] [--dpi N] [--no-title]\n"
    "           [--font FAMILY] [--layer L] [--layers L1,L2,...] [--attention]  SOURCE\n"
    "Kinds: tokenmap (one layer's tokens over the image; --attention adds the heatmap with its colour bar),\n"
    "       pyramid (every layer, or --layers), router (DPN router probabilities per DPE layer), compare (several\n"
    "       methods' token maps at --layer), depth (visual tokens per decoder layer, several methods),\n"
    "       accflops (accuracy versus FLOPs of stored runs), experts (expert frequency per DPE layer and family).\n"
    "Sources:\n"
    "  a live run:  --model DIR|NAME --image FILE --question TEXT [--method M | --methods M1,M2,...]\n"
    "               [--override L=E,...] [--max-new-tokens N] [--dtype f32|bf16] [--device cpu|cuda]\n"
    "               [--vision-tower DIR] [--threads N]   (default method: dpn on a DPN model, else none)\n"
    "  the store:   --db FILE --run ID[,ID...] [--sample S] [--images DIR --annotations F] [--model DIR]\n"
    "               (per-sample kinds run the stored sample again with the run's method and check it against the\n"
    "               stored result; accflops and experts read the stored runs, all runs of the file by default)\n"
    "  a batch:     --batch FILE.jsonl with the live or store options: one figure per line, each line\n"
    "               {\"image\": ..., \"question\": ..., \"id\": ...} (paths relative to the file) or {\"sample\": ID};\n"
    "               --out FILE.pdf writes one page per line, --out DIR/ one file per line (--format png|svg|pdf).\n"
    "Sizes are physical (default: 3.3 in wide, the height the figure needs); fonts are in points and keep their size\n"
    "at every --dpi (PNG only, default 300). Runs with no display: painting uses Qt's offscreen platform.\n"
    "The files carry the run parameters (PNG text chunks, SVG title/description, PDF title/creator).";

bool per_sample(const std::string& kind) { return kind != "accflops" && kind != "experts"; }
bool several_methods(const std::string& kind) { return kind == "compare" || kind == "depth"; }

// "3.3in" / "8.5cm" / "85mm" / "240pt" -> points; "" -> 0 (the default).
double parse_length(const std::string& option, const std::string& v) {
  if (v.empty()) return 0;
  size_t pos = 0;
  double x = 0;
  try {
    x = std::stod(v, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  const std::string unit = pos ? v.substr(pos) : "";
  static const std::map<std::string, double> points_per = {{"in", 72.0}, {"cm", 72.0 / 2.54}, {"mm", 72.0 / 25.4},
                                                           {"pt", 1.0}};
  auto it = points_per.find(unit);
  if (!pos || it == points_per.end() || !(x > 0) || !std::isfinite(x))  // stod reads "infin" as inf + "in"
    throw UsageError("--" + option + " expects a positive length with a unit (3.3in, 8.5cm, 85mm or 240pt), got '" +
                     v + "'");
  return x * it->second;
}

std::vector<int> parse_int_list(const std::string& option, const std::string& v) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= v.size() && !v.empty()) {
    const size_t comma = v.find(',', start);
    const std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      size_t pos = 0;
      out.push_back(std::stoi(item, &pos));
      if (pos != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw UsageError("--" + option + " expects integers separated by commas, got '" + v + "'");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// One question to answer: from the command line, a batch line or a stored sample.
struct Question {
  std::string id, image, question;
};

// Models loaded once per (folder, dtype, device).
class Models {
 public:
  explicit Models(ModelOptions base) : base_(std::move(base)) {}
  Model& get(const std::string& path) {
    auto& m = loaded_[path];
    if (!m) {
      ModelOptions o = base_;
      o.path = path;
      m = Model::load(o);
    }
    return *m;
  }

 private:
  ModelOptions base_;
  std::map<std::string, std::unique_ptr<Model>> loaded_;
};

struct AskSettings {
  std::vector<std::pair<int, int>> overrides;
  int max_new_tokens = 16;
  bool attention = false;
};

FigureRun answer(Model& model, const std::string& model_name, const Question& q, const std::string& method,
                 const AskSettings& s) {
  AskOptions o;
  o.image_path = q.image;
  o.question = q.question;
  o.method = method;
  o.overrides = s.overrides;
  o.max_new_tokens = s.max_new_tokens;
  o.trace_attention = s.attention;
  AskResult r = model.ask(o);
  FigureRun run;
  run.method = method;
  run.model = model_name;
  run.image_path = q.image;
  run.question = q.question;
  run.answer = r.answer;
  run.trace = std::move(r.trace);
  run.heads = model.info().heads;
  return run;
}

// The parameters every per-sample figure embeds.
std::vector<std::pair<std::string, std::string>> run_params(const std::vector<FigureRun>& runs, const Question& q) {
  std::string methods;
  for (const FigureRun& r : runs) methods += (methods.empty() ? "" : " | ") + r.method;
  std::vector<std::pair<std::string, std::string>> p = {
      {"model", runs.empty() ? "" : runs.front().model}, {"method", methods}, {"image", q.image},
      {"question", q.question}};
  if (!q.id.empty()) p.emplace_back("sample", q.id);
  if (runs.size() == 1) p.emplace_back("answer", runs.front().answer);
  return p;
}

std::vector<Question> read_batch(const std::string& path) {
  std::vector<Question> out;
  const fs::path dir = fs::path(path).parent_path();
  eval::read_jsonl(path, [&](const nlohmann::json& j, int line) {
    const std::string where = path + ":" + std::to_string(line);
    Question q;
    q.id = j.contains("id") ? eval::json_id(j, "id", where) : j.contains("sample") ? eval::json_id(j, "sample", where)
                                                                                    : std::to_string(line);
    if (j.contains("sample")) {
      q.image.clear();  // resolved from the store
    } else {
      q.image = eval::json_string(j, "image", where);
      if (fs::path(q.image).is_relative()) q.image = (dir / q.image).string();
      q.question = eval::json_string(j, "question", where);
    }
    out.push_back(q);
  });
  if (out.empty()) throw Error(path, "the batch file holds no samples");
  return out;
}

std::vector<int64_t> parse_run_ids(const std::string& v) {
  std::vector<int64_t> out;
  for (int id : parse_int_list("run", v)) out.push_back(id);
  return out;
}

std::string run_method(const store::RunInfo& info) {
  try {
    return nlohmann::json::parse(info.spec.params_json).value("method", info.spec.method);
  } catch (const std::exception&) {
    return info.spec.method;
  }
}

int run_max_new_tokens(const store::RunInfo& info) {
  try {
    return nlohmann::json::parse(info.spec.params_json).value("max_new_tokens", 16);
  } catch (const std::exception&) {
    return 16;
  }
}

// --- per-sample figures from the store: the sample is answered again with each run's method ---

struct StoreSource {
  std::string db, images, annotations, model_override;
  std::vector<int64_t> runs;
};

class StoredSamples {
 public:
  StoredSamples(store::RunStore& store, const StoreSource& src) : store_(store), src_(src) {}

  // The stored run's sample: its image and question from the dataset the run was made on.
  Question question(int64_t run, const std::string& sample_id) {
    const store::RunInfo info = store_.run_info(run);
    auto& samples = datasets_[info.spec.dataset_path];
    if (samples.empty()) {
      bench::DatasetChoice c;
      c.path = info.spec.dataset_path;
      c.kind = info.spec.dataset_kind == "dpnbench" ? "" : info.spec.dataset_kind;
      c.images = src_.images;
      c.annotations = src_.annotations;
      for (const eval::EvalSample& s : eval::read_dataset(bench::resolve_dataset(c).spec)) samples[s.id] = s;
    }
    auto it = samples.find(sample_id);
    if (it == samples.end())
      throw Error(info.spec.dataset_path, "sample '" + sample_id + "' of run " + std::to_string(run) + " is not in the dataset");
    if (it->second.image.empty())
      throw Error(info.spec.dataset_path, "sample '" + sample_id + "' embeds its image; give an image file with --image");
    return {sample_id, it->second.image, it->second.question};
  }

  std::string first_sample(int64_t run) {
    const auto ids = store_.completed_ids(run);
    if (ids.empty()) throw Error(src_.db, "run " + std::to_string(run) + " has no stored samples");
    return *ids.begin();
  }

  std::string model_path(int64_t run) {
    if (!src_.model_override.empty()) return src_.model_override;
    const store::RunInfo info = store_.run_info(run);
    return fs::exists(info.spec.model_path) ? info.spec.model_path : info.spec.model_name;
  }

  // A warning when this build's answer or pyramid differs from what the store holds for the sample.
  std::string check(int64_t run, const std::string& sample_id, const FigureRun& now) {
    for (const store::SampleResult& s : store_.samples(run, true)) {
      if (s.sample_id != sample_id) continue;
      std::string diff;
      if (s.prediction != now.answer) diff = "answer '" + s.prediction + "' stored, '" + now.answer + "' now";
      for (const store::LayerTraceRow& l : s.layers)
        if (l.layer < int(now.trace.layers.size()) && now.trace.layers[size_t(l.layer)].visual != l.n_visual) {
          diff += (diff.empty() ? "" : "; ") + std::string("layer ") + std::to_string(l.layer) + " had " +
                  std::to_string(l.n_visual) + " visual tokens, now " +
                  std::to_string(now.trace.layers[size_t(l.layer)].visual);
          break;
        }
      if (diff.empty()) return "";
      return "run " + std::to_string(run) + ", sample " + sample_id + ": this build differs from the stored run (" +
             diff + "); the figure shows this build's run";
    }
    return "run " + std::to_string(run) + " holds no sample '" + sample_id + "'; answered anew";
  }

 private:
  store::RunStore& store_;
  const StoreSource& src_;
  std::map<std::string, std::map<std::string, eval::EvalSample>> datasets_;
};

// --- whole-run figures from the store ---

// The error bars' name under the legend, from the summary's ci_method.
std::string interval_name(const std::string& ci_method) {
  if (ci_method == "wilson") return "Wilson 95% intervals";
  if (ci_method == "cluster-bootstrap") return "95% intervals (bootstrap over images)";
  if (ci_method == "bootstrap") return "95% intervals (bootstrap)";
  return "95% intervals";
}

FigurePage accuracy_page(store::RunStore& store, const std::vector<int64_t>& ids) {
  FigurePage page;
  std::set<std::string> methods_ci;
  std::set<std::string> models, datasets;
  std::vector<store::RunInfo> infos;
  for (int64_t id : ids) infos.push_back(store.run_info(id));
  for (const auto& i : infos) models.insert(i.spec.model_name), datasets.insert(i.spec.dataset_name);
  if (datasets.size() > 1)
    throw Error(store.path(), "the runs are on different datasets; choose runs of one dataset with --run");
  for (const store::RunInfo& info : infos) {
    const std::string method = run_method(info);
    const bench::MethodSummary s = bench::summarize_run(method, info.id, store.samples(info.id, false), {}, nullptr);
    if (s.n == 0) continue;
    views::FigurePoint pt;
    pt.method = models.size() > 1 ? info.spec.model_name + " " + method : method;
    pt.flops = s.mean_flops_llm;
    pt.accuracy = s.accuracy;
    pt.n = s.n;
    pt.ci_lo = s.ci95.lo;  // the summary's 95% interval of the accuracy (Wilson, or a bootstrap over images)
    pt.ci_hi = s.ci95.hi;
    methods_ci.insert(s.ci_method);
    page.points.push_back(pt);
  }
  page.interval = methods_ci.size() == 1 ? interval_name(*methods_ci.begin()) : "95% intervals";
  if (page.points.empty()) throw Error(store.path(), "the runs hold no samples");
  page.subject = (models.size() == 1 ? *models.begin() : std::string("several models")) + " on " + *datasets.begin();
  page.params = {{"runs", ""}, {"model", models.size() == 1 ? *models.begin() : ""}, {"dataset", *datasets.begin()}};
  for (int64_t id : ids) page.params[0].second += (page.params[0].second.empty() ? "" : ",") + std::to_string(id);
  return page;
}

FigurePage experts_page(store::RunStore& store, int64_t id, std::vector<std::string>& warnings) {
  const store::RunInfo info = store.run_info(id);
  if (info.spec.method != "dpn")
    throw Error(store.path(), "run " + std::to_string(id) + " is " + run_method(info) +
                                  ": the expert figure shows the routers' choices of a dpn run");
  const std::vector<store::SampleResult> samples = store.samples(id, true);
  std::map<int, std::vector<std::pair<int, int>>> kernels;
  const std::string model_path = fs::exists(info.spec.model_path) ? info.spec.model_path
                                                                    : resolve_model_path(info.spec.model_name);
  try {
    for (const PoolingLayer& l : load_llava_config(model_path).pooling.layers) kernels[l.index] = l.experts;
  } catch (const std::exception& e) {
    warnings.push_back(std::string(e.what()) + " (experts named by index)");
  }
  std::map<std::string, std::vector<store::SampleResult>> by_family;
  for (const store::SampleResult& s : samples) by_family[s.family].push_back(s);
  FigurePage page;
  for (const auto& [family, rows] : by_family) {
    const bench::MethodSummary m = bench::summarize_run(run_method(info), id, rows, {}, nullptr);
    for (const bench::ExpertFrequency& f : m.experts) {
      views::FigureExperts e;
      e.layer = f.layer;
      e.family = family;
      for (double share : f.frequency) e.counts.push_back(int(std::lround(share * double(f.n))));
      if (kernels.count(f.layer)) e.kernels = kernels[f.layer];
      page.experts.push_back(e);
    }
  }
  page.subject = info.spec.model_name + " on " + info.spec.dataset_name;
  page.params = {{"run", std::to_string(id)}, {"model", info.spec.model_name}, {"method", run_method(info)},
                 {"dataset", info.spec.dataset_name}};
  return page;
}

std::vector<int64_t> all_runs(store::RunStore& store, bool dpn_only) {
  std::vector<int64_t> ids;
  for (const store::RunInfo& r : store.list_runs())
    if (!dpn_only || r.spec.method == "dpn") ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  if (ids.empty()) throw Error(store.path(), dpn_only ? "holds no dpn run" : "holds no runs");
  return ids;
}

int run_figure(Args& a) {
  const std::vector<std::string> pos = a.positional();
  FigureRequest r;
  r.kind = pos.empty() ? "" : pos.front();
  if (pos.size() > 1) throw UsageError("one figure kind at a time, got '" + pos[1] + "' too");
  const auto& kinds = views::figure_kinds();
  if (std::find(kinds.begin(), kinds.end(), r.kind) == kinds.end())
    throw UsageError("expected a figure kind (tokenmap, pyramid, router, compare, depth, accflops, experts), got '" +
                     r.kind + "'");
  r.out = a.require("out");
  r.format = a.get("format");
  r.width_pt = parse_length("width", a.get("width"));
  r.height_pt = parse_length("height", a.get("height"));
  r.dpi = a.get_int("dpi", 300);
  r.title = !a.flag("no-title");
  r.font = a.get("font");
  const std::string layer = a.get("layer");
  r.layer = layer.empty() ? -1 : parse_int_list("layer", layer).at(0);
  r.layers = parse_int_list("layers", a.get("layers"));
  r.attention = a.flag("attention");
  const ModelOptions mo = model_options(a, false);
  Question q{"", a.get("image"), a.get("question")};
  const std::string method = a.get("method"), methods = a.get("methods");
  AskSettings ask;
  ask.overrides = parse_overrides(a.get("override"));
  ask.max_new_tokens = a.get_int("max-new-tokens", 16);
  ask.attention = r.attention;
  const std::string batch = a.get("batch");
  StoreSource src;
  src.db = a.get("db");
  const std::string run_arg = a.get("run");
  src.runs = parse_run_ids(run_arg);
  const std::string sample = a.get("sample");
  src.images = a.get("images");
  src.annotations = a.get("annotations");
  a.finish();
  if (r.dpi < 24 || r.dpi > 2400) throw UsageError("--dpi must be in [24, 2400]");
  if (ask.max_new_tokens < 1) throw UsageError("--max-new-tokens must be at least 1");
  if (!method.empty() && !methods.empty()) throw UsageError("give --method or --methods, not both");
  if (!r.format.empty() && r.format != "png" && r.format != "svg" && r.format != "pdf")
    throw UsageError("--format expects png, svg or pdf, got '" + r.format + "'");
  std::vector<std::string> warnings;

  if (!per_sample(r.kind)) {
    if (src.db.empty()) throw UsageError(r.kind + " draws stored runs: give --db FILE (and --run IDs)");
    if (!mo.path.empty() || !q.image.empty() || !batch.empty())
      throw UsageError(r.kind + " draws stored runs; --model, --image and --batch do not apply");
    store::StoreOptions so;
    so.create = false;
    store::RunStore store(src.db, so);
    if (r.kind == "accflops") {
      r.pages.push_back(accuracy_page(store, src.runs.empty() ? all_runs(store, false) : src.runs));
    } else {
      std::vector<int64_t> ids = src.runs.empty() ? all_runs(store, true) : src.runs;
      for (int64_t id : ids) {
        r.pages.push_back(experts_page(store, id, warnings));
        r.pages.back().name = "run" + std::to_string(id);
      }
    }
  } else {
    // The questions: one from the command line, or one per batch line.
    std::vector<Question> questions;
    const bool from_store = !src.db.empty();
    if (!batch.empty()) {
      questions = read_batch(batch);
    } else if (from_store) {
      questions.push_back({sample, "", ""});
    } else {
      if (q.image.empty() || q.question.empty() || mo.path.empty())
        throw UsageError("a live run needs --model, --image and --question (or --db and --run for a stored one)");
      questions.push_back(q);
    }
    if (from_store && src.runs.empty()) throw UsageError("--db needs --run ID (several for compare and depth)");
    if (from_store && !several_methods(r.kind) && src.runs.size() > 1)
      throw UsageError(r.kind + " draws one run; give one --run ID (compare and depth take several)");
    if (!from_store && mo.path.empty()) throw UsageError("a live run needs --model");
    src.model_override = mo.path;
    Models models(mo);
    std::unique_ptr<store::RunStore> store;
    std::unique_ptr<StoredSamples> stored;
    if (from_store) {
      store::StoreOptions so;
      so.create = false;
      store = std::make_unique<store::RunStore>(src.db, so);
      stored = std::make_unique<StoredSamples>(*store, src);
    }
    // Methods of a live run: the list, the one method, or dpn on a DPN model.
    std::vector<std::string> live_methods;
    if (!from_store) {
      const std::string model_path = resolve_model_path(mo.path);
      if (!methods.empty()) {
        live_methods = bench::parse_method_list(methods);
      } else if (!method.empty()) {
        live_methods = bench::parse_method_list(method);
      } else {
        live_methods = {models.get(model_path).info().dpe_layers.empty() ? "none" : "dpn"};
      }
      if (!several_methods(r.kind) && live_methods.size() > 1)
        throw UsageError(r.kind + " draws one method; compare and depth take --methods");
    }
    for (Question& question : questions) {
      std::vector<FigureRun> runs;
      if (from_store) {
        if (!question.image.empty())
          throw UsageError("batch line '" + question.id + "' gives an image: with --db each line names a {\"sample\"}");
        if (question.id.empty()) question.id = stored->first_sample(src.runs.front());
        for (int64_t id : src.runs) {
          const Question sq = stored->question(id, question.id);
          const store::RunInfo info = store->run_info(id);
          AskSettings s = ask;
          s.max_new_tokens = run_max_new_tokens(info);
          runs.push_back(answer(models.get(stored->model_path(id)), info.spec.model_name, sq, run_method(info), s));
          if (std::string w = stored->check(id, question.id, runs.back()); !w.empty()) warnings.push_back(w);
        }
        question = stored->question(src.runs.front(), question.id);
      } else {
        if (question.image.empty())
          throw UsageError("batch line '" + question.id + "' names a stored sample: give --db and --run");
        const std::string model_path = resolve_model_path(mo.path);
        for (const std::string& m : live_methods)
          runs.push_back(answer(models.get(model_path), mo.path, question, m, ask));
      }
      FigurePage page;
      page.name = batch.empty() ? "" : question.id;
      page.params = run_params(runs, question);
      page.runs = std::move(runs);
      r.pages.push_back(std::move(page));
    }
  }
  const views::FigureOutcome out = render_figures(r);
  for (const std::string& w : warnings) std::fprintf(stderr, "dpn figure: warning: %s\n", w.c_str());
  for (const std::string& w : out.warnings) std::fprintf(stderr, "dpn figure: warning: %s\n", w.c_str());
  for (const std::string& f : out.files) std::cout << f << "\n";
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(figure, "figure", "draw a paper figure (PDF, SVG or PNG) of a run or of stored runs", kUsage,
                run_figure);

}  // namespace dpn::cli
