"""Worst cases for comparing drafts, timed end to end; writes a section of docs/performance.md.

    python benchmarks/diff_worst.py                 # 5 fresh-process runs per figure, writes the section
    python benchmarks/diff_worst.py --runs 7 --no-write
    python benchmarks/diff_worst.py --code /tmp/old --runs 1 --timeout 120 --json before.json
    python benchmarks/diff_worst.py --before benchmarks/results/diff-worst-before.json   # beside older figures

(``--code`` runs another source tree, e.g. ``git archive <commit> | tar -x -C /tmp/old``;
benchmarks/results/diff-worst-before.json holds the figures of the character-level
comparison this replaced, one run each, stopped at 120 s.) ``benchmarks/run.py``
keeps this section when it rewrites the page.

The drafts are generated (seeded, so every run compares the same text):

- two 200-page Word files with nothing in common but the language (1,000
  paragraphs of about 100 words, headings, tables);
- the same 200 pages with one paragraph in twenty edited, some inserted and deleted;
- two specs whose 300 recitals all differ;
- two 55 KB Word files of 90 paragraphs that all differ.

Each figure is ``mou-build diff OLD NEW`` (the change summary) or with ``-o``
(the Word redline) run in a fresh process: the median of the runs, with
the fastest and slowest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
PERFORMANCE = ROOT / "docs" / "performance.md"
START = "<!-- diff-worst-cases: written by benchmarks/diff_worst.py -->"
END = "<!-- /diff-worst-cases -->"
GOAL_S = 3.0

# Words as often as in English prose: a few very common ones, many rare ones.
_COMMON = ("the of and to a in shall be for or by any this that with as such party parties agreement "
           "on under each all its is not may other will from at which any written notice services").split()
_SYLLABLES = "ba co di fe gra hu ji kel lo mu nor pe qui ra sto tu ver wa xen yo zu".split()


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _sentence_words(rng: random.Random, vocabulary: list[str], n: int) -> list[str]:
    out = []
    for _ in range(n):
        if rng.random() < 0.45:
            out.append(rng.choice(_COMMON))
        elif rng.random() < 0.08:
            out.append(f"{rng.randint(1, 99_999):,}.{rng.randint(0, 99):02d}")
        else:
            out.append(rng.choice(vocabulary))
    return out


def paragraph(rng: random.Random, vocabulary: list[str], words: int) -> str:
    """About ``words`` words in sentences."""
    text = []
    while words > 0:
        n = min(words, rng.randint(8, 24))
        sentence = _sentence_words(rng, vocabulary, n)
        text.append(" ".join(sentence).capitalize() + ".")
        words -= n
    return " ".join(text)


def long_document(seed: int, paragraphs: int = 1000, words: int = 100) -> list[tuple[str, Any]]:
    """Blocks of a long agreement: ('h', text), ('p', text) and ('t', rows)."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(random.Random(0))  # one language for every draft
    blocks: list[tuple[str, Any]] = []
    for k in range(paragraphs):
        if k % 10 == 0:
            blocks.append(("h", f"{k // 10 + 1}. " + paragraph(rng, vocabulary, 4).rstrip(".")))
        blocks.append(("p", paragraph(rng, vocabulary, words)))
        if k % 50 == 49:
            blocks.append(("t", [[paragraph(rng, vocabulary, 3) for _ in range(4)] for _ in range(6)]))
    return blocks


def edited(blocks: list[tuple[str, Any]], seed: int) -> list[tuple[str, Any]]:
    """One paragraph in twenty edited (a few words), one in a hundred deleted, one in a hundred inserted."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(random.Random(0))
    out: list[tuple[str, Any]] = []
    for k, (kind, value) in enumerate(blocks):
        if kind == "p" and k % 100 == 37:
            continue
        if kind == "p" and k % 20 == 3:
            words = value.split(" ")
            for _ in range(3):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            value = " ".join(words)
        out.append((kind, value))
        if kind == "p" and k % 100 == 71:
            out.append(("p", paragraph(rng, vocabulary, 60)))
    return out


def write_docx(blocks: list[tuple[str, Any]], path: Path) -> None:
    import docx

    d = docx.Document()
    for kind, value in blocks:
        if kind == "h":
            d.add_heading(value, 1)
        elif kind == "p":
            d.add_paragraph(value)
        else:
            table = d.add_table(rows=len(value), cols=len(value[0]))
            for row, cells in zip(table.rows, value):
                for cell, text in zip(row.cells, cells):
                    cell.text = text
    d.save(str(path))


def recitals_spec(seed: int, count: int = 300) -> dict[str, Any]:
    import yaml

    spec = yaml.safe_load((ROOT / "docs" / "examples" / "city-data-grant.yaml").read_text(encoding="utf-8"))
    rng = random.Random(seed)
    vocabulary = _vocabulary(random.Random(0))
    spec["recitals"] = [paragraph(rng, vocabulary, 40) for _ in range(count)]
    return spec


def make_cases(folder: Path) -> list[tuple[str, Path, Path]]:
    """The pairs of drafts: (description, old, new)."""
    cases = []
    pages_old, pages_new = long_document(1), long_document(2)
    write_docx(pages_old, folder / "pages-old.docx")
    write_docx(pages_new, folder / "pages-new.docx")
    write_docx(edited(pages_old, 3), folder / "pages-edited.docx")
    cases.append(("two 200-page .docx files with nothing in common", folder / "pages-old.docx", folder / "pages-new.docx"))
    cases.append(("200 pages, one paragraph in twenty edited (.docx)", folder / "pages-old.docx",
                  folder / "pages-edited.docx"))
    for name, seed in (("recitals-old", 4), ("recitals-new", 5)):
        (folder / f"{name}.json").write_text(json.dumps(recitals_spec(seed), default=str), encoding="utf-8")
    cases.append(("two specs with 300 different recitals", folder / "recitals-old.json", folder / "recitals-new.json"))
    for name, seed in (("short-old", 6), ("short-new", 7)):
        write_docx(long_document(seed, paragraphs=90, words=100), folder / f"{name}.docx")
    cases.append(("two 55 KB .docx files of 90 paragraphs that all differ", folder / "short-old.docx",
                  folder / "short-new.docx"))
    return cases


def timed(args: list[str], code: Path | None, timeout: float) -> float | None:
    """Seconds one fresh ``mou-build`` process takes; None if it ran out of time."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    start = time.perf_counter()
    try:
        subprocess.run([sys.executable, "-m", "mou_builder", *args], check=True, capture_output=True, env=env,
                       timeout=timeout, cwd=code or ROOT)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start


