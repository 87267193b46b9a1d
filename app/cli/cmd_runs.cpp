// `dpn runs`: list, show, diff, export, delete and merge benchmark runs in the run database (thin over core/store).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.h"
#include "eval/run_metrics.h"
#include "eval/submission.h"
#include "store/export_file.h"
#include "store/run_labels.h"
#include "store/run_store.h"
#include "store/sample_filter.h"
#include "util/error.h"

namespace dpn::cli {
namespace {

const char* const kUsage =
    "Usage: dpn runs SUBCOMMAND [--db FILE]\n"
    "  list                         all runs: id, model, dataset, full method spec, subset, status, samples\n"
    "  show ID [--json]             one run: parameters, accuracy with 95% intervals per family and category,\n"
    "                               latency median and quartiles per stage, failed samples, sessions\n"
    "  show ID [--wrong|--correct] [--pooled-beyond KxK] [--family F] [--json]\n"
    "                               only the samples that match: wrong (or correct) answers, where some DPN\n"
    "                               decision pooled with a kernel larger than KxK (e.g. 2x2: 4x4 pooling), of\n"
    "                               family F; each with its decisions (layer, kernel, probability)\n"
    "  diff A B [--max N] [--json]  compare two runs on the samples both hold: the paired difference B - A with\n"
    "                               its 95% interval, discordant counts, exact McNemar p (0/1 scores) or a\n"
    "                               permutation p (graded scores); N changed samples listed (default 20)\n"
    "  export ID...|--all [--format csv|json] [--out FILE] [--traces]\n"
    "                               csv (default): one long table over all the given runs, one row per run and\n"
    "                               sample (run, model, method spec, subset, sample, family, category, score,\n"
    "                               FLOPs, latency per stage, tokens per layer, expert per DPE layer); no raw\n"
    "                               line breaks inside fields. json: per run, with layer traces when --traces.\n"
    "                               --out never overwrites the run database, an SQLite file or a non-regular file\n"
    "  export ID --format vqav2-submission|vizwiz-submission|mmbench-submission|mmvet|llava-answers\n"
    "            [--out FILE] [--questions FILE]\n"
    "                               the files the evaluation servers and GPT judges take (eval/submission.h);\n"
    "                               --questions: the question file/TSV if not at the run's recorded path\n"
    "  delete ID [--yes]            delete a run with its samples (asks unless --yes)\n"
    "  merge OUT IN...              combine shard databases into OUT (one unsharded run per spec)\n"
    "--db defaults to $XDG_DATA_HOME/dpn-studio/runs.sqlite (~/.local/share/dpn-studio/runs.sqlite).";

int64_t parse_id(const std::string& s) {
  try {
    size_t pos = 0;
    long long v = std::stoll(s, &pos);
    if (pos == s.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("expected a run id (a positive integer), got '" + s + "'");
}

std::string short_text(std::string s, size_t n) {
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s.size() > n ? s.substr(0, n - 3) + "..." : s;
}

std::string fmt(const char* format, double v) {
  char b[64];
  std::snprintf(b, sizeof b, format, v);
  return b;
}

std::string pct_ci(double value, const stats::Interval& ci) {
  return fmt("%.2f", 100 * value) + "% [" + fmt("%.1f", 100 * ci.lo) + ", " + fmt("%.1f", 100 * ci.hi) + "]";
}

std::string spread_text(const stats::Spread& s) {
  return s.n ? fmt("%.1f", s.median) + " [" + fmt("%.1f", s.q1) + ", " + fmt("%.1f", s.q3) + "]" : "-";
}

std::string p_text(double p) { return std::isnan(p) ? "-" : (p >= 0.001 ? fmt("%.3g", p) : fmt("%.1e", p)); }

nlohmann::json interval_json(const stats::Interval& i) { return nlohmann::json::array({i.lo, i.hi}); }

nlohmann::json spread_json(const stats::Spread& s) {
  return {{"n", s.n}, {"median", s.median}, {"q1", s.q1}, {"q3", s.q3}};
}

nlohmann::json run_json(const store::RunInfo& r) {
  return {{"id", r.id},
          {"model", r.spec.model_name},
          {"dataset", r.spec.dataset_name},
          {"method", store::method_spec(r)},
          {"subset", store::subset_text(r)},
          {"status", r.status},
          {"samples", r.n_samples},
          {"code_version", r.spec.code_version}};
}

nlohmann::json paired_json(const stats::PairedComparison& c) {
  auto nan_null = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  return {{"n", c.n},
          {"only_a", c.only_a},
          {"only_b", c.only_b},
          {"mean_a", c.mean_a},
          {"mean_b", c.mean_b},
          {"delta", c.delta},
          {"delta_ci95", interval_json(c.delta_ci95)},
          {"delta_ci_method", c.delta_ci_method},
          {"mcnemar_p", nan_null(c.mcnemar_p)},
          {"permutation_p", c.permutation_p},
          {"p", c.p},
          {"p_method", c.p_method},
          {"clustered", c.clustered}};
}

void print_list(store::RunStore& db) {
  auto runs = db.list_runs();
  if (runs.empty()) {
    std::cout << "no runs in " << db.path() << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"id", "model", "dataset", "method", "subset", "status", "samples", "failed", "score", "created"}};
  for (const auto& r : runs)
    rows.push_back({std::to_string(r.id), short_text(r.spec.model_name, 40), short_text(r.spec.dataset_name, 40),
                    short_text(store::method_spec(r), 60), short_text(store::subset_text(r), 60), r.status,
                    std::to_string(r.n_samples), std::to_string(db.failures(r.id).size()), fmt("%.4f", r.mean_score),
                    r.created_at});
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const bool right = i == 0 || i == 6 || i == 7 || i == 8;
      const std::string pad(width[i] - row[i].size(), ' ');
      line += (i ? "  " : "") + (right ? pad + row[i] : (i + 1 < row.size() ? row[i] + pad : row[i]));
    }
    std::cout << line << "\n";
  }
}

void print_groups(const char* what, const std::vector<store::FamilySummary>& groups) {
  if (groups.size() < 2 && (groups.empty() || groups[0].family.empty())) return;
  std::printf("  %-28s %8s  %-26s %10s\n", what, "samples", "accuracy [95% CI]", "score");
  for (const auto& f : groups)
    std::printf("  %-28s %8lld  %-26s %10.4f\n", short_text(f.family.empty() ? "(none)" : f.family, 28).c_str(),
                static_cast<long long>(f.n), pct_ci(f.accuracy, f.ci95).c_str(), f.mean_score);
}

void print_show(store::RunStore& db, int64_t id, bool json) {
  const auto s = db.run_summary(id);
  const auto& r = s.run;
  const auto& l = s.latency;
  if (json) {
    auto groups = [](const std::vector<store::FamilySummary>& gs) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& g : gs)
        a.push_back({{"name", g.family}, {"n", g.n}, {"accuracy", g.accuracy}, {"ci95", interval_json(g.ci95)},
                     {"mean_score", g.mean_score}, {"score_ci95", interval_json(g.score_ci95)},
                     {"ci_method", g.ci_method}});
      return a;
    };
    nlohmann::json j = run_json(r);
    j["model_path"] = r.spec.model_path;
    j["dataset_kind"] = r.spec.dataset_kind;
    j["dataset_path"] = r.spec.dataset_path;
    j["params"] = nlohmann::json::parse(r.spec.params_json.empty() ? "{}" : r.spec.params_json, nullptr, false);
    j["dtype"] = r.spec.dtype;
    j["device"] = r.spec.device;
    j["threads"] = r.spec.threads;
    j["shard"] = r.spec.shard;
    j["created_at"] = r.created_at;
    j["accuracy"] = s.accuracy;
    j["ci95"] = interval_json(s.ci95);
    j["ci_method"] = s.ci_method;
    j["mean_score"] = r.mean_score;
    j["score_ci95"] = interval_json(s.score_ci95);
    j["families"] = groups(s.families);
    j["categories"] = groups(s.categories);
    const eval::BenchmarkMetrics official = eval::run_metrics(r.spec.dataset_kind, db.samples(id, false));
    if (!official.official.empty()) j["official"] = eval::metrics_json(official);
    j["mean_flops_llm"] = s.mean_flops_llm;
    j["mean_flops_total"] = s.mean_flops_total;
    j["mean_latency_ms"] = s.mean_latency_ms;
    j["latency_ms"] = {{"total", spread_json(l.total)},         {"preprocess", spread_json(l.preprocess)},
                       {"vision", spread_json(l.vision)},       {"projector", spread_json(l.projector)},
                       {"prefill", spread_json(l.prefill)},     {"decode", spread_json(l.decode)},
                       {"prefill_ms_per_gflop", spread_json(l.prefill_ms_per_gflop)}};
    j["failures"] = nlohmann::json::array();
    for (const auto& f : s.failures)
      j["failures"].push_back({{"id", f.sample_id}, {"reason", f.reason}, {"attempts", f.attempts}, {"at", f.created_at}});
    j["sessions"] = nlohmann::json::array();
    for (const auto& x : s.sessions)
      j["sessions"].push_back({{"started_at", x.started_at}, {"ended_at", x.ended_at}, {"pid", x.pid},
                               {"host", x.host}, {"code_version", x.code_version}, {"threads", x.threads},
                               {"cores", x.cores}, {"load_start", x.load_start}, {"load_max", x.load_max},
                               {"load_end", x.load_end}, {"warmup", x.warmup}, {"vision_shared", x.vision_shared},
                               {"computed", x.computed}, {"failed", x.failed}});
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "run " << r.id << " (" << r.status << ", created " << r.created_at << ")\n"
            << "  model    " << r.spec.model_name << "  " << r.spec.model_path << "\n"
            << "  dataset  " << r.spec.dataset_name << " [" << r.spec.dataset_kind << "]  " << r.spec.dataset_path << "\n"
            << "  method   " << store::method_spec(r) << "\n"
            << "  subset   " << store::subset_text(r) << "  (" << r.spec.params_json << ")\n"
            << "  device   " << r.spec.device << "  dtype " << r.spec.dtype << "  threads " << r.spec.threads << "\n"
            << "  code     " << r.spec.code_version << "\n";
  std::printf("  samples %lld%s  accuracy %s (%s)  mean score %.4f [%.4f, %.4f]\n", static_cast<long long>(r.n_samples),
              s.failures.empty() ? "" : (" (" + std::to_string(s.failures.size()) + " failed)").c_str(),
              pct_ci(s.accuracy, s.ci95).c_str(), s.ci_method.empty() ? "no samples" : s.ci_method.c_str(),
              r.mean_score, s.score_ci95.lo, s.score_ci95.hi);
  std::printf("  FLOPs/sample LLM prefill %.4g, total %.4g\n", s.mean_flops_llm, s.mean_flops_total);
  std::printf("  latency ms, median [quartiles]: total %s  vision %s  projector %s  prefill %s  decode %s\n",
              spread_text(l.total).c_str(), spread_text(l.vision).c_str(), spread_text(l.projector).c_str(),
              spread_text(l.prefill).c_str(), spread_text(l.decode).c_str());
  const eval::BenchmarkMetrics official = eval::run_metrics(r.spec.dataset_kind, db.samples(id, false));
  if (!official.official.empty()) std::cout << "  " << eval::format_metrics(official);
  print_groups("family", s.families);
  print_groups("category", s.categories);
  if (!s.failures.empty()) {
    std::printf("  failed samples (not counted above; `dpn bench ... --retry-failed` answers them again):\n");
    for (const auto& f : s.failures)
      std::printf("    %-16s %s (attempts %d)\n", short_text(f.sample_id, 16).c_str(), f.reason.c_str(), f.attempts);
  }
  for (const auto& x : s.sessions)
    std::printf("  session %s..%s pid %lld on %s: %d threads / %d cores, load %.2f (max %.2f), warm-up %d, %s, "
                "%lld answered, %lld failed, code %s\n",
                x.started_at.c_str(), x.ended_at.empty() ? "(did not end)" : x.ended_at.c_str(),
                static_cast<long long>(x.pid), x.host.c_str(), x.threads, x.cores, x.load_start, x.load_max, x.warmup,
                x.vision_shared ? "vision shared" : "vision per method", static_cast<long long>(x.computed),
                static_cast<long long>(x.failed), x.code_version.c_str());
}

