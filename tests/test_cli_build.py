"""mou-build SPEC: outputs, exit statuses, --strict, atomic writes, --pdf, outputs that are inputs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLES, ROOT

# By name: a new example must not change which one a test reads.
LIBRARY = ROOT / "docs" / "examples" / "library-literacy.yaml"
from mou_builder.cli import main

LIBRARY = next(p for p in EXAMPLES if p.name == "library-literacy.yaml")  # a non-binding MOU with no data sharing

MINIMAL = DATA / "valid" / "minimal.yaml"


def _run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_default_output_name_comes_from_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run(str(LIBRARY))
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote library-literacy.docx\n"
    assert (tmp_path / "library-literacy.docx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("suffix", "first_line"), [(".md", "# Memorandum"), (".txt", "MEMORANDUM OF UNDERSTANDING")])
def test_format_follows_the_output_suffix(tmp_path: Path, suffix: str, first_line: str) -> None:
    out = tmp_path / f"agreement{suffix}"
    assert _run("build", str(LIBRARY), "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(first_line)


def test_incomplete_spec_builds_a_draft_lists_findings_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    result = _run(str(MINIMAL), "-o", str(out))
    assert result.exit_code == 1
    assert out.is_file()
    assert f"{MINIMAL}:4:1: error missing-section: conflict_resolution:" in result.stderr
    assert result.stderr.rstrip().endswith("incomplete: 10 errors, 0 warnings (profile general)")


def test_strict_writes_nothing_and_keeps_an_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "draft.docx"
    _run(str(MINIMAL), "-o", str(out))  # the previous draft, as a build left it (a build may replace it)
    previous = out.read_bytes()
    result = _run(str(MINIMAL), "-o", str(out), "--strict")
    assert result.exit_code == 1
    assert "not written: incomplete: 10 errors, 0 warnings (--strict)" in result.stderr
    assert out.read_bytes() == previous
    assert list(tmp_path.iterdir()) == [out]


def test_failed_build_leaves_no_partial_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    out = tmp_path / "agreement.docx"
    assert _run(str(EXAMPLES[0]), "-o", str(out)).exit_code == 0  # the previous build, which a build may replace
    previous = out.read_bytes()
    bad_template = tmp_path / "bad.docx"
    bad_template.write_text("not a docx")
    result = _run(str(EXAMPLES[0]), "-o", str(out), "--template", str(bad_template))
    assert result.exit_code == 1
    assert result.stderr == f"{bad_template}: not a Word .docx file (it is not a zip package)\n"
    assert out.read_bytes() == previous
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
    result = _run(str(LIBRARY), "-o", str(out), "--pdf")
    assert result.exit_code == 1
    assert out.is_file() and not (tmp_path / "a.pdf").exists()
    assert "--pdf needs LibreOffice, which is not installed; install LibreOffice" in result.stderr


@pytest.mark.slow
def test_pdf_with_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from realclients import pdf_pages, require

    require("soffice", "LibreOffice")
    private = tmp_path / "tmp"  # where convert_to_pdf makes its private folder
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    out = tmp_path / "out" / "a.docx"
    out.parent.mkdir()
    result = _run(str(LIBRARY), "-o", str(out), "--pdf")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}\nwrote {out.with_suffix('.pdf')}\n"
    assert pdf_pages(out.with_suffix(".pdf")) >= 2
    assert sorted(p.name for p in out.parent.iterdir()) == ["a.docx", "a.pdf"]
    assert list(private.iterdir()) == [], "LibreOffice's profile or temporary files were left behind"
    # No LibreOffice process of ours lives on (its command line names the private folder).
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            assert str(private) not in cmdline.read_text(errors="replace"), cmdline
        except OSError:
            pass  # the process ended while we looked


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run(str(LIBRARY), "--format", "pdf").exit_code == 2
    assert _run(str(LIBRARY), "-o", str(tmp_path / "a.md"), "--pdf").exit_code == 2


@pytest.mark.parametrize("name", ["agreement.pdf", "agreement.doc", "agreement"])
def test_an_output_name_in_no_format_we_write_is_refused_and_an_existing_file_kept(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    out.write_bytes(b"%PDF-1.7 someone's real document")
    result = _run(str(LIBRARY), "-o", str(out))
    assert result.exit_code == 2
    assert f"Error: -o {out}: " in result.stderr
    assert out.read_bytes() == b"%PDF-1.7 someone's real document"
    assert list(tmp_path.iterdir()) == [out]


def test_pdf_output_names_the_way_to_a_pdf(tmp_path: Path) -> None:
    result = _run(str(LIBRARY), "-o", str(tmp_path / "a.pdf"))
    assert result.exit_code == 2
    assert result.stderr.rstrip().endswith(f"to get a PDF, build the .docx with --pdf (-o {tmp_path / 'a.docx'} --pdf "
                                           f"writes {tmp_path / 'a.pdf'} too)")


def test_a_trailing_slash_names_a_new_folder(tmp_path: Path) -> None:
    result = _run(str(LIBRARY), "-o", f"{tmp_path / 'new' / 'drafts'}/")
    assert result.exit_code == 0, result.output
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()] == [
        Path("new", "drafts", f"{LIBRARY.stem}.docx")
    ]
    assert result.stderr.rstrip().splitlines()[-1].startswith("1 spec: 1 written to ")


def test_an_output_that_is_the_spec_is_refused_and_the_spec_kept(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(LIBRARY.read_bytes())
    result = _run(str(spec), "-o", str(spec))
    assert result.exit_code == 1
    assert result.stderr == f"{spec}: not written: it is the same file as the input {spec}; choose another output name\n"
    assert spec.read_bytes() == LIBRARY.read_bytes()
    assert list(tmp_path.iterdir()) == [spec]


# Every command, its output going into a pipe whose reader has already gone
# (`mou-build clauses list | head`): no message, no traceback, exit status 1.
@pytest.mark.parametrize("args", [
    ["clauses", "list"], ["--help"], ["schema"], ["validate", str(EXAMPLES[0])], ["show", str(EXAMPLES[0])],
    ["diff", str(EXAMPLES[0]), str(EXAMPLES[1])], ["examples"], ["reference"], ["check", *map(str, EXAMPLES)],
    ["validate", "--format", "json", str(EXAMPLES[0])],
], ids=lambda args: " ".join(args[:1] + args[1:2] * (args[1:2] == ["--format"])) or "help")
def test_a_closed_pipe_ends_quietly(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # before the command starts: its first write finds the reader gone
    try:
        result = subprocess.run([sys.executable, "-m", "mou_builder", *args], stdout=write, stderr=subprocess.PIPE,
                                text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode == 1


# ---------------------------------------------------------------- batch builds


def _specs_for_batch(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "specs"
    folder.mkdir()
    specs = []
    for example in EXAMPLES:
        target = folder / example.name
        target.write_bytes(example.read_bytes())
        if (example.parent / example.stem).is_dir():  # its exhibit files, beside it as in docs/examples
            shutil.copytree(example.parent / example.stem, folder / example.stem)
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
        f"{len(specs)} specs: {len(specs) - 1} written to {out} ({len(EXAMPLES)} complete, 1 incomplete), "
        "0 not written (--strict), 1 failed"
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
