"""Run mou-builder's benchmarks and write docs/performance.md.

    python benchmarks/run.py            # all benchmarks, about three minutes on two cores
    python benchmarks/run.py --quick    # fewer repetitions and a smaller batch

Each figure is a median of repeated runs on this machine; the page records
the machine, the command and every figure beside its target.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

EXAMPLE = ROOT / "docs" / "examples" / "head-start-coordination.yaml"
PYTHON = sys.executable
# The console script next to this interpreter: a shim (pyenv, asdf) would add its own start-up time.
MOU_BUILD = str(Path(PYTHON).with_name("mou-build"))


def median_ms(func: Callable[[], Any], runs: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def command_ms(args: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    def run() -> None:
        subprocess.run(args, check=True, capture_output=True, env=env)

    return median_ms(run, runs, warmup=2)


# ---------------------------------------------------------------- 1. in process


def bench_in_process(runs: int) -> dict[str, float]:
    from floor import content_of, write_floor

    from mou_builder.assembly import assemble
    from mou_builder.clauses import load_library
    from mou_builder.loader import load_spec
    from mou_builder.render_word import render_docx

    items = content_of(assemble(load_spec(EXAMPLE)))
    ours = median_ms(lambda: render_docx(assemble(load_spec(EXAMPLE), load_library())), runs)
    floor = median_ms(lambda: write_floor(items), runs)
    return {"ours_ms": ours, "floor_ms": floor, "ratio": ours / floor}


# ---------------------------------------------------------------- 2. command line


def bench_cli(runs: int, tmp: Path) -> dict[str, float]:
    out = str(tmp / "cli.docx")
    no_cache = {**os.environ, "MOU_NO_BYTECODE_CACHE": "1"}
    result = {
        "help_ms": command_ms([MOU_BUILD, "--help"], runs),
        "import_docx_ms": command_ms([PYTHON, "-c", "import docx"], runs),
        "python_ms": command_ms([PYTHON, "-c", "pass"], runs),
        "build_ms": command_ms([MOU_BUILD, str(EXAMPLE), "-o", out], runs),
        "build_no_cache_ms": command_ms([MOU_BUILD, str(EXAMPLE), "-o", out], max(3, runs // 2), env=no_cache),
    }
    result["build_ratio"] = result["build_ms"] / result["import_docx_ms"]
    imported = subprocess.run(
        [PYTHON, "-c", "import sys\nfrom mou_builder.cli import main\ntry:\n main(['--help'])\nexcept SystemExit:\n pass\n"
         "print(' '.join(m for m in ('docx', 'docxtpl', 'pydantic') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout.split("\n")[-2]
    result["help_imports"] = imported or "none"  # type: ignore[assignment]
    return result


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
    """Runs in its own process, so that peak memory is this size's alone."""
    from mou_builder.assembly import assemble
    from mou_builder.loader import validate_spec
    from mou_builder.render_word import render_docx

    data = growth_spec(n)
    start = time.perf_counter()
    docx = render_docx(assemble(validate_spec(data)))
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"n": n, "seconds": seconds, "peak_mb": peak_kb / 1024, "docx_kb": len(docx) / 1024}


def bench_growth(sizes: list[int]) -> list[dict[str, float]]:
    rows = []
    for n in sizes:
        out = subprocess.run([PYTHON, __file__, "--growth-one", str(n)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout))
    return rows


# ---------------------------------------------------------------- 4. batch


def bench_batch(count: int, tmp: Path) -> dict[str, float]:
    specs_dir = tmp / "specs"
    specs_dir.mkdir()
    examples = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
    for k in range(count):
        shutil.copy(examples[k % len(examples)], specs_dir / f"spec-{k:04d}.yaml")
    specs = sorted(str(p) for p in specs_dir.iterdir())
    result: dict[str, float] = {"count": count}
    for jobs in (1, os.cpu_count() or 1):
        out = tmp / f"out-{jobs}"
        start = time.perf_counter()
        subprocess.run([MOU_BUILD, "build", *specs, "-o", str(out), "--jobs", str(jobs)], check=True,
                       capture_output=True)
        seconds = time.perf_counter() - start
        result[f"docs_per_s_{jobs}"] = count / seconds
        result[f"seconds_{jobs}"] = seconds
    return result


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


