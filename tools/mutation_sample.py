"""A sampled mutation score for each core module: a seeded random sample of mutmut's mutants, run and scored.

A full mutmut run over the eight core modules (about 12,700 mutants) takes most of a day on
two cores. The score of a random sample of each module's mutants estimates the module's score
(mutant sampling), with a 95% Wilson interval for the error of the estimate; the same seed
and size always pick the same mutants, so a run can be repeated and a survivor re-checked.

    python tools/mutation_sample.py --seed 16 -n 60            # generate if needed, run, print the table
    python tools/mutation_sample.py --seed 16 -n 60 --list     # only print the sampled names
    python tools/mutation_sample.py --seed 16 -n 60 --report   # the table from the results mutmut kept
    python tools/mutation_sample.py --seed 16 -n 60 --size model=30 --resume   # smaller for a slow module;
                                                                # run only the sampled mutants not checked yet

A smaller size for one module draws the first mutants of the same draw: ``--size model=30`` checks
a subset of what ``-n 60`` would, so results already kept still count.

Run it from the repository root, without PYTHONPATH pointing at the checkout (the tests must import
the mutated copy in mutants/). mutmut runs under ``nice -n 19``, with the set-up of ``[tool.mutmut]``
in pyproject.toml. A mutant counts as killed when a test failed or it timed out (an endless loop
is a detected bug); "no tests" (no test of the selection reaches the function) counts as not killed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The core modules of issue 16, by the name the tables use, and their files (as in [tool.mutmut] only_mutate).
CORE = {
    "model": "mou_builder/spec/model.py",
    "loader": "mou_builder/spec/loader.py",
    "completeness": "mou_builder/library/completeness.py",
    "assembly": "mou_builder/assembly.py",
    "render_word": "mou_builder/render/word.py",
    "tracked_changes": "mou_builder/review/tracked_changes.py",
    "changes": "mou_builder/review/changes.py",
    "output": "mou_builder/output.py",
}

#: mutmut's exit codes (mutmut.stats.status_by_exit_code), read without importing mutmut here.
_STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
           35: "suspicious", 36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout",
           -11: "segfault", -9: "segfault", 37: "killed", None: "not checked", 2: "interrupted"}
_DETECTED = {"killed", "timeout"}


def meta_path(source: str) -> Path:
    """Where mutmut keeps the mutants of ``source`` and their results."""
    return ROOT / "mutants" / (source + ".meta")


def results(source: str) -> dict[str, int | None]:
    """Every mutant of ``source`` by mutmut's name, with its exit code (None: not checked yet)."""
    return json.loads(meta_path(source).read_text())["exit_code_by_key"]


def generate() -> None:
    """Write mutants/ (the mutated copy and one .meta file per module) without running any test."""
    code = ("from mutmut.__main__ import create_mutants\n"
            "from mutmut.mutation.trampoline import set_mutant_under_test\n"
            "from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths\n"
            "from mutmut.state import save_stats\n"
            "import os\n"
            "set_mutant_under_test('mutant_generation')\n"
            "os.makedirs('mutants', exist_ok=True)\n"
            "copy_src_dir(); copy_also_copy_files(); setup_source_paths(); create_mutants(2)\n")
    subprocess.run(["nice", "-n", "19", sys.executable, "-c", code], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def sample(seed: int, n: int, modules: list[str], sizes: dict[str, int] | None = None) -> dict[str, list[str]]:
    """``n`` mutants of each module (``sizes`` for some), drawn at random with ``seed`` (the module's name mixed in).

    A smaller size takes the first mutants of the same draw (``random.sample`` draws one by one).
    """
    picked = {}
    for module in modules:
        names = sorted(results(CORE[module]))
        size = min((sizes or {}).get(module, n), len(names))
        picked[module] = sorted(random.Random(f"{seed}:{module}").sample(names, min(n, len(names)))[:size])
    return picked


def wilson(successes: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion ``successes / total``."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - half), min(1.0, centre + half))


def table(picked: dict[str, list[str]]) -> tuple[str, list[str]]:
    """The Markdown table of the sample's results, and the names of the mutants not killed."""
    rows = ["| module | mutants | sampled | killed | timeout | survived | no tests | not checked | score | 95% CI |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    left = []
    for module, names in picked.items():
        codes = results(CORE[module])
        status = Counter(_STATUS.get(codes[name], "other") for name in names)
        checked = len(names) - status["not checked"]
        detected = sum(status[s] for s in _DETECTED)
        low, high = wilson(detected, checked)
        score = f"{100 * detected / checked:.1f}%" if checked else "–"
        rows.append(f"| {module} | {len(codes)} | {len(names)} | {status['killed']} | {status['timeout']} | "
                    f"{status['survived']} | {status['no tests']} | {status['not checked']} | {score} | "
                    f"{100 * low:.1f}–{100 * high:.1f}% |")
        left += [name for name in names if _STATUS.get(codes[name], "other") not in (*_DETECTED, "not checked")]
    return "\n".join(rows), left


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16, help="the random seed of the sample (default 16)")
    parser.add_argument("-n", type=int, default=60, help="mutants sampled per module (default 60)")
    parser.add_argument("--module", action="append", choices=sorted(CORE), help="only these modules (repeatable)")
    parser.add_argument("--size", action="append", default=[], metavar="MODULE=N",
                        help="another sample size for one module, e.g. model=30 (repeatable)")
    parser.add_argument("--resume", action="store_true", help="run only the sampled mutants mutmut has no result for")
    parser.add_argument("--max-children", type=int, default=2, help="mutmut's parallel test runs (default 2)")
    parser.add_argument("--list", action="store_true", help="print the sampled names and stop")
    parser.add_argument("--report", action="store_true", help="print the table from mutmut's kept results; run nothing")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    modules = args.module or list(CORE)
    if not all(meta_path(CORE[m]).exists() for m in modules):
        generate()
    sizes = {k: int(v) for k, v in (item.split("=", 1) for item in args.size)}
    picked = sample(args.seed, args.n, modules, sizes)
    names = [name for module in modules for name in picked[module]
             if not args.resume or results(CORE[module])[name] is None]
    if args.list:
        print("\n".join(names))
        return 0
    if not args.report and names:
        # mutmut re-runs a mutant named on its command line even when it kept a result for it.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        subprocess.run(["nice", "-n", "19", "mutmut", "run", "--max-children", str(args.max_children), *names],
                       cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
    text, left = table(picked)
    sized = "".join(f", {m} {k}" for m, k in sizes.items())
    print(f"Sampled mutation score, seed {args.seed}, {args.n} mutants per module{sized}:\n")
    print(text)
    if left:
        print("\nNot killed:\n" + "\n".join(f"  {name}" for name in left))
    return 0


if __name__ == "__main__":
    sys.exit(main())
