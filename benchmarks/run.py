"""Run mou-builder's benchmarks and write docs/performance.md.

    python benchmarks/run.py              # every benchmark, about five minutes on two cores
    python benchmarks/run.py --quick      # five rounds and smaller batches
    python benchmarks/run.py --no-write   # print the page instead of writing it

What is compared runs in rounds, each round running every contender once
(in a rotated order), so that other work on the machine slows all of them
alike; every figure is the median of the rounds, with the fastest and the
slowest in brackets. Commands run the code of this checkout (PYTHONPATH),
with bytecode files as an installed package has them. Peak memory is read
in the measured process itself (``benchmarks/peak.py``), never from
``ru_maxrss`` of a child, which starts with its parent's figure. Every
statement of a result on the page is computed from the measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

EXAMPLE = ROOT / "docs" / "examples" / "head-start-coordination.yaml"
PYTHON = sys.executable
# The console script beside this interpreter, run by the interpreter itself (a shim such as pyenv's
# would add its own start-up); without one, `python -m mou_builder`.
_SCRIPT = Path(PYTHON).with_name("mou-build")
MOU_BUILD = [PYTHON, str(_SCRIPT)] if _SCRIPT.is_file() else [PYTHON, "-m", "mou_builder"]
# This checkout's code, whatever is installed; bytecode written and used, as after `pip install`.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
TARGET_RATIO = 1.5  # issue 14: `mou-build SPEC` at most 1.5 x the bare python-docx process
# Importing the libraries a build uses that the floor does not, and loading the data they load on
# first use (Babel's locale data for a currency, num2words' languages), with python-docx.
LIBRARY_IMPORTS = {
    "pydantic": "from pydantic import BaseModel, ConfigDict, Field",
    "Jinja": "import jinja2",
    "PyYAML": "import yaml",
    "click": "import click",
    "Babel and its locale data": "from babel.numbers import format_currency\nformat_currency(1, 'USD', locale='en_US')",
    "num2words": "import num2words",
}
# As a build imports them: with the garbage collector off (mou_builder.cli.run turns it off at its start).
COLLECTOR_OFF = "import gc\ngc.disable()"
LIBRARIES = "\n".join([COLLECTOR_OFF, "import docx", *LIBRARY_IMPORTS.values()])
# `mou-build SPEC ...` with the collector left on, as it was before cli.run turned it off.
COLLECTOR_ON = ("import gc, sys\ngc.disable = lambda: None\nsys.argv = ['mou-build', *sys.argv[1:]]\n"
                "from mou_builder.cli import run\nrun()")


# ---------------------------------------------------------------- measuring


def spread(values: Sequence[float], unit: str = "ms", scale: float = 1000, digits: int = 0) -> str:
    """A median with the fastest and slowest run: ``713 ms (589–897)``."""
    med, lo, hi = (f"{v * scale:,.{digits}f}" for v in (statistics.median(values), min(values), max(values)))
    return f"{med} {unit} ({lo}–{hi})"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def rounds(contenders: dict[str, Callable[[], Any]], count: int, warmup: int = 1) -> dict[str, list[float]]:
    """Seconds per run of each contender: ``count`` rounds, each running every contender once."""
    names = list(contenders)
    for _ in range(warmup):
        for name in names:
            contenders[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for k in range(count):
        for name in names[k % len(names):] + names[:k % len(names)]:  # rotated: no one always runs first
            start = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - start)
    return times


class Command:
    """A contender that runs ``args`` in a fresh process and insists on its exit status.

    ``cpu`` collects the CPU time (user and system) of each run's process,
    which other work on the machine hardly changes, beside the wall-clock
    time :func:`rounds` measures.
    """

    def __init__(self, args: Sequence[str], env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> None:
        self.args, self.env, self.ok = list(args), env or ENV, ok
        self.cpu: list[float] = []

    def __call__(self) -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(self.args, capture_output=True, env=self.env, cwd=ROOT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if result.returncode not in self.ok:
            raise RuntimeError(f"{' '.join(self.args)}: exit {result.returncode}: {result.stderr.decode()[-2000:]}")


def timed(contenders: dict[str, Command], count: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """:func:`rounds` of commands: the wall-clock seconds, and the CPU seconds, of each contender's runs."""
    times = rounds(dict(contenders), count)
    return times, {name: contender.cpu[-count:] for name, contender in contenders.items()}


