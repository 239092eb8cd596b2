"""The generic .docx corpus (tests/generic_docx.py): each pair's redline and summary, counted exactly."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from docx_revisions import W, accept_all, body, notes_accepted, notes_rejected, reject_all
from generic_docx import CORPUS, TWELVE, _plain, _saved
from mou_builder.cli import main
from mou_builder.review.changes import summary_json, summary_markdown, summary_text
from mou_builder.review.drafts import redline, summarize_changes
from mou_builder.review.tracked_changes import RedlineError
from realclients import libreoffice_pdf, libreoffice_resolved, libreoffice_round_trip, ooxml_errors_many, pdf_pages


@pytest.fixture(scope="module")
def pairs() -> dict[str, tuple[bytes, bytes, bytes]]:
    """Each pair, with its redline."""
    out = {}
    for name, make in CORPUS.items():
        old, new = make()
        out[name] = (old, new, redline(old, new))
    return out


@pytest.mark.parametrize("name", list(CORPUS))
def test_accept_all_gives_new_and_reject_all_gives_old(name: str, pairs: dict) -> None:
    old, new, data = pairs[name]
    assert accept_all(data) == accept_all(new)
    assert reject_all(data) == accept_all(old)


def _marked(data: bytes) -> dict[str, list[str]]:
    """Each paragraph's text, by how it is marked: moved, inserted or deleted whole, edited, or plain."""
    out: dict[str, list[str]] = {"from": [], "to": [], "ins": [], "del": [], "edited": [], "plain": []}
    for p in body(data).iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t", f"{W}delText"))
        mark = p.find(f"{W}pPr/{W}rPr")
        kinds = {c.tag for c in p} & {f"{W}{k}" for k in ("ins", "del", "moveFrom", "moveTo")}
        whole = {c.tag for c in mark} if mark is not None else set()
        if f"{W}moveFrom" in whole:
            out["from"].append(text)
        elif f"{W}moveTo" in whole:
            out["to"].append(text)
        elif f"{W}ins" in whole:
            out["ins"].append(text)
        elif f"{W}del" in whole:
            out["del"].append(text)
        elif kinds:
            out["edited"].append(text)
        elif text:
            out["plain"].append(text)
    return out


def test_moves_among_frequent_edits_mark_no_unchanged_paragraph(pairs: dict) -> None:
    old, new, data = pairs["moved_with_edits"]
    marked = _marked(data)
    # the two moved paragraphs are Word moves, the four edited ones word by word, the other six untouched
    assert [t[:9] for t in marked["from"]] == [t[:9] for t in marked["to"]] == ["Clause 1:", "Clause 2:"]
    assert len(marked["edited"]) == 4 and len(marked["plain"]) == 6
    assert marked["ins"] == marked["del"] == []
    root = body(data)
    names = [(m.get(f"{W}name")) for m in root.iter(f"{W}moveFromRangeStart")]
    assert names == [m.get(f"{W}name") for m in root.iter(f"{W}moveToRangeStart")] and len(names) == 1
    words = [t.text for m in root.iter(f"{W}ins", f"{W}del") for t in m.iter(f"{W}t", f"{W}delText")]
    assert sorted(words) == ["must"] * 4 + ["shall"] * 4


def test_a_moved_and_edited_paragraph_is_a_move_with_its_edit(pairs: dict) -> None:
    marked = _marked(pairs["moved_and_edited"][2])
    assert [t[:9] for t in marked["from"]] == [t[:9] for t in marked["to"]] == ["Clause 3:", "Clause 6:"]
    assert marked["ins"] == marked["del"] == []
    root = body(pairs["moved_and_edited"][2])
    moved_to = [m for m in root.iter(f"{W}moveTo") if m.getparent().tag == f"{W}p"]
    assert moved_to and all(p.getparent().find(f"{W}ins") is not None for p in moved_to)


