"""The Word renderer: an assembled :class:`~mou_builder.document.Document` -> .docx bytes.

The only module that imports docx and docxtpl. docxtpl fills the template's
placeholders (title block, header) with autoescaping on and undefined
variables strict; the body is written as real Word structure: headings
numbered by a Word multi-level list, lists that restart, tables whose
header rows repeat on each page, signature blocks that do not split, a
bookmark around each clause and REF fields for references between clauses.

The output is made byte-identical from run to run (fixed zip dates and
order, core dates from the spec, ids numbered in document order), and every
XML part is re-parsed with a strict parser before the bytes are returned.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from mou_builder.document import (
    SIGNATURE_LINE, Block, Clause, Document, Exhibit, Inline, ListBlock, Paragraph, Ref, Section, Signatures, Span,
    Table,
)
from mou_builder.errors import RenderError, TemplateError
from mou_builder.output import seal_docx
from mou_builder.render.ooxml import W14_NS, WP_NS, el as _el, text_el as _text_el, w, xml_text
from mou_builder.cache import passed_before, record_passed
from mou_builder.resources import default_template_path
from mou_builder.spec.types import PLACEHOLDER
from mou_builder.review import word_input
from mou_builder.review.word_input import SPEC_XML_NS, check_document, parse_part, open_package, read_docx, read_docx_file

#: Styles a template must define (by name), with their type.
REQUIRED_STYLES: dict[str, str] = {
    "Normal": "paragraph",
    "Title": "paragraph",
    "Subtitle": "paragraph",
    "Heading 1": "paragraph",
    "Heading 2": "paragraph",
    "List Number": "paragraph",
    "List Bullet": "paragraph",
    "MOU Missing": "paragraph",
    "MOU Table Text": "paragraph",
    "MOU Signature": "paragraph",
    "MOU Table": "table",
}
#: Placeholders a template may use; ``body`` is required.
TEMPLATE_VARIABLES = (
    "title", "parties_line", "number_line", "program_line", "date", "draft_label", "header_marker", "body",
)

# Where the body goes: the paragraph that holds {{ body }} renders to this.
_BODY_ANCHOR = "MOU-BUILDER-BODY-ANCHOR-5d41402a"
# Text width when a template's section does not say (US Letter, 1 in margins: 6.5 in), in twips.
_TEXT_WIDTH_DXA = 9360
# No table is made narrower than this, whatever a template's margins say (1 in).
_MIN_TEXT_WIDTH_DXA = 1440
# Space between a table and the paragraph after it (twips): what Normal leaves between paragraphs, and a little.
_AFTER_TABLE_DXA = 160
# Signature blocks: room to sign above the signature line, and the gap between the two blocks of a row (twips).
_SIGN_ROOM_DXA = 480
_SIGN_GUTTER_DXA = 360
_FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


# ---------------------------------------------------------------- public API


def render_docx(document: Document, *, template: str | Path | None = None) -> bytes:
    """Render an assembled document as .docx bytes, with the default template or your own."""
    path = Path(template) if template else default_template_path()
    tpl, styles = _render_template(path, document)
    word = tpl.docx
    anchor = _find_anchor(word.element.body, path)
    writer = _BodyWriter(word, styles, text_width=section_text_width(anchor))
    for element in writer.document(document):
        anchor.addprevious(element)
    anchor.getparent().remove(anchor)
    return _package(word, document, str(path))


def _package(word: Any, document: Document, source: str = "the template") -> bytes:
    """Placeholders highlighted, properties, then the final deterministic, strictly re-parsed bytes."""
    for part in word.part.package.iter_parts():
        if str(part.partname).startswith(("/word/document", "/word/header", "/word/footer")):
            highlight_placeholders(part.element)
    _set_core_properties(word, document)
    _set_custom_properties(word, document, source)
    _embed_spec(word, document)
    return _finalise(_package_files(word))


def finished_bytes(word: Any) -> bytes:
    """A python-docx document's package as deterministic, strictly re-parsed bytes (its properties as they are)."""
    return _finalise(_package_files(word))


def open_docx(data: bytes, name: str) -> Any:
    """A .docx file's package, opened with python-docx to be written again. Raises DraftError."""
    import docx

    from mou_builder.errors import DraftError

    open_package(data, name).close()  # sizes and macros checked before python-docx loads every part
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise DraftError(f"{name}: not a usable Word .docx file ({type(exc).__name__}: {exc})") from None


def style_ids_by_name(word: Any) -> dict[str, str]:
    """Style ids of a document's styles, by name."""
    return {s.name: s.style_id for s in word.styles if s.name}


def _render_template(path: Path, document: Document) -> tuple[DocxTemplate, dict[str, str]]:
    """The template with its placeholders filled for ``document`` (the body anchor still in place), and its style ids."""
    tpl = _open_template(path)
    styles = _style_ids(tpl, path)
    context = {
        "title": document.title.title,
        "parties_line": document.title.parties_line,
        "number_line": document.title.number_line,
        "program_line": document.title.program_line,
        "date": document.title.date,
        "draft_label": document.title.draft_label or "",
        "header_marker": _header_marker(document),
        "body": _BODY_ANCHOR,
    }
    try:
        tpl.render(context, jinja_env=_TEMPLATE_ENV)
    except JinjaTemplateError as exc:
        raise TemplateError(f"{path}: {exc}") from None
    return tpl, styles


def build_docx(
    spec: Any,
    *,
    template: str | Path | None = None,
    clauses: Sequence[str | Path] = (),
    profile: str | Path | None = None,
    strict: bool = False,
) -> bytes:
    """Assemble ``spec`` (a :class:`~mou_builder.spec.model.Spec` or a spec file path) and render it as .docx bytes.

    With ``strict``, a spec with a missing required section, or one that still
    holds a placeholder (``[DATE]``), raises
    :class:`~mou_builder.errors.IncompleteSpecError` instead.
    """
    from mou_builder.assembly import assemble
    from mou_builder.library.clauses import load_library
    from mou_builder.library.completeness import strict_findings
    from mou_builder.errors import IncompleteSpecError
    from mou_builder.spec.loader import load_spec

    if isinstance(spec, (str, Path)):
        spec = load_spec(spec)
    document = assemble(spec, load_library(clauses), profile)
    if strict and any(f.severity == "error" for f in strict_findings(document.findings)):
        raise IncompleteSpecError(strict_findings(document.findings))
    return render_docx(document, template=template)