def peak_mb(args: Sequence[str], runs: int = 3, ok: tuple[int, ...] = (0,)) -> list[float]:
    """Peak memory of the Python command ``args`` (without the interpreter), read in its own process."""
    figures = []
    for _ in range(runs):
        result = subprocess.run([PYTHON, str(BENCH / "peak.py"), *args], capture_output=True, text=True, env=ENV,
                                cwd=ROOT)
        if result.returncode not in ok:
            raise RuntimeError(f"{' '.join(args)}: exit {result.returncode}: {result.stderr[-2000:]}")
        figures.append(int(result.stderr.strip().splitlines()[-1].split()[1]) / 1024)
    return figures


def script_args(cmd: Sequence[str]) -> list[str]:
    """A command's arguments after the interpreter, as peak.py takes them."""
    return list(cmd[1:])


def imported(args: Sequence[str], watched: Sequence[str]) -> list[str]:
    """Which of ``watched`` a ``mou-build ARGS`` process imports."""
    code = ("import sys\nfrom mou_builder.cli import main\ntry:\n    main(sys.argv[2:])\nexcept SystemExit:\n    pass\n"
            "print('IMPORTED', *(m for m in sys.argv[1].split(',') if m in sys.modules))")
    out = subprocess.run([PYTHON, "-c", code, ",".join(watched), *args], capture_output=True, text=True, env=ENV,
                         cwd=ROOT).stdout
    return out.strip().splitlines()[-1].split()[1:]  # after the command's own output


# ---------------------------------------------------------------- 1. in process


def bench_in_process(count: int, content: list[Any]) -> dict[str, Any]:
    from floor import write_floor

    from mou_builder.assembly import assemble
    from mou_builder.library.clauses import load_library
    from mou_builder.spec.loader import load_spec
    from mou_builder.render.word import render_docx

    times = rounds({
        "ours": lambda: render_docx(assemble(load_spec(EXAMPLE), load_library())),
        "floor": lambda: write_floor(content),
    }, count, warmup=2)
    return {**times, "ratio": median(times["ours"]) / median(times["floor"])}


# ---------------------------------------------------------------- 2. command line


def bench_cli(count: int, tmp: Path, content_path: Path) -> dict[str, Any]:
    out = str(tmp / "cli.docx")
    build = [*MOU_BUILD, str(EXAMPLE), "-o", out]
    floor = [PYTHON, str(BENCH / "floor.py"), str(content_path), str(tmp / "floor.docx")]
    times, cpu = timed({
        "build": Command(build),
        "floor": Command(floor),
        "build_no_cache": Command(build, env={**ENV, "MOU_NO_CACHE": "1"}),
        "build_collector_on": Command([PYTHON, "-c", COLLECTOR_ON, *build[len(MOU_BUILD):]]),
        "help": Command([*MOU_BUILD, "--help"]),
        "python": Command([PYTHON, "-c", "pass"]),
        # What the libraries a build needs beyond python-docx cost to start, on their own.
        "libraries": Command([PYTHON, "-c", LIBRARIES]),
        "docx_only": Command([PYTHON, "-c", f"{COLLECTOR_OFF}\nimport docx"]),
        "python_collector_off": Command([PYTHON, "-c", COLLECTOR_OFF]),
        **{f"library {name}": Command([PYTHON, "-c", f"{COLLECTOR_OFF}\n{code}"])
           for name, code in LIBRARY_IMPORTS.items()},
    }, count)
    return {
        **times,
        "cpu": cpu,
        "ratios": [b / f for b, f in zip(times["build"], times["floor"])],
        "ratio": median(times["build"]) / median(times["floor"]),
        "build_peak": peak_mb(script_args(build)),
        "floor_peak": peak_mb(script_args(floor)),
        "help_imports": imported(["--help"], ["docx", "docxtpl", "pydantic", "babel", "num2words"]),
        "build_imports": imported([str(EXAMPLE), "-o", out], ["multiprocessing"]),
    }