@pytest.mark.parametrize("name, counts", [
    ("moved_with_edits", (4, 0, 0, 2)),
    ("moved_and_edited", (4, 0, 0, 0)),
    ("tracked_merge", (1, 0, 1, 0)),  # paragraph 4 gained paragraph 5 (which went)
    ("tracked_merge_in_old", (0, 0, 0, 0)),
    ("numbers_changed", (1, 0, 0, 0)),
])
def test_summary_counts(name: str, counts: tuple, pairs: dict) -> None:
    old, new, _ = pairs[name]
    text = summarize_changes(old, new).text
    assert (text.changed, text.added, text.removed, text.moved, text.formatted) == (*counts, 0)


def test_formatting_changes_are_counted_and_marked(pairs: dict) -> None:
    old, new, data = pairs["formatting_changed"]
    text = summarize_changes(old, new).text
    assert (text.changed, text.added, text.removed, text.moved, text.formatted) == (0, 0, 0, 0, 2)
    changes = list(body(data).iter(f"{W}rPrChange"))
    # each run that changed: the new format on the run, the old one (what a reject restores) in the change
    shown = [("".join(t.text for t in c.getparent().getparent().iter(f"{W}t")),
              [x.tag for x in c.getparent() if x is not c], [x.tag for x in c.find(f"{W}rPr")]) for c in changes]
    assert shown == [("thirty days", [f"{W}b"], [f"{W}b"]), ("the Grants Office", [f"{W}u"], [f"{W}u"])]
    assert [c.find(f"{W}rPr/{W}b").get(f"{W}val") for c in changes[:1]] == ["0"]
    assert not list(body(data).iter(f"{W}ins", f"{W}del"))  # the words themselves did not change


def test_a_tracked_merge_in_new_is_read_accepted(pairs: dict) -> None:
    old, new, data = pairs["tracked_merge"]
    joined = "Clause 4: the echo partner shall report on foxtrot matters each quarter. Clause 5:"
    assert any(p.startswith(joined) for p in accept_all(data))
    assert len(accept_all(data)) == 11


def test_a_changed_header_is_tracked_and_summarised(pairs: dict) -> None:
    old, new, data = pairs["header_changed"]
    assert accept_all(data, "word/header1.xml") == ["City and Library MOU, Draft 3", "Page 1"]
    assert reject_all(data, "word/header1.xml") == ["City and Library MOU, Draft 2", "Page 1"]
    header = body(data, "word/header1.xml")
    words = [(m.tag, t.text) for m in header.iter(f"{W}ins", f"{W}del") for t in m.iter(f"{W}t", f"{W}delText")]
    assert words == [(f"{W}del", "2"), (f"{W}ins", "3")]
    # the line that did not change keeps its page-number field
    assert [i.text.strip() for i in header.iter(f"{W}instrText")] == ["PAGE"]
    summary = summarize_changes(old, new)
    assert [(c.part, c.kind, c.old, c.new) for c in summary.margins] == [
        ("header", "changed", "City and Library MOU, Draft 2 / Page {PAGE}", "City and Library MOU, Draft 3 / Page {PAGE}")]
    assert not summary.text and not summary.empty


def test_a_page_number_worked_out_again_is_no_change() -> None:
    """The same header saved by a program that laid the pages out ("Page 1" -> "Page 6"): no change, no redline mark."""
    from generic_docx import TWELVE, _field, _plain, _saved

    drafts = []
    for shown in ("1", "6"):
        d = _plain(TWELVE[:3], header="City and Library MOU, Draft 2", day=1)
        page = d.sections[0].header.add_paragraph("Page ")
        _field(page, "PAGE", shown)
        drafts.append(_saved(d))
    summary = summarize_changes(*drafts)
    assert summary.empty, summary
    header = body(redline(*drafts), "word/header1.xml")
    assert not list(header.iter(f"{W}ins", f"{W}del"))


@pytest.mark.parametrize("author", ["", "   ", "a\x01b"])
def test_an_empty_or_unwritable_author_is_refused(author: str, pairs: dict) -> None:
    old, new, _ = pairs["numbers_changed"]
    with pytest.raises(RedlineError, match="the author of the tracked changes"):
        redline(old, new, author=author)


