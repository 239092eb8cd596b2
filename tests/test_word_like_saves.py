"""A draft opened and saved in Word (imitated by tests/word_like.py) still reads as the draft it was.

Word splits runs, adds revision-save ids and paragraph ids, spelling marks,
rendered page breaks and a _GoBack bookmark, and renumbers bookmarks:
review-edits and diff must see none of it, and must still see exactly what
a reviewer changed.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from conftest import EXAMPLES
from mou_builder.assembly import assemble
from mou_builder.render.ooxml import w
from mou_builder.render.word import render_docx
from mou_builder.review.changes import summary_text
from mou_builder.review.drafts import redline, summarize_changes
from mou_builder.review.edits import base_from_embedded, review_edits
from mou_builder.review.word_input import read_docx
from mou_builder.spec.loader import load_spec
from reviewer_edits import delete_clause, edited as _edited, retype
from word_like import word_like_save

CITY = next(p for p in EXAMPLES if p.stem == "city-data-grant")


@pytest.fixture(scope="module")
def built() -> bytes:
    return render_docx(assemble(load_spec(CITY)))


def _document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def _review(data: bytes):
    draft = read_docx(data, "returned.docx")
    return review_edits(draft, base_from_embedded(draft))


def test_the_imitation_changes_the_xml_the_way_word_does(built: bytes) -> None:
    saved = _document(word_like_save(built))
    original = _document(built)
    assert len(list(saved.iter(w("r")))) > len(list(original.iter(w("r")))) * 1.3  # runs split
    assert list(saved.iter(w("proofErr"))) and list(saved.iter(w("lastRenderedPageBreak")))
    assert any(b.get(w("name")) == "_GoBack" for b in saved.iter(w("bookmarkStart")))
    ids = [b.get(w("id")) for b in saved.iter(w("bookmarkStart"))]
    assert ids == [str(n) for n in range(len(ids))]
    texts = ["".join(t.text or "" for t in p.iter(w("t"))) for p in original.iter(w("p"))]
    assert texts == ["".join(t.text or "" for t in p.iter(w("t"))) for p in saved.iter(w("p"))]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_draft_saved_by_word_reads_as_not_edited(built: bytes, seed: int) -> None:
    report = _review(word_like_save(built, seed))
    assert report.noted == () and len(report.clauses) > 40


def test_a_draft_saved_by_word_compares_as_no_change_and_its_redline_marks_nothing(built: bytes) -> None:
    saved = word_like_save(built)
    summary = summarize_changes(built, saved)
    assert summary_text(summary) == summary_text(summarize_changes(built, built))
    marked = _document(redline(built, saved))
    kinds = ("ins", "del", "moveFrom", "moveTo", "rPrChange", "pPrChange")
    assert not [e.tag for kind in kinds for e in marked.iter(w(kind))]


def test_a_clause_deleted_then_saved_by_word_reads_as_that_clause_deleted(built: bytes) -> None:
    report = _review(word_like_save(_edited(built, delete_clause("financial.cost-allocation"))))
    assert [(c.id, c.status) for c in report.noted] == [("financial.cost-allocation", "deleted")]


def test_words_retyped_then_saved_by_word_read_as_that_edit_only(built: bytes) -> None:
    report = _review(word_like_save(_edited(built, retype("administer and disburse", "administer, hold and disburse"))))
    assert [(c.id, c.status) for c in report.noted] == [("financial.fiscal-agent", "edited")]
    assert [(e.old, e.new) for e in report.noted[0].edits] == [("administer", "administer, hold")]
