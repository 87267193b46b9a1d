// Deterministic subsets and shards of a dataset.
#include "eval/subset.h"

#include "util/error.h"

namespace dpn::eval {

namespace {

// splitmix64: a tiny PRNG whose sequence is fixed by its definition (std::shuffle's is implementation-defined).
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t stable_hash(const std::string& id) {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64 offset basis
  for (unsigned char c : id) {
    h ^= c;
    h *= 0x100000001b3ull;  // FNV-1a 64 prime
  }
  return h;
}

void parse_shard(const std::string& text, int& index, int& count) {
  auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument(text);
    size_t p1 = 0, p2 = 0;
    index = std::stoi(text.substr(0, slash), &p1);
    count = std::stoi(text.substr(slash + 1), &p2);
    if (p1 != slash || p2 != text.size() - slash - 1) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw Error("--shard " + text, "expected i/N with integers, e.g. 0/4");
  }
  if (count < 1 || index < 0 || index >= count)
    throw Error("--shard " + text, "expected 0 <= i < N");
}

std::vector<EvalSample> select_subset(const std::vector<EvalSample>& samples, const SubsetOptions& o) {
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count)
    throw Error("shard " + std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count),
                "expected 0 <= i < N");
  if (o.limit < 0) throw Error("--limit", "must be >= 0");
  std::vector<const EvalSample*> kept;
  for (const auto& s : samples)
    if ((o.category.empty() || s.category == o.category) && (o.family.empty() || s.family == o.family))
      kept.push_back(&s);
  if (o.seed) {
    uint64_t state = *o.seed;
    for (size_t i = kept.size(); i > 1; --i) std::swap(kept[i - 1], kept[splitmix64(state) % i]);
  }
  if (o.limit > 0 && static_cast<size_t>(o.limit) < kept.size()) kept.resize(static_cast<size_t>(o.limit));
  std::vector<EvalSample> out;
  for (const EvalSample* s : kept)
    if (stable_hash(s->id) % static_cast<uint64_t>(o.shard_count) == static_cast<uint64_t>(o.shard_index))
      out.push_back(*s);
  return out;
}

}  // namespace dpn::eval