def test_the_cli_reports_an_empty_author(tmp_path: Path, pairs: dict) -> None:
    old, new, _ = pairs["numbers_changed"]
    (tmp_path / "a.docx").write_bytes(old)
    (tmp_path / "b.docx").write_bytes(new)
    out = tmp_path / "r.docx"
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "a.docx"), str(tmp_path / "b.docx"), "-o", str(out),
                                       "--author", " "])
    assert result.exit_code == 1 and "the author of the tracked changes is empty" in result.stderr
    assert not out.exists()


@pytest.mark.slow
def test_corpus_redlines_open_in_libreoffice_and_validate(pairs: dict, tmp_path: Path) -> None:
    paths = []
    for name, (_, _, data) in pairs.items():
        paths.append(tmp_path / f"{name}.docx")
        paths[-1].write_bytes(data)
    assert {p.name: e for p, e in ooxml_errors_many(paths).items() if e} == {}
    for path in paths:
        assert pdf_pages(libreoffice_pdf(path)) >= 1


def test_a_tracked_merge_inside_a_table_cell_is_read_accepted() -> None:
    import io

    import docx
    from docx.oxml import parse_xml

    W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def table(cell_paragraphs: list[str], merged: bool) -> bytes:
        d = docx.Document()
        cell = d.add_table(rows=1, cols=1).cell(0, 0)
        cell.text = cell_paragraphs[0]
        for text in cell_paragraphs[1:]:
            cell.add_paragraph(text)
        if merged:
            cell.paragraphs[0]._p.insert(0, parse_xml(f'<w:pPr {W_NS}><w:rPr><w:del w:id="5" w:author="C"/></w:rPr></w:pPr>'))
        out = io.BytesIO()
        d.save(out)
        return out.getvalue()

    joined = table(["Ana Ruiz, Librarian"], merged=False)
    merged = table(["Ana Ruiz,", " Librarian"], merged=True)
    assert summarize_changes(merged, joined).empty
    assert summarize_changes(table(["Ana Ruiz,", " Librarian"], merged=False), joined).text.changed == 1


def test_changed_footnotes_are_summarised_by_their_numbers(pairs: dict) -> None:
    old, new, _ = pairs["footnotes_changed"]
    summary = summarize_changes(old, new)
    assert [(c.part, c.kind, c.old, c.new) for c in summary.footnotes] == [
        ("Footnote 2", "added", None, "As defined in Section 1."),
        ("Footnote 3", "changed", "Thirty days from the date of the invoice.",
         "Forty-five days from the date of the invoice."),
        ("Footnote 3", "removed", "Paid by the Grants Office.", None),  # its number in the old draft
    ]
    assert not summary.text and not summary.margins
    assert "  Footnote 3: changed Thirty days from the date of the invoice. -> Forty-five days" in summary_text(summary)
    assert "- **Footnote 2**: added As defined in Section 1." in summary_markdown(summary)
    assert json.loads(summary_json(summary))["footnotes"][1] == {
        "part": "Footnote 3", "kind": "changed", "old": "Thirty days from the date of the invoice.",
        "new": "Forty-five days from the date of the invoice."}
    # the same notes saved with other ids (as another program writes them again): no change
    from generic_docx import NEW_NOTES, TWELVE, _plain, _saved, with_footnotes

    again = _saved(with_footnotes(_plain(TWELVE[:4], day=3), NEW_NOTES, first_id=7))
    assert summarize_changes(new, again).empty


