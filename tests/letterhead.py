"""A letterhead template as an organisation would make one from the default: its font, a header line, wider margins."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Inches

from conftest import ROOT

LETTERHEAD_FONT = "DejaVu Sans"
MARGIN = 1800  # 1.25 in, in twips


def letterhead_template(folder: Path) -> Path:
    """The default template restyled with python-docx: body font, a header line, 1.25 in side margins."""
    doc = Document(str(ROOT / "templates" / "default.docx"))
    doc.styles["Normal"].font.name = LETTERHEAD_FONT
    section = doc.sections[0]
    section.left_margin = section.right_margin = Inches(1.25)
    first = section.header._element[0]  # the header's first block (the default's is a table)
    line = section.header.add_paragraph("Riverside Community Action Agency · 12 Main St", style="Header")
    first.addprevious(line._p)
    path = folder / "letterhead.docx"
    doc.save(str(path))
    return path