def _header_marker(document: Document) -> str:
    if not document.complete:
        return f"DRAFT — INCOMPLETE ({document.title.draft_label or 'final'})"
    return document.title.draft_label or ""


# ---------------------------------------------------------------- the template


def _open_template(path: Path) -> DocxTemplate:
    if not path.is_file():
        raise TemplateError(f"{path}: template not found")
    if not zipfile.is_zipfile(path):
        raise TemplateError(f"{path}: not a Word .docx file (it is not a zip package)")
    data = read_docx_file(path, TemplateError)
    checked = _CHECKED_TEMPLATES.get(str(path.resolve())) == data or passed_before("template", data, _CHECKERS)
    if not checked:
        open_package(data, str(path), TemplateError).close()  # sizes and macros, before python-docx loads the parts
    try:
        # A fresh package for every build: rendering changes it in place.
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.init_docx()
    except Exception as exc:  # python-docx raises many kinds for a broken package
        if isinstance(exc, etree.XMLSyntaxError):
            read_docx(data, str(path), TemplateError)  # says which part, and why (e.g. nested too deep)
        raise TemplateError(f"{path}: not a usable Word .docx file ({type(exc).__name__}: {exc})") from None
    if not checked:
        check_document(tpl.docx.element, str(path), tpl.docx.part.partname.lstrip("/"), TemplateError)
        problem = _placeholder_problem(tpl, path)
        if problem:
            raise TemplateError(problem)
        record_passed("template", data, _CHECKERS)
    _CHECKED_TEMPLATES[str(path.resolve())] = data
    return tpl


# The bytes of each template file (by resolved path) that last passed every check: a batch, or a
# program building many documents, checks a template once. Bytes, not the file's time and size, say
# whether it is the same template, so a file rewritten in place is always checked again; one that
# failed is not kept.
_CHECKED_TEMPLATES: dict[str, bytes] = {}
# Across runs, the cache notes which template bytes passed the checks this module and the .docx
# reader make (a changed check checks every template again): the bundled template, or a user's
# letterhead, is checked once, not on every build.
_CHECKERS = (__file__, word_input.__file__ or "")


class _CachingSandbox(SandboxedEnvironment):
    """The environment docxtpl fills a template's placeholders with, keeping what it compiles.

    docxtpl compiles each part's XML (document, headers, footers, properties)
    with ``from_string`` on every render; the same template gives the same
    sources, so each is compiled once per process. The environment is shared
    and never changed after it is made, so a compiled template stays valid.
    """

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one environment per process, kept for its life anyway
    def _compiled(self, source: str) -> Any:
        return super().from_string(source)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if globals is None and template_class is None and isinstance(source, str):
            return self._compiled(source)
        return super().from_string(source, globals, template_class)


_TEMPLATE_ENV = _CachingSandbox(autoescape=True, undefined=StrictUndefined)


def _placeholder_problem(tpl: DocxTemplate, path: Path) -> str | None:
    """What is wrong with a template's placeholders, or None."""
    try:
        used = tpl.get_undeclared_template_variables(SandboxedEnvironment())
    except JinjaTemplateError as exc:
        return f"{path}: a placeholder in the template does not parse: {exc}"
    unknown = sorted(set(used) - set(TEMPLATE_VARIABLES))
    if unknown:
        return (
            f"{path}: the template uses {', '.join('{{ ' + u + ' }}' for u in unknown)}, which mou-builder "
            f"does not provide (placeholders: {', '.join(TEMPLATE_VARIABLES)})"
        )
    if "body" not in used:
        return f"{path}: the template has no {{{{ body }}}} placeholder (a paragraph of its own)"
    return None


def _style_ids(tpl: DocxTemplate, path: Path) -> dict[str, str]:
    styles = {}
    missing = []
    by_name = {s.name: s for s in tpl.docx.styles}
    for name, kind in REQUIRED_STYLES.items():
        style = by_name.get(name)
        if style is None or _style_kind(style) != kind:
            missing.append(f"{name} ({kind})")
        else:
            styles[name] = style.style_id
    if missing:
        raise TemplateError(f"{path}: the template lacks these styles: {', '.join(missing)}")
    return styles


def _style_kind(style: Any) -> str:
    return {1: "paragraph", 2: "character", 3: "table", 4: "numbering"}.get(int(style.type), "?")


def _find_anchor(body: etree._Element, path: Path) -> etree._Element:
    for p in body.iter(w("p")):
        if "".join(t.text or "" for t in p.iter(w("t"))).strip() == _BODY_ANCHOR:
            if p.getparent() is not body:
                raise TemplateError(f"{path}: {{{{ body }}}} must be in a paragraph of its own, not in a table or box")
            return p
    raise TemplateError(f"{path}: the {{{{ body }}}} placeholder must be alone in its paragraph")


# ---------------------------------------------------------------- the body


def add_abstract_num(numbering: etree._Element, abstract: etree._Element) -> None:
    """Add a list definition to a numbering part: abstractNum elements must all come before the num elements."""
    nums = numbering.findall(w("num"))
    if nums:
        nums[0].addprevious(abstract)
    else:
        numbering.append(abstract)


