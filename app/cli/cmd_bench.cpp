// `dpn bench`: every method on every selected sample of a benchmark, stored sample by sample in the run database
// (resumable, shardable), with a progress bar and a results table (thin over core/bench).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "bench/method_list.h"
#include "bench/runner.h"
#include "command.h"
#include "eval/preset.h"
#include "model_options.h"

namespace dpn::cli {
namespace {

const char* const kUsage =
    "Usage: dpn bench --model DIR|NAME --dataset DIR|FILE [--methods LIST] [--limit N] [--seed S]\n"
    "                 [--category C] [--family F] [--shard i/N] [--db FILE] [--durable] [--json] [--summary]\n"
    "                 [--kind K --images DIR --annotations F] [--dataset-name NAME] [--max-new-tokens N]\n"
    "                 [--dtype f32|bf16] [--device cpu|cuda] [--threads N] [--vision-tower DIR] [--preset llava-1.5]\n"
    "                 [--max-memory SIZE] [--baseline METHOD|RUN_ID|MODEL] [--warmup N] [--retry-failed] [--separate-vision]\n\n"
    "--dataset   a DPNBench folder (questions.jsonl, answers.jsonl, images/), e.g. datasets/dpnbench/test; for\n"
    "            --kind vqav2|gqa|vizwiz|scienceqa|textvqa|pope|mme|mmbench|mmbench-cn|seed|llavabench|mmvet the\n"
    "            question file, with --images/--annotations (README, Evaluation)\n"
    "--methods   comma-separated, default none: none,dpn,fastv:k=2,r=0.5,static:7=2,15=2,tokenpacker\n"
    "--limit N   the first N samples (after --category/--family, and --seed's shuffle); 0 = all\n"
    "--shard i/N this process runs shard i of N (0-based; samples split by a hash of their id). Run the N shards\n"
    "            as a Slurm array or MPI ranks into separate --db files, then `dpn runs merge OUT IN...`\n"
    "--db FILE   run database (default $XDG_DATA_HOME/dpn-studio/runs.sqlite)\n"
    "--durable   fsync each sample: survives a power loss too (a crash or kill -9 never loses one anyway)\n"
    "--max-memory SIZE   what the model may use (weights, KV cache, prefill buffers; e.g. 16GB or 16GiB); default:\n"
    "            what the machine has. Checked before loading and before each sample: a sample that cannot fit is\n"
    "            recorded as failed with its size\n"
    "--max-new-tokens N  tokens per answer (default 16: the benchmarks ask for one word or letter)\n"
    "--preset llava-1.5  LLaVA-1.5's evaluation settings for --kind: max_new_tokens 128 (1024 for scienceqa, mmbench,\n"
    "            mmvet, llavabench), temperature 0, answers stripped; recorded in the run's identity\n"
    "--summary   print the table of what the database holds for these options, answer nothing\n"
    "--json      print the summary as JSON (per-sample rows included) instead of tables\n"
    "--baseline  what savings, speed-ups and paired tests compare against (default: this model's `none` run):\n"
    "            a method of this bench, a run id (any model, same dataset) or a model name (its `none` run over\n"
    "            the same subset, e.g. a TokenPacker model against the base model)\n"
    "--warmup N  samples every method answers before timing starts, not stored (default 1)\n"
    "--retry-failed       answer again the samples that failed before (a bad sample is recorded, not fatal)\n"
    "--separate-vision    encode the image again for every method (default: once per sample, shared)\n\n"
    "Every method answers a sample before the next one starts, and the sample's answers are committed together:\n"
    "re-run the same command to resume; a stopped run holds the same samples for every method.\n"
    "Ctrl-C (or SIGTERM) stops after the current sample (cut off after 1 s); a second Ctrl-C quits at once.\n"
    "Accuracies carry 95% intervals; methods are compared with the baseline on the same samples (exact McNemar\n"
    "or permutation p, Holm-adjusted); latency is the median over samples after the warm-up.\n"
    "Exit status: 0 done, 3 done but some samples failed, 130 stopped early, 1 error, 2 usage error.";

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
  const char msg[] = "\nstopping after the current sample (Ctrl-C again to quit now)...\n";
  ssize_t ignored = ::write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
}

// SA_RESETHAND: the first signal asks for a clean stop, the second gets the default action (committed samples
// are safe either way).
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Redraws in place on a terminal (at most 10 times a second); writes a line every 10 s to a log (Slurm output).
class ProgressPrinter {
 public:
  void operator()(const bench::BenchProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    const bool last = p.done == p.total;
    if (tty_) {
      if (since < 0.1 && !last && printed_) return;
      std::fprintf(stderr, "\r%s\033[K", bench::format_progress(p).c_str());
    } else {
      if (since < 10 && !last && printed_) return;
      std::fprintf(stderr, "%s\n", bench::format_progress(p).c_str());
    }
    std::fflush(stderr);
    last_ = now;
    printed_ = true;
  }
  void end() const {
    if (tty_ && printed_) std::fprintf(stderr, "\n");
  }

