"""The small markup of clause bodies, turned into document blocks.

- Paragraphs are separated by blank lines.
- ``- item`` lines make a bulleted list, ``1. item`` lines a numbered one,
  ``(a) item`` lines a lettered one (the letters are the renderer's, in order).
- ``**strong**`` and ``*emphasis*``.
- ``[[clause.id]]`` refers to another clause (``[[section_key]]`` to a section) and
  shows its number and title: "Section 9.1 (Personal Data)".
- ``[[exhibit.id]]`` refers to an exhibit: "Exhibit A (Budget)"; it is the one
  reference that also counts inside a value from the spec (a responsibility's
  details may say "as set out in [[exhibit.budget]]").
- ``[table: name]`` alone in a paragraph places a table built from data;
  ``[signatures]`` places the signature blocks.
- In an exhibit (``tables=True``), a paragraph of ``| a | b |`` lines is a table:
  the first line its header, a ``|---|---|`` line after it optional.

Values from the spec never pass through this parser as markup: the clause
renderer replaces each inserted value with a token (``\\x00N\\x00``) before
parsing, and the token becomes literal text here. A party named ``*Acme*``
or ``[[x]]`` is printed as it is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mou_builder.document import Inline, ListBlock, Paragraph, Ref, Span, Table

TOKEN = "\x00"
_TOKEN_RE = re.compile("\x00([0-9]+)\x00")
_INLINE_RE = re.compile(r"(\*\*|\*|\[\[[a-z0-9_.-]+\]\]|\x00[0-9]+\x00)")
_BULLET_RE = re.compile(r"^- +(.*)$")
_NUMBER_RE = re.compile(r"^[0-9]+\. +(.*)$")
_LETTER_RE = re.compile(r"^\([a-z]{1,3}\) +(.*)$")
_ITEMS = (("bullet", _BULLET_RE), ("number", _NUMBER_RE), ("letter", _LETTER_RE))
_DIRECTIVE_RE = re.compile(r"^\[(table: *([a-z_]+)|signatures)\]$")
REF_RE = re.compile(r"\[\[([a-z0-9_.-]+)\]\]")
#: A reference to an exhibit inside a value from the spec (split out of the value's literal text).
_VALUE_REF_RE = re.compile(r"(\[\[exhibit\.[a-z0-9_-]+\]\])")
_RULE_CELL_RE = re.compile(r"^:?-{3,}:?$")
#: A table cell holding an amount, a count or a percentage: its column is right-aligned.
_AMOUNT_CELL_RE = re.compile(r"^[^\s0-9]{0,3} ?-?[0-9][0-9,.' ]*%?$")


class MarkupError(ValueError):
    """Markup that cannot be parsed (unbalanced emphasis, unknown directive)."""


@dataclass(frozen=True)
class Directive:
    """A placeholder for data-built content: a table or the signature blocks."""

    name: str  # a table name, or 'signatures'


ParsedBlock = Paragraph | ListBlock | Directive | Table


def parse_blocks(
    text: str, values: list[str], resolve: Callable[[str], tuple[str, str]], *, trusted: bool = True,
    tables: bool = False,
) -> list[ParsedBlock]:
    """Parse rendered clause text into blocks (directives only in ``trusted`` text; pipe tables with ``tables``).

    ``values`` are the literal strings the tokens stand for; ``resolve``
    gives the number and title of a referenced clause, section or exhibit (or raises).
    """
    blocks: list[ParsedBlock] = []
    for chunk in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if trusted and len(lines) == 1 and (d := _DIRECTIVE_RE.match(lines[0])):
            blocks.append(Directive(d.group(2) or "signatures"))
            continue
        if tables and all(line.startswith("|") for line in lines):
            blocks.append(_pipe_table(lines, values, resolve))
            continue
        blocks.extend(_chunk_blocks(lines, values, resolve, trusted))
    return blocks


def _pipe_table(lines: list[str], values: list[str], resolve: Callable[[str], tuple[str, str]]) -> Table:
    """``| a | b |`` lines as a table: the first line is the header; a ``|---|`` line after it is skipped.

    Cells are plain text (references resolved; emphasis markers dropped, as a
    table cell here has one style); a short row is filled with empty cells,
    and a column of amounts is right-aligned.
    """
    raw = [[cell.strip() for cell in (line[1:-1] if line.endswith("|") and len(line) > 1 else line[1:]).split("|")]
           for line in lines]
    if len(raw) > 1 and all(_RULE_CELL_RE.match(cell.replace(" ", "")) for cell in raw[1]):
        del raw[1]
    width = max(len(row) for row in raw)
    rows = [tuple(_plain_text(c, values, resolve) for c in row + [""] * (width - len(row))) for row in raw]
    return text_table(rows[0], rows[1:])


def text_table(header: tuple[str, ...], body: list[tuple[str, ...]]) -> Table:
    """A table of text from an exhibit; a column (after the first) of amounts only is right-aligned."""
    numeric = frozenset(
        i for i in range(1, len(header))
        if any(row[i] for row in body) and all(_AMOUNT_CELL_RE.match(row[i]) for row in body if row[i])
    )
    return Table("exhibit", header, tuple(body), numeric=numeric)


def _plain_text(text: str, values: list[str], resolve: Callable[[str], tuple[str, str]]) -> str:
    """A table cell's text: tokens back to their values, references as their words."""
    return "".join(i.text for i in parse_inline(text, values, resolve, trusted=False))


