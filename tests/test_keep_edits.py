"""A build never destroys a reviewer's edits: only an unchanged mou-builder draft is overwritten without --force.

Also: ``-o FILE.docx`` with several specs is a usage error (not a folder of
that name), and ``init`` without answers (end of input, Ctrl-C) says so
instead of an internal error.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from mou_builder.batch import BuildOptions, build_file, plan_outputs
from mou_builder.cli import main
from mou_builder.errors import OutputError
from mou_builder.output import check_output, is_sealed, seal_docx
from mou_builder.review.word_input import MAX_FILE_BYTES
from realclients import libreoffice_round_trip, ooxml_errors
from reviewer_edits import comment_on, edited, insert_tracked, retype
from word_like import word_like_save

CITY = ROOT / "docs" / "examples" / "city-data-grant.yaml"
ORIGINAL = ROOT / "docs" / "examples" / "amendment" / "original.yaml"
SECOND = ROOT / "docs" / "examples" / "amendment" / "second.yaml"
KEEP = "not overwritten (add --force to replace it, or choose another output name)"
RESAVED = (" already exists and was not written by mou-builder, or was saved again since (in Word or LibreOffice): "
           "a returned draft's edits, comments or tracked changes would be lost; " + KEEP)


def _run(*args: str | Path, input: str | None = None):  # noqa: A002 - click's name
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The city example as `mou-build` writes it."""
    out = tmp_path_factory.mktemp("built") / "city.docx"
    assert _run(CITY, "-o", out).exit_code == 0
    return out.read_bytes()


def _returned(built: bytes) -> bytes:
    """The draft as counsel returns it: words typed over, a comment, a tracked insertion (a new zip, as Word saves)."""
    data = edited(built, retype("administer and disburse", "administer, hold and disburse"))
    data = edited(data, comment_on("approved requests within thirty (30) days", "Can we make this 45 days?"))
    return edited(data, insert_tracked("revert to the City", " and are repaid within 60 days"))


def _edited_keeping_the_seal(built: bytes) -> bytes:
    """An edit by a tool that rewrites a part and keeps the zip comment (as `zip -u` does)."""
    data = edited(built, retype("administer and disburse", "administer, hold and disburse"))
    with zipfile.ZipFile(io.BytesIO(built)) as archive:
        seal = archive.comment
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.comment = seal
    return out.getvalue()


# ---------------------------------------------------------------- the seal


