"""What validate, check and build report: several specs, --format json, --quiet, batch lines in a log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLES, ROOT
from mou_builder.cli import main

LIBRARY = next(p for p in EXAMPLES if p.name == "library-literacy.yaml")  # a non-binding MOU with no data sharing

MINIMAL = DATA / "valid" / "minimal.yaml"  # valid, but leaves out most required sections
BAD_DATE = DATA / "invalid" / "invalid-date.yaml"


def _run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---------------------------------------------------------------- validate


def test_validate_json_gives_each_spec_and_each_located_problem() -> None:
    result = _run("validate", "--format", "json", EXAMPLES[0], BAD_DATE)
    assert result.exit_code == 1
    assert result.stderr == ""
    assert json.loads(result.stdout) == [
        {"spec": str(EXAMPLES[0]), "valid": True, "errors": []},
        {"spec": str(BAD_DATE), "valid": False, "errors": [{
            "file": str(BAD_DATE), "line": 3, "column": 18, "path": "agreement.document_date",
            "message": "is not a real calendar date: '2026-02-30'",
        }]},
    ]


def test_validate_quiet_prints_only_problems() -> None:
    assert _run("validate", "--quiet", *EXAMPLES).output == ""
    result = _run("validate", "-q", EXAMPLES[0], BAD_DATE)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"{BAD_DATE}:3:18: agreement.document_date: is not a real calendar date: '2026-02-30'\n"


# ---------------------------------------------------------------- check


def test_check_reports_on_each_spec_and_fails_if_any_is_incomplete() -> None:
    complete = _run("check", *EXAMPLES)
    assert complete.exit_code == 0
    summaries = [line for line in complete.stdout.splitlines() if ": complete: " in line]
    assert [line.split(":")[0] for line in summaries] == list(map(str, EXAMPLES))
    mixed = _run("check", EXAMPLES[0], MINIMAL, BAD_DATE)
    assert mixed.exit_code == 1
    assert f"{MINIMAL}: incomplete: " in mixed.stdout and f"{EXAMPLES[0]}: complete: " in mixed.stdout
    assert f"{BAD_DATE}:3:18: agreement.document_date" in mixed.stderr


def test_check_json_one_spec_keeps_the_single_report() -> None:
    report = json.loads(_run("check", "--format", "json", EXAMPLES[0]).stdout)
    assert report["spec"] == str(EXAMPLES[0]) and report["complete"] is True and report["report_version"] == 2


def test_check_json_several_specs_is_a_list_with_invalid_ones_marked() -> None:
    result = _run("check", "--format", "json", EXAMPLES[0], MINIMAL, BAD_DATE)
    assert result.exit_code == 1
    first, second, third = json.loads(result.stdout)
    assert (first["spec"], first["complete"]) == (str(EXAMPLES[0]), True)
    assert second["complete"] is False and any(f["code"] == "missing-section" for f in second["findings"])
    assert (third["valid"], third["complete"]) == (False, False)
    assert third["errors"][0]["line"] == 3 and third["errors"][0]["path"] == "agreement.document_date"


def test_check_quiet_prints_only_errors() -> None:
    assert _run("check", "--quiet", *EXAMPLES).output == ""
    result = _run("check", "-q", MINIMAL)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines and all(" error " in line for line in lines)  # no warnings, defaults or summary


# ---------------------------------------------------------------- build


def test_build_quiet_prints_nothing_for_a_complete_spec_and_only_errors_otherwise(tmp_path: Path) -> None:
    done = _run("build", EXAMPLES[0], "-o", tmp_path / "a.docx", "--quiet")
    assert (done.exit_code, done.output) == (0, "")
    assert (tmp_path / "a.docx").is_file()
    draft = _run("build", MINIMAL, "-o", tmp_path / "b.docx", "-q")
    assert draft.exit_code == 1 and draft.stdout == ""
    assert draft.stderr and all(" error " in line for line in draft.stderr.splitlines())


def test_batch_in_a_log_prints_a_line_per_finished_spec(tmp_path: Path) -> None:
    specs = [*EXAMPLES, MINIMAL, BAD_DATE]
    result = _run("build", *specs, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "Building" not in result.stderr  # no bare progress label in a log
    lines = result.stderr.splitlines()
    for number, spec in enumerate(specs, start=1):
        assert any(line.startswith(f"[{number}/{len(specs)}] {spec}: ") for line in lines), spec
    n = len(specs)  # every example, one incomplete draft, one that fails
    assert f"[1/{n}] {EXAMPLES[0]}: complete: " in result.stderr
    assert f"wrote {tmp_path / 'out' / EXAMPLES[0].stem}.docx" in result.stderr
    assert f"[{n}/{n}] {BAD_DATE}: failed\n{BAD_DATE}:3:18: agreement.document_date:" in result.stderr
    assert lines[-1].startswith(f"{n} specs: {n - 1} written to ")


def test_batch_quiet_prints_only_what_went_wrong(tmp_path: Path) -> None:
    result = _run("build", *EXAMPLES, BAD_DATE, "-o", tmp_path / "out", "--quiet")
    assert result.exit_code == 1
    assert result.stderr == (DATA / "invalid" / "invalid-date.expected").read_text().replace(
        "invalid-date.yaml", str(BAD_DATE))
    assert result.stdout == ""


def test_a_batch_on_a_terminal_keeps_its_progress_bar(tmp_path: Path) -> None:
    """On a terminal the bar runs, the per-spec log lines do not."""
    import pty

    parent, child = pty.openpty()
    out = tmp_path / "out"
    process = subprocess.run(
        [sys.executable, "-m", "mou_builder", "build", *map(str, EXAMPLES), "-o", str(out), "-j", "1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=child, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    os.close(child)
    seen = b""
    try:
        while True:
            chunk = os.read(parent, 65536)
            if not chunk:
                break
            seen += chunk
    except OSError:
        pass  # Linux: the terminal's other side has closed
    finally:
        os.close(parent)
    assert process.returncode == 0
    text = seen.decode()
    assert "Building" in text and "[1/3]" not in text


def test_a_batch_on_a_terminal_does_its_start_up_before_the_progress_bar_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bar's first time-left estimate is the first spec's time: start-up must not be in it."""
    import click

    import mou_builder.batch as batch
    import mou_builder.cache as cache
    from mou_builder.library import clauses
    from mou_builder.spec.model import Spec

    cache._READY.clear()
    batch._library.cache_clear()
    clauses._compiled_body.cache_clear()
    at_start: dict[str, object] = {}
    real_bar = click.progressbar

    def bar(*args: object, **kwargs: object) -> object:
        at_start.update(spec_ready=Spec in cache._READY, libraries=batch._library.cache_info().currsize,
                        bodies=clauses._compiled_body.cache_info().currsize, word="mou_builder.render.word" in sys.modules)
        return real_bar(*args, **kwargs)

    monkeypatch.setattr(click, "progressbar", bar)
    monkeypatch.setattr("mou_builder.cli._on_terminal", lambda: True)
    result = CliRunner().invoke(main, ["build", *map(str, EXAMPLES), "-o", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    library = clauses.load_library()
    assert at_start == {"spec_ready": True, "libraries": 1, "bodies": len({c.body for c in library.clauses.values()}),
                        "word": True}


def test_check_reports_a_spec_with_an_unknown_profile_and_goes_on(tmp_path: Path) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text(EXAMPLES[0].read_text().replace("profile: general", "profile: county_rules"))
    result = _run("check", odd, LIBRARY)
    assert result.exit_code == 1
    assert result.stderr.startswith("unknown profile 'county_rules'")
    assert f"{LIBRARY}: complete: " in result.stdout
    reports = json.loads(_run("check", "--format", "json", odd, LIBRARY).stdout)
    assert reports[0]["complete"] is False and "county_rules" in reports[0]["error"]
    assert reports[1]["complete"] is True
