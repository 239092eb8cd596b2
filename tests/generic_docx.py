"""Drafts written with python-docx, not mou-builder: the generic .docx case.

They hold what real Word files hold and a redline must survive: direct
formatting, a hyperlink, bullet and numbered lists, a table, a field, a
picture, a bookmark, and tracked changes already in the old file
(:func:`draft`); and :data:`CORPUS`, small pairs each made to show one
defect the redline once had (moves with edits, tracked merges, a header
change, a formatting change, numbers).
"""

from __future__ import annotations

import base64
import io

import docx
from docx.oxml import parse_xml
from docx.shared import Inches

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
# A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _hyperlink(paragraph: object, text: str, url: str) -> None:
    part = paragraph.part  # type: ignore[attr-defined]
    rid = part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                         is_external=True)
    paragraph._p.append(parse_xml(  # type: ignore[attr-defined]
        f'<w:hyperlink {W} {R} r:id="{rid}"><w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>{text}</w:t></w:r></w:hyperlink>'
    ))


def _field(paragraph: object, instruction: str, result: str) -> None:
    for xml in (
        f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {W}><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r {W}><w:t>{result}</w:t></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml))  # type: ignore[attr-defined]


def draft(version: int) -> bytes:
    """Draft 1 (old) or draft 2 (new) of the agreement."""
    d = docx.Document()
    d.core_properties.modified = __import__("datetime").datetime(2026, 10, version, 12, 0)
    d.add_heading("Memorandum of Understanding", 0)
    p = d.add_paragraph("This agreement is between the ")
    p.add_run("City Library" if version == 2 else "Library").bold = True
    p.add_run(" and the School District." if version == 2 else " and the School.")
    p = d.add_paragraph("Details are published at ")
    _hyperlink(p, "the library's website", "https://library.example/mou")
    p.add_run(".")
    d.add_heading("1. Services", 1)
    for item in (["Share space", "Share trained staff", "Share books"] if version == 2 else ["Share space", "Share staff"]):
        d.add_paragraph(item, style="List Bullet")
    p = d.add_paragraph("Hours are set out in the table below and in ")
    _field(p, "REF _Ref_hours \\h", "Section 2")
    p.add_run(".")
    rows = [("Name", "Role", "Hours"), ("Ana Ruiz", "Librarian", "10"), ("Ben Okafor", "Teacher", "5")]
    if version == 2:
        rows[2] = ("Ben Okafor", "Lead teacher", "5")
        rows.append(("Chloé Martin", "Volunteer & tutor", "2"))
    table = d.add_table(rows=0, cols=3)
    table.style = "Table Grid"
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            cell.text = text
    d.add_heading("2. Term", 1)
    d.add_paragraph("The agreement runs for one year from signature.")
    if version == 1:
        d.add_paragraph("Either party may end it with 30 days' notice.")
        p = d.add_paragraph("Reviewed ")
        # a tracked change already in the old file: 'quarterly' was inserted, 'yearly' deleted
        p._p.append(parse_xml(f'<w:ins {W} w:id="901" w:author="Ana"><w:r><w:t>quarterly</w:t></w:r></w:ins>'))
        p._p.append(parse_xml(f'<w:del {W} w:id="902" w:author="Ana"><w:r><w:delText>yearly</w:delText></w:r></w:del>'))
        p.add_run(" by both parties.")
    else:
        d.add_paragraph("Reviewed quarterly by both parties, with a report to the board.")
        d.add_paragraph("Insurance: each party keeps its own liability cover <$1M> — see “Annex A”.")
    p = d.add_paragraph("Logo: ")
    p.add_run().add_picture(io.BytesIO(PIXEL), width=Inches(0.3))
    p._p.insert(1, parse_xml(f'<w:bookmarkStart {W} w:id="0" w:name="logo"/>'))
    p._p.append(parse_xml(f'<w:bookmarkEnd {W} w:id="0"/>'))
    d.add_paragraph("Signed for the parties.", style="List Number")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- a corpus of pairs, one defect each

def _saved(d: object) -> bytes:
    out = io.BytesIO()
    d.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def _plain(paragraphs: list[str], header: str | None = None, day: int = 1) -> object:
    d = docx.Document()
    d.core_properties.modified = __import__("datetime").datetime(2026, 10, day, 12, 0)
    if header is not None:
        d.sections[0].header.paragraphs[0].text = header
    for text in paragraphs:
        d.add_paragraph(text)
    return d


_NAMES = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".split()
#: Twelve paragraphs, as in issue 13.
TWELVE = [f"Clause {k}: the {_NAMES[k]} partner shall report on {_NAMES[k + 1]} matters each quarter." for k in range(12)]


def moved_with_edits() -> tuple[bytes, bytes]:
    """Every third paragraph edited by one word, two unedited ones moved to the end: 4 changed, 2 moved."""
    new = [p.replace("shall", "must") if k % 3 == 0 else p for k, p in enumerate(TWELVE)]
    new = [p for k, p in enumerate(new) if k not in (1, 2)] + [new[1], new[2]]
    return _saved(_plain(TWELVE)), _saved(_plain(new, day=2))


def moved_and_edited() -> tuple[bytes, bytes]:
    """Two edited paragraphs (3 and 6) moved to the end: 4 changed (2 of them moved), nothing added or removed."""
    new = [p.replace("shall", "must") if k % 3 == 0 else p for k, p in enumerate(TWELVE)]
    new = [p for k, p in enumerate(new) if k not in (3, 6)] + [new[3], new[6]]
    return _saved(_plain(TWELVE)), _saved(_plain(new, day=2))


