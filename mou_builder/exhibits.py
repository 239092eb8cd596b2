"""Exhibits: documents attached after the signature page, as Exhibit A, B, ...

An exhibit's content is written in the spec (``text``, in the clause markup
with pipe tables) or read from a file beside the spec (``file``): a ``.md``
file in the same markup, or a ``.docx`` file whose body paragraphs, lists and
tables become the exhibit's blocks in the agreement's own styles. Every
renderer then prints the same blocks.

A ``.docx`` is read with the same safe reader as a draft given for comparison
(:func:`mou_builder.review.word_input.read_docx`: size, part and depth limits, no
macros, no entities). Pictures, charts and embedded objects are refused with
the reason: the agreement would silently lose them.

A file that cannot be used is a :class:`~mou_builder.errors.SpecError` located
at the spec's ``exhibits[i].file`` value, naming the file and what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mou_builder.document import Block, Exhibit, Inline, ListBlock, Paragraph, Span, Table
from mou_builder.errors import ClauseError, MouError, SpecError, SpecProblem
from mou_builder.files import NotRegularFile, read_regular
from mou_builder.library.markup import Directive, MarkupError, parse_blocks, text_table
from mou_builder.spec.loader import format_path
from mou_builder.spec.model import EXHIBIT_SUFFIXES, Spec, exhibit_letter, malformed_exhibit_reference
from mou_builder.spec.types import _XML_INVALID

#: Largest Markdown exhibit file: an exhibit is a few pages of text.
MAX_MARKDOWN_BYTES = 1024 * 1024
#: Most paragraphs, list items and table cells all exhibits together may hold: with the agreement's own, the
#: draft stays within what mou-builder reads back (``review.word_input.MAX_PARAGRAPHS``, for diff and review-edits),
#: and a 1 MB file of one-letter paragraphs or table cells cannot make a build take a minute and gigabytes.
MAX_EXHIBIT_PARAGRAPHS = 10_000
#: Most stretches of differently formatted text (bold, italic, plain; table cells count one each) all exhibits
#: together may hold: a file of 40,000 runs alternating bold and plain passed the paragraph count, and 30 such
#: exhibits took a minute and 2 GB to build. A real exhibit has a few hundred.
MAX_EXHIBIT_SPANS = 20_000
#: Most columns an exhibit table may have: Word's own limit (a wider table is squeezed past reading, or refused).
MAX_TABLE_COLUMNS = 63

Resolve = Callable[[str], tuple[str, str]]


class _FileProblem(MouError):
    """What is wrong with one exhibit file (turned into a located spec problem)."""


def exhibit_targets(spec: Spec) -> dict[str, tuple[str, str]]:
    """``exhibit.ID`` -> (letter, title), what ``[[exhibit.ID]]`` resolves to."""
    return {f"exhibit.{ex.id}": (exhibit_letter(i), ex.title) for i, ex in enumerate(spec.exhibits)}


def exhibit_names(spec: Spec) -> list[str]:
    """'Exhibit A (Budget)', one per exhibit in letter order: how the agreement names them."""
    return [f"Exhibit {exhibit_letter(i)} ({ex.title})" for i, ex in enumerate(spec.exhibits)]


def base_folder(spec: Spec) -> Path:
    """The folder exhibit files are relative to: the spec file's, or the working folder for a spec built in code."""
    if spec.source is not None and not str(spec.source.source).startswith("<"):
        return Path(spec.source.source).parent
    return Path.cwd()


def exhibit_files(spec: Spec) -> list[Path]:
    """The files the spec's exhibits are read from (an output must not overwrite one)."""
    folder = base_folder(spec)
    return [folder / ex.file for ex in spec.exhibits if ex.file is not None]