# The steps of a single build in the order it takes them, each timed in a fresh process (--phases-one).
PHASES = {
    "cli": "the command line (click, the CLI module)",
    "pydantic": "importing pydantic",
    "model": "building the spec model's classes",
    "clauses": "importing Jinja, YAML and the clause, completeness and assembly modules",
    "load": "loading and validating the spec (the validator loaded from the cache)",
    "library": "loading the clause library",
    "assemble": "assembling (the first time: clause templates loaded from the cache, Babel and num2words imported)",
    "docx": "importing python-docx, docxtpl and the Word renderer",
    "render": "rendering the .docx",
}


def phases_one() -> dict[str, float]:
    """Runs in a fresh process: the seconds each step of a build takes there, then the same build again.

    With the garbage collector off, as in ``mou-build SPEC`` (mou_builder.cli.run).
    """
    import gc

    gc.disable()
    marks = [("start", time.perf_counter())]

    def mark(name: str) -> None:
        marks.append((name, time.perf_counter()))

    import click  # noqa: F401

    import mou_builder.cli  # noqa: F401
    mark("cli")
    import pydantic  # noqa: F401
    mark("pydantic")
    import mou_builder.spec.model  # noqa: F401
    mark("model")
    import mou_builder.assembly as assembly
    import mou_builder.library.clauses as clauses
    import mou_builder.spec.loader as loader
    mark("clauses")
    spec = loader.load_spec(EXAMPLE)
    mark("load")
    library = clauses.load_library()
    mark("library")
    document = assembly.assemble(spec, library)
    mark("assemble")
    import mou_builder.render.word as render_word
    mark("docx")
    render_word.render_docx(document)
    mark("render")
    render_word.render_docx(assembly.assemble(loader.load_spec(EXAMPLE), clauses.load_library()))
    mark("again")
    return {name: end - start for (_, start), (name, end) in zip(marks, marks[1:])}


def bench_phases(count: int) -> dict[str, list[float]]:
    runs = [json.loads(subprocess.run([PYTHON, __file__, "--phases-one"], capture_output=True, text=True, env=ENV,
                                      check=True, cwd=ROOT).stdout) for _ in range(count)]
    return {name: [run[name] for run in runs] for name in runs[0]}


# ---------------------------------------------------------------- 3. growth


def growth_spec(n: int) -> dict[str, Any]:
    """A spec with n responsibilities and n contributions."""
    ids = ["city", "agency", "school"]
    parties = [{"id": i, "legal_name": f"{i.title()} Legal Name", "short_name": i.title()} for i in ids]
    responsibilities = [
        {"activity": f"Activity number {k} with a description of moderate length", "accountable": ids[k % 3],
         "responsible": [ids[(k + 1) % 3]], "informed": [ids[(k + 2) % 3]], "cadence": "monthly"}
        for k in range(n)
    ]
    contributions = [
        {"payer": ids[k % 3], "payee": ids[(k + 1) % 3], "description": f"Contribution {k}", "amount": f"{k + 1}.25",
         "basis": "fixed", "schedule": "quarterly"}
        for k in range(n)
    ]
    return {
        "agreement": {"title": f"Growth test with {n} items", "document_date": "2026-01-01"},
        "parties": parties,
        "responsibilities": responsibilities,
        "financial": {"contributions": contributions},
    }


def growth_one(n: int) -> dict[str, float]:
    """Runs in a fresh process: one build of size n, and the process's own peak memory."""
    from peak import peak_kb

    from mou_builder.assembly import assemble
    from mou_builder.spec.loader import validate_spec
    from mou_builder.render.word import render_docx

    # A small build first, so that the time below is the work of n items, not the process's start-up
    # (imports, the validators, compiling the clauses), which "One build" measures.
    render_docx(assemble(validate_spec(growth_spec(10))))
    data = growth_spec(n)
    start = time.perf_counter()
    docx = render_docx(assemble(validate_spec(data)))
    seconds = time.perf_counter() - start
    return {"n": n, "seconds": seconds, "peak_mb": peak_kb() / 1024, "docx_kb": len(docx) / 1024}


def bench_growth(sizes: list[int], count: int) -> list[dict[str, Any]]:
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    for _ in range(count):  # a round is every size once
        for n in sizes:
            out = subprocess.run([PYTHON, __file__, "--growth-one", str(n)], capture_output=True, text=True,
                                 check=True, env=ENV, cwd=ROOT)
            runs[n].append(json.loads(out.stdout))
    return [{"n": n, "seconds": [r["seconds"] for r in rs], "peak_mb": [r["peak_mb"] for r in rs],
             "docx_kb": rs[0]["docx_kb"]} for n, rs in runs.items()]