def test_changed_footnotes_are_tracked_in_the_notes_part(pairs: dict) -> None:
    old, new, data = pairs["footnotes_changed"]
    assert notes_accepted(data) == notes_accepted(new) and notes_rejected(data) == notes_accepted(old)
    notes = body(data, "word/footnotes.xml")
    words = [(m.tag, t.text) for m in notes.iter(f"{W}ins", f"{W}del") for t in m.iter(f"{W}t", f"{W}delText")]
    # the edited note word by word; the added note inserted whole, the removed one deleted whole
    assert words == [(f"{W}ins", " As defined in Section 1."), (f"{W}del", "Thirty"), (f"{W}ins", "Forty-five"),
                     (f"{W}del", " Paid by the Grants Office.")]
    # in the text, the added reference is inserted and the removed one deleted; the kept ones are plain
    refs = [(ref.getparent().getparent().tag, ref.get(f"{W}id")) for ref in body(data).iter(f"{W}footnoteReference")]
    assert [tag for tag, _ in refs] == [f"{W}p", f"{W}ins", f"{W}p", f"{W}del"]
    assert len({note_id for _, note_id in refs}) == 4


def test_footnotes_of_only_one_draft() -> None:
    """All footnotes removed (the new file has no notes part: the redline gets one) or all added."""
    from generic_docx import OLD_NOTES, TWELVE, _plain, _saved, with_footnotes

    plain = _saved(_plain(TWELVE[:4], day=2))
    noted = _saved(with_footnotes(_plain(TWELVE[:4]), OLD_NOTES))
    for old, new in ((noted, plain), (plain, noted)):
        data = redline(old, new)
        assert notes_accepted(data) == notes_accepted(new) and notes_rejected(data) == notes_accepted(old)
        kinds = {c.kind for c in summarize_changes(old, new).footnotes}
        assert kinds == ({"removed"} if old is noted else {"added"})


def test_a_moved_paragraph_keeps_its_footnote_at_both_places(pairs: dict) -> None:
    old, new, data = pairs["footnote_moved"]
    summary = summarize_changes(old, new)
    assert summary.text.moved == 1
    assert [(c.part, c.kind) for c in summary.footnotes] == [("Footnote 2", "changed")]
    assert notes_accepted(data) == notes_accepted(new) and notes_rejected(data) == notes_accepted(old)
    # each reference has a note of its own, numbered in the order of the text (LibreOffice reads them so)
    refs = [(ref.getparent().getparent().tag, ref.get(f"{W}id")) for ref in body(data).iter(f"{W}footnoteReference")]
    assert refs == [(f"{W}moveFrom", "2"), (f"{W}p", "3"), (f"{W}moveTo", "4")]  # after the separators, 0 and 1
    ids = [n.get(f"{W}id") for n in body(data, "word/footnotes.xml").iter(f"{W}footnote") if n.get(f"{W}type") is None]
    assert ids == ["2", "3", "4"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["footnotes_changed", "footnote_moved"])
def test_libreoffice_accepts_and_rejects_footnote_changes(name: str, pairs: dict, tmp_path: Path) -> None:
    """LibreOffice's own Accept All gives the new draft's footnotes, its Reject All the old one's."""
    old, new, data = pairs[name]
    path = tmp_path / "footnotes.docx"
    path.write_bytes(data)
    accepted, rejected = libreoffice_resolved(path, accept=True), libreoffice_resolved(path, accept=False)
    assert notes_accepted(accepted) == notes_accepted(new)
    assert notes_accepted(rejected) == notes_accepted(old)
    assert accept_all(accepted) == accept_all(new) and accept_all(rejected) == accept_all(old)


