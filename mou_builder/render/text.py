"""Text renderings of an assembled document: Markdown and plain text.

These are what reviewers keep under version control and what the golden
tests compare. :func:`document_paragraphs` is the document's text as a list
of paragraphs; every renderer (Markdown, plain text, Word) shows exactly
these paragraphs, which the tests check.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence

from mou_builder.document import (
    SIGNATURE_LINE, Block, Document, Inline, letter, ListBlock, Paragraph, Ref, Section, SignatureBlock, Signatures, Table, TitleBlock,
)

def document_paragraphs(doc: Document) -> list[str]:
    """The document's text, paragraph by paragraph (headings without their numbers; table cells in row order)."""
    return list(_document_texts(doc, block_paragraphs))


def document_lines(doc: Document) -> list[str]:
    """The document's text as lines for comparing drafts: paragraphs, and each table row as one line.

    A row's cells are joined by `` | `` (a cell's own paragraphs by line
    breaks), as a .docx file's rows read by ``review.word_input.text_lines``; rows
    and paragraphs without text are left out.
    """
    return [line for line in _document_texts(doc, _block_lines) if line]


def _document_texts(doc: Document, texts: Callable[[Block], Iterable[str]]) -> Iterator[str]:
    yield doc.title.title
    yield from doc.title.lines
    for section in doc.sections:
        yield section.title
        if section.missing:
            yield section.missing_text
        for clause in section.clauses:
            yield clause.title
            for block in clause.blocks:
                yield from texts(block)
    for exhibit in doc.exhibits:
        yield exhibit.heading
        yield exhibit.title
        for block in exhibit.blocks:
            yield from texts(block)


def _block_lines(block: Block) -> Iterator[str]:
    if isinstance(block, Table):
        for row in (block.header, *block.rows, *block.totals):
            yield _row_line(row)
    elif isinstance(block, Signatures):
        # two signature blocks to a row, as in Word
        cells = ["\n".join(sig.lines) for sig in block.blocks]
        for start in range(0, len(cells), 2):
            yield _row_line((cells[start:start + 2] + [""])[:2])
    else:
        yield from block_paragraphs(block)


def _row_line(cells: Sequence[str]) -> str:
    return " | ".join(cells) if any(cells) else ""


def block_paragraphs(block: Block) -> Iterator[str]:
    """The paragraphs one block shows (list items and table cells each count as one)."""
    if isinstance(block, Paragraph):
        yield block.text
    elif isinstance(block, ListBlock):
        for item in block.items:
            yield "".join(i.text for i in item)
    elif isinstance(block, Table):
        for row in (block.header, *block.rows, *block.totals):
            yield from row
    elif isinstance(block, Signatures):
        for sig in block.blocks:
            yield from sig.lines


# ---------------------------------------------------------------- Markdown

# A run of three or more underscores (a signature line) is never emphasis,
# so it is left as it is; single and double underscores are escaped.
_MD_SPECIAL = re.compile(r"(_{3,})|([\\`*_\[\]<>#|~&])")


def md_escape(text: str) -> str:
    """Escape what Markdown would read as structure. Line breaks become hard breaks."""
    escaped = _MD_SPECIAL.sub(lambda m: m.group(1) or "\\" + m.group(2), text)
    return escaped.replace("\n", "\\\n")


# At the start of a line these would make a list, a quote or a heading underline.
_MD_LINE_START = re.compile(r"(^|\\\n)([-+>=]|[0-9]+(?=[.)]))", re.M)


def md_line(text: str) -> str:
    """Markdown for a paragraph's text: escaped, and safe at the start of each line."""
    return _MD_LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2).isdigit() else m.group(2) + "\\"), text)


def _md_inline(inlines: tuple[Inline, ...]) -> str:
    out = []
    for item in inlines:
        text = md_escape(item.text)
        if isinstance(item, Ref):
            text = f"[{text}](#{item.clause_id.replace('.', '-')})"
        if item.bold and item.italic:
            text = f"***{text}***"
        elif item.bold:
            text = f"**{text}**"
        elif item.italic:
            text = f"*{text}*"
        out.append(text)
    return "".join(out)


def _md_cell(text: str) -> str:
    return md_escape(text).replace("\\\n", "<br>")