# ---------------------------------------------------------------- 4. batch


def bench_batch(specs_count: int, count: int, tmp: Path) -> dict[str, Any]:
    specs_dir = tmp / "specs"
    specs_dir.mkdir()
    examples = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
    for k in range(specs_count):
        shutil.copy(examples[k % len(examples)], specs_dir / f"spec-{k:04d}.yaml")
    specs = sorted(str(p) for p in specs_dir.iterdir())
    cores = os.cpu_count() or 1
    # Some examples are incomplete on purpose (exit status 1): the batch still writes every one.
    times = rounds({str(jobs): Command([*MOU_BUILD, "build", *specs, "-o", str(tmp / f"out-{jobs}"), "-q",
                                        "--jobs", str(jobs)], ok=(0, 1))
                    for jobs in sorted({1, cores})}, count, warmup=0)
    return {"count": specs_count, "cores": cores, **{f"rate_{j}": [specs_count / s for s in t] for j, t in times.items()}}


# ---------------------------------------------------------------- 5. diff


def long_draft_pair(n: int = 400) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two drafts of about 41 pages: amounts and activities edited, a row deleted, one inserted."""
    import copy

    old = growth_spec(n)
    new = copy.deepcopy(old)
    for k in range(0, n, 40):
        new["financial"]["contributions"][k]["amount"] = f"{k + 7}.50"
        new["responsibilities"][k]["activity"] += " and report on it"
    del new["responsibilities"][5]
    new["responsibilities"].insert(n // 2, {"activity": "A brand new activity", "accountable": "city"})
    return old, new


def bench_diff(count: int, tmp: Path) -> dict[str, Any]:
    from mou_builder.assembly import assemble
    from mou_builder.spec.loader import validate_spec
    from mou_builder.render.word import render_docx
    from mou_builder.review.drafts import redline, summarize_changes

    old_data, new_data = long_draft_pair()
    old_path, new_path = tmp / "long-old.json", tmp / "long-new.json"
    old_path.write_text(json.dumps(old_data))
    new_path.write_text(json.dumps(new_data))
    old_docx, new_docx = tmp / "long-old.docx", tmp / "long-new.docx"  # the same drafts as .docx files
    old_docx.write_bytes(render_docx(assemble(validate_spec(old_data))))
    new_docx.write_bytes(render_docx(assemble(validate_spec(new_data))))

    in_process = rounds({
        "summary": lambda: summarize_changes(validate_spec(old_data), validate_spec(new_data)),
        "redline": lambda: redline(validate_spec(old_data), validate_spec(new_data)),
        "docx_redline": lambda: redline(old_docx, new_docx),
    }, count)
    commands = {
        "summary": [*MOU_BUILD, "diff", str(old_path), str(new_path)],
        "redline": [*MOU_BUILD, "diff", str(old_path), str(new_path), "-o", str(tmp / "r.docx")],
        "docx_redline": [*MOU_BUILD, "diff", str(old_docx), str(new_docx), "-o", str(tmp / "r2.docx")],
    }
    # diff exits 1 when the drafts differ, as these do.
    cli, cpu = timed({name: Command(args, ok=(0, 1)) for name, args in commands.items()}, count)
    peaks = {name: peak_mb(script_args(args), ok=(0, 1)) for name, args in commands.items()}
    return {"in_process": in_process, "cli": cli, "cpu": cpu, "peak": peaks}


# ---------------------------------------------------------------- report


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def mb(values: Sequence[float]) -> str:
    return spread(values, "MB", scale=1)


def report(results: dict[str, Any], command_line: str) -> str:
    inproc, cli, phases, growth, batch, diff = (results[k] for k in
                                                ("in_process", "cli", "phases", "growth", "batch", "diff"))
    cores = batch["cores"]
    build, floor = median(cli["build"]), median(cli["floor"])
    ratio_ok = cli["ratio"] <= TARGET_RATIO
    help_ok = median(cli["help"]) < 0.150
    lines = [
        "# Performance",
        "",
        "<!-- Written by benchmarks/run.py; rerun it to refresh these figures. -->",
        "",
        f"Measured on {machine()}, with `{command_line}`; load average {results['load'][0]:.1f} when the runs",
        f"began and {results['load'][1]:.1f} when they ended (other work on the machine widens the spread).",
        "Contenders run in rounds, each round running each of them once; every figure is the median of the",
        f"rounds ({results['rounds']} unless said), with the fastest and the slowest run in brackets. The example is",
        "`docs/examples/head-start-coordination.yaml`.",
        "",
        "## One build",
        "",
        "| benchmark | figure | floor | target | result |",
        "|---|---|---|---|---|",
        f"| `mou-build SPEC` end to end | {spread(cli['build'])} | {spread(cli['floor'])} (a python-docx process "
        f"writing the same document) | at most {TARGET_RATIO} × floor | {cli['ratio']:.2f} × floor (per round "
        f"{min(cli['ratios']):.2f}–{max(cli['ratios']):.2f}): {verdict(ratio_ok)} |",
        f"| CPU time of the same (user and system) | {spread(cli['cpu']['build'])} | {spread(cli['cpu']['floor'])} | "
        f"| {median(cli['cpu']['build']) / median(cli['cpu']['floor']):.2f} × floor |",
        f"| the same, first run (no cache: templates compiled, validators built) | {spread(cli['build_no_cache'])} "
        f"| | | {median(cli['build_no_cache']) / floor:.2f} × floor |",
        f"| peak memory of `mou-build SPEC` | {mb(cli['build_peak'])} | {mb(cli['floor_peak'])} | | "
        f"{median(cli['build_peak']) / median(cli['floor_peak']):.2f} × floor |",
        f"| build in process (load, assemble, render) | {spread(inproc['ours'])} | {spread(inproc['floor'])} "
        f"(python-docx writing the same document) | at most 1.5 × floor | {inproc['ratio']:.2f} × floor: "
        f"{verdict(inproc['ratio'] <= 1.5)} |",
        f"| `mou-build --help` | {spread(cli['help'])} | {spread(cli['python'])} (`python -c pass`) | under 150 ms | "
        f"{verdict(help_ok)}; imports of docx, docxtpl, pydantic, babel, num2words: "
        f"{', '.join(cli['help_imports']) or 'none'} |",
        "",
        "The floor is `benchmarks/floor.py`: a process that imports python-docx and writes, with its ordinary",
        "API, the paragraphs and tables of the document `mou-build` wrote (walked once, before the timing),",
        "with the same styles and text, and nothing else (no spec, checks, template, numbering or bookmarks).",
        f"A single build imports multiprocessing: {'yes' if cli['build_imports'] else 'no'}. The spec validator and the",
        "compiled clause templates come from the cache earlier runs filled (`mou_builder.cache`; the first run",
        "row is a run without it), and the command ends without tearing down its objects one by one",
        "(`mou_builder.cli.run`). It also starts with Python's garbage collector off: start-up makes tens of",
        "thousands of objects that live until the exit, and a collector left on goes over them again and again",
        f"and frees almost nothing. Left on, the same build takes {spread(cli['build_collector_on'])}, "
        f"{median(cli['build_collector_on']) / floor:.2f} × floor.",
        "",
        f"Where a build's time goes, each step timed inside a fresh process ({len(phases['cli'])} processes):",
        "",
        "| step | time |",
        "|---|---|",
    ]
    lines += [f"| {text} | {spread(phases[name], digits=1)} |" for name, text in PHASES.items()]
    lines.append(f"| the same build again in that process (load, assemble, render) | {spread(phases['again'], digits=1)} |")
    startup = sum(median(phases[name]) for name in PHASES) - median(phases["again"])
    total = sum(median(phases[name]) for name in PHASES)
    pydantic_cost = median(phases["pydantic"]) + median(phases["model"])
    lines += [
        "",
        f"Of the {total * 1000:.0f} ms these steps take, {startup * 1000:.0f} ms "
        f"({startup / total:.0%}) is done once per process: a second build in the same process takes "
        f"{median(phases['again']) * 1000:.0f} ms. Importing pydantic and building the spec model's classes take "
        f"{pydantic_cost * 1000:.0f} ms; the interpreter itself starts in {median(cli['python']) * 1000:.0f} ms.",
    ]
    if not ratio_ok:
        lines.append(f"Meeting the end-to-end target needs a build {(build - TARGET_RATIO * floor) * 1000:.0f} ms shorter "
                     f"(at most {TARGET_RATIO * floor * 1000:.0f} ms).")
    if "libraries" in cli:
        extra = median(cli["libraries"]) - median(cli["docx_only"])
        allowed = (TARGET_RATIO - 1) * floor
        lines.append(
            f"Only importing the libraries a build uses beyond python-docx (pydantic, Jinja, PyYAML, click, "
            f"num2words) and loading Babel's locale data for one amount takes {extra * 1000:.0f} ms in a fresh "
            f"process with the collector off, as a build imports them ({spread(cli['libraries'])} against "
            f"{spread(cli['docx_only'])} for python-docx alone): {extra / allowed:.0%} of the "
            f"{allowed * 1000:.0f} ms the target allows a build beyond the floor"
            + (f". The build makes that up in its own work: assembling and writing the document in process takes "
               f"{median(inproc['ours']) * 1000:.0f} ms, where python-docx's ordinary API takes "
               f"{median(inproc['floor']) * 1000:.0f} ms to write it" if extra > allowed and ratio_ok else "")
            + ". Each alone, beyond the interpreter's start:")
        lines += ["", "| library | import (and first use) in a fresh process |", "|---|---|"]
        lines += [f"| {name} | {(median(cli[f'library {name}']) - median(cli['python_collector_off'])) * 1000:.0f} ms |"
                  for name in LIBRARY_IMPORTS if f"library {name}" in cli]
    lines.append("")

    # growth
    base = growth[0]
    per_item = [None] + [(median(row["seconds"]) - median(base["seconds"])) / (row["n"] - base["n"]) * 1000
                         for row in growth[1:]]
    marginal = [p for p in per_item if p is not None]
    linear = max(marginal) <= 1.5 * min(marginal)
    lines += [
        "## Growth",
        "",
        "A spec with *n* responsibilities and *n* contributions (so a RACI table and a contributions table",
        "of *n* rows each, and a list of *n* duties): validated, assembled and rendered in a fresh process",
        f"each, after a build of 10 items there ({len(base['seconds'])} rounds of every size; the time of the",
        "build of *n* items, and the peak memory of the process):",
        "",
        "| n | time | marginal time per 1,000 items | peak memory | .docx size |",
        "|---|---|---|---|---|",
    ]
    for row, per in zip(growth, per_item):
        marginal_text = "(fixed cost)" if per is None else f"{per * 1000:,.0f} ms"
        lines.append(f"| {row['n']:,} | {spread(row['seconds'])} | {marginal_text} | {mb(row['peak_mb'])} | "
                     f"{row['docx_kb']:,.0f} KB |")
    first, last = growth[1], growth[-1]
    lines += [
        "",
        f"The marginal cost of an item from {first['n']:,} to {last['n']:,} items varies "
        f"{max(marginal) / min(marginal):.2f}-fold (within 1.5-fold counts as linear): growth is "
        f"{'linear' if linear else '**not linear**'}. Peak memory goes from {median(base['peak_mb']):.0f} MB "
        f"at {base['n']:,} items to {median(last['peak_mb']):.0f} MB at {last['n']:,}.",
        "",
    ]

    # batch
    rate_1, rate_n = batch["rate_1"], batch[f"rate_{cores}"]
    speedup = median(rate_n) / median(rate_1)
    lines += [
        "## Batches",
        "",
        "| batch | documents per second | target | result |",
        "|---|---|---|---|",
        f"| {batch['count']} specs, `--jobs 1` | {spread(rate_1, 'documents/s', scale=1, digits=1)} | | |",
        f"| {batch['count']} specs, `--jobs {cores}` | {spread(rate_n, 'documents/s', scale=1, digits=1)} | "
        f"uses all {cores} cores | {speedup:.2f} × one core |",
        "",
        f"({len(rate_1)} rounds.) Batch builds run in worker processes, forked with mou-builder already imported "
        "and its start-up frozen out of garbage collection (`gc.freeze`), so the workers share those pages.",
        "",
    ]

    # diff
    inp, cmd, cpu, peak = diff["in_process"], diff["cli"], diff["cpu"], diff["peak"]
    lines += [
        "## Comparing two long drafts",
        "",
        "Two drafts of 41 pages each (400 responsibilities and 400 contributions; ten amounts",
        "and ten activities edited, one row deleted and one inserted):",
        "",
        "| `mou-build diff` | in process | end to end (command) | CPU time of the command | peak memory | target | "
        "result |",
        "|---|---|---|---|---|---|---|",
        f"| change summary | {spread(inp['summary'])} | {spread(cmd['summary'])} | {spread(cpu['summary'])} | "
        f"{mb(peak['summary'])} | under 1 s of CPU | {verdict(median(cpu['summary']) < 1)} |",
        f"| Word redline (`-o`) | {spread(inp['redline'])} | {spread(cmd['redline'])} | {spread(cpu['redline'])} | "
        f"{mb(peak['redline'])} | under 1 s of CPU, under 200 MB | time {verdict(median(cpu['redline']) < 1)}, "
        f"memory {verdict(median(peak['redline']) < 200)} |",
        f"| Word redline of the two drafts as .docx files | {spread(inp['docx_redline'])} | "
        f"{spread(cmd['docx_redline'])} | {spread(cpu['docx_redline'])} | {mb(peak['docx_redline'])} | "
        f"under 1 s of CPU | {verdict(median(cpu['docx_redline']) < 1)} |",
        "",
        "From specs, both drafts are loaded, validated and assembled, then compared (the redline renders",
        "both as Word, splits them into clauses and aligns them); from .docx files both are read, cleaned",
        f"and aligned. End to end, a command also pays the start-up measured above ({startup * 1000:.0f} ms for a "
        "build).",
        "",
    ]
    return "\n".join(lines)


def kept_sections(page: Path) -> str:
    """Sections other scripts write into the page (e.g. benchmarks/diff_worst.py), kept as they are."""
    from diff_worst import END, START

    current = page.read_text(encoding="utf-8") if page.exists() else ""
    if START not in current or END not in current:
        return ""
    return "\n" + START + current.split(START, 1)[1].split(END, 1)[0] + END + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="five rounds and smaller batches")
    parser.add_argument("--growth-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phases-one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the report instead of writing docs/performance.md")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    parser.add_argument("--report-from", type=Path, metavar="JSON",
                        help="measure nothing: write the page from the measurements a --json run saved")
    args = parser.parse_args()
    if args.report_from:
        results = json.loads(args.report_from.read_text(encoding="utf-8"))
        write_page(report(results, results.get("command", "python benchmarks/run.py")), args.no_write)
        return
    if args.growth_one:
        print(json.dumps(growth_one(args.growth_one)))
        return
    if args.phases_one:
        print(json.dumps(phases_one()))
        return
    count = 5 if args.quick else 11
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        # The floor's content: what mou-build writes for the example, walked once, outside any timing.
        from floor import docx_content

        built = tmp_path / "example.docx"
        Command([*MOU_BUILD, str(EXAMPLE), "-o", str(built)])()
        content = docx_content(built)
        content_path = tmp_path / "content.json"
        content_path.write_text(json.dumps(content), encoding="utf-8")
        results: dict[str, Any] = {"rounds": count}
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("cli", lambda: bench_cli(count, tmp_path, content_path)),
            ("phases", lambda: bench_phases(count)),
            ("in_process", lambda: bench_in_process(count, content)),
            ("growth", lambda: bench_growth([10, 100, 1000, 5000], 3 if args.quick else 5)),
            ("batch", lambda: bench_batch(40 if args.quick else 100, 3 if args.quick else 5, tmp_path)),
            ("diff", lambda: bench_diff(3 if args.quick else 5, tmp_path)),
        ]
        for name, step in steps:
            started = time.perf_counter()
            results[name] = step()
            print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    results["load"] = (load_start, os.getloadavg()[0])
    results["command"] = "python benchmarks/run.py" + (" --quick" if args.quick else "")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    write_page(report(results, results["command"]), args.no_write)


def write_page(text: str, print_only: bool) -> None:
    """docs/performance.md, keeping the sections other scripts write (or the text on stdout)."""
    if print_only:
        print(text)
        return
    page = ROOT / "docs" / "performance.md"
    page.write_text(text + kept_sections(page), encoding="utf-8")
    print(f"wrote {page}", file=sys.stderr)


if __name__ == "__main__":
    main()