def bench_diff(runs: int, tmp: Path) -> dict[str, float]:
    from mou_builder.loader import validate_spec
    from mou_builder.render_word import render_docx
    from mou_builder.review import redline, summarize_changes

    old_data, new_data = long_draft_pair()
    old_path, new_path = tmp / "long-old.json", tmp / "long-new.json"
    old_path.write_text(json.dumps(old_data))
    new_path.write_text(json.dumps(new_data))
    # the same drafts as .docx files mou-builder wrote
    from mou_builder.assembly import assemble

    old_docx, new_docx = tmp / "long-old.docx", tmp / "long-new.docx"
    old_docx.write_bytes(render_docx(assemble(validate_spec(old_data))))
    new_docx.write_bytes(render_docx(assemble(validate_spec(new_data))))

    def in_process(redlined: bool) -> None:
        old_spec, new_spec = validate_spec(old_data), validate_spec(new_data)
        if redlined:
            redline(old_spec, new_spec)
        else:
            summarize_changes(old_spec, new_spec)

    result = {
        "summary_ms": median_ms(lambda: in_process(False), runs, warmup=1),
        "redline_ms": median_ms(lambda: in_process(True), runs, warmup=1),
        "docx_redline_ms": median_ms(lambda: redline(old_docx, new_docx), runs, warmup=1),
        "cli_summary_ms": command_ms([MOU_BUILD, "diff", str(old_path), str(new_path)], max(3, runs // 2)),
        "cli_redline_ms": command_ms([MOU_BUILD, "diff", str(old_path), str(new_path), "-o", str(tmp / "r.docx")],
                                     max(3, runs // 2)),
        "cli_docx_redline_ms": command_ms([MOU_BUILD, "diff", str(old_docx), str(new_docx), "-o",
                                           str(tmp / "r2.docx")], max(3, runs // 2)),
    }
    peak = subprocess.run(
        [PYTHON, "-c", "import resource, sys\nfrom mou_builder.cli import main\ntry:\n    main(sys.argv[1:])\n"
         "except SystemExit:\n    pass\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
         "diff", str(old_path), str(new_path), "-o", str(tmp / "r.docx")],
        capture_output=True, text=True, check=True,
    ).stderr.strip().splitlines()[-1]
    result["cli_redline_peak_mb"] = int(peak) / 1024
    return result


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


def report(results: dict[str, Any], command: str) -> str:
    inproc, cli, growth, batch = results["in_process"], results["cli"], results["growth"], results["batch"]
    diff = results["diff"]
    # The marginal cost of an item, above the smallest spec's fixed cost (start-up, template, clauses).
    base = growth[0]
    per_item = [(row["seconds"] - base["seconds"]) / (row["n"] - base["n"]) * 1000 if row is not base else None
                for row in growth]
    marginal = [p for p in per_item if p is not None]
    linear = max(marginal) <= 1.5 * min(marginal)
    cores = os.cpu_count() or 1
    speedup = batch[f"docs_per_s_{cores}"] / batch["docs_per_s_1"]
    lines = [
        "# Performance",
        "",
        "<!-- Written by benchmarks/run.py; rerun it to refresh these figures. -->",
        "",
        f"Measured on {machine()}, with `{command}`. Every figure is a median of",
        "repeated runs. The example is `docs/examples/head-start-coordination.yaml`",
        "(8 pages, 18 sections, 7 tables).",
        "",
        "| benchmark | figure | floor | target | result |",
        "|---|---|---|---|---|",
        f"| build in process (load, assemble, render .docx) | {inproc['ours_ms']:.0f} ms | {inproc['floor_ms']:.0f} ms "
        f"(bare python-docx writing the same paragraphs and tables) | at most 1.5 × floor | {inproc['ratio']:.2f} × "
        f"floor: {verdict(inproc['ratio'] <= 1.5)} |",
        f"| `mou-build --help` | {cli['help_ms']:.0f} ms | {cli['python_ms']:.0f} ms (`python -c pass`) | under 150 ms | "
        f"{verdict(cli['help_ms'] < 150)}; imports of docx, docxtpl, pydantic: {cli['help_imports']} |",
        f"| `mou-build SPEC` end to end | {cli['build_ms']:.0f} ms | {cli['import_docx_ms']:.0f} ms "
        f"(`python -c \"import docx\"`) | at most 2.5 × floor | {cli['build_ratio']:.1f} × floor: "
        f"{verdict(cli['build_ratio'] <= 2.5)} |",
        f"| the same, first run (no compiled-template cache) | {cli['build_no_cache_ms']:.0f} ms | | | |",
        f"| batch of {batch['count']} specs | {batch[f'docs_per_s_{cores}']:.1f} documents/s on {cores} cores | "
        f"{batch['docs_per_s_1']:.1f} documents/s on 1 core | uses all cores | {speedup:.2f} × one core |",
        "",
        "## Comparing two long drafts",
        "",
        "Two drafts of 41 pages each (400 responsibilities and 400 contributions; ten amounts",
        "and ten activities edited, one row deleted and one inserted):",
        "",
        "| `mou-build diff` | in process | end to end (command) | peak memory | target | result |",
        "|---|---|---|---|---|---|",
        f"| change summary | {diff['summary_ms']:.0f} ms | {diff['cli_summary_ms']:.0f} ms | | under 1 s | "
        f"{verdict(diff['cli_summary_ms'] < 1000)} |",
        f"| Word redline (`-o`) | {diff['redline_ms']:.0f} ms | {diff['cli_redline_ms']:.0f} ms | "
        f"{diff['cli_redline_peak_mb']:.0f} MB | under 1 s, under 200 MB | time {verdict(diff['cli_redline_ms'] < 1000)}, "
        f"memory {verdict(diff['cli_redline_peak_mb'] < 200)} |",
        f"| Word redline of the two drafts as .docx files | {diff['docx_redline_ms']:.0f} ms | "
        f"{diff['cli_docx_redline_ms']:.0f} ms | | under 1 s | {verdict(diff['cli_docx_redline_ms'] < 1000)} |",
        "",
        "From specs, both drafts are loaded, validated and assembled, which is most of the",
        "in-process time; the redline then renders both as Word, splits them into clauses and",
        "aligns them. From .docx files nothing is assembled: both files are read, cleaned and",
        "aligned. End to end, a command also pays the start-up described above (importing",
        "pydantic, python-docx and Jinja, and building the spec validators).",
        "",
        "## Growth",
        "",
        "A spec with *n* responsibilities and *n* contributions (so a RACI table and a",
        "contributions table of *n* rows each, and a list of *n* duties), built in a",
        "fresh process each:",
        "",
        "| n | time | marginal time per 1,000 items | peak memory | .docx size |",
        "|---|---|---|---|---|",
    ]
    for row, per in zip(growth, per_item):
        marginal_text = "(fixed cost)" if per is None else f"{per * 1000:,.0f} ms"
        lines.append(f"| {row['n']:,} | {row['seconds'] * 1000:,.0f} ms | {marginal_text} | "
                     f"{row['peak_mb']:.0f} MB | {row['docx_kb']:,.0f} KB |")
    lines += [
        "",
        f"The marginal cost of an item stays within 1.5 × from 100 to 5,000 items: growth is "
        f"{'linear' if linear else '**not linear**'}. Tables are written as XML rows directly, never",
        "through python-docx's cell access, which is quadratic on large tables. Peak memory grows",
        "with the document (the whole package is held in memory while it is written).",
        "",
        "## Reading the results",
        "",
        "- **In process** the build is faster than the floor: the body is written as",
        "  WordprocessingML elements in one pass, while python-docx's API (`add_row`,",
        "  `cell.text`) does more work per cell. Clause templates and conditions are",
        "  compiled once per process.",
        "- **`--help`** imports only click and the CLI module; docx, docxtpl and pydantic",
        "  are imported inside the commands that need them.",
    ]
    if cli["build_ratio"] > 2.5:
        lines += [
            f"- **The end-to-end target is missed** ({cli['build_ratio']:.1f} × the floor). The floor only imports",
            "  python-docx; a build must also import pydantic and build the spec model's",
            "  validators (about 300 ms here, more than the floor itself), import Jinja and",
            "  docxtpl, and load the clause library. What a build adds beyond imports is about",
            f"  {inproc['ours_ms']:.0f} ms (the in-process figure). Compiled clause templates are kept in",
            "  Jinja's bytecode cache between runs (the first run on a machine is slower, as the",
            "  row above shows). Further cuts would mean replacing pydantic at run time,",
            "  which the project chose deliberately; for many documents, build them in one",
            "  process (`mou-build build SPECS... -o OUTDIR/`) where these costs are paid once.",
        ]
    lines += [
        f"- **Batch** builds run in worker processes (forked, so already warm); {cores} cores give",
        f"  {speedup:.2f} × the throughput of one.",
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
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller batch")
    parser.add_argument("--growth-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="print the report instead of writing docs/performance.md")
    args = parser.parse_args()
    if args.growth_one:
        print(json.dumps(growth_one(args.growth_one)))
        return
    runs = 5 if args.quick else 20
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        results = {
            "in_process": bench_in_process(runs),
            "cli": bench_cli(runs, tmp_path),
            "growth": bench_growth([10, 100, 1000, 5000]),
            "batch": bench_batch(60 if args.quick else 500, tmp_path),
            "diff": bench_diff(3 if args.quick else 7, tmp_path),
        }
    text = report(results, "python benchmarks/run.py" + (" --quick" if args.quick else ""))
    if args.no_write:
        print(text)
    else:
        page = ROOT / "docs" / "performance.md"
        page.write_text(text + kept_sections(page), encoding="utf-8")
        print(f"wrote {ROOT / 'docs' / 'performance.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