def build_exhibits(spec: Spec, targets: Resolve) -> tuple[Exhibit, ...]:
    """The spec's exhibits with their content, lettered in order. Raises SpecError for a file that cannot be used."""
    known = ", ".join(ex.id for ex in spec.exhibits)

    def checked(target: str) -> tuple[str, str]:
        try:
            return targets(target)
        except KeyError:
            listed = f" (exhibits: {known})" if target.startswith("exhibit.") else ""
            raise ClauseError(f"refers to [[{target}]], which is not in this document{listed}") from None

    out = []
    total = spans = 0

    def counted(blocks: tuple[Block, ...], i: int, field: str, name: str = "") -> None:
        nonlocal total, spans
        total += sum(1 for _ in _block_texts(list(blocks)))
        spans += _span_count(blocks)
        for count, most, what in ((total, MAX_EXHIBIT_PARAGRAPHS, "paragraphs, list items and table cells"),
                                  (spans, MAX_EXHIBIT_SPANS, "stretches of differently formatted text")):
            if count > most:
                raise SpecError([_problem(spec, ("exhibits", i, field), (
                    f"{name}the exhibits hold more than {most:,} {what} (counted up to this one), more than an "
                    "agreement's exhibits need: attach the document separately and list it under "
                    "incorporated_documents"))])

    for i, ex in enumerate(spec.exhibits):
        letter = exhibit_letter(i)
        if ex.file is None:
            assert ex.text is not None  # the model asks for text or file
            where = _where(spec, ("exhibits", i, "text"))
            blocks = _markup_blocks(ex.text, checked, where)
            counted(blocks, i, "text")
            out.append(Exhibit(ex.id, letter, ex.title, blocks, "spec", _sha256(ex.text.encode("utf-8"))))
            continue
        try:
            data, blocks = _file_blocks(base_folder(spec) / ex.file, checked)
            if spec.agreement.final:
                _no_placeholder(base_folder(spec) / ex.file, blocks)
        except (_FileProblem, ClauseError) as exc:
            raise SpecError([_problem(spec, ("exhibits", i, "file"), str(exc))]) from None
        counted(blocks, i, "file", f"{base_folder(spec) / ex.file}: ")
        out.append(Exhibit(ex.id, letter, ex.title, blocks, ex.file, _sha256(data)))
    return tuple(out)


def _no_placeholder(path: Path, blocks: tuple[Block, ...]) -> None:
    """Refuse a file exhibit of the execution copy that still holds a placeholder (the spec's own text is the model's)."""
    from mou_builder.spec.types import placeholders_in

    for text in _block_texts(list(blocks)):
        found = placeholders_in(text)
        if found:
            raise _FileProblem(f"{path}: agreement.final is true (the execution copy), but the file still holds the "
                               f"placeholder {found[0]}: fill it in, or set final: false while the draft is a template")


def _where(spec: Spec, loc: tuple[str | int, ...]) -> str:
    if spec.source is None:
        return format_path(loc)
    line, column = spec.source.locate(loc)
    return f"{spec.source.source}:{line}:{column}: {format_path(loc)}"


def _problem(spec: Spec, loc: tuple[str | int, ...], message: str) -> SpecProblem:
    if spec.source is None:
        return SpecProblem("<spec>", None, None, format_path(loc), message)
    line, column = spec.source.locate(loc)
    return SpecProblem(str(spec.source.source), line, column, format_path(loc), message)


def _markup_blocks(text: str, resolve: Resolve, where: str) -> tuple[Block, ...]:
    """Exhibit text in the clause markup: paragraphs, lists, emphasis, references and pipe tables."""

    try:
        parsed = parse_blocks(text, [], resolve, trusted=False, tables=True)
    except ClauseError as exc:
        raise ClauseError(f"{where}: {exc}") from None
    except MarkupError as exc:  # pragma: no cover - text written in a spec is forgiving
        raise ClauseError(f"{where}: {exc}") from None
    blocks = tuple(b for b in parsed if not isinstance(b, Directive))
    if not blocks:
        raise ClauseError(f"{where}: the exhibit has no text")
    wide = _too_wide(blocks)
    if wide:
        raise ClauseError(f"{where}: {wide}")
    return blocks


def _too_wide(blocks: tuple[Block, ...]) -> str | None:
    """Why a table among ``blocks`` cannot be printed (more columns than Word allows), or None."""
    for n, table in enumerate((b for b in blocks if isinstance(b, Table)), start=1):
        if len(table.header) > MAX_TABLE_COLUMNS:
            return (f"table {n} of the exhibit has {len(table.header):,} columns; a Word table has at most "
                    f"{MAX_TABLE_COLUMNS}: split it, or turn it so that the many items are rows")
    return None


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _file_blocks(path: Path, resolve: Resolve) -> tuple[bytes, tuple[Block, ...]]:
    """The file's bytes (for its hash) and its content as blocks."""
    suffix = path.suffix.lower()
    if suffix not in EXHIBIT_SUFFIXES:  # the model refuses these first; a guard for specs built otherwise
        raise _FileProblem(f"{path}: an exhibit file is a .md or a .docx file, not {suffix or 'one without extension'}")
    if suffix == ".md":
        data = _read(path, MAX_MARKDOWN_BYTES)
        return data, _markdown_file(path, data, resolve)
    from mou_builder.review.word_input import MAX_FILE_BYTES

    data = _read(path, MAX_FILE_BYTES)
    return data, _docx_file(path, data)


