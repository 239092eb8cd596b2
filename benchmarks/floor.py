"""The floor for the in-process benchmark: a bare python-docx script.

It writes the same headings, paragraphs, lists and tables as an assembled
agreement, with python-docx's ordinary API, and no spec, clauses, checks,
template, numbering, bookmarks or determinism. ``content_of`` extracts that
content from an assembled document once, outside the timing.
"""

from __future__ import annotations

import io
from typing import Any

import docx

from mou_builder.document import Document, ListBlock, Paragraph, Signatures, Table
from mou_builder.text_render import signature_lines, title_lines


def content_of(document: Document) -> list[tuple[str, Any]]:
    """The document as plain (kind, data) items."""
    items: list[tuple[str, Any]] = [("title", document.title.title)]
    items += [("para", line) for line in title_lines(document.title)]
    for section in document.sections:
        items.append(("h1", section.title))
        for clause in section.clauses:
            items.append(("h2", clause.title))
            for block in clause.blocks:
                if isinstance(block, Paragraph):
                    items.append(("para", block.text))
                elif isinstance(block, ListBlock):
                    style = "List Number" if block.ordered else "List Bullet"
                    items += [(style, "".join(i.text for i in item)) for item in block.items]
                elif isinstance(block, Table):
                    items.append(("table", [list(block.header), *map(list, block.rows), *map(list, block.totals)]))
                elif isinstance(block, Signatures):
                    items += [("para", line) for sig in block.blocks for line in signature_lines(sig)]
    return items


def write_floor(items: list[tuple[str, Any]]) -> bytes:
    """Write the items with python-docx, the way its documentation shows."""
    doc = docx.Document()
    for kind, data in items:
        if kind == "title":
            doc.add_heading(data, 0)
        elif kind == "h1":
            doc.add_heading(data, 1)
        elif kind == "h2":
            doc.add_heading(data, 2)
        elif kind == "para":
            doc.add_paragraph(data)
        elif kind == "table":
            table = doc.add_table(rows=1, cols=len(data[0]))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, data[0]):
                cell.text = text
            for row in data[1:]:
                for cell, text in zip(table.add_row().cells, row):
                    cell.text = text
        else:
            doc.add_paragraph(data, style=kind)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
