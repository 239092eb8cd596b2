"""The floor: a bare python-docx script that writes the same document as mou-builder.

``docx_content`` walks a .docx mou-builder wrote (its body's paragraphs and
tables in order, with their style names and text) into plain data, once and
outside any timing. ``write_floor`` writes that content again with
python-docx's ordinary API: the same number of paragraphs and tables, the
same style names (any the blank python-docx document lacks are added), the
same text; and no spec, clauses, checks, template, numbering, bookmarks or
determinism.

As a command it is the end-to-end floor, a process that imports nothing of
mou-builder::

    python benchmarks/floor.py CONTENT.json OUT.docx
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE

Content = list[list[Any]]  # ["p", style, text] or ["table", style, [[cell text, ...], ...]], in body order


def docx_content(path: str | Path) -> Content:
    """A .docx body as plain (kind, style name, data) items, in document order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    word = docx.Document(str(path))
    items: Content = []
    for block in word.iter_inner_content():
        style = block.style.name if block.style is not None else "Normal"
        if isinstance(block, Paragraph):
            items.append(["p", style, block.text])
        elif isinstance(block, Table):
            items.append(["table", style, [[cell.text for cell in row.cells] for row in block.rows]])
    return items


def write_floor(items: Content) -> bytes:
    """Write the items with python-docx, the way its documentation shows."""
    doc = docx.Document()
    known = {style.name for style in doc.styles}
    for kind, style, _ in items:
        if style not in known:  # mou-builder's own styles (MOU Table Text, ...): the same names here
            doc.styles.add_style(style, WD_STYLE_TYPE.TABLE if kind == "table" else WD_STYLE_TYPE.PARAGRAPH)
            known.add(style)
    for kind, style, data in items:
        if kind == "p":
            doc.add_paragraph(data, style=style)
            continue
        table = doc.add_table(rows=1, cols=max(map(len, data)))
        table.style = style
        for cell, text in zip(table.rows[0].cells, data[0]):
            cell.text = text
        for row in data[1:]:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main(argv: list[str]) -> None:
    """Read CONTENT.json, write OUT.docx: the end-to-end floor."""
    content, output = argv
    Path(output).write_bytes(write_floor(json.loads(Path(content).read_text(encoding="utf-8"))))


if __name__ == "__main__":
    main(sys.argv[1:])