def render_markdown(doc: Document) -> str:
    """The document as Markdown: numbered headings, lists, pipe tables."""
    out = [f"# {md_escape(doc.title.title)}", ""]
    for line in doc.title.lines:
        out += [md_line(md_escape(line)), ""]
    for section in doc.sections:
        out += [f"## {section.number}. {md_escape(section.title)} {{#{section.key}}}", ""]
        if section.missing:
            out += [f"> **{md_escape(section.missing_text)}**", ""]
        for clause in section.clauses:
            out += [f'### {clause.number} {md_escape(clause.title)} {{#{clause.id.replace(".", "-")}}}', ""]
            for block in clause.blocks:
                out += [*_md_block(block), ""]
    for exhibit in doc.exhibits:
        # After the signature page, each exhibit under its own heading (a rule marks the new page).
        out += ["---", "", f"## {exhibit.heading}: {md_escape(exhibit.title)} {{#exhibit-{exhibit.id}}}", ""]
        for block in exhibit.blocks:
            out += [*_md_block(block), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [md_line(_md_inline(block.inlines))]
    if isinstance(block, ListBlock):
        if block.lettered:  # Markdown has no lettered list: one paragraph per item, "(a) ..."
            lines: list[str] = []
            for n, item in enumerate(block.items):
                lines += [f"({letter(n)}) " + md_line(_md_inline(item)), ""]
            return lines[:-1]
        return [
            (f"{n}. " if block.ordered else "- ") + md_line(_md_inline(item))
            for n, item in enumerate(block.items, start=1)
        ]
    if isinstance(block, Table):
        lines = ["| " + " | ".join(_md_cell(h) for h in block.header) + " |"]
        lines.append("|" + "|".join("---:" if i in block.numeric else "---" for i in range(len(block.header))) + "|")
        for row in block.rows:
            lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        for row in block.totals:
            lines.append("| " + " | ".join(f"**{_md_cell(c)}**" if c else "" for c in row) + " |")
        return lines
    assert isinstance(block, Signatures)
    lines: list[str] = []
    for sig in block.blocks:
        # One paragraph per line, as in the Word file.
        sig_lines = sig.lines
        lines += [f"**{md_escape(sig_lines[0])}**", ""]
        for line in sig_lines[1:]:
            lines += [md_line(md_escape(line)), ""]
    return lines[:-1]


# ---------------------------------------------------------------- plain text

WIDTH = 78


def render_plain(doc: Document) -> str:
    """The document as plain text: one line per paragraph, tables drawn with text."""
    out = [doc.title.title.upper(), *doc.title.lines, ""]
    for section in doc.sections:
        out += [f"{section.number}. {section.title.upper()}", ""]
        if section.missing:
            out += [section.missing_text, ""]
        for clause in section.clauses:
            out += [f"{clause.number} {clause.title}", ""]
            for block in clause.blocks:
                out += [*_plain_block(block), ""]
    for exhibit in doc.exhibits:
        out += [f"{exhibit.heading.upper()}: {exhibit.title.upper()}", ""]
        for block in exhibit.blocks:
            out += [*_plain_block(block), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _marker(block: ListBlock, n: int) -> str:
    """The label of the n-th item (from 1): "- ", "3. " or "(c) "."""
    if block.lettered:
        return f"({letter(n - 1)}) "
    return f"{n}. " if block.ordered else "- "


def _plain_block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, ListBlock):
        return [
            _marker(block, n) + "".join(i.text for i in item).replace("\n", "\n   ")
            for n, item in enumerate(block.items, start=1)
        ]
    if isinstance(block, Table):
        return _text_table(block)
    assert isinstance(block, Signatures)
    lines: list[str] = []
    for sig in block.blocks:
        lines += [*sig.lines, ""]
    return lines[:-1]


def _text_table(table: Table) -> list[str]:
    weights = table.widths or tuple(1 for _ in table.header)
    room = WIDTH - 3 * (len(table.header) - 1)
    widths = [max(6, room * w // sum(weights)) for w in weights]

    def row_lines(cells: tuple[str, ...]) -> list[str]:
        wrapped = [
            [piece for para in cell.split("\n") for piece in (textwrap.wrap(para, width) or [""])]
            for cell, width in zip(cells, widths)
        ]
        height = max(len(w) for w in wrapped)
        lines = []
        for i in range(height):
            parts = []
            for col, (w, width) in enumerate(zip(wrapped, widths)):
                text = w[i] if i < len(w) else ""
                parts.append(text.rjust(width) if col in table.numeric else text.ljust(width))
            lines.append(" | ".join(parts).rstrip())
        return lines

    rule = "-+-".join("-" * w for w in widths)
    lines = [*row_lines(table.header), rule]
    for row in table.rows:
        lines += row_lines(row)
    if table.totals:
        lines.append(rule)
        for row in table.totals:
            lines += row_lines(row)
    return lines


def render_text(doc: Document, fmt: str = "md") -> str:
    """Render ``doc`` as Markdown (``md``) or plain text (``txt``)."""
    if fmt == "md":
        return render_markdown(doc)
    if fmt == "txt":
        return render_plain(doc)
    raise ValueError(f"format must be 'md' or 'txt', got {fmt!r}")