def _styled_table_draft(explicit: bool, day: int) -> bytes:
    """A table whose style makes its header row bold and coloured, and a paragraph after it.

    ``explicit``: the header row's runs carry that bold and colour themselves
    (as LibreOffice writes them), and the word "thirty" is made bold.
    """
    import docx
    from docx.oxml import parse_xml

    from generic_docx import W as W_NS

    d = _plain(TWELVE[:1], day=day)
    d.styles.element.append(parse_xml(
        f'<w:style {W_NS} w:type="table" w:styleId="Header"><w:name w:val="Header Table"/>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="1F2A44"/></w:rPr></w:tblStylePr></w:style>'))
    table = d.add_table(rows=2, cols=2)
    table._tbl.tblPr.append(parse_xml(f'<w:tblStyle {W_NS} w:val="Header"/>'))
    for look in table._tbl.tblPr.findall(f"{W}tblLook"):
        table._tbl.tblPr.remove(look)
    table._tbl.tblPr.append(parse_xml(f'<w:tblLook {W_NS} w:val="0020" w:firstRow="1"/>'))
    for row, texts in zip(table.rows, (("Party", "Role"), ("City", "Grantor"))):
        for cell, text in zip(row.cells, texts):
            run = cell.paragraphs[0].add_run(text)
            if explicit and text in ("Party", "Role"):
                run.bold = True
                run.font.color.rgb = docx.shared.RGBColor(0x1F, 0x2A, 0x44)
    p = d.add_paragraph("Payment is due within ")
    p.add_run("thirty").bold = explicit
    p.add_run(" days.")
    return _saved(d)


def test_a_table_styles_header_row_formatting_written_into_its_runs_is_no_change() -> None:
    """Formatting is compared as the reader sees it: the style's bold in the run itself is the same bold."""
    old, new = _styled_table_draft(False, 1), _styled_table_draft(True, 2)
    text = summarize_changes(old, new).text
    assert (text.changed, text.added, text.removed, text.formatted) == (0, 0, 0, 1)  # the paragraph, not the header row
    changes = list(body(redline(old, new)).iter(f"{W}rPrChange"))
    assert ["".join(t.text for t in c.getparent().getparent().iter(f"{W}t")) for c in changes] == ["thirty"]
    # against the style, a header-row run's own bold is no change, and its bold turned off is one
    from mou_builder.review.word_input import Formats, read_docx

    draft = read_docx(new, "new.docx")
    formats = Formats(draft.styles, draft.fonts)
    header, body_row = (list(row.iter(f"{W}p")) for row in draft.body[1].iter(f"{W}tr"))
    context = formats.context(header[0])
    assert context[2] == ("firstRow",) and formats.context(body_row[0])[2] == ()
    assert formats.key(b'<w:rPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:b/></w:rPr>',
                       context) == formats.key(None, context)
    assert formats.key(b'<w:rPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:b w:val="0"/>'
                       b'</w:rPr>', context) != formats.key(None, context)


def test_endnotes_are_compared_like_footnotes() -> None:
    from generic_docx import NEW_NOTES, OLD_NOTES, TWELVE, _plain, _saved, with_footnotes

    old = _saved(with_footnotes(_plain(TWELVE[:4]), OLD_NOTES, kind="endnote"))
    new = _saved(with_footnotes(_plain(TWELVE[:4], day=2), NEW_NOTES, first_id=1, kind="endnote"))
    assert [(c.part, c.kind) for c in summarize_changes(old, new).footnotes] == [
        ("Endnote 2", "added"), ("Endnote 3", "changed"), ("Endnote 3", "removed")]
    data = redline(old, new)
    assert notes_accepted(data) == notes_accepted(new) and notes_rejected(data) == notes_accepted(old)
    assert notes_accepted(data)[1] == "endnote  As defined in Section 1."
    assert "word/footnotes.xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_the_default_paragraph_style_named_or_not_is_the_same() -> None:
    """LibreOffice names "Normal" on every paragraph it saves; python-docx names none: the same paragraphs."""
    from docx.oxml import parse_xml

    from generic_docx import W as W_NS

    old = _plain(TWELVE[:4])
    for p in old.paragraphs:
        p._p.insert(0, parse_xml(f'<w:pPr {W_NS}><w:pStyle w:val="Normal"/></w:pPr>'))
    old, new = _saved(old), _saved(_plain(TWELVE[:4], day=2))
    assert summarize_changes(old, new).empty
    assert next(body(redline(old, new)).iter(f"{W}ins", f"{W}del", f"{W}rPrChange"), None) is None


