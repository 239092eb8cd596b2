"""Two drafts of an agreement written with python-docx, not mou-builder: the generic .docx case.

They hold what real Word files hold and a redline must survive: direct
formatting, a hyperlink, bullet and numbered lists, a table, a field, a
picture, a bookmark, and tracked changes already in the old file.
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