def _merged(paragraphs: list[str], at: int, day: int) -> bytes:
    """``paragraphs`` with a tracked merge: the mark of paragraph ``at`` deleted (it joins the next one)."""
    d = _plain(paragraphs, day=day)
    p = d.paragraphs[at]._p  # type: ignore[attr-defined]
    p.insert(0, parse_xml(f'<w:pPr {W}><w:rPr><w:del w:id="801" w:author="Counsel" '
                          'w:date="2026-10-01T00:00:00Z"/></w:rPr></w:pPr>'))
    return _saved(d)


def tracked_merge() -> tuple[bytes, bytes]:
    """NEW holds a tracked merge of paragraphs 4 and 5 (as its reader sees it: one paragraph); OLD has them apart."""
    return _saved(_plain(TWELVE)), _merged([*TWELVE[:5], " " + TWELVE[5], *TWELVE[6:]], 4, day=2)


def tracked_merge_in_old() -> tuple[bytes, bytes]:
    """OLD holds the same merge, which its author saw accepted; NEW has the two paragraphs joined: no change."""
    joined = [*TWELVE[:4], TWELVE[4] + " " + TWELVE[5], *TWELVE[6:]]
    return _merged([*TWELVE[:5], " " + TWELVE[5], *TWELVE[6:]], 4, day=1), _saved(_plain(joined, day=2))


def header_changed() -> tuple[bytes, bytes]:
    """The draft number in the header: 'Draft 2' -> 'Draft 3'; its page-number line and the body are the same."""
    drafts = []
    for version in (2, 3):
        d = _plain(TWELVE[:3], header=f"City and Library MOU, Draft {version}", day=version - 1)
        page = d.sections[0].header.add_paragraph("Page ")  # type: ignore[attr-defined]
        _field(page, "PAGE", "1")
        drafts.append(_saved(d))
    return drafts[0], drafts[1]


def formatting_changed() -> tuple[bytes, bytes]:
    """The same words, one made bold and one underlined: 2 lines with formatting changed, no text change."""
    drafts = []
    for version in (1, 2):
        d = _plain(TWELVE[:2], day=version)
        p = d.add_paragraph("Payment is due within ")  # type: ignore[attr-defined]
        p.add_run("thirty days").bold = version == 2
        p.add_run(" of an invoice.")
        p = d.add_paragraph("Notices go to ")  # type: ignore[attr-defined]
        p.add_run("the Grants Office").underline = version == 2
        p.add_run(".")
        drafts.append(_saved(d))
    return drafts[0], drafts[1]


def numbers_changed() -> tuple[bytes, bytes]:
    """An amount and a date change: each is replaced as one word."""
    text = "The City pays USD {} by {} at 10:30."
    return (_saved(_plain([TWELVE[0], text.format("1,725.50", "2026-11-02")])),
            _saved(_plain([TWELVE[0], text.format("7,750.00", "2026-12-01")], day=2)))


def with_footnotes(d: object, notes: dict[int, str], first_id: int = 2, kind: str = "footnote") -> object:
    """``d`` with a footnote (an endnote: ``kind``) at the end of paragraph k for each ``k: text``.

    python-docx has no footnote API. The notes part is written as Word writes it: two separators, then
    each note starting with its mark; ids from ``first_id`` (LibreOffice
    numbers them from 2, Word from 1), so two drafts can differ in ids only.
    """
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    body = [f'<w:{kind} w:type="{sep}" w:id="{k}"><w:p><w:r><w:{sep}/></w:r></w:p></w:{kind}>'
            for k, sep in enumerate(("separator", "continuationSeparator"), start=first_id - 2)]
    paragraphs = d.paragraphs  # type: ignore[attr-defined]
    for offset, (k, text) in enumerate(sorted(notes.items())):
        note_id = first_id + offset
        paragraphs[k]._p.append(parse_xml(
            f'<w:r {W}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:{kind}Reference w:id="{note_id}"/></w:r>'))
        body.append(f'<w:{kind} w:id="{note_id}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    f'<w:{kind}Ref/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:{kind}>')
    blob = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{kind}s {W}>{"".join(body)}</w:{kind}s>'
    main = d.part  # type: ignore[attr-defined]
    part = Part(PackURI(f"/word/{kind}s.xml"),
                f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml", blob.encode(), main.package)
    main.relate_to(part, f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}s")
    return d


#: The footnotes of :func:`footnotes_changed`, by paragraph: the old draft's, and the new one's.
OLD_NOTES = {0: "See the City's budget for 2026.", 2: "Thirty days from the date of the invoice.",
             3: "Paid by the Grants Office."}
NEW_NOTES = {0: "See the City's budget for 2026.", 1: "As defined in Section 1.",
             2: "Forty-five days from the date of the invoice."}


def footnotes_changed() -> tuple[bytes, bytes]:
    """Footnotes only: one kept, one added before the others, one edited (now footnote 3), one removed.

    The body's words are the same; the two files number their notes' ids differently.
    """
    return (_saved(with_footnotes(_plain(TWELVE[:4]), OLD_NOTES)),
            _saved(with_footnotes(_plain(TWELVE[:4], day=2), NEW_NOTES, first_id=1)))


def footnote_moved() -> tuple[bytes, bytes]:
    """A paragraph with a footnote moved to the end, its note edited; another note stays: 1 moved, footnote 2 changed."""
    moved = [TWELVE[k] for k in (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1)]
    return (_saved(with_footnotes(_plain(TWELVE[:11]), {1: "Moved note.", 4: "Stays."})),
            _saved(with_footnotes(_plain(moved, day=2), {10: "Moved note, edited.", 3: "Stays."})))


#: Each pair of the corpus, by name.
CORPUS = {f.__name__: f for f in (moved_with_edits, moved_and_edited, tracked_merge, tracked_merge_in_old,
                                  header_changed, formatting_changed, numbers_changed, footnotes_changed,
                                  footnote_moved)}