@pytest.mark.slow
@pytest.mark.parametrize("name", ["the generic draft", "footnotes"])
def test_a_libreoffice_resave_of_any_docx_is_no_change(name: str, tmp_path: Path) -> None:
    """Saved again by LibreOffice (styles named, table and note ids written anew): no change, nothing marked."""
    from generic_docx import draft, footnotes_changed

    data = draft(2) if name == "the generic draft" else footnotes_changed()[1]
    saved = libreoffice_round_trip(data, tmp_path)
    assert summarize_changes(data, saved).empty
    marked = redline(data, saved)
    for part in ("word/document.xml", *(["word/footnotes.xml"] if name == "footnotes" else [])):
        assert next(body(marked, part).iter(f"{W}ins", f"{W}del", f"{W}rPrChange"), None) is None, part


def test_an_object_of_the_old_draft_is_not_carried_into_deleted_text() -> None:
    """A symbol (or picture) in words that were deleted is left out: it belongs to the old file's package."""
    from lxml import etree

    from mou_builder.review.drafts import redline

    old = _plain([TWELVE[0], "Alpha beta gamma."])
    run = old.paragraphs[1].runs[0]._r
    run.addnext(etree.fromstring(f'<w:r xmlns:w="{W[1:-1]}"><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'))
    new = _plain([TWELVE[0], "Alpha delta."])
    with zipfile.ZipFile(io.BytesIO(redline(_saved(old), _saved(new)))) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    assert list(root.iter(f"{W}del")), "the old words are deleted"
    assert not list(root.iter(f"{W}sym"))


def test_the_new_files_section_properties_end_the_redline_body_untouched() -> None:
    """The final w:sectPr (page size, margins) is the new file's, last in the body, and no revision."""
    from docx.enum.section import WD_ORIENT
    from lxml import etree

    from mou_builder.review.drafts import redline

    old = _plain(TWELVE[:3])
    new = _plain([TWELVE[0], TWELVE[1] + " Edited.", TWELVE[2]])
    new.sections[0].orientation = WD_ORIENT.LANDSCAPE
    new.sections[0].page_width, new.sections[0].page_height = new.sections[0].page_height, new.sections[0].page_width
    new_bytes = _saved(new)
    with zipfile.ZipFile(io.BytesIO(redline(_saved(old), new_bytes))) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")
    with zipfile.ZipFile(io.BytesIO(new_bytes)) as archive:
        expected = etree.fromstring(archive.read("word/document.xml")).find(f"{W}body/{W}sectPr")
    sections = body.findall(f"{W}sectPr")
    assert len(sections) == 1 and body[-1] is sections[0]
    assert etree.tostring(sections[0]) == etree.tostring(expected)
    assert list(body.iter(f"{W}ins")) and not [e for e in body.iter(f"{W}ins", f"{W}del") if e.find(f".//{W}sectPr") is not None]


def test_a_cell_whose_width_and_words_changed_keeps_one_cell_properties_first() -> None:
    """A changed cell is compared paragraph by paragraph; its w:tcPr (the new width) stays first and single."""
    from docx.shared import Inches
    from lxml import etree

    from mou_builder.review.drafts import redline

    def drafted(width: float, words: str) -> bytes:
        d = _plain([TWELVE[0]])
        table = d.add_table(rows=1, cols=2)
        for cell, text in zip(table.rows[0].cells, ("Amount", words)):
            cell.text = text
            cell.width = Inches(width)
        return _saved(d)

    with zipfile.ZipFile(io.BytesIO(redline(drafted(2.0, "ten dollars"), drafted(3.0, "twelve dollars")))) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    cells = list(root.iter(f"{W}tc"))
    assert len(cells) == 2
    for cell in cells:
        assert [c.tag for c in cell].count(f"{W}tcPr") == 1 and cell[0].tag == f"{W}tcPr"
        assert cell.find(f"{W}tcPr/{W}tcW").get(f"{W}w") == str(int(3.0 * 1440))
    assert list(cells[1].iter(f"{W}del")) and list(cells[1].iter(f"{W}ins"))
