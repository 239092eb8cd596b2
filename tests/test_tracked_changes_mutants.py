"""Properties of the Word redline (review/tracked_changes.py) that mutation testing found unguarded.

Each test states one property of the redline; it is here, and not in test_redline.py, so that
this file and the redline's source can change on different branches without conflict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mou_builder.review.tracked_changes import MAX_AUTHOR, RedlineError, checked_author


def test_an_author_of_word_s_maximum_length_is_kept_and_one_more_character_is_refused() -> None:
    assert checked_author("a" * MAX_AUTHOR) == "a" * MAX_AUTHOR
    with pytest.raises(RedlineError, match=r"^the author of the tracked changes is 256 characters long; "
                                           r"Word keeps at most 255$"):
        checked_author("a" * (MAX_AUTHOR + 1))


@pytest.mark.parametrize("author", ["", "   ", "\t\n"])
def test_an_empty_or_blank_author_is_refused_with_the_way_to_name_one(author: str) -> None:
    with pytest.raises(RedlineError, match=r"^the author of the tracked changes is empty: give a name "
                                           r"\(e\.g\. --author 'Grants Office'\)$"):
        checked_author(author)


@pytest.mark.parametrize(("author", "code"), [("A\x1fB", "001F"), ("A\x00", "0000"), ("\ud800x", "D800"),
                                              ("x\udfff", "DFFF"), ("x\ufffe", "FFFE"), ("x\uffff", "FFFF")])
def test_an_author_with_a_character_word_cannot_carry_is_refused_naming_it(author: str, code: str) -> None:
    with pytest.raises(RedlineError, match=rf"^the author of the tracked changes holds a control character "
                                           rf"\(U\+{code}\), which a Word file cannot carry$"):
        checked_author(author)


@pytest.mark.parametrize("author", [" Legal", "Ana\u00a0Lima", "x\u0020", "\ud7ff", "\ue000", "\ufffd"])
def test_an_author_with_only_characters_word_can_carry_is_kept_as_given(author: str) -> None:
    assert checked_author(author) == author


# ---------------------------------------------------------------- .docx files made elsewhere: styles and lists

import datetime as _dt  # noqa: E402 - the .docx-building helpers below need these; the tests above do not
import io  # noqa: E402
import zipfile  # noqa: E402

import docx  # noqa: E402
from docx.enum.style import WD_STYLE_TYPE  # noqa: E402
from docx.oxml import parse_xml  # noqa: E402
from lxml import etree  # noqa: E402

from docx_revisions import W, accept_all, reject_all  # noqa: E402
from mou_builder.review.tracked_changes import redline_docx  # noqa: E402

_WNS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _saved(d: object) -> bytes:
    out = io.BytesIO()
    d.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def _document(day: int) -> object:
    d = docx.Document()
    d.core_properties.modified = _dt.datetime(2026, 10, day, 12, 0)
    d.add_paragraph("The partners shall meet each quarter.")
    return d


def _part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def _deleted_paragraphs(root: etree._Element) -> list[etree._Element]:
    """The paragraphs whose paragraph mark the redline deleted."""
    return [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]


def _style_xml(style_id: str, name: str, extra: str = "") -> str:
    return (f'<w:style {_WNS} w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{extra}<w:pPr><w:ind w:left="720"/></w:pPr></w:style>')


def test_a_deleted_paragraph_keeps_its_style_which_the_redline_copies_with_the_style_it_is_based_on() -> None:
    old = _document(1)
    styles = old.styles.element
    styles.append(parse_xml(_style_xml("QuoteBase", "Quote Base", '<w:basedOn w:val="Ghost"/>'
                                       '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr>')))
    styles.append(parse_xml(_style_xml("ClauseQuote", "Clause Quote", '<w:basedOn w:val="QuoteBase"/>'
                                       '<w:next w:val="Normal"/>')))
    old.add_paragraph("A quoted clause the new draft drops.", style="Clause Quote")
    old.add_paragraph("A paragraph in a style the old file does not define.").style = old.styles.add_style(
        "Passing", WD_STYLE_TYPE.PARAGRAPH)
    old.styles.element.remove(old.styles["Passing"].element)
    new = _document(2)
    redline = redline_docx(_saved(old), _saved(new))
    assert reject_all(redline) == ["The partners shall meet each quarter.", "A quoted clause the new draft drops.",
                                   "A paragraph in a style the old file does not define."]
    assert accept_all(redline) == ["The partners shall meet each quarter."]
    deleted = _deleted_paragraphs(_part(redline, "word/document.xml"))
    assert [p.find(f"{W}pPr/{W}pStyle") is not None and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
            for p in deleted] == ["ClauseQuote", False]  # a style the old file lacks is dropped, not left dangling
    copied = {s.get(f"{W}styleId"): s for s in _part(redline, "word/styles.xml").iter(f"{W}style")}
    quote, base = copied["ClauseQuote"], copied["QuoteBase"]
    assert quote.find(f"{W}basedOn").get(f"{W}val") == "QuoteBase"
    assert quote.find(f"{W}next").get(f"{W}val") == "Normal"
    assert base.find(f"{W}basedOn") is None  # it was based on a style neither file has
    assert base.find(f".//{W}numPr") is None  # its list lives in the old file's numbering, not carried
    assert base.find(f"{W}pPr/{W}ind").get(f"{W}left") == "720"
    assert "Ghost" not in copied and "Passing" not in copied


def _abstract_xml(abstract_id: int, fmt: str, text: str, nsid: str = "1A2B3C4D") -> str:
    return (f'<w:abstractNum {_WNS} w:abstractNumId="{abstract_id}"><w:nsid w:val="{nsid}"/>'
            f'<w:multiLevelType w:val="singleLevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:pPr><w:ind w:left="360"/></w:pPr>'
            f'</w:lvl></w:abstractNum>')


def _numbered(d: object, text: str, num_id: int) -> None:
    p = d.add_paragraph(text)  # type: ignore[attr-defined]
    p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {_WNS}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/>'
                                           '</w:numPr>'))


def test_a_deleted_item_of_a_list_the_new_file_lacks_brings_its_list_and_an_unknown_list_is_dropped() -> None:
    old = _document(1)
    numbering = old.part.numbering_part.element
    numbering.insert(0, parse_xml(_abstract_xml(90, "upperRoman", "%1)")))
    numbering.append(parse_xml(f'<w:num {_WNS} w:numId="90"><w:abstractNumId w:val="90"/>'
                               '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="3"/></w:lvlOverride></w:num>'))
    _numbered(old, "A roman-numbered item the new draft drops.", 90)
    _numbered(old, "An item of a list the old file never defined.", 77)
    _numbered(old, "Another item of that roman list.", 90)
    new = _document(2)
    before = {n.get(f"{W}numId") for n in new.part.numbering_part.element.iter(f"{W}num")}
    redline = redline_docx(_saved(old), _saved(new))
    assert accept_all(redline) == ["The partners shall meet each quarter."]
    ids = [p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
           for p in _deleted_paragraphs(_part(redline, "word/document.xml"))]
    numbering_out = _part(redline, "word/numbering.xml")
    nums = {n.get(f"{W}numId"): n for n in numbering_out.iter(f"{W}num")}
    assert ids[1] == "0"  # no such list in the old file: shown unnumbered
    assert ids[0] == ids[2] and ids[0] not in before  # one new list for both items, not one each
    added = nums[ids[0]]
    assert added.find(f"{W}lvlOverride/{W}startOverride").get(f"{W}val") == "3"
    abstract_id = added.find(f"{W}abstractNumId").get(f"{W}val")
    [abstract] = [a for a in numbering_out.iter(f"{W}abstractNum") if a.get(f"{W}abstractNumId") == abstract_id]
    assert abstract.find(f"{W}lvl/{W}numFmt").get(f"{W}val") == "upperRoman"
    assert abstract.find(f"{W}lvl/{W}lvlText").get(f"{W}val") == "%1)"
    assert abstract.find(f"{W}nsid") is None  # Word would link it with the old file's list of the same nsid
    # Word reads the abstract lists before the lists that use them
    kinds = [etree.QName(c).localname for c in numbering_out if etree.QName(c).localname in ("abstractNum", "num")]
    assert kinds == sorted(kinds)


_MATH = ('<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
         '<m:r><m:t>x</m:t></m:r></m:oMath>')


def _fee(d: object, amount: str) -> None:
    p = d.add_paragraph("Fee:")  # type: ignore[attr-defined]
    p.add_run().add_tab()
    p.add_run(f"{amount} dollars a month, by the formula ")
    p._p.append(parse_xml(_MATH))
    p.add_run(".")


def test_in_an_edited_paragraph_tabs_and_an_equation_stay_once_outside_the_revisions() -> None:
    old, new = _document(1), _document(2)
    _fee(old, "ten")
    _fee(new, "twelve")
    root = _part(redline_docx(_saved(old), _saved(new)), "word/document.xml")
    [fee] = [p for p in root.iter(f"{W}p") if "Fee:" in "".join(t.text or "" for t in p.iter(f"{W}t"))]
    math = "{http://schemas.openxmlformats.org/officeDocument/2006/math}oMath"
    assert [etree.QName(c).localname for c in fee if c.tag != f"{W}pPr"] == ["r", "del", "ins", "r", "oMath", "r"]
    assert len(fee.findall(math)) == 1
    assert [t.text for t in fee.iter(f"{W}delText")] == ["ten"]
    assert [t.text for t in fee.findall(f"{W}ins/{W}r/{W}t")] == ["twelve"]
    tab_runs = [r for r in fee.findall(f"{W}r") if r.find(f"{W}tab") is not None]
    assert len(tab_runs) == 1 and "".join(t.text for t in tab_runs[0].iter(f"{W}t")) == "Fee:"  # kept, unrevised


def test_the_cover_page_is_a_titled_page_of_bordered_fixed_tables_one_per_group() -> None:
    from conftest import DATA
    from mou_builder.assembly import assemble
    from mou_builder.review.tracked_changes import Cover, render_redline
    from mou_builder.spec.loader import load_spec

    pair = DATA / "drafts" / "amount-changed"
    cover = Cover("Changes in this draft", "new compared with old",
                  (("Clause changes", (("6.1 Payment Schedule", "wording changed"),)),
                   ("Overall", (("Text", "4 lines changed"), ("Draft", "complete -> complete")))))
    data = render_redline(assemble(load_spec(pair / "old.yaml")), assemble(load_spec(pair / "new.yaml")), cover=cover)
    root = _part(data, "word/document.xml")
    body = root.find(f"{W}body")
    front = list(body)[: 2 + 2 * 2 + 1]  # title, subtitle, (heading, table) per group, the page break
    title, subtitle = front[0], front[1]
    assert [title.find(f"{W}pPr/{W}pStyle").get(f"{W}val"), subtitle.find(f"{W}pPr/{W}pStyle").get(f"{W}val")] == [
        "Title", "Subtitle"]
    assert [t.text for t in title.iter(f"{W}t")] == ["Changes in this draft"]
    assert title.find(f"{W}r/{W}rPr/{W}b") is None  # the template's Title style makes it stand out
    headings, tables = front[2:6:2], front[3:7:2]
    for heading, name in zip(headings, ["Clause changes", "Overall"]):
        assert [t.text for t in heading.iter(f"{W}t")] == [name]
        assert heading.find(f"{W}pPr/{W}keepNext") is not None  # never alone at the foot of a page
        spacing = heading.find(f"{W}pPr/{W}spacing")
        assert (spacing.get(f"{W}before"), spacing.get(f"{W}after")) == ("240", "80")
        assert heading.find(f"{W}r/{W}rPr/{W}b") is not None
    for table, rows in zip(tables, [1, 2]):
        props = table.find(f"{W}tblPr")
        assert props.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
        assert props.find(f"{W}tblW").get(f"{W}w") == "9360"
        borders = props.find(f"{W}tblBorders")
        assert [etree.QName(b).localname for b in borders] == ["top", "left", "bottom", "right", "insideH", "insideV"]
        assert {(b.get(f"{W}val"), b.get(f"{W}sz"), b.get(f"{W}color")) for b in borders} == {("single", "4", "999999")}
        assert [c.get(f"{W}w") for c in table.iter(f"{W}gridCol")] == ["3600", "5760"]
        assert len(table.findall(f"{W}tr")) == rows
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in table.findall(f"{W}tr"))
        assert [c.find(f"{W}tcPr/{W}tcW").get(f"{W}w") for c in table.find(f"{W}tr").findall(f"{W}tc")] == [
            "3600", "5760"]
    assert [b.get(f"{W}type") for b in front[-1].iter(f"{W}br")] == ["page"]
    assert not any(root.find(f".//{W}{kind}") is None for kind in ("ins", "del"))  # the agreement is still redlined
    assert all(e.find(f".//{W}ins") is None and e.find(f".//{W}del") is None for e in front)  # the cover is not


def test_an_inserted_section_break_keeps_its_section_and_the_body_keeps_one_closing_section() -> None:
    old, new = _document(1), _document(2)
    new.add_paragraph("An annex in a section of its own.")
    new.add_section()
    new.add_paragraph("Annex text.")
    redline = redline_docx(_saved(old), _saved(new))
    body = _part(redline, "word/document.xml").find(f"{W}body")
    breaking = [p for p in body.findall(f"{W}p") if p.find(f"{W}pPr/{W}sectPr") is not None]
    assert len(breaking) == 1
    # the paragraph mark is inserted: its mark comes first, and before the section properties
    assert [etree.QName(c).localname for c in breaking[0].find(f"{W}pPr")] == ["rPr", "sectPr"]
    assert breaking[0].find(f"{W}pPr/{W}rPr")[0].tag == f"{W}ins"
    assert [etree.QName(c).localname for c in body].count("sectPr") == 1 and body[-1].tag == f"{W}sectPr"
    assert accept_all(redline) == ["The partners shall meet each quarter.", "An annex in a section of its own.",
                                   "Annex text."]
    assert reject_all(redline) == ["The partners shall meet each quarter."]


def test_a_paragraph_added_inside_a_moved_clause_is_inserted_within_the_move() -> None:
    from conftest import DATA
    from docx_reading import as_word_shows
    from mou_builder.assembly import assemble
    from mou_builder.render.text import document_paragraphs
    from mou_builder.review.tracked_changes import render_redline
    from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec

    pair = DATA / "drafts" / "moved-and-edited"  # the duties clause moves, and is edited
    data, _ = read_spec_data(pair / "new.yaml")
    data["responsibilities"].append({"activity": "Host a family literacy night", "accountable": "mvcaa",
                                     "responsible": ["mvcaa"], "cadence": "each March"})
    old, new = assemble(load_spec(pair / "old.yaml")), assemble(validate_spec(data))
    redline = render_redline(old, new)
    assert accept_all(redline) == as_word_shows(document_paragraphs(new))
    assert reject_all(redline) == as_word_shows(document_paragraphs(old))
    root = _part(redline, "word/document.xml")
    order = list(root.iter())
    [added] = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
    assert "family literacy night" in "".join(t.text or "" for t in added.iter(f"{W}t"))
    starts = [order.index(e) for e in root.iter(f"{W}moveToRangeStart")]
    ends = [order.index(e) for e in root.iter(f"{W}moveToRangeEnd")]
    assert any(s < order.index(added) < e for s, e in zip(starts, ends))  # at the destination, inside its range


def test_an_inserted_or_deleted_row_is_marked_inside_its_own_row_properties() -> None:
    from conftest import DATA
    from mou_builder.assembly import assemble
    from mou_builder.review.tracked_changes import render_redline
    from mou_builder.spec.loader import load_spec

    pair = DATA / "drafts" / "party-added"
    old, new = assemble(load_spec(pair / "old.yaml")), assemble(load_spec(pair / "new.yaml"))
    for redline, mark in ((render_redline(old, new), "ins"), (render_redline(new, old), "del")):
        rows = list(_part(redline, "word/document.xml").iter(f"{W}tr"))
        assert all(len(r.findall(f"{W}trPr")) == 1 for r in rows)  # one set of properties a row, as Word requires
        marked = [r.find(f"{W}trPr") for r in rows if r.find(f"{W}trPr/{W}{mark}") is not None]
        assert len(marked) == 2
        # the row's own properties (kept together on a page) stay, with the mark last
        assert all([etree.QName(c).localname for c in p] == ["cantSplit", mark] for p in marked)


def test_a_deleted_item_of_a_list_both_files_have_stays_in_that_list() -> None:
    old, new = _document(1), _document(2)
    for d, items in ((old, ["Plan the visits.", "Share the calendars.", "Report each term."]),
                     (new, ["Plan the visits.", "Report each term."])):
        for item in items:
            _numbered(d, item, 1)  # list 1 of python-docx's template: the same list in both files
    before = len(new.part.numbering_part.element.findall(f"{W}num"))
    redline = redline_docx(_saved(old), _saved(new))
    [deleted] = _deleted_paragraphs(_part(redline, "word/document.xml"))
    assert "".join(t.text for t in deleted.iter(f"{W}delText")) == "Share the calendars."
    # numbered in the same list as its neighbours, so a reject puts it back as item 2 of 3
    assert deleted.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") == "1"
    assert len(_part(redline, "word/numbering.xml").findall(f"{W}num")) == before


def test_a_redline_of_two_specs_is_written_on_the_template_given(tmp_path: Path) -> None:
    from conftest import DATA
    from letterhead import MARGIN, letterhead_template
    from mou_builder.assembly import assemble
    from mou_builder.review.tracked_changes import render_redline
    from mou_builder.spec.loader import load_spec

    pair = DATA / "drafts" / "amount-changed"
    old, new = assemble(load_spec(pair / "old.yaml")), assemble(load_spec(pair / "new.yaml"))
    redline = render_redline(old, new, template=letterhead_template(tmp_path))
    package = zipfile.ZipFile(io.BytesIO(redline))
    headers = [n for n in package.namelist() if n.startswith("word/header")]
    assert any(b"Riverside Community Action Agency" in package.read(n) for n in headers)
    margins = _part(redline, "word/document.xml").find(f"{W}body/{W}sectPr/{W}pgMar")
    assert (margins.get(f"{W}left"), margins.get(f"{W}right")) == (str(MARGIN), str(MARGIN))
    assert _part(redline, "word/document.xml").find(f".//{W}ins") is not None


def test_a_deleted_paragraph_keeps_the_formatting_of_each_of_its_words() -> None:
    old, new = _document(1), _document(2)
    p = old.add_paragraph("The grant pays for ")
    p.add_run("staff time").bold = True
    p.add_run(" and ")
    p.add_run("supplies").italic = True
    p.add_run(".")
    [deleted] = _deleted_paragraphs(_part(redline_docx(_saved(old), _saved(new)), "word/document.xml"))
    runs = [("".join(t.text for t in r.iter(f"{W}delText")),
             r.find(f"{W}rPr/{W}b") is not None, r.find(f"{W}rPr/{W}i") is not None)
            for r in deleted.iter(f"{W}r")]
    assert runs == [("The grant pays for ", False, False), ("staff time", True, False), (" and ", False, False),
                    ("supplies", False, True), (".", False, False)]


def test_neighbouring_paragraphs_that_move_together_are_one_move() -> None:
    from generic_docx import TWELVE, _plain

    old = _plain(TWELVE, day=1)
    new = _plain(TWELVE[:3] + TWELVE[5:] + TWELVE[3:5], day=2)  # paragraphs 4 and 5 go to the end, together
    redline = redline_docx(_saved(old), _saved(new))
    root = _part(redline, "word/document.xml")
    assert [e.get(f"{W}name") for e in root.iter(f"{W}moveFromRangeStart")] == ["mou_move_1"]
    assert [e.get(f"{W}name") for e in root.iter(f"{W}moveToRangeStart")] == ["mou_move_1"]
    assert accept_all(redline) == TWELVE[:3] + TWELVE[5:] + TWELVE[3:5] and reject_all(redline) == TWELVE


def test_the_same_words_in_another_paragraph_style_are_deleted_and_inserted() -> None:
    old, new = _document(1), _document(2)
    old.add_paragraph("Services", style="Heading 1")
    new.add_paragraph("Services")  # no longer a heading: Word has no tracked change of a style alone here
    root = _part(redline_docx(_saved(old), _saved(new)), "word/document.xml")
    [deleted] = _deleted_paragraphs(root)
    assert deleted.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Heading1"
    [inserted] = [p for p in root.iter(f"{W}p") if p.find(f"{W}ins") is not None]
    assert inserted.find(f"{W}pPr/{W}pStyle") is None
    assert [t.text for t in inserted.iter(f"{W}t")] == ["Services"]


def test_bold_taken_off_a_word_is_a_formatting_change_that_a_reject_restores() -> None:
    old, new = _document(1), _document(2)
    for d, bold in ((old, True), (new, False)):
        p = d.add_paragraph("Pay the ")
        run = p.add_run("full")
        if bold:
            run.bold = True  # otherwise the run has no properties of its own (no w:rPr)
        p.add_run(" amount.")
    root = _part(redline_docx(_saved(old), _saved(new)), "word/document.xml")
    [change] = list(root.iter(f"{W}rPrChange"))
    run = change.getparent().getparent()
    assert [t.text for t in run.iter(f"{W}t")] == ["full"]
    assert change.getparent().tag == f"{W}rPr" and run.find(f"{W}rPr") is change.getparent()
    assert [etree.QName(c).localname for c in change.getparent()] == ["rPrChange"]  # now: no formatting at all
    assert change.find(f"{W}rPr/{W}b") is not None  # before: bold, which a reject restores


def test_a_header_reference_to_a_part_that_is_not_a_header_is_left_alone() -> None:
    from generic_docx import PIXEL

    old, new = _document(1), _document(2)
    new.add_paragraph("More.")
    rid, _ = new.part.get_or_add_image(io.BytesIO(PIXEL))  # a damaged file: the header points at a picture
    new.element.body.find(f"{W}sectPr").insert(0, parse_xml(
        f'<w:headerReference {_WNS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        f'w:type="default" r:id="{rid}"/>'))
    redline = redline_docx(_saved(old), _saved(new))
    assert accept_all(redline) == ["The partners shall meet each quarter.", "More."]
    assert reject_all(redline) == ["The partners shall meet each quarter."]
