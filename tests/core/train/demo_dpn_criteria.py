#!/usr/bin/env python3
"""Issue 22's acceptance criteria for the shipped demo-dpn, computed from stored runs (not by hand).

Input: two runs exported by `dpn runs export ID --format json --traces` (demo-dpn with method dpn, and demo-base
with method none, over the same DPNBench samples). Output: markdown tables and one PASS/FAIL line per criterion;
exit status 0 when every criterion passes, 1 otherwise.

  dpn runs export 2 --db runs.sqlite --format json --traces --out dpn.json
  dpn runs export 1 --db runs.sqlite --format json --traces --out base.json
  python3 tests/core/train/demo_dpn_criteria.py --dpn dpn.json --base base.json

Criteria (issue 22):
  1. accuracy within 1 point of demo-base (same samples);
  2. at least 40% of LLM prefill FLOPs saved (mean over the same samples);
  3. the chosen expert's probability >= 0.8 on >= 90% of the decisions at every DPE layer;
  4. at the first DPE layer, the strongest pooling on >= 80% of each coarse family's samples and the lightest on
     >= 80% of each fine family's (DPNBench's category field says which family is which); the same table for every
     layer is printed;
  5. on at least one image, the routers choose differently at the first DPE layer for a coarse and a fine question
     (one such pair printed).
"""
import argparse
import json
import sys
from collections import defaultdict


def load(path):
    with open(path) as f:
        j = json.load(f)
    return j["run"], {s["sample_id"]: s for s in j["samples"]}


def kernel(sample, layer):
    """The kernel a decision at `layer` applied: the grid shrink across the layer (post), else before it (pre)."""
    grid = {l["layer"]: (l["grid_h"], l["grid_w"]) for l in sample.get("layers", [])}
    for a, b in ((layer, layer + 1), (layer - 1, layer)):
        if a in grid and b in grid and grid[b][0] > 0 and grid[b][1] > 0 and grid[a] != grid[b]:
            return grid[a][0] // grid[b][0], grid[a][1] // grid[b][1]
    return 1, 1