def measure(cases: list[tuple[str, Path, Path]], runs: int, code: Path | None, timeout: float,
            folder: Path) -> list[dict[str, Any]]:
    rows = []
    for name, old, new in cases:
        for kind, extra in (("summary", []), ("redline", ["-o", str(folder / "redline.docx")])):
            times = []
            for _ in range(runs):
                seconds = timed(["diff", str(old), str(new), *extra], code, timeout)
                times.append(seconds)
                if seconds is None:
                    break
            rows.append({"case": name, "kind": kind, "times": times, "timeout": timeout})
            print(f"{name} / {kind}: {times}", file=sys.stderr)
    return rows


def _figure(row: dict[str, Any]) -> str:
    times = row["times"]
    if None in times:
        return f"over {row['timeout']:.0f} s (stopped)"
    if len(times) == 1:
        return f"{times[0]:.2f} s (one run)"
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def section(rows: list[dict[str, Any]], before: list[dict[str, Any]] | None, runs: int, load: float) -> str:
    from run import machine

    earlier = {(r["case"], r["kind"]): r for r in before or []}
    lines = [
        START,
        "## Comparing drafts: the worst cases",
        "",
        "Written by `python benchmarks/diff_worst.py`. Each figure is `mou-build diff OLD NEW` (the",
        f"change summary) or with `-o` (the Word redline) in a fresh process: the median of {runs} runs,",
        "with the fastest and the slowest in brackets. The drafts are generated by the script",
        "(seeded); 200 pages are 1,000 paragraphs of about 100 words, 100 headings and 20 tables.",
        f"Measured on {machine()}, load average {load:.1f} when the runs began",
        "(other work on the machine widens the spread).",
        "",
        "| drafts | `diff` | time | goal | result |" + (" before (character-level comparison, one run) |" if before else ""),
        "|---|---|---|---|---|" + ("---|" if before else ""),
    ]
    for row in rows:
        times = row["times"]
        ok = bool(times) and None not in times and statistics.median(times) < GOAL_S
        line = (f"| {row['case']} | {row['kind']} | {_figure(row)} | under {GOAL_S:.0f} s | "
                f"{'met' if ok else '**missed**'} |")
        if before:
            previous = earlier.get((row["case"], row["kind"]))
            line += f" {_figure(previous) if previous is not None else 'not measured'} |"
        lines.append(line)
    lines += [
        "",
        "Paragraphs and table rows are aligned on their whole text with a patience diff",
        "(anchored on lines found once in each draft), words inside a paragraph the same way;",
        "only small stretches without such anchors go to a full diff. Which changed",
        "paragraphs are one edited paragraph is decided by word overlap, and each",
        "paragraph is tried against a bounded window of candidates, so the work grows",
        "with the length of the drafts, not with its square.",
        END,
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    page = PERFORMANCE.read_text(encoding="utf-8")
    if START in page and END in page:
        head, rest = page.split(START, 1)
        page = head + text + rest.split(END, 1)[1]
    else:
        page = page.rstrip("\n") + "\n\n" + text + "\n"
    PERFORMANCE.write_text(page, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh-process runs per figure (default 5)")
    parser.add_argument("--code", type=Path, help="run mou_builder from this source tree (e.g. an older version)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a run counts as over the limit")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--before", type=Path, help="raw figures of an older version (from --json), shown beside")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(make_cases(Path(tmp)), args.runs, args.code, args.timeout, Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
    text = section(rows, before, args.runs, load)
    if args.no_write or args.code:
        print(text)
    else:
        write_section(text)
        print(f"wrote a section of {PERFORMANCE}", file=sys.stderr)


if __name__ == "__main__":
    main()
