"""Comparing .docx drafts: files mou-builder wrote (clause by clause) and any other .docx (paragraph by paragraph)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import mou_builder
from conftest import DATA
from docx_revisions import W, accept_all, body, reject_all
from generic_docx import draft
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.spec.loader import load_spec
from mou_builder.render.word import render_docx
from realclients import libreoffice_pdf, ooxml_errors_many, pdf_pages, pdf_text

PAIRS = sorted(p for p in (DATA / "drafts").iterdir() if p.is_dir())


def _built(pair: Path, tmp: Path) -> tuple[Path, Path]:
    """The pair's two drafts as .docx files, built by mou-builder."""
    paths = []
    for side in ("old", "new"):
        path = tmp / f"{pair.name}-{side}.docx"
        path.write_bytes(render_docx(assemble(load_spec(pair / f"{side}.yaml"))))
        paths.append(path)
    return paths[0], paths[1]


def _generic(tmp: Path) -> tuple[Path, Path]:
    old, new = tmp / "draft1.docx", tmp / "draft2.docx"
    old.write_bytes(draft(1))
    new.write_bytes(draft(2))
    return old, new


def _redline(old: Path, new: Path, out: Path, *extra: str) -> bytes:
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


# ---------------------------------------------------------------- .docx files mou-builder wrote


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_docx_redline_accepts_to_new_and_rejects_to_old(pair: Path, tmp_path: Path) -> None:
    old, new = _built(pair, tmp_path)
    data = _redline(old, new, tmp_path / "redline.docx")
    assert accept_all(data) == accept_all(new.read_bytes())
    assert reject_all(data) == accept_all(old.read_bytes())


def test_docx_redline_marks_a_moved_section_as_a_move(tmp_path: Path) -> None:
    old, new = _built(DATA / "drafts" / "profile-reorders", tmp_path)
    root = body(_redline(old, new, tmp_path / "redline.docx"))
    starts = {m.get(f"{W}name") for m in root.iter(f"{W}moveFromRangeStart")}
    assert starts and starts == {m.get(f"{W}name") for m in root.iter(f"{W}moveToRangeStart")}
    moved_to = "".join(t.text for m in root.iter(f"{W}moveTo") for t in m.iter(f"{W}t"))
    assert "Duties of Each Party" in moved_to


def test_docx_and_spec_redlines_show_the_same_changes(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "amount-changed"
    old, new = _built(pair, tmp_path)
    from_docx = body(_redline(old, new, tmp_path / "a.docx"))
    from_specs = body(_redline(pair / "old.yaml", pair / "new.yaml", tmp_path / "b.docx"))

    def marks(root: object) -> list[tuple[str, str]]:
        return [(m.tag, "".join(t.text or "" for t in m.iter(f"{W}t", f"{W}delText")))
                for m in root.iter(f"{W}ins", f"{W}del")]  # type: ignore[attr-defined]

    assert marks(from_docx) == marks(from_specs) and marks(from_docx)


def test_docx_summary_compares_clauses_but_not_spec_values(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "alternate-switched"
    old, new = _built(pair, tmp_path)
    from_docx = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).stdout)
    from_specs = json.loads(CliRunner().invoke(
        main, ["diff", str(pair / "old.yaml"), str(pair / "new.yaml"), "--format", "json"]).stdout)
    assert from_docx["clauses"] == from_specs["clauses"] and from_docx["clauses"]
    assert from_docx["text"] == from_specs["text"]
    assert from_docx["fields"] == [] and from_docx["findings"] == []
    assert from_docx["notes"] == [
        "spec values are compared only between two spec files",
        "completeness findings are compared only between two spec files",
    ]


