"""The Word redline: accept all gives the new draft, reject all the old one, for every draft pair."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA
from docx_reading import as_word_shows
from docx_revisions import W, accept_all, body, reject_all
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.spec.loader import load_spec
from mou_builder.review.tracked_changes import render_redline
from mou_builder.render.text import document_paragraphs
from realclients import libreoffice_pdf, ooxml_errors_many, pdf_pages

PAIRS = sorted(p for p in (DATA / "drafts").iterdir() if p.is_dir())


def _docs(pair: Path) -> tuple:
    return assemble(load_spec(pair / "old.yaml")), assemble(load_spec(pair / "new.yaml"))


@pytest.fixture(scope="module")
def redlines() -> dict[str, bytes]:
    return {pair.name: render_redline(*_docs(pair)) for pair in PAIRS}


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_accept_all_gives_the_new_draft(pair: Path, redlines: dict[str, bytes]) -> None:
    new = _docs(pair)[1]
    assert accept_all(redlines[pair.name]) == as_word_shows(document_paragraphs(new))


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_reject_all_gives_the_old_draft(pair: Path, redlines: dict[str, bytes]) -> None:
    old = _docs(pair)[0]
    assert reject_all(redlines[pair.name]) == as_word_shows(document_paragraphs(old))


def test_changes_are_word_level() -> None:
    data = render_redline(*_docs(DATA / "drafts" / "amount-changed"))
    root = body(data)
    deleted = ["".join(t.text for t in d.iter(f"{W}delText")) for d in root.iter(f"{W}del") if d.getparent().tag == f"{W}p"]
    inserted = ["".join(t.text for t in i.iter(f"{W}t")) for i in root.iter(f"{W}ins") if i.getparent().tag == f"{W}p"]
    # an amount is one word: the whole amount is replaced, never digits and punctuation inside it
    assert deleted and set(deleted) == {"250,000.00"} and set(inserted) == {"275,000.00"}


def test_revision_author_date_and_ids() -> None:
    old, new = _docs(DATA / "drafts" / "signatory-replaced")
    from datetime import date

    root = body(render_redline(old, new, author="Grants Office", when=date(2026, 11, 2)))
    marks = [m for m in root.iter(f"{W}ins", f"{W}del")]
    assert marks and {m.get(f"{W}author") for m in marks} == {"Grants Office"}
    assert {m.get(f"{W}date") for m in marks} == {"2026-11-02T00:00:00Z"}
    ids = [m.get(f"{W}id") for m in marks]
    assert len(ids) == len(set(ids))


def test_inserted_and_deleted_rows_are_marked_as_rows() -> None:
    def marked(root, mark):  # noqa: ANN001, ANN202 - the first cell's text of each row marked as a whole
        return ["".join(t.text or "" for t in r.find(f"{W}tc").iter(f"{W}t", f"{W}delText"))
                for r in root.iter(f"{W}tr") if r.find(f"{W}trPr/{W}{mark}") is not None]

    old, new = _docs(DATA / "drafts" / "party-added")
    added, removed = body(render_redline(old, new)), body(render_redline(new, old))
    assert (marked(added, "del"), marked(removed, "ins")) == ([], [])
    # the new party's row, inserted one way and deleted the other: the parties row and its signature row
    assert marked(added, "ins")[0] == marked(removed, "del")[0] == 'Riverside Unified School District (the "District")'
    assert len(marked(added, "ins")) == len(marked(removed, "del")) == 2
    for row in (r for r in removed.iter(f"{W}tr") if r.find(f"{W}trPr/{W}del") is not None):
        assert [t.text for t in row.iter(f"{W}t") if (t.text or "").strip()] == []  # deleted text is delText


def test_redlines_are_byte_identical(redlines: dict[str, bytes]) -> None:
    pair = DATA / "drafts" / "alternate-switched"
    assert hashlib.sha256(render_redline(*_docs(pair))).hexdigest() == hashlib.sha256(redlines[pair.name]).hexdigest()


@pytest.mark.slow
def test_redlines_open_in_libreoffice_and_validate(redlines: dict[str, bytes], tmp_path: Path) -> None:
    paths = []
    for name, data in redlines.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(data)
        paths.append(path)
    assert {p.name: e for p, e in ooxml_errors_many(paths).items() if e} == {}
    for path in paths:
        assert pdf_pages(libreoffice_pdf(path)) >= 2


def test_cli_writes_a_redline(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "amount-changed"
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(pair / "old.yaml"), str(pair / "new.yaml"), "-o", str(out),
                                       "--author", "Legal", "--date", "2026-11-02"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"wrote {out}\n")
    assert {m.get(f"{W}author") for m in body(out.read_bytes()).iter(f"{W}ins")} == {"Legal"}


def test_cli_redline_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    pair = DATA / "drafts" / "amount-changed"
    result = CliRunner().invoke(main, ["diff", str(pair / "old.yaml"), str(pair / "new.yaml"), "-o",
                                       str(tmp_path / "r.docx"), "--date", "yesterday"])
    assert result.exit_code == 2
    assert not (tmp_path / "r.docx").exists()


def test_no_formatting_change_is_marked_where_only_words_changed(redlines: dict[str, bytes]) -> None:
    """The drafts of a spec pair are written by one writer: the same words keep the same formatting, unmarked."""
    assert {name: len(list(body(data).iter(f"{W}rPrChange"))) for name, data in redlines.items()} == dict.fromkeys(
        redlines, 0)