void print_filtered(store::RunStore& db, int64_t id, const store::SampleFilter& f, bool json) {
  const auto rows = store::filter_samples(db, id, f);
  const auto all = db.run_info(id).n_samples;
  if (json) {
    nlohmann::json j = {{"run", id}, {"matching", rows.size()}, {"of", all}, {"samples", nlohmann::json::array()}};
    for (const auto& s : rows) {
      nlohmann::json d = nlohmann::json::array();
      for (const auto& x : store::pooled_decisions(s))
        d.push_back({{"layer", x.layer}, {"expert", x.expert}, {"kernel", {x.kh, x.kw}}, {"p", x.probability}});
      j["samples"].push_back({{"id", s.sample_id}, {"family", s.family}, {"category", s.category},
                              {"image", s.cluster}, {"question", s.question}, {"answer", s.answer},
                              {"prediction", s.prediction}, {"correct", s.correct}, {"decisions", d}});
    }
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::printf("run %lld: %zu of %lld samples match\n", static_cast<long long>(id), rows.size(),
              static_cast<long long>(all));
  for (const auto& s : rows) {
    std::string d;
    for (const auto& x : store::pooled_decisions(s))
      d += (d.empty() ? "" : ", ") + std::string("L") + std::to_string(x.layer) + " " + std::to_string(x.kh) + "x" +
           std::to_string(x.kw) + " p=" + fmt("%.2f", x.probability);
    std::printf("  %-8s %-20s %-12s %-44s answer %-8s predicted %-8s %s\n", short_text(s.sample_id, 8).c_str(),
                short_text(s.family, 20).c_str(), short_text(s.cluster, 12).c_str(),
                short_text(s.question.substr(0, s.question.find('\n')), 44).c_str(), short_text(s.answer, 8).c_str(),
                short_text(s.prediction, 8).c_str(), d.c_str());
  }
}

void print_diff(store::RunStore& db, int64_t a, int64_t b, int max_rows, bool json) {
  const auto d = db.diff_runs(a, b);
  const auto& c = d.paired;
  if (json) {
    nlohmann::json j = {{"a", run_json(d.a)},
                        {"b", run_json(d.b)},
                        {"common", d.common},
                        {"only_in_a", d.only_a},
                        {"only_in_b", d.only_b},
                        {"mean_score_a", d.mean_score_a},
                        {"mean_score_b", d.mean_score_b},
                        {"changed_predictions", d.changed_predictions},
                        {"fixed", d.fixed},
                        {"broken", d.broken},
                        {"paired", paired_json(c)},
                        {"changed", nlohmann::json::array()}};
    for (const auto& x : d.changed)
      j["changed"].push_back({{"id", x.sample_id}, {"prediction_a", x.prediction_a}, {"score_a", x.score_a},
                              {"prediction_b", x.prediction_b}, {"score_b", x.score_b}});
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::printf("A = run %lld (%s, %s)   B = run %lld (%s, %s)\n", static_cast<long long>(a), d.a.spec.model_name.c_str(),
              store::method_spec(d.a).c_str(), static_cast<long long>(b), d.b.spec.model_name.c_str(),
              store::method_spec(d.b).c_str());
  std::printf("common %lld  only in A %lld  only in B %lld\n", static_cast<long long>(d.common),
              static_cast<long long>(d.only_a), static_cast<long long>(d.only_b));
  std::printf("mean score on common samples: A %.4f  B %.4f\n", d.mean_score_a, d.mean_score_b);
  std::printf("paired B - A: %+.2f points, 95%% interval [%+.2f, %+.2f] (%s)\n", 100 * c.delta,
              100 * c.delta_ci95.lo, 100 * c.delta_ci95.hi, c.delta_ci_method.empty() ? "-" : c.delta_ci_method.c_str());
  const std::string cluster_note =
      c.clustered && c.binary ? " (questions share images: the interval is over images; the permutation p flipping "
                                "whole images is " + p_text(c.permutation_p) + ")"
                              : "";
  std::printf("  better with A only %lld, with B only %lld; %s p = %s%s\n", static_cast<long long>(c.only_a),
              static_cast<long long>(c.only_b), c.binary ? "exact McNemar" : "sign-flip permutation",
              p_text(c.p).c_str(), cluster_note.c_str());
  std::printf("changed predictions %lld: fixed by B %lld, broken by B %lld\n",
              static_cast<long long>(d.changed_predictions), static_cast<long long>(d.fixed),
              static_cast<long long>(d.broken));
  for (int i = 0; i < max_rows && i < static_cast<int>(d.changed.size()); ++i) {
    const auto& x = d.changed[i];
    std::printf("  %-16s A: %-30s (%.2f)  B: %-30s (%.2f)\n", short_text(x.sample_id, 16).c_str(),
                short_text(x.prediction_a, 30).c_str(), x.score_a, short_text(x.prediction_b, 30).c_str(), x.score_b);
  }
}

int run_runs(Args& args) {
  auto pos = args.positional();
  const std::string db_arg = args.get("db");
  if (pos.empty()) throw UsageError("missing subcommand (list, show, diff, export, delete, merge)");
  const std::string sub = pos[0];
  const std::string db_path = db_arg.empty() && sub != "merge" ? store::default_db_path() : db_arg;
  auto open = [&]() {
    store::StoreOptions o;
    o.create = false;  // reading commands never create an empty database by accident
    return std::make_unique<store::RunStore>(db_path, o);
  };
  if (sub == "list") {
    args.finish();
    if (pos.size() != 1) throw UsageError("list takes no arguments");
    print_list(*open());
  } else if (sub == "show") {
    const bool json = args.flag("json");
    store::SampleFilter f;
    const bool wrong = args.flag("wrong"), correct = args.flag("correct");
    const std::string beyond = args.get("pooled-beyond"), family = args.get("family");
    args.finish();
    if (pos.size() != 2) throw UsageError("usage: dpn runs show ID [--json] [--wrong|--correct] [--pooled-beyond KxK] [--family F]");
    if (wrong && correct) throw UsageError("--wrong and --correct exclude each other");
    f.correctness = wrong ? store::SampleFilter::Correctness::wrong
                          : correct ? store::SampleFilter::Correctness::correct : store::SampleFilter::Correctness::any;
    if (!beyond.empty()) store::parse_pooled_beyond(beyond, f);
    f.family = family;
    if (wrong || correct || !beyond.empty() || !family.empty()) print_filtered(*open(), parse_id(pos[1]), f, json);
    else print_show(*open(), parse_id(pos[1]), json);
  } else if (sub == "diff") {
    const int max_rows = args.get_int("max", 20);
    const bool json = args.flag("json");
    args.finish();
    if (pos.size() != 3) throw UsageError("usage: dpn runs diff A B [--max N] [--json]");
    print_diff(*open(), parse_id(pos[1]), parse_id(pos[2]), max_rows, json);
  } else if (sub == "export") {
    const std::string format = args.get("format", "csv");
    const std::string out = args.get("out");
    const bool traces = args.flag("traces");
    const std::string questions = args.get("questions");
    const bool all = args.flag("all");
    args.finish();
    if (format != "csv" && format != "json") {  // submission and judge files (core/eval/submission.h)
      if (traces) throw UsageError("--traces needs --format json");
      if (all || pos.size() != 2) throw UsageError("usage: dpn runs export ID --format " + format + " [--out FILE]");
      if (!out.empty()) store::check_export_target(out, db_path);
      auto db = open();
      for (const auto& w : eval::export_run(*db, parse_id(pos[1]), format, questions, out))
        std::cerr << "warning: " << w << "\n";
      if (!out.empty()) std::cerr << "wrote " << out << "\n";
      return 0;
    }
    if (!questions.empty()) throw UsageError("--questions is for the submission formats");
    if (format != "csv" && format != "json") throw UsageError("--format must be csv or json, got '" + format + "'");
    if (traces && format != "json") throw UsageError("--traces needs --format json");
    if (all == (pos.size() > 1))
      throw UsageError("usage: dpn runs export ID...|--all [--format csv|json] [--out FILE] [--traces]");
    if (!out.empty()) store::check_export_target(out, db_path);  // before anything is read or written
    auto db = open();
    std::vector<int64_t> ids;
    if (all)
      for (const auto& r : db->list_runs()) ids.push_back(r.id);
    for (size_t i = 1; i < pos.size(); ++i) ids.push_back(parse_id(pos[i]));
    if (ids.empty()) throw Error(db->path(), "there are no runs to export");
    std::string text;
    if (format == "csv") {
      text = db->export_csv(ids);
    } else if (ids.size() == 1) {
      text = db->export_json(ids[0], traces);
    } else {
      text = "{\"runs\": [\n";
      for (size_t i = 0; i < ids.size(); ++i) {
        std::string doc = db->export_json(ids[i], traces);
        doc.pop_back();  // its newline
        text += doc + (i + 1 < ids.size() ? ",\n" : "\n");
      }
      text += "]}\n";
    }
    if (out.empty()) {
      std::cout << text;
    } else {
      store::write_export(out, text);
      std::cerr << "wrote " << out << " (" << ids.size() << " run(s))\n";
    }
  } else if (sub == "delete") {
    const bool yes = args.flag("yes");
    args.finish();
    if (pos.size() != 2) throw UsageError("usage: dpn runs delete ID [--yes]");
    auto db = open();
    const int64_t id = parse_id(pos[1]);
    auto info = db->run_info(id);
    if (!yes) {
      if (!isatty(STDIN_FILENO)) throw UsageError("refusing to delete without --yes when stdin is not a terminal");
      std::cout << "Delete run " << id << " (" << info.spec.model_name << ", " << info.spec.dataset_name << ", "
                << store::method_spec(info) << ", " << info.n_samples << " samples)? [y/N] " << std::flush;
      std::string answer;
      std::getline(std::cin, answer);
      if (answer != "y" && answer != "Y" && answer != "yes") {
        std::cout << "kept\n";
        return 1;
      }
    }
    db->delete_run(id);
    std::cout << "deleted run " << id << "\n";
  } else if (sub == "merge") {
    args.finish();
    if (!db_arg.empty()) throw UsageError("merge takes OUT and IN files, not --db");
    if (pos.size() < 3) throw UsageError("usage: dpn runs merge OUT IN...");
    std::vector<std::string> inputs(pos.begin() + 2, pos.end());
    auto ids = store::merge_databases(pos[1], inputs);
    std::cout << "merged " << inputs.size() << " database(s) into " << pos[1] << ": " << ids.size() << " run(s)\n";
  } else {
    throw UsageError("unknown subcommand '" + sub + "' (list, show, diff, export, delete, merge)");
  }
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(runs, "runs", "list, show, diff, export, delete and merge benchmark runs", kUsage, run_runs);

}  // namespace dpn::cli
