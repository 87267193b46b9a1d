"""Runs a fixture generator and records what made its fixtures: PROVENANCE.json in the folder it wrote, with the
sha256 of the generator and of every local module it imports (tiny_llava.py, make_llava_golden.py, ...).

    python3 tests/golden/provenance.py make_llava_golden.py [generator args...]   # regenerate + record
    python3 tests/golden/provenance.py --record-only make_llava_golden.py          # record committed fixtures

tests/core/fixture_provenance_test.cpp (label fast) recomputes the hashes: a generator edited without its
fixtures being regenerated (and committed together) fails it. --record-only is for fixtures known to come from the
scripts as they are (e.g. the script's last commit is the fixtures' last commit).
"""
import ast
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
# The folder each generator writes by default (its --out), relative to tests/data.
DEFAULT_OUT = {"make_llava_golden.py": "golden", "make_methods_golden.py": "golden/methods",
               "make_llava_hr_golden.py": "golden/hr", "make_hf5_golden.py": "golden/hf5", "make_bin_fixtures.py": "bin",
               "make_baselines_golden.py": "golden/baselines", "make_stats_golden.py": "golden/stats"}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def local_modules(script, seen=None):
    """The script and the tests/golden modules it imports, transitively, as file names."""
    seen = seen if seen is not None else []
    if script in seen:
        return seen
    seen.append(script)
    tree = ast.parse(open(os.path.join(HERE, script)).read())
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        for n in names:
            if os.path.isfile(os.path.join(HERE, n + ".py")):
                local_modules(n + ".py", seen)
    return seen


def outputs(script, out):
    """What the generator owns under out: its GENERATED list when it has one, else the whole folder."""
    for node in ast.parse(open(os.path.join(HERE, script)).read()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "GENERATED" for t in node.targets):
            return sorted(ast.literal_eval(node.value))
    return sorted(f for f in os.listdir(out) if not f.startswith("PROVENANCE"))


def record(script, out):
    mods = local_modules(script)
    rec = {"generator": "tests/golden/" + script,
           "sha256": {"tests/golden/" + m: sha256(os.path.join(HERE, m)) for m in mods},
           "outputs": outputs(script, out)}
    with open(os.path.join(out, "PROVENANCE.json"), "w") as f:
        json.dump(rec, f, indent=1)
        f.write("\n")
    print(f"recorded {os.path.relpath(os.path.join(out, 'PROVENANCE.json'), ROOT)}: {', '.join(mods)}")


def main(argv):
    record_only = argv[:1] == ["--record-only"]
    argv = argv[1:] if record_only else argv
    if not argv or os.path.basename(argv[0]) not in DEFAULT_OUT:
        sys.exit(f"usage: provenance.py [--record-only] GENERATOR [args]; GENERATOR one of {sorted(DEFAULT_OUT)}")
    script, args = os.path.basename(argv[0]), argv[1:]
    out = os.path.join(DATA, DEFAULT_OUT[script])
    for i, a in enumerate(args):
        if a == "--out" and i + 1 < len(args):
            out = args[i + 1]
        elif re.match(r"^--out=", a):
            out = a.split("=", 1)[1]
    if not record_only:
        subprocess.run([sys.executable, os.path.join(HERE, script)] + args, check=True)
    record(script, os.path.abspath(out))


if __name__ == "__main__":
    main(sys.argv[1:])