class _BodyWriter:
    """Writes the body as WordprocessingML elements."""

    def __init__(self, word: Any, styles: dict[str, str], *, marks: bool = True, text_width: int | None = None) -> None:
        self.styles = styles
        # Tables and signature blocks are laid out to this width (twips); by
        # default the width of the template's last section.
        self.text_width = text_width if text_width is not None else section_text_width(word.element.body)
        self.cell_text = _Measure.of_style(word, "MOU Table Text")
        self.cells: dict[tuple[int, str | None, bool, bool], etree._Element] = {}  # see _cell
        self.signature_text = _Measure.of_style(word, "MOU Signature")
        # marks=False: no bookmarks and references as plain text (a redline
        # holds two drafts, whose bookmarks and fields would collide).
        self.marks = marks
        self.numbering = word.part.numbering_part.element
        self.bookmark_id = 0
        self.ref_names: dict[str, str] = {}
        existing = [int(a) for a in self.numbering.xpath("./w:abstractNum/@w:abstractNumId")]
        base = max(existing, default=-1) + 1
        self.heading_abstract = self._add_abstract(base, _heading_levels())
        self.ordered_abstract = self._add_abstract(base + 1, [("decimal", "%1.", 720, 360)])
        self.bullet_abstract = self._add_abstract(base + 2, [("bullet", "\u2022", 720, 360)])
        self.letter_abstract = self._add_abstract(base + 3, [("lowerLetter", "(%1)", 720, 360)])
        self.heading_num = self._add_num(self.heading_abstract, restart=False)
        self.bullet_num = self._add_num(self.bullet_abstract, restart=False)

    # -- numbering

    def _add_abstract(self, abstract_id: int, levels: Iterable[tuple[str, str, int, int]]) -> int:
        abstract = _el("abstractNum", {"abstractNumId": str(abstract_id)}, _el("multiLevelType", {"val": "multilevel"}))
        for ilvl, (fmt, text, left, hanging) in enumerate(levels):
            lvl = _el(
                "lvl", {"ilvl": str(ilvl)},
                _el("start", {"val": "1"}),
                _el("numFmt", {"val": fmt}),
                _el("lvlText", {"val": text}),
                _el("lvlJc", {"val": "left"}),
                _el("pPr", None, _el("tabs", None, _el("tab", {"val": "num", "pos": str(left)})),
                    _el("ind", {"left": str(left), "hanging": str(hanging)})),
            )
            # No rFonts on the levels: the number or bullet takes the paragraph style's
            # font, so lists follow the template (U+2022 is in every text font).
            abstract.append(lvl)
        add_abstract_num(self.numbering, abstract)
        return abstract_id

    def _add_num(self, abstract_id: int, *, restart: bool) -> int:
        existing = [int(n) for n in self.numbering.xpath("./w:num/@w:numId")]
        num_id = max(existing, default=0) + 1
        num = _el("num", {"numId": str(num_id)}, _el("abstractNumId", {"val": str(abstract_id)}))
        if restart:
            num.append(_el("lvlOverride", {"ilvl": "0"}, _el("startOverride", {"val": "1"})))
        self.numbering.append(num)
        return num_id

    # -- elements

    def document(self, document: Document) -> list[etree._Element]:
        out: list[etree._Element] = []
        for section in document.sections:
            out.extend(self.section(section))
        for exhibit in document.exhibits:
            out.extend(self.exhibit(exhibit))
        return out

    def exhibit(self, exhibit: Exhibit) -> list[etree._Element]:
        """An exhibit after the signature page: on a new page, 'Exhibit A' and its title centred, then its blocks."""
        label = self.paragraph("Title", [Span(exhibit.heading)], align="center", keep_next=True)
        # A page break before, held in the paragraph's properties (no empty paragraph to delete by hand).
        label.find(w("pPr")).insert(2, _el("pageBreakBefore"))  # after pStyle and keepNext, as the schema orders them
        title = self.paragraph("Heading 1", [Span(exhibit.title)], align="center", keep_next=True)
        if self.marks:
            # A bookmark Word's cross-references and the redline's segments find the exhibit by.
            self._wrap_ref_bookmark(label, f"exhibit.{exhibit.id}")
        out = [label, title]
        previous: Block | None = None
        for block in exhibit.blocks:
            elements = self.block(block)
            if isinstance(block, Table):
                if isinstance(previous, Table):
                    out.append(self.paragraph("Normal", [], space_before=0))
                _keep_with_next(out[-1])  # as in a clause: the sentence before a table stays on its page
            elif isinstance(previous, Table):
                _set_spacing(elements[0], "before", _AFTER_TABLE_DXA)
            out.extend(elements)
            previous = block
        return out

    def section(self, section: Section) -> list[etree._Element]:
        heading = self.paragraph("Heading 1", [Span(section.title)], num=(self.heading_num, 0))
        if self.marks:
            self._wrap_ref_bookmark(heading, section.key)
        out = [heading]
        if section.missing:
            out.append(self.paragraph("MOU Missing", [Span(section.missing_text)]))
        for clause in section.clauses:
            out.extend(self.clause(clause))
        return out

    def clause(self, clause: Clause) -> list[etree._Element]:
        heading = self.paragraph("Heading 2", [Span(clause.title)], num=(self.heading_num, 1))
        out = [heading]
        previous: Block | None = None
        for block in clause.blocks:
            elements = self.block(block)
            if isinstance(block, (Table, Signatures)):
                if isinstance(previous, (Table, Signatures)):
                    # Two tables in a row would merge into one in Word: a paragraph keeps them apart.
                    out.append(self.paragraph("Normal", [], space_before=0))
                # The sentence that introduces a table stays on the table's page.
                _keep_with_next(out[-1])
            elif isinstance(previous, (Table, Signatures)):
                # A table has no spacing of its own below it: the paragraph after it adds some.
                _set_spacing(elements[0], "before", _AFTER_TABLE_DXA)
            out.extend(elements)
            previous = block
        if self.marks:
            self._wrap_ref_bookmark(heading, clause.id)
            # The provenance bookmark, named after the clause id, spans the whole clause.
            mark_id = self._next_bookmark_id()
            heading.insert(1, _el("bookmarkStart", {"id": mark_id, "name": bookmark_name(clause.id)}))
            out.append(_el("bookmarkEnd", {"id": mark_id}))
        return out

    def block(self, block: Block) -> list[etree._Element]:
        if isinstance(block, Paragraph):
            return [self.paragraph("Normal", block.inlines)]
        if isinstance(block, ListBlock):
            if block.ordered:
                abstract = self.letter_abstract if block.lettered else self.ordered_abstract
                num = self._add_num(abstract, restart=True)
                style = "List Number"
            else:
                num, style = self.bullet_num, "List Bullet"
            return [self.paragraph(style, item, num=(num, 0)) for item in block.items]
        if isinstance(block, Table):
            return [self.table(block)]
        assert isinstance(block, Signatures)
        return [self.signatures(block)]

    def paragraph(
        self,
        style: str,
        inlines: Sequence[Inline],
        *,
        num: tuple[int, int] | None = None,
        keep_next: bool = False,
        align: str | None = None,
        bold: bool = False,
        space_before: int | None = None,
        space_after: int | None = None,
        rule_below: bool = False,
    ) -> etree._Element:
        """A paragraph; ``rule_below`` draws a line under it from margin to margin (a line to sign on)."""
        # Children in the schema's order: pStyle, keepNext, numPr, pBdr, spacing, jc.
        ppr = _el("pPr", None, _el("pStyle", {"val": self.styles[style]}))
        if keep_next:
            ppr.append(_el("keepNext"))
        if num is not None:
            ppr.append(_el("numPr", None, _el("ilvl", {"val": str(num[1])}), _el("numId", {"val": str(num[0])})))
        if rule_below:
            ppr.append(_el("pBdr", None, _el("bottom", {"val": "single", "sz": "4", "space": "1", "color": "auto"})))
        spacing = {k: str(v) for k, v in (("before", space_before), ("after", space_after)) if v is not None}
        if spacing:
            ppr.append(_el("spacing", spacing))
        if align:
            ppr.append(_el("jc", {"val": align}))
        p = _el("p", None, ppr)
        for inline in inlines:
            if isinstance(inline, Ref):
                p.extend(self.reference(inline))
            else:
                p.extend(_runs(inline.text, bold=bold or inline.bold, italic=inline.italic))
        return p

    def reference(self, ref: Ref) -> list[etree._Element]:
        """'Section ' and a REF field whose cached result is already the right number."""
        target = self.ref_names[ref.clause_id] if ref.clause_id in self.ref_names else _ref_bookmark_name(ref.clause_id)
        fmt = {"bold": ref.bold, "italic": ref.italic}
        if not self.marks or ref.label != "Section":
            # An exhibit is named by its letter, which no Word field gives: plain text.
            return _runs(ref.text, **fmt)
        return [
            *_runs("Section ", **fmt),
            _el("r", None, _el("fldChar", {"fldCharType": "begin"})),
            _el("r", None, _text_el("instrText", f" REF {target} \\r \\h ")),
            _el("r", None, _el("fldChar", {"fldCharType": "separate"})),
            *_runs(ref.number, **fmt),
            _el("r", None, _el("fldChar", {"fldCharType": "end"})),
        ]

    def table(self, table: Table) -> etree._Element:
        """A data table as wide as the text, its header row repeated on each page and no row split."""
        widths = _column_widths(table, self.text_width, _text_fit(table, self.cell_text))
        grid = _el("tblGrid", None, *(_el("gridCol", {"w": str(wd)}) for wd in widths))
        tbl = _el(
            "tbl", None,
            _el("tblPr", None,
                _el("tblStyle", {"val": self.styles["MOU Table"]}),
                _el("tblW", {"w": str(sum(widths)), "type": "dxa"}),
                _el("tblLayout", {"type": "fixed"}),
                _el("tblLook", {"val": "0020", "firstRow": "1", "lastRow": "0", "firstColumn": "0",
                                "lastColumn": "0", "noHBand": "1", "noVBand": "1"})),
            grid,
        )
        rows = [(table.header, True, False), *((row, False, False) for row in table.rows),
                *((row, False, True) for row in table.totals)]
        for k, (cells, header, bold) in enumerate(rows):
            # Every row but the last keeps with the next (see _keep_rows_together).
            tbl.append(self._row(cells, widths, table, header=header, bold=bold, keep_next=k < len(rows) - 1))
        return tbl

    def _row(self, cells: Sequence[str], widths: Sequence[int], table: Table, *, header: bool = False,
             bold: bool = False, keep_next: bool = False) -> etree._Element:
        trpr = _el("trPr", None, _el("cantSplit"))
        if header:
            trpr.append(_el("tblHeader"))  # repeat the header row at the top of each page
        tr = _el("tr", None, trpr)
        for i, (text, width) in enumerate(zip(cells, widths)):
            tr.append(self._cell(text, width, "right" if i in table.numeric else None, bold, keep_next))
        return tr

    def _cell(self, text: str, width: int, align: str | None, bold: bool, keep_next: bool) -> etree._Element:
        """A table cell. A cell of one plain line is a copy of a cell made once for its kind (width,
        alignment, bold, keep with next) with the text put in: a large table has thousands of cells."""
        if not text or "\n" in text or "\t" in text:
            return self._new_cell(text, width, align, bold, keep_next)
        kind = (width, align, bold, keep_next)
        model = self.cells.get(kind)
        if model is None:
            model = self.cells[kind] = self._new_cell("-", width, align, bold, keep_next)
        cell = copy.deepcopy(model)
        cell.find(_CELL_TEXT).text = xml_text(text)
        return cell

    def _new_cell(self, text: str, width: int, align: str | None, bold: bool, keep_next: bool) -> etree._Element:
        p = self.paragraph("MOU Table Text", [Span(text)] if text else [], align=align, bold=bold, keep_next=keep_next)
        return _el("tc", None, _el("tcPr", None, _el("tcW", {"w": str(width), "type": "dxa"})), p)

    def signatures(self, block: Signatures) -> etree._Element:
        """Signature blocks two to a row, in a borderless fixed-layout table that never splits.

        Each column is half the text width. The lines to sign and date on are
        a bottom border of the paragraph that holds the label, not typed
        underscores: the border spans the column whatever the template's font
        or margins, so it can never wrap. (A tab to a stop with an underscore
        leader would draw the same line in Word, but LibreOffice draws no
        leader for a tab that ends a paragraph in a table cell.) The shorter
        block of a row is padded with empty paragraphs after the party's name
        and before its Date line, so that the two Signature lines and the two
        Date lines stand level (how many lines a long paragraph wraps to is
        estimated from the style's size and font; see :class:`_Measure`).
        """
        columns = (self.text_width // 2, self.text_width - self.text_width // 2)
        none = {"val": "nil"}
        tbl = _el(
            "tbl", None,
            _el("tblPr", None,
                _el("tblW", {"w": str(self.text_width), "type": "dxa"}),
                _el("tblBorders", None, *(_el(side, none) for side in
                                          ("top", "left", "bottom", "right", "insideH", "insideV"))),
                _el("tblLayout", {"type": "fixed"}),
                _el("tblCellMar", None, _el("left", {"w": "0", "type": "dxa"}),
                    _el("right", {"w": str(_SIGN_GUTTER_DXA), "type": "dxa"}))),
            _el("tblGrid", None, *(_el("gridCol", {"w": str(c)}) for c in columns)),
        )
        blocks = list(block.blocks)
        for start in range(0, len(blocks), 2):
            tr = _el("tr", None, _el("trPr", None, _el("cantSplit")))
            pair = [sig.lines for sig in blocks[start:start + 2]]
            cells = [self._signature_cell(lines, width - _SIGN_GUTTER_DXA) for lines, width in zip(pair, columns)]
            # Pad each block to the other's height in two places, so that both the Signature lines (after
            # the party's name, which may wrap) and the Date lines (after the rest) stand level.
            most = [max(c[k] for c in cells) for k in (1, 2, 3)]
            for i, width in enumerate(columns):
                tc = _el("tc", None, _el("tcPr", None, _el("tcW", {"w": str(width), "type": "dxa"})))
                if i < len(cells):
                    paragraphs, party_wraps, count, wraps = cells[i]
                    tc.extend([paragraphs[0], *self._signature_padding(paragraphs[0], 0, most[0] - party_wraps),
                               *paragraphs[1:-1]])
                    tc.extend([*self._signature_padding(tc[-1], most[1] - count, most[2] - wraps), paragraphs[-1]])
                else:  # the empty half of the last row
                    tc.append(self.paragraph("MOU Signature", []))
                tr.append(tc)
            tbl.append(tr)
        _keep_rows_together(tbl)
        return tbl

    def _signature_padding(self, before: etree._Element, paragraphs: int, lines: int) -> list[etree._Element]:
        """Empty paragraphs, after ``before``, standing for ``paragraphs`` paragraphs and ``lines`` wrapped lines.

        A wrapped line adds a line and no spacing: the padding for it has no
        spacing after, except the last, which takes over the spacing after of
        the paragraph before it (``before``, or the last padding paragraph;
        set to none). So the space below the padding is what it is in the
        other block, both where spacing before and after add up (Word) and
        where the larger one wins (LibreOffice).
        """
        out = [self.paragraph("MOU Signature", [], keep_next=True) for _ in range(paragraphs)]
        if lines:
            _set_spacing(out[-1] if out else before, "after", 0)
            out += [self.paragraph("MOU Signature", [], keep_next=True, space_after=0) for _ in range(lines - 1)]
            out.append(self.paragraph("MOU Signature", [], keep_next=True))
        return out

    def _signature_cell(self, lines: Sequence[str], room: int) -> tuple[list[etree._Element], int, int, int]:
        """One signature block's paragraphs; the extra lines the party's name wraps to; how many paragraphs
        come between it and the Date line, and the extra lines those wrap to.

        The party in bold; room to sign above the first line and to write the
        date above the last; a typed line to sign on becomes a border under
        its label. Every paragraph but the last keeps with the next.
        """
        out, wraps = [], []
        for n, line in enumerate(lines):
            last = n == len(lines) - 1
            label, typed, rest = line.partition(SIGNATURE_LINE)
            text = label.rstrip() + rest if typed else line
            room_above = _SIGN_ROOM_DXA if n == 1 else _SIGN_ROOM_DXA // 2 if last else None
            paragraph = self.paragraph("MOU Signature", [Span(text, bold=n == 0)], keep_next=not last,
                                       space_before=room_above, rule_below=bool(typed))
            count, indent = self.signature_text.lines(text, room, bold=n == 0) if not typed else (1, 0)
            if indent:
                paragraph.find(w("pPr")).append(_el("ind", {"right": str(indent)}))  # last in this w:pPr
            out.append(paragraph)
            wraps.append(count - 1)
        return out, wraps[0], len(lines) - 2, sum(wraps[1:-1])

    # -- bookmarks

    def _next_bookmark_id(self) -> str:
        self.bookmark_id += 1
        return str(self.bookmark_id)

    def _wrap_ref_bookmark(self, heading: etree._Element, target: str) -> None:
        """A hidden bookmark around the heading text: what REF fields point at."""
        name = _ref_bookmark_name(target)
        self.ref_names[target] = name
        mark_id = self._next_bookmark_id()
        heading.insert(1, _el("bookmarkStart", {"id": mark_id, "name": name}))
        heading.append(_el("bookmarkEnd", {"id": mark_id}))


def bookmark_name(clause_id: str) -> str:
    """The bookmark of a clause: ``mou_`` and the id, in the characters Word allows (40 at most)."""
    name = "mou_" + re.sub(r"[^A-Za-z0-9_]", "_", clause_id)
    if len(name) > 40:
        import hashlib

        name = name[:31] + "_" + hashlib.sha256(clause_id.encode()).hexdigest()[:8]
    return name


def _ref_bookmark_name(target: str) -> str:
    import hashlib

    # Word hides bookmarks whose names start with an underscore, as it does its own _Ref bookmarks.
    return "_Ref_mou_" + hashlib.sha256(target.encode()).hexdigest()[:12]


def _heading_levels() -> list[tuple[str, str, int, int]]:
    # A clause number takes up to five characters ("17.10"): 794 twips holds it with a gap before the title.
    return [("decimal", "%1.", 567, 567), ("decimal", "%1.%2", 794, 794), ("decimal", "%1.%2.%3", 850, 850)]


def section_text_width(at: etree._Element) -> int:
    """The text width (twips) of the section the element ``at`` is in: page width less the margins.

    ``at`` is a body element (the body anchor) or the body itself. A
    section's properties are in the first paragraph after it that ends a
    section (``w:pPr/w:sectPr``), or in the body's last ``w:sectPr``. The
    gutter counts as margin (it narrows the text unless it is at the top,
    which only makes tables narrower than they could be, never wider); with
    several columns of equal width, the width of one column.
    """
    sect = None
    if at.tag == w("body"):
        sect = at.find(w("sectPr"))
    else:
        for sibling in at.itersiblings():
            sect = sibling if sibling.tag == w("sectPr") else sibling.find(f"{w('pPr')}/{w('sectPr')}")
            if sect is not None:
                break
    if sect is None:
        return _TEXT_WIDTH_DXA
    size, margins, cols = sect.find(w("pgSz")), sect.find(w("pgMar")), sect.find(w("cols"))
    page = _twips(size, "w") if size is not None else None
    if page is None:
        return _TEXT_WIDTH_DXA
    if margins is not None:
        page -= sum(_twips(margins, side) or 0 for side in ("left", "right", "gutter"))
    count = int(_twips(cols, "num") or 1) if cols is not None else 1
    if count > 1 and cols is not None and cols.get(w("equalWidth")) not in ("0", "false", "off"):
        space = _twips(cols, "space")
        page = (page - (720 if space is None else space) * (count - 1)) // count
    return max(page, _MIN_TEXT_WIDTH_DXA)


_UNITS = {"in": 1440.0, "cm": 1440 / 2.54, "mm": 1440 / 25.4, "pt": 20.0, "pc": 240.0, "pi": 240.0}


def _twips(element: etree._Element, attr: str) -> int | None:
    """A measure attribute in twips: a number of twips, or a number with a unit ("1.25in"); None if absent or bad."""
    value = (element.get(w(attr)) or "").strip()
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)(in|cm|mm|pt|pc|pi)?", value)
    if not match:
        return None
    return round(float(match.group(1)) * (_UNITS[match.group(2)] if match.group(2) else 1))