def test_every_docx_written_is_sealed_and_any_changed_byte_breaks_the_seal(built: bytes) -> None:
    assert is_sealed(built)
    with zipfile.ZipFile(io.BytesIO(built)) as archive:
        assert archive.comment.startswith(b"mou-builder sha256=") and archive.testzip() is None
    for at in (0, len(built) // 2, len(built) - 30, len(built) - 1):
        changed = bytearray(built)
        changed[at] ^= 1
        assert not is_sealed(bytes(changed)), at
    assert not is_sealed(built + b"\0") and not is_sealed(built[:-1])


def test_the_seal_needs_a_zip_without_a_comment() -> None:
    with pytest.raises(ValueError):
        seal_docx(b"not a zip at all, but long enough to hold a directory record")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", b"<a/>")
    sealed = seal_docx(buffer.getvalue())
    with pytest.raises(ValueError):
        seal_docx(sealed)  # sealing twice would hide the first seal's digest


def test_the_size_read_to_check_is_the_size_a_draft_may_have() -> None:
    from mou_builder import output

    assert output._MAX_SEALED_BYTES == MAX_FILE_BYTES


@pytest.mark.slow
def test_a_sealed_draft_is_valid_ooxml_and_a_libreoffice_save_drops_the_seal(tmp_path: Path, built: bytes) -> None:
    draft = tmp_path / "city.docx"
    draft.write_bytes(built)
    assert ooxml_errors(draft) == []  # the zip comment is no part of the package's parts
    saved = libreoffice_round_trip(built, tmp_path)
    assert not is_sealed(saved)
    out = tmp_path / "ret.docx"
    out.write_bytes(saved)
    result = _run(CITY, "-o", out)
    assert result.exit_code == 1 and result.stderr == f"{out}:{RESAVED}\n"
    assert out.read_bytes() == saved


# ---------------------------------------------------------------- build


def test_building_twice_to_the_same_file_still_just_overwrites(tmp_path: Path, built: bytes) -> None:
    out = tmp_path / "city.docx"
    out.write_bytes(built)
    result = _run(CITY, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}\n"
    result = _run(SECOND, "-o", out)  # a new version over the unchanged draft of the last: also replaced
    assert result.exit_code == 0, result.output
    assert out.read_bytes() != built and is_sealed(out.read_bytes())


@pytest.mark.parametrize("kind", ["returned", "word-save", "seal-kept", "foreign"])
def test_a_returned_or_foreign_docx_is_never_overwritten_without_force(tmp_path: Path, built: bytes,
                                                                       kind: str) -> None:
    data = {
        "returned": lambda: _returned(built),
        "word-save": lambda: word_like_save(built),
        "seal-kept": lambda: _edited_keeping_the_seal(built),
        "foreign": lambda: (ROOT / "templates" / "default.docx").read_bytes(),
    }[kind]()
    out = tmp_path / "ret.docx"
    out.write_bytes(data)
    result = _run(SECOND, "-o", out)
    assert result.exit_code == 1
    if kind == "seal-kept":
        assert result.stderr == (f"{out}: already exists and was changed after mou-builder wrote it (a reviewer's "
                                 f"edits, comments or tracked changes would be lost); {KEEP}\n")
    else:
        assert result.stderr == f"{out}:{RESAVED}\n"
    assert result.stdout == ""
    assert out.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ret.docx"]  # no temporary file, no PDF, nothing
    result = _run(SECOND, "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert is_sealed(out.read_bytes())


def test_the_returned_draft_keeps_its_edits_after_a_refused_build(tmp_path: Path, built: bytes) -> None:
    # the trial: cp v2-returned.docx ret.docx; mou-build v2.yaml -o ret.docx destroyed counsel's edits
    out = tmp_path / "ret.docx"
    out.write_bytes(_returned(built))
    assert _run(CITY, "-o", out).exit_code == 1
    report = _run("review-edits", out)
    assert report.exit_code == 0, report.output
    assert "Can we make this 45 days?" in report.stdout and "and are repaid within 60 days" in report.stdout
    assert "no edits" not in report.stdout.lower()


def test_a_markdown_output_is_not_checked_for_a_seal(tmp_path: Path) -> None:
    out = tmp_path / "city.md"
    out.write_text("notes of my own\n")
    assert _run(CITY, "-o", out).exit_code == 0
    assert out.read_text().startswith("#")


def test_the_library_build_refuses_too_unless_forced(tmp_path: Path, built: bytes) -> None:
    out = tmp_path / "ret.docx"
    out.write_bytes(_returned(built))
    result = build_file(CITY, out)
    assert result.status == "failed" and result.error == f"{out}:{RESAVED}"
    assert out.read_bytes() == _returned(built)
    assert build_file(CITY, out, BuildOptions(force=True)).status == "built"
    with pytest.raises(OutputError):
        out.write_bytes(b"PK\x03\x04 anything else")
        check_output(out)
    check_output(out, force=True)


def test_the_check_reads_no_more_than_a_draft_may_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mou_builder import output

    monkeypatch.setattr(output, "_MAX_SEALED_BYTES", 1 << 20)
    reads: list[int] = []
    real = output.read_regular
    monkeypatch.setattr(output, "read_regular", lambda path, limit: reads.append(limit) or real(path, limit))
    out = tmp_path / "huge.docx"
    out.write_bytes(b"\0" * (3 << 20))
    with pytest.raises(OutputError) as refused:
        check_output(out)
    assert str(refused.value) == (f"{out}: already exists and is not a draft mou-builder wrote (it is larger than "
                                  f"1 MB, more than any draft); {KEEP}")
    assert reads == [1 << 20]  # read_regular stops one byte past it


def test_the_check_imports_nothing_heavy(tmp_path: Path, built: bytes) -> None:
    # it runs on every build whose output exists, before the renderer is imported
    out = tmp_path / "city.docx"
    out.write_bytes(built)
    code = ("import sys; from mou_builder.output import check_output; "
            f"check_output({str(out)!r}); check_output({str(tmp_path / 'new.docx')!r}); "
            "print(sorted(m for m in ('lxml', 'docx', 'pydantic', 'mou_builder.review.word_input') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


# ---------------------------------------------------------------- batch


def test_a_batch_refuses_an_edited_output_before_writing_anything(tmp_path: Path, built: bytes) -> None:
    specs = [tmp_path / "a.yaml", tmp_path / "city.yaml"]
    for spec in specs:
        spec.write_bytes(CITY.read_bytes())
    outdir = tmp_path / "out"
    outdir.mkdir()
    (outdir / "city.docx").write_bytes(_returned(built))
    result = _run(*specs, "-o", f"{outdir}/")
    assert result.exit_code == 1
    assert result.stderr == f"{outdir / 'city.docx'}:{RESAVED}\n"
    assert sorted(p.name for p in outdir.iterdir()) == ["city.docx"]  # a.docx not written either
    with pytest.raises(OutputError):
        plan_outputs(specs, outdir, "docx")
    assert len(plan_outputs(specs, outdir, "docx", force=True)) == 2


def test_a_batch_into_the_same_folder_twice_just_overwrites(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    specs = EXAMPLES[:2]
    for _ in range(2):
        result = _run(*specs, "-o", f"{outdir}/", "-q", "-j", "1")
        assert result.exit_code == 0, result.output
    assert len(list(outdir.glob("*.docx"))) == 2


# ---------------------------------------------------------------- diff, amend, review-edits


@pytest.mark.parametrize("command", ["diff", "amend"])
def test_diff_and_amend_refuse_an_edited_docx_and_replace_their_own(tmp_path: Path, built: bytes,
                                                                    command: str) -> None:
    out = tmp_path / "out.docx"
    args = [command, ORIGINAL, SECOND, "-o", out]
    assert _run(*args).exit_code == 0
    assert _run(*args).exit_code == 0  # its own output, unchanged: replaced
    returned = _returned(built)
    out.write_bytes(returned)
    result = _run(*args)
    assert result.exit_code == 1
    assert result.stderr == f"{out}:{RESAVED}\n"
    assert out.read_bytes() == returned
    assert _run(*args, "--force").exit_code == 0
    assert is_sealed(out.read_bytes())


def test_amend_refuses_an_edited_conformed_copy(tmp_path: Path, built: bytes) -> None:
    out, copy = tmp_path / "amendment.docx", tmp_path / "conformed.docx"
    copy.write_bytes(_returned(built))
    result = _run("amend", ORIGINAL, SECOND, "-o", out, "--conformed", copy)
    assert result.exit_code == 1
    assert result.stderr == f"{copy}:{RESAVED}\n"
    assert not out.exists()


def test_carried_comments_are_sealed_and_a_second_carry_replaces_them(tmp_path: Path, built: bytes) -> None:
    returned, nxt, out = tmp_path / "returned.docx", tmp_path / "next.docx", tmp_path / "out.docx"
    returned.write_bytes(_returned(built))
    nxt.write_bytes(built)
    args = ["review-edits", returned, "--carry-comments", nxt, "-o", out]
    assert _run(*args).exit_code == 0
    assert is_sealed(out.read_bytes())
    assert _run(*args).exit_code == 0
    out.write_bytes(_returned(built))
    result = _run(*args)
    assert result.exit_code == 1 and result.stderr.endswith(f"{out}:{RESAVED}\n")
    assert _run(*args, "--force").exit_code == 0


# ---------------------------------------------------------------- -o FILE with several specs


@pytest.mark.parametrize("name", ["both.docx", "both.MD", "both.txt", "both.pdf"])
def test_an_output_file_name_with_several_specs_is_a_usage_error(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = _run(*EXAMPLES[:2], "-o", out)
    assert result.exit_code == 2
    assert f"-o {out}: with several specs, -o names a folder (end it with /)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_named_like_a_file_is_still_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "drafts.docx"
    out.mkdir()
    result = _run(*EXAMPLES[:2], "-o", out, "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.docx"))) == 2


# ---------------------------------------------------------------- init without answers


@pytest.mark.parametrize("answers", ["", "1\n1\nCity of Example\n"])
def test_init_without_enough_answers_says_so_and_writes_nothing(tmp_path: Path, answers: str) -> None:
    spec = tmp_path / "x.yaml"
    result = _run("init", spec, input=answers)
    assert result.exit_code == 1
    assert result.stderr.endswith("init: no answer (the input ended); nothing written; run it in a terminal, or "
                                  "use --no-input (placeholders to fill in), or --from EXAMPLE\n")
    assert "internal error" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_from_dev_null_in_a_real_process(tmp_path: Path) -> None:
    with open("/dev/null", "rb") as nothing:
        done = subprocess.run([sys.executable, "-m", "mou_builder", "init", "x.yaml"], stdin=nothing, cwd=tmp_path,
                              capture_output=True, text=True)
    assert done.returncode == 1
    assert "init: no answer (the input ended)" in done.stderr and "internal error" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_stopped_with_ctrl_c_at_a_question(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> str:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise click.exceptions.Abort() from None  # what click.prompt does with Ctrl-C

    monkeypatch.setattr(click, "prompt", interrupted)
    result = _run("init", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert result.stderr.endswith("init: stopped at a question (Ctrl-C); nothing written\n")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_answer_to_a_required_question_says_why_it_asks_again(tmp_path: Path) -> None:
    result = _run("init", tmp_path / "x.yaml", input="1\n1\n\n   \n")
    assert result.output.count("Error: an answer is needed here (this question has no default)") == 2
    assert result.output.count("Legal name (as it appears in the agreement)") == 3