 private:
  bool tty_ = ::isatty(STDERR_FILENO) != 0;
  bool printed_ = false;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

int64_t parse_limit(const std::string& v) {
  if (v.empty()) return 0;
  try {
    size_t pos = 0;
    const long long n = std::stoll(v, &pos);
    if (pos == v.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw UsageError("--limit expects a non-negative integer, got '" + v + "'");
}

int run_bench(Args& a) {
  bench::BenchSpec spec;
  spec.model = a.require("model");
  spec.vision_tower = a.get("vision-tower");
  spec.dataset.path = a.require("dataset");
  spec.dataset.kind = a.get("kind");
  spec.dataset.images = a.get("images");
  spec.dataset.annotations = a.get("annotations");
  spec.dataset.name = a.get("dataset-name");
  const std::string methods = a.get("methods", "none");
  spec.subset.limit = parse_limit(a.get("limit"));
  const std::string seed = a.get("seed");
  spec.subset.category = a.get("category");
  spec.subset.family = a.get("family");
  const std::string shard = a.get("shard");
  spec.db_path = a.get("db");
  spec.durable = a.flag("durable");
  spec.dtype = a.get("dtype", "f32");
  spec.device = a.get("device", "cpu");
  spec.threads = a.get_int("threads", 0);
  spec.max_memory = max_memory_option(a);
  spec.max_new_tokens = a.get_int("max-new-tokens", bench::kDefaultMaxNewTokens);
  const bool tokens_given = a.get("max-new-tokens") != "";
  spec.preset = a.get("preset");
  spec.baseline = a.get("baseline");
  spec.warmup = a.get_int("warmup", 1);
  spec.retry_failed = a.flag("retry-failed");
  spec.share_vision = !a.flag("separate-vision");
  const bool json = a.flag("json");
  const bool summary_only = a.flag("summary");
  a.finish();
  if (!seed.empty()) {
    try {
      size_t pos = 0;
      spec.subset.seed = std::stoull(seed, &pos);
      if (pos != seed.size() || seed[0] == '-') throw std::invalid_argument(seed);
    } catch (const std::exception&) {
      throw UsageError("--seed expects a non-negative integer, got '" + seed + "'");
    }
  }
  if (!shard.empty()) eval::parse_shard(shard, spec.subset.shard_index, spec.subset.shard_count);
  if (spec.max_new_tokens < 1) throw UsageError("--max-new-tokens must be at least 1");
  if (spec.warmup < 0) throw UsageError("--warmup must be 0 or more");
  spec.methods = bench::parse_method_list(methods);
  if (!spec.preset.empty()) {  // the preset decides the answer length (eval/preset.h)
    if (tokens_given) throw UsageError("--max-new-tokens and --preset both set the answer length; give one");
    spec.max_new_tokens =
        eval::eval_preset(spec.preset, spec.dataset.kind.empty() ? "dpnbench" : spec.dataset.kind).max_new_tokens;
  }

  bench::BenchSummary s;
  if (summary_only) {
    s = bench::stored_summary(spec);
  } else {
    install_stop_handlers();
    ProgressPrinter printer;
    s = bench::run_benchmark(spec, [&](const bench::BenchProgress& p) { printer(p); }, g_stop);
    printer.end();
  }
  std::cout << (json ? bench::summary_json(s, true) + "\n" : bench::format_table(s));
  std::cout.flush();
  if (json)
    for (const auto& w : s.warnings) std::cerr << "warning: " << w << "\n";
  if (s.cancelled) {
    std::cerr << "stopped: " << s.done << "/" << s.total << " samples are stored in " << s.db_path
              << (s.abandoned ? " (the sample cut off mid-answer was dropped)" : "")
              << "; run the same command again to resume\n";
    return 130;
  }
  if (s.failed > 0) {
    std::cerr << s.failed << " sample(s) failed and are recorded with their reason (`dpn runs show ID`); "
              << "rerun with --retry-failed to answer them again\n";
    return 3;
  }
  return 0;
}

}  // namespace

DPN_CLI_COMMAND(bench, "bench", "run methods over a benchmark, resumable and shardable, and print the results table",
                kUsage, run_bench);

}  // namespace dpn::cli