def _chunk_blocks(
    lines: list[str], values: list[str], resolve: Callable[[str], tuple[str, str]], trusted: bool
) -> list[ParsedBlock]:
    out: list[ParsedBlock] = []
    prose: list[str] = []
    items: list[list[str]] = []
    kind: str | None = None  # "bullet", "number" or "letter"

    def flush_prose() -> None:
        if prose:
            inlines = parse_inline(" ".join(prose), values, resolve, trusted=trusted)
            if inlines:
                out.append(Paragraph(inlines))
            prose.clear()

    def flush_list() -> None:
        nonlocal kind
        if items:
            parsed = tuple(parse_inline(" ".join(item), values, resolve, trusted=trusted) for item in items)
            out.append(ListBlock(kind != "bullet", tuple(p for p in parsed if p), lettered=kind == "letter"))
            items.clear()
        kind = None

    for line in lines:
        item = next(((name, m) for name, pattern in _ITEMS if (m := pattern.match(line))), None)
        if item:
            flush_prose()
            if kind is not None and kind != item[0]:
                flush_list()
            kind = item[0]
            items.append([item[1].group(1)])
        elif items:
            items[-1].append(line)  # a continuation line of the last item
        else:
            prose.append(line)
    flush_prose()
    flush_list()
    return out


def parse_inline(
    text: str, values: list[str], resolve: Callable[[str], tuple[str, str]], *, trusted: bool = True
) -> tuple[Inline, ...]:
    """Parse emphasis, references and value tokens in one paragraph's text.

    In ``trusted`` text (the clause library) an emphasis marker without its
    partner is an error; in text written in a spec the last unmatched marker
    of each kind is kept as literal text.
    """
    pieces = [p for p in _INLINE_RE.split(text) if p]
    literal: set[int] = set()
    if not trusted:
        for marker in ("**", "*"):
            places = [i for i, p in enumerate(pieces) if p == marker]
            if len(places) % 2:
                literal.add(places[-1])
    bold = italic = False
    out: list[Inline] = []
    for index, piece in enumerate(pieces):
        if index in literal:
            out.append(Span(piece, bold, italic))
        elif piece == "**":
            bold = not bold
        elif piece == "*":
            italic = not italic
        elif piece.startswith("[[") and piece.endswith("]]"):
            out.extend(_reference(piece[2:-2], resolve, bold, italic))
        elif token := _TOKEN_RE.fullmatch(piece):
            value = values[int(token.group(1))]
            if "[[exhibit." in value:
                # A value from the spec stays literal text, except its references to exhibits.
                for part in _VALUE_REF_RE.split(value):
                    if _VALUE_REF_RE.fullmatch(part):
                        out.extend(_reference(part[2:-2], resolve, bold, italic))
                    elif part:
                        out.append(Span(part, bold, italic))
            elif value:
                out.append(Span(value, bold, italic))
        else:
            out.append(Span(piece, bold, italic))
    if bold or italic:
        raise MarkupError(f"unbalanced {'**' if bold else '*'} in: {_TOKEN_RE.sub('…', text)[:80]!r}")
    return _merge(out)


def _reference(target: str, resolve: Callable[[str], tuple[str, str]], bold: bool, italic: bool) -> list[Inline]:
    """'Section 9.1 (Personal Data)' or 'Exhibit A (Budget)': the number is a field, the title text."""
    number, title = resolve(target)
    # Cross-references by number and title (DRAFTING.md, rule 6).
    label = "Exhibit" if target.startswith("exhibit.") else "Section"
    return [Ref(target, number, bold, italic, label), Span(f" ({title})", bold, italic)]


def _merge(inlines: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring spans of the same style, and trim the paragraph's ends."""
    merged: list[Inline] = []
    for item in inlines:
        last = merged[-1] if merged else None
        if isinstance(item, Span) and isinstance(last, Span) and (last.bold, last.italic) == (item.bold, item.italic):
            merged[-1] = Span(last.text + item.text, item.bold, item.italic)
        else:
            merged.append(item)
    if merged and isinstance(merged[0], Span):
        merged[0] = Span(merged[0].text.lstrip(" "), merged[0].bold, merged[0].italic)
    if merged and isinstance(merged[-1], Span):
        merged[-1] = Span(merged[-1].text.rstrip(" "), merged[-1].bold, merged[-1].italic)
    return tuple(i for i in merged if not (isinstance(i, Span) and not i.text))