def test_a_spec_can_be_compared_with_a_docx(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "signatory-replaced"
    old, _ = _built(pair, tmp_path)
    data = _redline(old, pair / "new.yaml", tmp_path / "r.docx")
    new_docx = render_docx(assemble(load_spec(pair / "new.yaml")))
    assert accept_all(data) == accept_all(new_docx)
    assert reject_all(data) == accept_all(old.read_bytes())


# ---------------------------------------------------------------- any other .docx


def test_generic_redline_accepts_to_new_and_rejects_to_old(tmp_path: Path) -> None:
    old, new = _generic(tmp_path)
    data = _redline(old, new, tmp_path / "redline.docx")
    assert accept_all(data) == accept_all(new.read_bytes())
    # the old file's own tracked change was accepted before comparing
    assert reject_all(data) == accept_all(old.read_bytes())
    assert "Reviewed quarterly by both parties." in reject_all(data)


def test_generic_redline_is_word_level_and_keeps_the_new_files_content(tmp_path: Path) -> None:
    old, new = _generic(tmp_path)
    root = body(_redline(old, new, tmp_path / "redline.docx", "--author", "Legal"))
    inserted = ["".join(t.text for t in m.iter(f"{W}t")) for m in root.iter(f"{W}ins") if m.getparent().tag == f"{W}p"]
    deleted = ["".join(t.text for t in m.iter(f"{W}delText")) for m in root.iter(f"{W}del") if m.getparent().tag == f"{W}p"]
    assert "City " in inserted and " District" in inserted and "Lead teacher" in inserted
    assert "Teacher" in deleted
    assert {m.get(f"{W}author") for m in root.iter(f"{W}ins")} == {"Legal"}
    # the new file's own formatting, picture and list numbering are kept
    bold = [r for r in root.iter(f"{W}r") if r.find(f"{W}rPr/{W}b") is not None]
    assert any("Library" in "".join(t.text for t in r.iter(f"{W}t")) for r in bold)
    assert len(list(root.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}inline"))) == 1
    assert all(n.get(f"{W}val") != "0" for n in root.iter(f"{W}numId"))
    # a whole table row was added as a row
    rows = [r for r in root.iter(f"{W}tr") if r.find(f"{W}trPr/{W}ins") is not None]
    assert len(rows) == 1 and "Chloé Martin" in "".join(t.text for t in rows[0].iter(f"{W}t"))


def test_generic_redline_date_defaults_to_the_new_files_date(tmp_path: Path) -> None:
    old, new = _generic(tmp_path)
    root = body(_redline(old, new, tmp_path / "redline.docx"))
    assert {m.get(f"{W}date") for m in root.iter(f"{W}ins", f"{W}del")} == {"2026-10-02T00:00:00Z"}


def test_generic_summary_counts_lines(tmp_path: Path) -> None:
    old, new = _generic(tmp_path)
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Text: 4 lines changed, 3 added, 1 removed\n"
        "Draft: not known -> not known\n"
        "Note: spec values are compared only between two spec files\n"
        f"Note: {old} and {new} were not written by mou-builder: clauses are not compared, only paragraphs\n"
        "Note: completeness findings are compared only between two spec files\n"
    )


def test_show_prints_a_docx_files_paragraphs(tmp_path: Path) -> None:
    _, new = _generic(tmp_path)
    result = CliRunner().invoke(main, ["show", str(new)])
    assert result.exit_code == 0
    assert result.stdout.split("\n\n")[:3] == [
        "Memorandum of Understanding",
        "This agreement is between the City Library and the School District.",
        "Details are published at the library's website.",
    ]


def test_redlines_of_docx_files_are_deterministic(tmp_path: Path) -> None:
    old, new = _generic(tmp_path)
    first = _redline(old, new, tmp_path / "1.docx")
    second = _redline(old, new, tmp_path / "2.docx")
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()


# ---------------------------------------------------------------- the cover page and the API


def test_summary_page_comes_first_and_is_not_a_tracked_change(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "amount-changed"
    data = _redline(pair / "old.yaml", pair / "new.yaml", tmp_path / "r.docx", "--summary-page")
    plain = _redline(pair / "old.yaml", pair / "new.yaml", tmp_path / "p.docx")
    cover = accept_all(data)[: len(accept_all(data)) - len(accept_all(plain))]
    assert cover[:2] == ["Changes in this draft", f"{pair / 'new.yaml'} compared with {pair / 'old.yaml'}"]
    assert "6 Financial Terms" in cover and "budget total: $250,000.00 -> $275,000.00" in cover
    assert accept_all(data)[len(cover):] == accept_all(plain)
    assert reject_all(data)[len(cover):] == reject_all(plain)
    assert root_has_page_break(body(data))


def root_has_page_break(root: object) -> bool:
    return any(b.get(f"{W}type") == "page" for b in root.iter(f"{W}br"))  # type: ignore[attr-defined]


def test_summary_page_needs_an_output_file() -> None:
    pair = DATA / "drafts" / "amount-changed"
    result = CliRunner().invoke(main, ["diff", str(pair / "old.yaml"), str(pair / "new.yaml"), "--summary-page"])
    assert result.exit_code == 2 and "--summary-page goes with -o" in result.stderr


def test_public_api_takes_paths_specs_and_bytes(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "amount-changed"
    from datetime import date

    by_path = mou_builder.redline(pair / "old.yaml", str(pair / "new.yaml"), author="Legal", date=date(2026, 11, 2))
    by_spec = mou_builder.redline(load_spec(pair / "old.yaml"), load_spec(pair / "new.yaml"), author="Legal",
                                  date=date(2026, 11, 2))
    assert by_path == by_spec
    assert {m.get(f"{W}date") for m in body(by_path).iter(f"{W}ins")} == {"2026-11-02T00:00:00Z"}
    summary = mou_builder.summarize_changes(pair / "old.yaml", load_spec(pair / "new.yaml"))
    assert any(c.path == "financial.contributions[0].amount" for c in summary.fields)
    old, new = _generic(tmp_path)
    from_bytes = mou_builder.redline(old.read_bytes(), new.read_bytes())
    assert accept_all(from_bytes) == accept_all(new.read_bytes())


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("content, message", [
    (b"not a zip", "not a Word .docx file (it is not a zip package; an old .doc must be saved as .docx first)"),
    ("zip-without-document", "not a Word document (the package has no main document part)"),
])
def test_a_damaged_docx_is_a_clear_error(tmp_path: Path, content: object, message: str) -> None:
    bad = tmp_path / "bad.docx"
    if content == "zip-without-document":
        import zipfile

        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("hello.txt", "hi")
    else:
        bad.write_bytes(content)  # type: ignore[arg-type]
    _, new = _generic(tmp_path)
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(main, ["diff", str(bad), str(new), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (1, f"{bad}: {message}\n")
    assert not out.exists()


def test_a_missing_docx_is_a_clear_error(tmp_path: Path) -> None:
    _, new = _generic(tmp_path)
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "nope.docx"), str(new)])
    assert (result.exit_code, result.stderr) == (1, f"{tmp_path / 'nope.docx'}: cannot be read (No such file or directory)\n")


# ---------------------------------------------------------------- real clients


@pytest.mark.slow
def test_docx_redlines_open_in_libreoffice_and_validate(tmp_path: Path) -> None:
    paths = []
    old, new = _generic(tmp_path)
    paths.append(tmp_path / "generic.docx")
    _redline(old, new, paths[-1], "--summary-page")
    for name in ("profile-reorders", "moved-and-edited", "special-text-edited"):
        a, b = _built(DATA / "drafts" / name, tmp_path)
        paths.append(tmp_path / f"{name}-redline.docx")
        _redline(a, b, paths[-1], "--summary-page")
    assert {p.name: e for p, e in ooxml_errors_many(paths).items() if e} == {}
    for path in paths:
        pdf = libreoffice_pdf(path)
        assert pdf_pages(pdf) >= 2
    assert "Changes in this draft" in pdf_text(libreoffice_pdf(paths[0]))
