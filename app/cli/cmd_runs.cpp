// `dpn runs`: list, show, diff, export, delete and merge benchmark runs in the run database (thin over core/store).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.h"
#include "eval/run_metrics.h"
#include "eval/submission.h"
#include "store/run_store.h"
#include "util/error.h"

namespace dpn::cli {
namespace {

const char* const kUsage =
    "Usage: dpn runs SUBCOMMAND [--db FILE]\n"
    "  list                         all runs: id, model, dataset, method, shard, status, samples, mean score\n"
    "  show ID                      one run: parameters, timings, FLOPs, score per family\n"
    "  diff A B [--max N]           compare two runs sample by sample (N changed samples listed, default 20)\n"
    "  export ID --format csv|json [--out FILE] [--traces]\n"
    "                               per-sample results (json can include layer traces and router decisions)\n"
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

void print_list(store::RunStore& db) {
  auto runs = db.list_runs();
  if (runs.empty()) {
    std::cout << "no runs in " << db.path() << "\n";
    return;
  }
  std::printf("%5s  %-22s %-10s %-8s %-6s %-9s %8s %8s  %s\n", "id", "model", "dataset", "method", "shard", "status",
              "samples", "score", "created");
  for (const auto& r : runs)
    std::printf("%5lld  %-22s %-10s %-8s %-6s %-9s %8lld %8.4f  %s\n", static_cast<long long>(r.id),
                short_text(r.spec.model_name, 22).c_str(), short_text(r.spec.dataset_name, 10).c_str(),
                short_text(r.spec.method, 8).c_str(), r.spec.shard.empty() ? "-" : r.spec.shard.c_str(),
                r.status.c_str(), static_cast<long long>(r.n_samples), r.mean_score, r.created_at.c_str());
}

void print_show(store::RunStore& db, int64_t id) {
  auto s = db.run_summary(id);
  const auto& r = s.run;
  std::cout << "run " << r.id << " (" << r.status << ", created " << r.created_at << ")\n"
            << "  model    " << r.spec.model_name << "  " << r.spec.model_path << "\n"
            << "  dataset  " << r.spec.dataset_name << " [" << r.spec.dataset_kind << "]  " << r.spec.dataset_path << "\n"
            << "  method   " << r.spec.method << "  " << r.spec.params_json << "\n"
            << "  device   " << r.spec.device << "  dtype " << r.spec.dtype << "  threads " << r.spec.threads
            << (r.spec.shard.empty() ? "" : "  shard " + r.spec.shard) << "\n"
            << "  code     " << r.spec.code_version << "\n";
  std::printf("  samples %lld  mean score %.4f  accuracy %.4f\n", static_cast<long long>(r.n_samples), r.mean_score,
              s.accuracy);
  std::printf("  latency %.1f ms (prefill %.1f, decode %.1f)  FLOPs/sample LLM %.4g total %.4g\n", s.mean_latency_ms,
              s.mean_prefill_ms, s.mean_decode_ms, s.mean_flops_llm, s.mean_flops_total);
  const eval::BenchmarkMetrics official = eval::run_metrics(r.spec.dataset_kind, db.samples(id, false));
  if (!official.official.empty()) std::cout << "  " << eval::format_metrics(official);
  if (!s.families.empty()) {
    std::printf("  %-28s %8s %10s %9s\n", "family", "samples", "score", "accuracy");
    for (const auto& f : s.families)
      std::printf("  %-28s %8lld %10.4f %9.4f\n", short_text(f.family.empty() ? "(none)" : f.family, 28).c_str(),
                  static_cast<long long>(f.n), f.mean_score, f.accuracy);
  }
}

void print_diff(store::RunStore& db, int64_t a, int64_t b, int max_rows) {
  auto d = db.diff_runs(a, b);
  std::printf("A = run %lld (%s, %s)   B = run %lld (%s, %s)\n", static_cast<long long>(a), d.a.spec.method.c_str(),
              d.a.spec.params_json.c_str(), static_cast<long long>(b), d.b.spec.method.c_str(),
              d.b.spec.params_json.c_str());
  std::printf("common %lld  only in A %lld  only in B %lld\n", static_cast<long long>(d.common),
              static_cast<long long>(d.only_a), static_cast<long long>(d.only_b));
  std::printf("mean score on common samples: A %.4f  B %.4f  (B - A %+.4f)\n", d.mean_score_a, d.mean_score_b,
              d.mean_score_b - d.mean_score_a);
  std::printf("changed predictions %lld: fixed by B %lld, broken by B %lld\n",
              static_cast<long long>(d.changed_predictions), static_cast<long long>(d.fixed),
              static_cast<long long>(d.broken));
  for (int i = 0; i < max_rows && i < static_cast<int>(d.changed.size()); ++i) {
    const auto& c = d.changed[i];
    std::printf("  %-16s A: %-30s (%.2f)  B: %-30s (%.2f)\n", short_text(c.sample_id, 16).c_str(),
                short_text(c.prediction_a, 30).c_str(), c.score_a, short_text(c.prediction_b, 30).c_str(), c.score_b);
  }
}

int run_runs(Args& args) {
  auto pos = args.positional();
  const std::string db_arg = args.get("db");
  if (pos.empty()) throw UsageError("missing subcommand (list, show, diff, export, delete, merge)");
  const std::string sub = pos[0];
  auto open = [&]() {
    store::StoreOptions o;
    o.create = false;  // reading commands never create an empty database by accident
    return std::make_unique<store::RunStore>(db_arg.empty() ? store::default_db_path() : db_arg, o);
  };
  if (sub == "list") {
    args.finish();
    if (pos.size() != 1) throw UsageError("list takes no arguments");
    print_list(*open());
  } else if (sub == "show") {
    args.finish();
    if (pos.size() != 2) throw UsageError("usage: dpn runs show ID");
    print_show(*open(), parse_id(pos[1]));
  } else if (sub == "diff") {
    int max_rows = args.get_int("max", 20);
    args.finish();
    if (pos.size() != 3) throw UsageError("usage: dpn runs diff A B");
    print_diff(*open(), parse_id(pos[1]), parse_id(pos[2]), max_rows);
  } else if (sub == "export") {
    const std::string format = args.require("format");
    const std::string out = args.get("out");
    const bool traces = args.flag("traces");
    const std::string questions = args.get("questions");
    args.finish();
    if (pos.size() != 2) throw UsageError("usage: dpn runs export ID --format csv|json [--out FILE]");
    if (format != "csv" && format != "json") {  // submission and judge files (core/eval/submission.h)
      if (traces) throw UsageError("--traces needs --format json");
      auto db = open();
      for (const auto& w : eval::export_run(*db, parse_id(pos[1]), format, questions, out))
        std::cerr << "warning: " << w << "\n";
      if (!out.empty()) std::cerr << "wrote " << out << "\n";
      return 0;
    }
    if (!questions.empty()) throw UsageError("--questions is for the submission formats");
    if (format != "csv" && format != "json") throw UsageError("--format must be csv or json, got '" + format + "'");
    if (traces && format != "json") throw UsageError("--traces needs --format json");
    auto db = open();
    const int64_t id = parse_id(pos[1]);
    const std::string text = format == "csv" ? db->export_csv(id) : db->export_json(id, traces);
    if (out.empty()) {
      std::cout << text;
    } else {
      const std::string tmp = out + ".tmp";
      std::ofstream f(tmp, std::ios::binary);
      if (!(f << text) || !(f.close(), f))
        throw Error(out, "cannot write the export (check the folder and free space)");
      if (std::rename(tmp.c_str(), out.c_str()) != 0) throw Error(out, "cannot move the export into place");
      std::cerr << "wrote " << out << "\n";
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
                << info.spec.method << ", " << info.n_samples << " samples)? [y/N] " << std::flush;
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
