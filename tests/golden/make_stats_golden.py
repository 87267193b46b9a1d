"""Reference numbers for core/stats (tests/core/stats/stats_golden_test.cpp), from independent code.

Closed forms and exact tests come from the libraries researchers use: Wilson intervals from statsmodels
(proportion_confint(method="wilson")), exact McNemar p from scipy.stats.binomtest and statsmodels' mcnemar(exact=True),
Holm from statsmodels' multipletests(method="holm"), quantiles from numpy (method "linear"). The seeded resampling
(bootstrap, sign-flip permutation) is re-implemented here in plain Python from its specification in
core/stats/bootstrap.h and permutation.h (splitmix64, index = ((x >> 32) * k) >> 32, coin = x >> 63), so the C++
must draw the same replicates to match. Newcombe's paired interval (method 10) is written from the paper's formula
on top of statsmodels' Wilson limits.

    python3 tests/golden/make_stats_golden.py        # writes tests/data/golden/stats/expected.json

Versions used for the committed file are recorded in it (numpy 2.4.6, scipy 1.17.1, statsmodels 0.15.0).
"""
import hashlib
import itertools
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return ((self.next() >> 32) * n) >> 32

    def coin(self):
        return (self.next() >> 63) != 0


def cluster_index(n, clusters):
    if not clusters:
        return list(range(n)), n
    seen = {}
    idx = [seen.setdefault(c, len(seen)) for c in clusters]
    return idx, len(seen)


def bootstrap(values, clusters, seed, reps):
    idx, k = cluster_index(len(values), clusters)
    sums, counts = [0.0] * k, [0.0] * k
    for v, i in zip(values, idx):
        sums[i] += v
        counts[i] += 1
    rng = SplitMix64(seed)
    means = []
    for _ in range(reps):
        s = c = 0.0
        for _ in range(k):
            j = rng.below(k)
            s += sums[j]
            c += counts[j]
        means.append(s / c)
    lo, hi = np.quantile(np.array(means), [0.025, 0.975], method="linear")
    return [float(lo), float(hi)]


def sign_flip(diffs, clusters, seed, reps):
    idx, k = cluster_index(len(diffs), clusters)
    sums = [0.0] * k
    for d, i in zip(diffs, idx):
        sums[i] += d
    d = [s for s in sums if s != 0]
    if not d:
        return 1.0
    target = abs(sum(d)) - 1e-9 * sum(abs(x) for x in d)
    if len(d) <= 16:
        hits = 0
        for signs in itertools.product([1, -1], repeat=len(d)):
            hits += abs(sum(s * x for s, x in zip(signs, d))) >= target
        return hits / 2 ** len(d)
    rng = SplitMix64(seed)
    hits = 0
    for _ in range(reps):
        t = 0.0
        for x in d:
            t += -x if rng.coin() else x
        hits += abs(t) >= target
    return (1 + hits) / (1 + reps)


def wilson(k, n):
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return [float(lo), float(hi)]


def newcombe(both, only_a, only_b, neither):
    n = both + only_a + only_b + neither
    pa, pb = (both + only_a) / n, (both + only_b) / n
    la, ua = wilson(both + only_a, n)
    lb, ub = wilson(both + only_b, n)
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    phi = (both * neither - only_a * only_b) / math.sqrt(margins) if margins > 0 else 0.0
    d = pb - pa
    lo = d - math.sqrt(max(0.0, (pb - lb) ** 2 - 2 * phi * (pb - lb) * (ua - pa) + (ua - pa) ** 2))
    hi = d + math.sqrt(max(0.0, (ub - pb) ** 2 - 2 * phi * (ub - pb) * (pa - la) + (pa - la) ** 2))
    return [max(-1.0, lo), min(1.0, hi)]


def mcnemar_p(b, c):
    if b + c == 0:
        return 1.0
    p = scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue
    q = mcnemar([[0, b], [c, 0]], exact=True).pvalue
    assert abs(p - q) <= 1e-12 * max(p, 1e-300), (b, c, p, q)
    return float(p)


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "golden", "stats")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(20250117)
    doc = {
        "generator": "tests/golden/make_stats_golden.py",
        "generator_sha256": hashlib.sha256(open(__file__, "rb").read()).hexdigest(),
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
                     "statsmodels": statsmodels.__version__},
    }
    doc["wilson"] = [{"k": k, "n": n, "ci95": wilson(k, n)}
                     for k, n in [(58, 60), (56, 60), (0, 10), (10, 10), (1, 1), (3, 7), (500, 1000), (681, 720)]]
    doc["mcnemar"] = [{"only_a": b, "only_b": c, "p": mcnemar_p(b, c)}
                      for b, c in [(2, 0), (0, 2), (5, 5), (1, 9), (10, 30), (100, 130), (1000, 1100), (0, 0), (3, 4)]]
    holm_cases = [[0.01, 0.04, 0.03, 0.5], [0.5, 0.5], [0.001], [0.02, 0.02, 0.2, 0.9, 0.0001]]
    doc["holm"] = [{"p": p, "adjusted": [float(x) for x in multipletests(p, method="holm")[1]]} for p in holm_cases]
    qv = [float(x) for x in rng.lognormal(3.0, 0.5, 37)]
    doc["quantile"] = [{"values": qv, "q": q, "expected": float(np.quantile(np.array(qv), q, method="linear"))}
                       for q in [0.0, 0.025, 0.25, 0.5, 0.75, 0.975, 1.0]]

    binary = [int(x) for x in rng.random(60) < 0.9]
    graded = [float(x) for x in rng.choice([0.0, 0.3, 0.6, 0.9, 1.0], 50)]
    clustered = [int(x) for x in rng.random(30) < 0.7]
    clusters = [int(i // 3) * 7 + 100 for i in range(30)]  # 10 images, 3 questions each
    doc["bootstrap"] = [
        {"values": binary, "clusters": [], "seed": 17, "reps": 2000, "ci95": bootstrap(binary, [], 17, 2000)},
        {"values": graded, "clusters": [], "seed": 5, "reps": 1000, "ci95": bootstrap(graded, [], 5, 1000)},
        {"values": clustered, "clusters": clusters, "seed": 17, "reps": 2000,
         "ci95": bootstrap(clustered, clusters, 17, 2000)},
    ]
    doc["newcombe"] = [{"table": t, "ci95": newcombe(*t)}
                       for t in [[56, 2, 0, 2], [12, 9, 2, 21], [30, 0, 0, 0], [0, 0, 0, 10], [400, 25, 40, 255]]]
    small = [1.0, -1.0, 0.0, 0.5, 1.0, 1.0, 0.0, -0.3, 1.0, 1.0]
    big = [float(x) for x in rng.choice([-1.0, 0.0, 0.0, 1.0, 1.0, -0.6], 80)]
    big_clusters = [i // 2 for i in range(80)]
    doc["sign_flip"] = [
        {"diffs": small, "clusters": [], "seed": 17, "reps": 10000, "p": sign_flip(small, [], 17, 10000)},
        {"diffs": big, "clusters": [], "seed": 17, "reps": 10000, "p": sign_flip(big, [], 17, 10000)},
        {"diffs": big, "clusters": big_clusters, "seed": 3, "reps": 5000, "p": sign_flip(big, big_clusters, 3, 5000)},
    ]
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", os.path.join(out_dir, "expected.json"))


if __name__ == "__main__":
    main()
