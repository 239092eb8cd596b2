"""mou-build SPEC: outputs, exit statuses, --strict, atomic writes, --pdf."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLES
from mou_builder.cli import main

MINIMAL = DATA / "valid" / "minimal.yaml"


def _run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_default_output_name_comes_from_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run(str(EXAMPLES[2]))
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote library-literacy.docx\n"
    assert (tmp_path / "library-literacy.docx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("suffix", "first_line"), [(".md", "# Memorandum"), (".txt", "MEMORANDUM OF UNDERSTANDING")])
def test_format_follows_the_output_suffix(tmp_path: Path, suffix: str, first_line: str) -> None:
    out = tmp_path / f"agreement{suffix}"
    assert _run("build", str(EXAMPLES[2]), "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(first_line)


def test_incomplete_spec_builds_a_draft_lists_findings_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    result = _run(str(MINIMAL), "-o", str(out))
    assert result.exit_code == 1
    assert out.is_file()
    assert f"{MINIMAL}:1:1: error missing-section: conflict_resolution:" in result.stderr
    assert result.stderr.rstrip().endswith("incomplete: 10 errors, 0 warnings (profile general)")


def test_strict_writes_nothing_and_keeps_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    out.write_bytes(b"previous draft")
    result = _run(str(MINIMAL), "-o", str(out), "--strict")
    assert result.exit_code == 1
    assert "not written: incomplete: 10 errors, 0 warnings (--strict)" in result.stderr
    assert out.read_bytes() == b"previous draft"
    assert list(tmp_path.iterdir()) == [out]


def test_failed_build_leaves_no_partial_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "agreement.docx"
    out.write_bytes(b"previous")
    bad_template = tmp_path / "bad.docx"
    bad_template.write_text("not a docx")
    result = _run(str(EXAMPLES[0]), "-o", str(out), "--template", str(bad_template))
    assert result.exit_code == 1
    assert result.stderr == f"{bad_template}: not a Word .docx file (it is not a zip package)\n"
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agreement.docx", "bad.docx"]


def test_output_folder_that_does_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "nope" / "a.docx"
    result = _run(str(EXAMPLES[0]), "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"{out}: cannot write: the folder {out.parent} does not exist\n"


def test_invalid_spec_exits_1_with_located_message_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(DATA / "invalid")
    out = tmp_path / "x.docx"
    result = _run("invalid-date.yaml", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr == (DATA / "invalid" / "invalid-date.expected").read_text()
    assert not out.exists()


def test_pdf_without_libreoffice_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "a.docx"
    result = _run(str(EXAMPLES[2]), "-o", str(out), "--pdf")
    assert result.exit_code == 1
    assert out.is_file() and not (tmp_path / "a.pdf").exists()
    assert "--pdf needs LibreOffice, which is not installed; install LibreOffice" in result.stderr


@pytest.mark.slow
def test_pdf_with_libreoffice(tmp_path: Path) -> None:
    from realclients import pdf_pages, require

    require("soffice", "LibreOffice")
    out = tmp_path / "a.docx"
    result = _run(str(EXAMPLES[2]), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    assert pdf_pages(tmp_path / "a.pdf") >= 2


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run(str(EXAMPLES[2]), "--format", "pdf").exit_code == 2
    assert _run(str(EXAMPLES[2]), "-o", str(tmp_path / "a.md"), "--pdf").exit_code == 2


# ---------------------------------------------------------------- batch builds


def _specs_for_batch(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "specs"
    folder.mkdir()
    specs = []
    for example in EXAMPLES:
        target = folder / example.name
        target.write_bytes(example.read_bytes())
        specs.append(target)
    (folder / "broken.yaml").write_text((DATA / "invalid" / "invalid-date.yaml").read_text())
    (folder / "draft.yaml").write_text(MINIMAL.read_text())
    return [*specs, folder / "broken.yaml", folder / "draft.yaml"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_reports_each_failure_carries_on_and_summarises(tmp_path: Path, jobs: str) -> None:
    specs = _specs_for_batch(tmp_path)
    out = tmp_path / "out"
    result = _run("build", *map(str, specs), "-o", str(out), "--jobs", jobs)
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{p.stem}.docx" for p in EXAMPLES] + ["draft.docx"]
    )
    assert f"{specs[-2]}:3:18: agreement.document_date: is not a real calendar date: '2026-02-30'" in result.stderr
    assert f"{specs[-1]}: incomplete: 10 errors, 0 warnings" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == (
        f"5 specs: 4 written to {out} (3 complete, 1 incomplete), 0 not written (--strict), 1 failed"
    )


def test_batch_builds_match_single_builds(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run("build", *map(str, EXAMPLES), "-o", str(out), "--jobs", "2").exit_code == 0
    for example in EXAMPLES:
        single = tmp_path / f"single-{example.stem}.docx"
        assert _run(str(example), "-o", str(single)).exit_code == 0
        assert (out / f"{example.stem}.docx").read_bytes() == single.read_bytes()


def test_batch_into_an_existing_folder_and_markdown(tmp_path: Path) -> None:
    result = _run("build", *map(str, EXAMPLES), "-o", str(tmp_path), "--format", "md")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(f"{p.stem}.md" for p in EXAMPLES)


def test_one_spec_with_an_output_folder(tmp_path: Path) -> None:
    assert _run(str(EXAMPLES[0]), "-o", str(tmp_path)).exit_code == 0
    assert (tmp_path / f"{EXAMPLES[0].stem}.docx").is_file()