def pct(x):
    return f"{100 * x:.1f}%"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dpn", required=True, help="export of the demo-dpn run (method dpn)")
    ap.add_argument("--base", required=True, help="export of the demo-base run (method none)")
    ap.add_argument("--confidence", type=float, default=0.8)
    a = ap.parse_args()
    dpn_run, dpn = load(a.dpn)
    base_run, base = load(a.base)
    ids = sorted(set(dpn) & set(base), key=lambda s: (len(s), s))
    if not ids:
        sys.exit("no common samples between the two runs")
    ok_all = True

    def verdict(name, ok, detail):
        nonlocal ok_all
        ok_all &= ok
        print(f"- {'PASS' if ok else 'FAIL'} {name}: {detail}")

    print(f"demo-dpn run {dpn_run['id']} ({dpn_run['method_spec']}) vs demo-base run {base_run['id']} "
          f"({base_run['method_spec']}) on {len(ids)} common samples of {dpn_run['dataset']}\n")
    acc_d = sum(dpn[i]["correct"] for i in ids) / len(ids)
    acc_b = sum(base[i]["correct"] for i in ids) / len(ids)
    fl_d = sum(dpn[i]["flops_llm"] for i in ids) / len(ids)
    fl_b = sum(base[i]["flops_llm"] for i in ids) / len(ids)
    saving = 1 - fl_d / fl_b

    # Decisions per layer: (family, category, expert index, number of experts, p of chosen, kernel).
    layers = defaultdict(list)
    category = {}
    for i in ids:
        s = dpn[i]
        category[s["family"]] = s.get("category", "")
        for r in s.get("routers", []):
            if r.get("overridden"):
                continue
            probs = r["probs"]
            layers[r["layer"]].append((s["family"], r["expert"], len(probs), probs[r["expert"]], kernel(s, r["layer"]), i))
    families = sorted(category, key=lambda f: (category[f] != "coarse", f))

    print("| DPE layer | family | category | decisions | " + "expert shares (lightest ... strongest) | p[chosen] >= "
          f"{a.confidence} |")
    print("|---|---|---|---|---|---|")
    for layer in sorted(layers):
        rows = layers[layer]
        n_exp = max(r[2] for r in rows)
        for f in families:
            fr = [r for r in rows if r[0] == f]
            n_f = sum(1 for i in ids if dpn[i]["family"] == f)
            if not fr:
                print(f"| {layer} | {f} | {category[f]} | 0 of {n_f} | - | - |")
                continue
            kernels = {}
            for r in fr:
                kernels.setdefault(r[1], r[4])
            shares = " / ".join(
                f"{pct(sum(1 for r in fr if r[1] == e) / len(fr))}" + (f" ({kernels[e][0]}x{kernels[e][1]})" if e in kernels else "")
                for e in range(n_exp))
            conf = sum(1 for r in fr if r[3] >= a.confidence) / len(fr)
            print(f"| {layer} | {f} | {category[f]} | {len(fr)} of {n_f} | {shares} | {pct(conf)} |")
    print()

    verdict("accuracy within 1 point of demo-base", acc_d >= acc_b - 0.01,
            f"demo-dpn {pct(acc_d)}, demo-base {pct(acc_b)} ({100 * (acc_d - acc_b):+.2f} points)")
    verdict("LLM prefill FLOPs saved >= 40%", saving >= 0.40,
            f"{pct(saving)} (mean {fl_d / 1e6:.0f} M vs {fl_b / 1e6:.0f} M)")
    for layer in sorted(layers):
        rows = layers[layer]
        conf = sum(1 for r in rows if r[3] >= a.confidence) / len(rows)
        verdict(f"layer {layer}: p[chosen] >= {a.confidence} on >= 90% of decisions", conf >= 0.9,
                f"{pct(conf)} of {len(rows)} decisions")
    first = min(layers) if layers else None
    if first is None:
        verdict("router decisions exist", False, "the dpn run holds no router decisions")
    else:
        rows = layers[first]
        n_exp = max(r[2] for r in rows)
        for f in families:
            fr = [r for r in rows if r[0] == f]
            n_f = sum(1 for i in ids if dpn[i]["family"] == f)
            want, name = (n_exp - 1, "strongest") if category[f] == "coarse" else (0, "lightest")
            share = sum(1 for r in fr if r[1] == want) / max(1, n_f)
            verdict(f"layer {first}, {category[f]} family {f}: the {name} expert on >= 80%", share >= 0.8,
                    f"{pct(share)} of {n_f}")
        # 5. the same image, a coarse and a fine question, different choices at the first DPE layer
        by_image = defaultdict(dict)
        for r in rows:
            s = dpn[r[5]]
            by_image[s.get("cluster", "")][r[5]] = r
        pairs = []
        for img, decided in sorted(by_image.items()):
            coarse = [r for r in decided.values() if category[r[0]] == "coarse"]
            fine = [r for r in decided.values() if category[r[0]] == "fine"]
            for c in coarse:
                for f in fine:
                    if c[1] != f[1]:
                        pairs.append((img, c, f))
        images = len({p[0] for p in pairs})
        detail = f"{images} of {len(by_image)} images"
        if pairs:
            img, c, f = pairs[0]
            q = lambda r: dpn[r[5]]["question"].split("\n")[0]
            detail += (f"; e.g. {img}: \"{q(c)}\" -> {c[4][0]}x{c[4][1]} (p {c[3]:.2f}), "
                       f"\"{q(f)}\" -> {f[4][0]}x{f[4][1]} (p {f[3]:.2f})")
        verdict("the same image changes its choice between a coarse and a fine question", images > 0, detail)
    print(f"\n{'ALL PASS' if ok_all else 'NOT ALL PASS'}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