def _column_widths(table: Table, text_width: int, fit: _Fit | None = None) -> list[int]:
    """Column widths (twips) adding up to exactly ``text_width``, in the ratios of ``table.widths``.

    With ``fit`` (see :func:`_text_fit`), a column narrower than its longest
    word (an e-mail address, an amount) is widened to it, so the word never
    breaks inside. The room is taken from the other columns where it is
    least missed: first what is wider than any of their lines, then from
    columns of prose (which wrap between words anyway) down to their longest
    word, then from the rest (a telephone number) down to theirs. When the
    longest words cannot all stand side by side, the ratios are kept and the
    renderer breaks words where it must.
    """
    weights = table.widths or tuple(1 for _ in table.header)
    total = sum(weights)
    widths = [text_width * wt // total for wt in weights]
    widths[-1] += text_width - sum(widths)
    if fit is None or sum(fit[0]) > text_width:
        return widths
    needs, wants, prose = fit
    extra = sum(max(0, n - w) for n, w in zip(needs, widths))
    widths = [max(w, n) for n, w in zip(needs, widths)]
    whole = [max(n, w) for n, w in zip(needs, wants)]
    for floors in (whole, [n if p else w for n, w, p in zip(needs, whole, prose)], needs):
        slack = [max(0, w - f) for w, f in zip(widths, floors)]
        take = min(extra, sum(slack))
        if take:
            cut = [sl * take // sum(slack) for sl in slack]
            for i in sorted(range(len(slack)), key=lambda i: cut[i] - slack[i])[:take - sum(cut)]:
                cut[i] += 1  # the rounding remainder, from the columns with the most slack left
            widths = [w - c for w, c in zip(widths, cut)]
            extra -= take
    return widths


# Width of a lowercase letter (other than the narrow ones: i, l, t, r...), in ems, in common fonts; a
# font not listed is taken to be as wide as DejaVu Sans, so that a word estimated to fit does fit.
_LOWERCASE_EMS = {
    "times new roman": 0.49, "liberation serif": 0.49, "garamond": 0.47, "georgia": 0.56, "cambria": 0.53,
    "caladea": 0.53, "book antiqua": 0.53, "palatino linotype": 0.53, "arial": 0.56, "liberation sans": 0.56,
    "helvetica": 0.56, "calibri": 0.51, "carlito": 0.51, "aptos": 0.55, "segoe ui": 0.56, "tahoma": 0.55,
    "verdana": 0.63, "dejavu sans": 0.63, "dejavu serif": 0.62,
}
# Letters much wider and much narrower than the average lowercase one.
_WIDE, _NARROW = frozenset("@%&mwMW—"), frozenset("fijlrtI.,:;'!|()[] ")
# Room a cell takes besides its text: the default template's left and right cell margins, and some slack (twips).
_CELL_PADDING_DXA = 2 * 90 + 60
# Where a line may break inside a cell's text: white space, and after a hyphen or a slash.
_BREAKS = re.compile(r"\s+|(?<=[-/])")


class _CharEms(dict):  # type: ignore[type-arg]
    """Ems of each character, worked out on first sight (a large table measures some 100,000)."""

    def __init__(self, lower: float) -> None:
        super().__init__()
        self.lower = lower

    def __missing__(self, c: str) -> float:
        lower = self.lower
        ems = self[c] = (max(0.95, 1.6 * lower) if c in _WIDE else 0.6 * lower if c in _NARROW
                         else 1.3 * lower if c.isupper() else lower)
        return ems


@functools.lru_cache(maxsize=None)
def _char_ems(lower: float) -> _CharEms:
    return _CharEms(lower)


@dataclass(frozen=True)
class _Measure:
    """An estimate of how wide text is in a paragraph style, from its size and font name (no font file is read:
    the output must not depend on the fonts of the machine that builds it)."""

    size: int  # twips
    lowercase: float  # ems

    @classmethod
    def of_style(cls, word: Any, name: str) -> _Measure:
        """The size and font of a paragraph style, through the styles it is based on (10 pt, an unknown font)."""
        size = font = None
        style = next((s for s in word.styles if s.name == name), None)
        while style is not None and (size is None or font is None):
            size = size if size is not None or style.font.size is None else round(style.font.size.pt * 20)
            font = font or style.font.name
            style = style.base_style
        return cls(size or 200, _LOWERCASE_EMS.get((font or "").lower(), 0.63))

    def width(self, text: str) -> int:
        """Twips ``text`` takes on one line (a little more than it does, rather than less)."""
        return round(sum(map(_char_ems(self.lowercase).__getitem__, text)) * self.size)

    def lines(self, text: str, room: int, *, bold: bool = False) -> tuple[int, int]:
        """How many lines ``text`` takes in ``room`` twips, and a right indent (twips) that makes that certain.

        Where the estimate is too close to call (within 8% of the room) the
        indent narrows the paragraph so that it surely wraps to two lines:
        what matters is knowing how many lines it takes.
        """
        width = self.width(text) * (21 if bold else 20) // 20
        if room * 92 // 100 < width <= room * 108 // 100:
            return 2, room - width * 9 // 10
        return max(1, -(-width // room)), 0


#: For each column: the width its longest word needs, the width its widest line wants (twips), whether it is prose.
_Fit = tuple[list[int], list[int], list[bool]]


def _text_fit(table: Table, text: _Measure) -> _Fit:
    """How wide each column's text is (see :data:`_Fit`).

    A column is prose when a line of it has three words or more: it wraps
    between words without harm, where a name or a telephone number should not.
    """
    def width(words: str) -> int:
        return text.width(words) + _CELL_PADDING_DXA

    needs, wants, prose = [0] * len(table.header), [0] * len(table.header), [False] * len(table.header)
    for row in (table.header, *table.rows, *table.totals):
        for i, cell in enumerate(row):
            needs[i] = max([needs[i], *(width(word) for word in _BREAKS.split(cell) if word)])
            wants[i] = max([wants[i], *(width(line) for line in cell.split("\n"))])
            prose[i] = prose[i] or any(len(line.split()) >= 3 for line in cell.split("\n"))
    return needs, wants, prose


def _keep_with_next(p: etree._Element) -> None:
    """Add w:keepNext to a paragraph (after its style, where the schema wants it); other elements are left alone."""
    if p.tag != w("p"):
        return
    ppr = p.find(w("pPr"))
    if ppr is None:
        ppr = _el("pPr")
        p.insert(0, ppr)
    if ppr.find(w("keepNext")) is None:
        style = ppr.find(w("pStyle"))
        if style is not None:
            style.addnext(_el("keepNext"))
        else:
            ppr.insert(0, _el("keepNext"))


_CELL_TEXT = f"{w('p')}/{w('r')}/{w('t')}"


def _keep_rows_together(tbl: etree._Element) -> None:
    """keepNext on every paragraph of every row but the last: Word and LibreOffice keep the table on one page
    when it fits (and with the paragraph after it), and the header row never stays behind alone."""
    for row in tbl.findall(w("tr"))[:-1]:
        for p in row.iter(w("p")):
            _keep_with_next(p)


def _set_spacing(p: etree._Element, side: str, twips: int) -> None:
    """Set a paragraph's spacing ``side`` ("before" or "after"), placing w:spacing where the schema wants it."""
    ppr = p.find(w("pPr"))
    spacing = ppr.find(w("spacing"))
    if spacing is None:
        spacing = _el("spacing")
        later = [c for c in ppr if c.tag in (w("ind"), w("jc"), w("rPr"))]
        if later:
            later[0].addprevious(spacing)
        else:
            ppr.append(spacing)
    spacing.set(w(side), str(twips))


def _runs(text: str, *, bold: bool = False, italic: bool = False) -> list[etree._Element]:
    """Runs for ``text``; line breaks and tabs become Word breaks and tabs."""
    rpr_children = []
    if bold:
        rpr_children.append(_el("b"))
    if italic:
        rpr_children.append(_el("i"))
    run = _el("r", None, *([_el("rPr", None, *rpr_children)] if rpr_children else []))
    for i, line in enumerate(text.split("\n")):
        if i:
            run.append(_el("br"))
        for j, piece in enumerate(line.split("\t")):
            if j:
                run.append(_el("tab"))
            if piece:
                run.append(_text_el("t", piece))
    return [run]


# ---------------------------------------------------------------- placeholders

#: rPr children that come after w:highlight in the schema's sequence (CT_RPr): it goes before them.
_AFTER_HIGHLIGHT = frozenset(w(t) for t in (
    "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath", "rPrChange",
))


def highlight_placeholders(root: etree._Element) -> None:
    """Put each placeholder (``[DATE]``, ``[AMOUNT]``) of ``root``'s text in a run of its own, highlighted yellow.

    One pass over the finished part, so that every place a value can reach
    (body, tables, title block and header from the template) is covered the
    same way. A run is split around its placeholders; the pieces keep the
    run's own formatting.
    """
    for run in [t.getparent() for t in root.iter(w("t")) if t.text and PLACEHOLDER.search(t.text)]:
        if run is None or run.tag != w("r") or run.getparent() is None:
            continue  # already split (a run with two w:t holding placeholders), or not a plain run
        rpr = run.find(w("rPr"))
        pieces: list[tuple[bool, etree._Element]] = []
        for child in run:
            if child is rpr:
                continue
            if child.tag != w("t") or not child.text:
                pieces.append((False, child))
                continue
            text, at = child.text, 0
            for match in PLACEHOLDER.finditer(text):
                if match.start() > at:
                    pieces.append((False, _text_el("t", text[at:match.start()])))
                pieces.append((True, _text_el("t", match.group())))
                at = match.end()
            if at < len(text):
                pieces.append((False, _text_el("t", text[at:])))
        runs: list[etree._Element] = []
        for marked, child in pieces:
            if not runs or marked or runs[-1].get("marked") == "1":
                new = _el("r")
                new.set("marked", "1" if marked else "0")
                props = copy.deepcopy(rpr) if rpr is not None else None
                if marked:
                    props = props if props is not None else _el("rPr")
                    _set_highlight(props)
                if props is not None:
                    new.append(props)
                runs.append(new)
            runs[-1].append(child)
        for new in runs:
            del new.attrib["marked"]
            run.addprevious(new)
        run.getparent().remove(run)


def _set_highlight(rpr: etree._Element) -> None:
    for old in rpr.findall(w("highlight")):
        rpr.remove(old)
    mark = _el("highlight", {"val": "yellow"})
    later = next((child for child in rpr if child.tag in _AFTER_HIGHLIGHT), None)
    if later is not None:
        later.addprevious(mark)
    else:
        rpr.append(mark)


# ---------------------------------------------------------------- properties


def _fit(text: str) -> str:
    """Core properties hold at most 255 characters; the document itself keeps the full text."""
    return text if len(text) <= 255 else text[:254] + "…"


def _set_core_properties(word: Any, document: Document) -> None:
    core = word.core_properties
    when = datetime.combine(date.fromisoformat(document.title.iso_date), time(0, 0))
    core.title = _fit(document.title.title)
    core.subject = _fit(document.title.program or "Partnership agreement")
    core.author = core.last_modified_by = _fit(document.title.parties[0])
    core.created = core.modified = when
    core.last_printed = when
    core.revision = 1
    core.identifier = _fit(document.title.number or "")
    core.version = _fit(document.title.draft_label or "final")
    core.category = "Partnership agreement"
    core.keywords = "mou-builder"
    core.comments = f"Generated by {document.metadata.get('generator', 'mou-builder')}"


_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_properties(document: Document) -> list[tuple[str, str]]:
    """What the file records about how it was made: version, spec hash, profile, each clause and each exhibit."""
    props = [
        ("mou.generator", document.metadata.get("generator", "mou-builder")),
        ("mou.spec_sha256", document.spec_sha256),
        ("mou.profile", document.profile),
        ("mou.complete", "true" if document.complete else "false"),
        ("mou.clause_count", str(len(document.manifest))),
    ]
    props += [(f"mou.clause.{i:03d}", f"{e.ref} {e.sha256}") for i, e in enumerate(document.manifest, start=1)]
    # Each exhibit's content hash and source: a file's content is not in the spec's hash.
    props += [(f"mou.exhibit.{i:03d}", f"{x.letter} {x.id} {x.sha256} {x.source}")
              for i, x in enumerate(document.exhibits, start=1)]
    return props


def _set_custom_properties(word: Any, document: Document, source: str = "the template") -> None:
    package = word.part.package
    existing = None
    for rel in package.rels.values():
        if rel.reltype == RT.CUSTOM_PROPERTIES:
            existing = rel.target_part
    if existing is not None:
        # the template's own properties part, parsed as every part read is (no entities, no DOCTYPE)
        root = parse_part(existing.blob, source, str(existing.partname).lstrip("/"), TemplateError)
        for prop in list(root):
            if (prop.get("name") or "").startswith("mou."):
                root.remove(prop)
    else:
        root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    pid = max([int(p.get("pid", "1")) for p in root] + [1])
    for name, value in custom_properties(document):
        pid += 1
        prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property", fmtid=_FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if existing is not None:
        existing._blob = blob
    else:
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)


#: Item id of the custom XML part that holds the spec (one fixed id: it names the kind of item, not the draft).
_SPEC_ITEM_ID = "{6D0B3C52-8E1A-4C1B-9F3E-2A7D5B9C0E41}"


def _embed_spec(word: Any, document: Document) -> None:
    """The spec the draft was built from, as a custom XML part (Word and LibreOffice keep those when saving).

    Left out of drafts that are not one spec's agreement (an amendment, a
    restatement or a conformed copy carry ``metadata`` keys of their own).
    """
    spec = document.metadata.get("spec")
    if spec is None or {"amendment", "restates", "conformed"} & document.metadata.keys():
        return
    main = word.part
    package = main.package
    taken = {str(p.partname) for p in package.iter_parts()}
    n = next(n for n in range(1, 10_000) if f"/customXml/item{n}.xml" not in taken)
    root = etree.Element(f"{{{SPEC_XML_NS}}}spec", nsmap={"mou": SPEC_XML_NS}, sha256=document.spec_sha256)
    root.text = spec
    item = Part(PackURI(f"/customXml/item{n}.xml"), CT.XML,
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), package)
    ds = "http://schemas.openxmlformats.org/officeDocument/2006/customXml"
    props = etree.Element(f"{{{ds}}}datastoreItem", nsmap={"ds": ds})
    props.set(f"{{{ds}}}itemID", _SPEC_ITEM_ID)
    etree.SubElement(etree.SubElement(props, f"{{{ds}}}schemaRefs"), f"{{{ds}}}schemaRef").set(f"{{{ds}}}uri", SPEC_XML_NS)
    item_props = Part(PackURI(f"/customXml/itemProps{n}.xml"), CT.OFC_CUSTOM_XML_PROPERTIES,
                      etree.tostring(props, xml_declaration=True, encoding="UTF-8", standalone=True), package)
    item.relate_to(item_props, RT.CUSTOM_XML_PROPS)
    main.relate_to(item, RT.CUSTOM_XML)


# ---------------------------------------------------------------- final bytes


def _package_files(word: Any) -> dict[str, bytes]:
    """Every file of the package, by zip name, taken from python-docx's parts.

    Writing the zip ourselves (instead of python-docx saving one that we
    would read back and rewrite) compresses each part once.
    """
    package = word.part.package
    parts = list(package.iter_parts())
    files = {"_rels/.rels": package.rels.xml}
    for part in parts:
        files[part.partname.membername] = part.blob
        if len(part.rels):
            files[part.partname.rels_uri.membername] = part.rels.xml
    files["[Content_Types].xml"] = _content_types(parts)
    return files


def _content_types(parts: Sequence[Any]) -> bytes:
    ns = "http://schemas.openxmlformats.org/package/2006/content-types"
    root = etree.Element(f"{{{ns}}}Types", nsmap={None: ns})
    defaults = {"rels": CT.OPC_RELATIONSHIPS, "xml": CT.XML}
    overrides = {}
    for part in parts:
        ext = part.partname.ext.lower()
        if ext in ("xml", "rels") or ext in defaults and defaults[ext] != part.content_type:
            overrides[part.partname] = part.content_type
        else:
            defaults.setdefault(ext, part.content_type)
    for ext, content_type in sorted(defaults.items()):
        etree.SubElement(root, f"{{{ns}}}Default", Extension=ext, ContentType=content_type)
    for name, content_type in sorted(overrides.items()):
        etree.SubElement(root, f"{{{ns}}}Override", PartName=name, ContentType=content_type)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _finalise(files: dict[str, bytes]) -> bytes:
    """Deterministic ids, fixed zip entry dates and order, and a strict re-parse of every XML part.

    The package is sealed (:func:`mou_builder.output.seal_docx`): a later
    build may replace this file while nothing has changed it, and refuses
    to once a reviewer has edited or saved it.
    """
    first = ["[Content_Types].xml", "_rels/.rels"]
    ordered = first + sorted(n for n in files if n not in first)
    counters = {"paraId": 0, "docPr": 0}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in ordered:
            blob = files[name]
            if name.endswith((".xml", ".rels")):
                root = _strict_parse(name, blob)
                if name.startswith("word/") and _renumber_ids(root, counters):
                    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, blob)
    return seal_docx(out.getvalue())


_STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=True)


def _strict_parse(name: str, blob: bytes) -> etree._Element:
    try:
        return etree.fromstring(blob, parser=_STRICT)
    except etree.XMLSyntaxError as exc:
        raise RenderError(f"the generated part {name} is not well-formed XML ({exc}); nothing was written") from None


def _renumber_ids(root: etree._Element, counters: dict[str, int]) -> bool:
    """Give w14:paraId/textId and wp:docPr ids fresh values in document order (Word wants them unique)."""
    changed = False
    para_attr, text_attr = f"{{{W14_NS}}}paraId", f"{{{W14_NS}}}textId"
    for element in root.iter(w("p")):
        if para_attr in element.attrib:
            counters["paraId"] += 1
            element.set(para_attr, f"{counters['paraId']:08X}")
            if text_attr in element.attrib:
                element.set(text_attr, f"{counters['paraId']:08X}")
            changed = True
    for element in root.iter(f"{{{WP_NS}}}docPr"):
        counters["docPr"] += 1
        element.set("id", str(counters["docPr"]))
        changed = True
    return changed