def _read(path: Path, limit: int) -> bytes:
    try:
        data = read_regular(path, limit)
    except FileNotFoundError:
        raise _FileProblem(f"{path}: no such file (the path is relative to the spec's folder)") from None
    except IsADirectoryError:
        raise _FileProblem(f"{path}: a folder, not a file") from None
    except NotRegularFile:
        raise _FileProblem(f"{path}: not a regular file") from None
    except OSError as exc:
        raise _FileProblem(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise _FileProblem(f"{path}: larger than {limit // 1024:,} KB, more than an exhibit needs")
    return data


def _markdown_file(path: Path, data: bytes, resolve: Resolve) -> tuple[Block, ...]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileProblem(f"{path}: not UTF-8 text (byte {exc.start + 1})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    wrong = malformed_exhibit_reference(text)
    if wrong is not None:  # the spec's own text is held to this by the model; a file, here
        raise _FileProblem(f"{path}: {wrong!r} is not a reference to an exhibit, which is written [[exhibit.ID]] "
                           "with the exhibit's id (lowercase letters, digits, '-' or '_')")
    bad = _XML_INVALID.search(text)
    if bad:
        raise _FileProblem(f"{path}: contains the control character U+{ord(bad.group()):04X}, "
                           "which a Word document cannot hold")
    try:
        return _markup_blocks(text, resolve, str(path))
    except ClauseError as exc:
        raise _FileProblem(str(exc)) from None


# ---------------------------------------------------------------- .docx exhibits


def _docx_file(path: Path, data: bytes) -> tuple[Block, ...]:
    from mou_builder.render.ooxml import w
    from mou_builder.review.word_input import clean, read_docx

    draft = read_docx(data, str(path), _FileProblem)
    lists = _list_kinds(draft.numbering)
    list_styles = _numbered_styles(draft.styles)
    blocks: list[Block] = []
    items: list[tuple[Inline, ...]] = []
    kind: str | None = None

    def flush() -> None:
        nonlocal kind
        if items:
            blocks.append(ListBlock(kind != "bullet", tuple(items), lettered=kind == "letter"))
            items.clear()
        kind = None

    for element in clean(draft.body):
        _refuse_objects(element, path)
        if element.tag == w("tbl"):
            flush()
            table = _table(element)
            if table is not None:
                blocks.append(table)
        elif element.tag == w("p"):
            inlines = _inlines(element)
            if not inlines:
                continue
            item = _list_kind(element, lists, list_styles)
            if item is None:
                flush()
                blocks.append(Paragraph(inlines))
            else:
                if kind is not None and kind != item:
                    flush()
                kind = item
                items.append(inlines)
    flush()
    if not blocks:
        raise _FileProblem(f"{path}: has no text in its body")
    wide = _too_wide(tuple(blocks))
    if wide:
        raise _FileProblem(f"{path}: {wide}")
    for text in _block_texts(blocks):
        if "[[exhibit." in text:  # a Word file's text is printed as it is: the brackets would reach the draft
            found = text[text.index("[[exhibit."):][:40].split("]]")[0] + "]]"
            raise _FileProblem(f"{path}: holds the reference {found!r}, which a .docx exhibit cannot resolve; "
                               "write the exhibit's name as the agreement prints it ('Exhibit B (Budget)'), "
                               "or give the exhibit as a .md file")
    return tuple(blocks)


def _block_texts(blocks: list[Block]) -> Iterator[str]:
    """The text of each paragraph, list item and table cell of ``blocks``."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, ListBlock):
            yield from ("".join(i.text for i in item) for item in block.items)
        elif isinstance(block, Table):
            yield from (cell for row in (block.header, *block.rows) for cell in row)


def _span_count(blocks: tuple[Block, ...]) -> int:
    """Pieces of text with their own formatting in ``blocks``: each span of a paragraph or list item, each cell."""
    count = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            count += len(block.inlines)
        elif isinstance(block, ListBlock):
            count += sum(len(item) for item in block.items)
        elif isinstance(block, Table):
            count += sum(len(row) for row in (block.header, *block.rows))
    return count


def _refuse_objects(element: Any, path: Path) -> None:
    from mou_builder.render.ooxml import w

    for tag, what in (("drawing", "a picture or chart"), ("pict", "a picture"), ("object", "an embedded object")):
        if next(element.iter(w(tag)), None) is not None:
            raise _FileProblem(
                f"{path}: holds {what}, which an exhibit cannot carry into the agreement; "
                "remove it, or attach the document separately and list it under incorporated_documents"
            )


def _inlines(p: Any) -> tuple[Inline, ...]:
    """A paragraph's runs as spans: text, tabs and breaks, bold and italic (a heading style counts as bold)."""
    from mou_builder.render.ooxml import w

    ppr = p.find(w("pPr"))
    style = ppr.find(w("pStyle")) if ppr is not None else None
    heading = style is not None and re.match(r"(?i)^(heading|title)", style.get(w("val"), "") or "") is not None
    spans: list[Span] = []
    for run in p.iter(w("r")):
        rpr = run.find(w("rPr"))
        bold = heading or _on(rpr, "b")
        italic = _on(rpr, "i")
        text = "".join(_run_text(run))
        if not text:
            continue
        if spans and (spans[-1].bold, spans[-1].italic) == (bold, italic):
            spans[-1] = Span(spans[-1].text + text, bold, italic)
        else:
            spans.append(Span(text, bold, italic))
    if spans:
        spans[0] = Span(spans[0].text.lstrip(), spans[0].bold, spans[0].italic)
        spans[-1] = Span(spans[-1].text.rstrip(), spans[-1].bold, spans[-1].italic)
    return tuple(s for s in spans if s.text)


def _run_text(run: Any) -> Iterator[str]:
    from mou_builder.render.ooxml import w

    for child in run:
        if child.tag == w("t"):
            yield child.text or ""
        elif child.tag == w("tab"):
            yield "\t"
        elif child.tag in (w("br"), w("cr")):
            yield "\n"
        elif child.tag == w("noBreakHyphen"):
            yield "\u2011"


def _on(rpr: Any, tag: str) -> bool:
    from mou_builder.render.ooxml import w

    if rpr is None:
        return False
    found = rpr.find(w(tag))
    return found is not None and found.get(w("val"), "true") not in ("0", "false", "off")


def _list_kinds(numbering: Any) -> dict[tuple[str, str], str]:
    """(numId, ilvl) -> 'bullet', 'number' or 'letter', from the numbering part."""
    from mou_builder.render.ooxml import w

    if numbering is None:
        return {}
    formats: dict[str, dict[str, str]] = {}
    for abstract in numbering.findall(w("abstractNum")):
        levels = {}
        for lvl in abstract.findall(w("lvl")):
            fmt = lvl.find(w("numFmt"))
            levels[lvl.get(w("ilvl"), "0")] = fmt.get(w("val"), "decimal") if fmt is not None else "decimal"
        formats[abstract.get(w("abstractNumId"), "")] = levels
    out = {}
    for num in numbering.findall(w("num")):
        ref = num.find(w("abstractNumId"))
        levels = formats.get(ref.get(w("val"), "") if ref is not None else "", {})
        for ilvl, fmt in levels.items():
            out[(num.get(w("numId"), ""), ilvl)] = (
                "bullet" if fmt == "bullet" else "letter" if fmt in ("lowerLetter", "upperLetter") else "number"
            )
    return out


def _numbered_styles(styles: Any) -> dict[str, str]:
    """Style id -> numId, for paragraph styles that number their paragraphs ("List Bullet")."""
    from mou_builder.render.ooxml import w

    out: dict[str, str] = {}
    if styles is None:
        return out
    for style in styles.findall(w("style")):
        num = style.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}")
        if num is not None:
            out[style.get(w("styleId"), "")] = num.get(w("val"), "")
    return out


def _list_kind(p: Any, lists: dict[tuple[str, str], str], list_styles: dict[str, str]) -> str | None:
    """The kind of list item the paragraph is, or None for a plain paragraph."""
    from mou_builder.render.ooxml import w

    ppr = p.find(w("pPr"))
    if ppr is None:
        return None
    num = ppr.find(f"{w('numPr')}/{w('numId')}")
    level = ppr.find(f"{w('numPr')}/{w('ilvl')}")
    num_id = num.get(w("val"), "") if num is not None else None
    if num_id is None:
        style = ppr.find(w("pStyle"))
        num_id = list_styles.get(style.get(w("val"), "")) if style is not None else None
    if not num_id or num_id == "0":  # numId 0 switches numbering off
        return None
    return lists.get((num_id, level.get(w("val"), "0") if level is not None else "0"), "number")


def _table(tbl: Any) -> Table | None:
    """A Word table as a table of text: the first row is its header; merged cells read as one cell."""
    from mou_builder.render.ooxml import w
    from mou_builder.review.word_input import text_of

    rows = []
    for tr in tbl.findall(w("tr")):
        cells = []
        for tc in tr.findall(w("tc")):
            paragraphs = [text_of(p).strip() for p in tc.findall(w("p"))]
            cells.append("\n".join(p for p in paragraphs if p))
        if cells:
            rows.append(cells)
    if not rows:
        return None
    width = max(len(r) for r in rows)
    padded = [tuple(r + [""] * (width - len(r))) for r in rows]
    return text_table(padded[0], padded[1:])
