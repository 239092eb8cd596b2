"""A Word redline: the new draft, with tracked changes against the old one.

Both drafts become lists of body elements (rendered by the Word writer from
assembled documents, or read from .docx files), split into segments at
mou-builder's section and clause bookmarks and cleaned (see
:mod:`mou_builder.review.word_input`). Segments are matched by key; those that
left the heaviest common order (:func:`~mou_builder.review.alignment.moved_keys`)
are *moves*. Inside a matched segment, and between matched segments,
paragraphs and tables are aligned by text, and what differs is written as
Word revisions a reviewer can accept or reject:

- ``w:ins`` / ``w:del`` (deleted text in ``w:delText``) word by word inside a
  changed paragraph or table cell; whole paragraphs and table rows inserted
  or deleted (their paragraph marks and rows marked too);
- a moved clause or section, and a paragraph that moved in any draft
  (:func:`~mou_builder.review.alignment.align`), as ``w:moveFrom`` at its old place
  and ``w:moveTo`` at its new one, inside named move ranges; words edited in
  the moved text are ``w:del`` at the source and ``w:ins`` at the destination;
- the headers and footers of two .docx files, each against the old file's
  of the same kind and section, and their footnotes and endnotes, each
  against the old note it is paired with (a note added or removed, and its
  reference, inserted or deleted whole);
- heading numbers are Word's own, so numbering that only shifted is never an
  edit.

Formatting changed on the same words (bold, italic, underline, ...) is a
``w:rPrChange`` on the run, holding the old properties a reject restores.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from mou_builder.review.alignment import WORD, Items, Step, Wording, align, moved_keys, opcodes, similar
from mou_builder.document import Document
from mou_builder.errors import MouError
from mou_builder.render.ooxml import el, text_el, w
from mou_builder.render.word import (
    _BodyWriter, _find_anchor, _package, _render_template, add_abstract_num, finished_bytes, open_docx,
    style_ids_by_name,
)
from mou_builder.resources import default_template_path
from mou_builder.review.changes import note_pairs
from mou_builder.review.word_input import (
    NOTE_KINDS, Formats, Segment, WordDraft, clean, clean_copies, cleaned_segments, layout_fields_named,
    margin_refs, note_references, note_text, numbered_notes, parse_part, read_docx, text_of, theme_fonts,
)

#: What a paragraph is compared by: runs of white space, and words (a number, a date or an amount is one word).
_TOKEN = re.compile(r"\s+|" + WORD)
#: Objects of the old draft a redline carries: note references (pointed at the redline's notes) and note marks.
_CARRIED = frozenset(w(t) for t in ("footnoteReference", "endnoteReference", "footnoteRef", "endnoteRef"))
#: Revision kinds whose content is the old draft's (shown struck through or moved away).
_OLD_SIDE = frozenset({"del", "moveFrom"})


#: Word keeps an author name of up to 255 characters.
MAX_AUTHOR = 255


class RedlineError(MouError):
    """A redline that cannot be written as asked (e.g. an empty author)."""


def checked_author(author: str) -> str:
    """``author`` if it can name the tracked changes; otherwise :class:`RedlineError`.

    Word shows the author on every change and groups changes by it, so an
    empty or blank name would leave a reviewer with changes by no one.
    """
    if not isinstance(author, str) or not author.strip():
        raise RedlineError("the author of the tracked changes is empty: give a name (e.g. --author 'Grants Office')")
    if len(author) > MAX_AUTHOR:
        raise RedlineError(f"the author of the tracked changes is {len(author)} characters long; "
                           f"Word keeps at most {MAX_AUTHOR}")
    bad = next((c for c in author if ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF
                or c in "\ufffe\uffff"), None)
    if bad is not None:
        raise RedlineError(f"the author of the tracked changes holds a control character (U+{ord(bad):04X}), "
                           "which a Word file cannot carry")
    return author


@dataclass(frozen=True)
class Cover:
    """A cover page for the redline: a title, a line under it, and tables of (subject, change) rows."""

    title: str
    subtitle: str
    groups: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def render_redline(
    old: Document,
    new: Document,
    *,
    author: str = "mou-builder",
    when: date | None = None,
    template: str | Path | None = None,
    cover: Cover | None = None,
) -> bytes:
    """The ``new`` draft as .docx bytes, with tracked changes against ``old``.

    ``when`` (the revisions' date) defaults to the new draft's date, so the
    same drafts always give the same bytes. ``cover`` adds a cover page (not
    a tracked change) before the agreement.
    """
    path = Path(template) if template else default_template_path()
    tpl_new, styles = _render_template(path, new)
    tpl_old, _ = _render_template(path, old)
    word = tpl_new.docx
    # One writer for both drafts: their lists and headings share one numbering part.
    writer = _BodyWriter(word, styles)
    before_old, after_old = _around_anchor(tpl_old.docx.element.body, path)
    before_new, after_new = _around_anchor(word.element.body, path)
    old_elements = [*before_old, *writer.document(old), *after_old]
    new_elements = [*before_new, *writer.document(new), *after_new]
    stamp = (when or date.fromisoformat(new.title.iso_date)).isoformat() + "T00:00:00Z"
    formats = _formats_of(word)  # both drafts are written with the same template's styles
    merged = _Reviser(author, stamp, formats, formats).drafts(old_elements, new_elements)
    front = _cover_page(cover, style_ids_by_name(word)) if cover else []
    _replace_body(word.element.body, [*front, *merged])
    return _package(word, new)


def redline_docx(
    old: bytes | WordDraft,
    new: bytes,
    *,
    author: str = "mou-builder",
    when: date | None = None,
    cover: Cover | None = None,
    old_name: str = "old.docx",
    new_name: str = "new.docx",
) -> bytes:
    """The ``new`` .docx with tracked changes against the ``old`` one.

    Drafts mou-builder wrote are compared clause by clause (moves included);
    other .docx files paragraph by paragraph and table row by row. The new
    file's styles, numbering, headers, footers and pictures are kept; the
    old draft's styles and lists that deleted text needs are copied in.
    ``when`` defaults to the new file's modified date (no date if it has none).
    Headers and footers are compared too, each with the old file's part of
    the same kind (e.g. the first-page header of section 1), and so are
    footnotes and endnotes (see :class:`_Notes`).
    """
    old_draft = old if isinstance(old, WordDraft) else read_docx(old, old_name)
    word = open_docx(new, new_name)
    body = word.element.body
    new_elements = [child for child in body if child.tag != w("sectPr")]
    old_elements = copy.deepcopy(old_draft.body)
    adopter = _Adopter(old_draft, word)
    adopter.adopt(old_elements)
    notes = _Notes(old_draft, old_elements, word) if _Notes.needed(old_draft, word) else None
    when = when or _package_date(word)
    stamp = when.isoformat() + "T00:00:00Z" if when else None
    reviser = _Reviser(author, stamp, Formats(old_draft.styles, old_draft.fonts), _formats_of(word),
                       notes=notes is not None)
    merged = reviser.drafts(old_elements, new_elements)
    front = _cover_page(cover, style_ids_by_name(word)) if cover else []
    _replace_body(body, [*front, *merged])
    _revise_margins(reviser, adopter, old_draft, word)
    if notes is not None:
        notes.revise(reviser, adopter)
    return finished_bytes(word)


def _formats_of(word: Any) -> Formats:
    """The character formatting of a python-docx document's runs, against its styles and theme."""
    theme = next((r.target_part for r in word.part.rels.values()
                  if not r.is_external and r.reltype.endswith("/theme")), None)
    fonts = theme_fonts(parse_part(theme.blob, "the new draft", str(theme.partname))) if theme is not None else {}
    return Formats(word.styles.element, fonts)


_REVISIONS = tuple(w(t) for t in ("ins", "del", "moveFrom", "moveTo", "rPrChange", "moveFromRangeStart",
                                   "moveToRangeStart"))


def _revised(element: etree._Element) -> bool:
    """Whether the redline marked anything in ``element`` (or it is a move range marker)."""
    return element.tag in _REVISIONS or next(element.iter(*_REVISIONS), None) is not None


def _revise_margins(reviser: _Reviser, adopter: _Adopter, old: WordDraft, word: Any) -> None:
    """Track the changes in each header and footer of the new file against the old file's part of the same label.

    A header only the old file has cannot be shown: the new file has no
    part to show it in.
    """
    for label, rid in margin_refs(word.element):
        part = word.part.related_parts.get(rid)
        root = getattr(part, "element", None)
        if root is None or root.tag not in (w("hdr"), w("ftr")):
            continue
        old_root = old.margins.get(label)
        _revise_story(reviser, adopter, root, list(old_root) if old_root is not None else [])


def _revise_story(reviser: _Reviser, adopter: _Adopter, root: etree._Element, old: list[etree._Element]) -> None:
    """Track the changes in a story outside the body (a header, a footer, a note): ``root``'s content against ``old``.

    A story whose text and formatting did not change is left as it is (its
    fields, e.g. page numbers, stay fields); in a changed one, the
    paragraphs that did not change are kept as they were too. Tracked
    changes already in it are accepted first, as in the body. ``old`` (the
    old file's elements) is not changed.
    """
    originals = list(root)
    cleaned, kept = [], {}
    for original in originals:
        copies = clean([copy.deepcopy(original)])
        if len(copies) == 1 and not _revised(original):
            kept[id(copies[0])] = original  # if unchanged, the original (fields and all) goes back
        cleaned += copies
    old_elements = clean([copy.deepcopy(c) for c in old])
    # Compared with page numbers and counts as fields, as the change summary does (margin_lines).
    named_old = clean(layout_fields_named([copy.deepcopy(c) for c in old]))
    named_new = clean(layout_fields_named([copy.deepcopy(c) for c in originals]))
    same = ([reviser.key(e) for e in named_old] == [reviser.key(e) for e in named_new]
            and all(map(reviser.same_format, named_old, named_new)))
    if same and not any(map(_revised, originals)):
        return  # tracked changes already in the story are accepted, as in the body: only then is it left alone
    adopter.adopt(old_elements)
    merged = [e if _revised(e) else kept.get(id(e), e) for e in reviser.merge(old_elements, cleaned)]
    for child in originals:
        root.remove(child)
    root.extend(merged)


class _Notes:
    """The footnotes and endnotes of a redline, paired with the old file's as the change summary pairs them.

    Notes are paired by :func:`~mou_builder.review.changes.note_pairs` (by
    their text, not their numbers). Before the bodies are compared, each
    reference in the old draft is given the id of its note in the redline:
    the new note it is paired with, or, for a note the new draft dropped, a
    copy of the old note added to the redline's notes part. So a reference
    kept is one word in both drafts, an added or removed one is inserted or
    deleted, and a deleted reference still points at its old note, which a
    reject brings back. After the bodies, each paired note gets tracked
    changes against its old text, an added note is inserted whole and a
    removed one deleted whole.
    """

    def __init__(self, old: WordDraft, old_elements: list[etree._Element], word: Any) -> None:
        self.word = word
        self.roots: dict[str, etree._Element] = {}  # the redline's notes parts, by kind
        self.parts: dict[str, Any] = {}
        new_notes: dict[str, dict[str, etree._Element]] = {}
        for kind in NOTE_KINDS:
            part = next((r.target_part for r in word.part.rels.values()
                         if not r.is_external and r.reltype.endswith(f"/{kind}s")), None)
            if part is not None:
                self.parts[kind] = part
                self.roots[kind] = parse_part(part.blob, "the new draft", str(part.partname))
                new_notes[kind] = {n.get(w("id"), ""): n for n in self.roots[kind].findall(w(kind))
                                   if n.get(w("type"), "normal") == "normal"}
        olds = numbered_notes(old.notes, clean_copies(old_elements))
        news = numbered_notes(new_notes, clean_copies([c for c in word.element.body if c.tag != w("sectPr")]))
        self.pairs: list[tuple[etree._Element | None, etree._Element | None]] = [
            (None if i is None else olds[i][1], None if j is None else news[j][1])
            for i, j in note_pairs([(label, note_text(n)) for label, n in olds],
                                   [(label, note_text(n)) for label, n in news])]
        ids: dict[tuple[str, str], str] = {}  # (kind, old id) -> the note's id in the redline
        self.removed: list[tuple[etree._Element, etree._Element]] = []  # (old note, its copy in the redline)
        for old_note, new_note in self.pairs:
            if old_note is None:
                continue
            kind = etree.QName(old_note).localname
            if new_note is None:
                new_note = el(kind, {"id": self._fresh_id(kind)})
                self.roots[kind].append(new_note)
                self.removed.append((old_note, new_note))
            ids[kind, old_note.get(w("id"), "")] = new_note.get(w("id"), "")
        for ref in note_references(old_elements):
            kind = "footnote" if ref.tag == w("footnoteReference") else "endnote"
            target = ids.get((kind, ref.get(w("id"), "")))
            if target is None:  # a note the old file lacks, or referenced only from deleted text: nothing to show
                ref.getparent().remove(ref)
            else:
                ref.set(w("id"), target)

    @classmethod
    def needed(cls, old: WordDraft, word: Any) -> bool:
        """Whether either draft has notes (a comparison without them costs nothing more)."""
        return any(old.notes.values()) or any(not r.is_external and r.reltype.endswith(("/footnotes", "/endnotes"))
                                              for r in word.part.rels.values())

    def _fresh_id(self, kind: str) -> str:
        if kind not in self.roots:  # the new file has no notes part of this kind: the redline gets one
            self.roots[kind] = el(f"{kind}s", None, *(el(kind, {"type": sep, "id": str(k)}, el("p", None, el(
                "r", None, el(sep)))) for k, sep in enumerate(("separator", "continuationSeparator"), start=-1)))
        return str(max((int(n.get(w("id"), "0")) for n in self.roots[kind].findall(w(kind))), default=0) + 1)

    def _renumbered(self, kind: str, root: etree._Element, reviser: _Reviser) -> None:
        """The notes of ``root`` one per reference, numbered and ordered as the redline's text refers to them.

        LibreOffice reads a notes part in the order of the references, so
        the part must hold each note once, in that order. A note referenced
        twice (at both places of a moved paragraph) is copied, its
        revisions given ids of their own; a note referenced nowhere goes.
        """
        notes = {n.get(w("id"), ""): n for n in root.findall(w(kind)) if n.get(w("type"), "normal") == "normal"}
        first = max((int(n.get(w("id"), "0")) for n in root.findall(w(kind)) if n.get(w("id"), "") not in notes),
                    default=0) + 1
        ordered: list[etree._Element] = []
        used: set[int] = set()
        for ref in list(self.word.element.body.iter(w(f"{kind}Reference"))):
            note = notes.get(ref.get(w("id"), ""))
            if note is None:
                ref.getparent().remove(ref)
                continue
            if id(note) in used:
                note = copy.deepcopy(note)
                fresh: dict[str, str] = {}  # a move range's start and end keep one id
                for mark in note.iterdescendants():
                    if mark.get(w("id")) is not None:
                        mark.set(w("id"), fresh.setdefault(mark.get(w("id")), reviser.fresh_id()))
            used.add(id(note))
            note.set(w("id"), str(first + len(ordered)))
            ref.set(w("id"), note.get(w("id")))
            ordered.append(note)
        for note in notes.values():
            root.remove(note)
        root.extend(ordered)

    def revise(self, reviser: _Reviser, adopter: _Adopter) -> None:
        """Track the changes in each note and write the notes parts back into the redline."""
        for old_note, new_note in self.pairs:
            if new_note is None:
                continue
            _revise_story(reviser, adopter, new_note, list(old_note) if old_note is not None else [])
        for old_note, copy_ in self.removed:
            _revise_story(reviser, adopter, copy_, list(old_note))
        for kind, root in self.roots.items():
            self._renumbered(kind, root, reviser)
            blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            if kind in self.parts:
                self.parts[kind]._blob = blob  # python-docx keeps notes parts as plain parts, by their bytes
            else:
                from docx.opc.packuri import PackURI
                from docx.opc.part import Part

                content_type = f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}s+xml"
                part = Part(PackURI(f"/word/{kind}s.xml"), content_type, blob, self.word.part.package)
                self.word.part.relate_to(
                    part, f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}s")


def _package_date(word: Any) -> date | None:
    props = word.core_properties
    stamp = props.modified or props.created
    return stamp.date() if stamp else None


def _around_anchor(body: etree._Element, path: Path) -> tuple[list[etree._Element], list[etree._Element]]:
    """The template's elements before and after the body placeholder (the final section properties excluded)."""
    anchor = _find_anchor(body, path)
    children = [c for c in body if c.tag != w("sectPr")]
    index = children.index(anchor)
    return children[:index], children[index + 1:]


def _replace_body(body: etree._Element, elements: list[etree._Element]) -> None:
    """Make ``elements`` the body's content, before its final section properties.

    Elements already in the body (the new draft's, in order) stay where they
    are: lxml walks a whole subtree whenever an element changes parent, which
    for a long draft costs more than the comparison itself.
    """
    final = body.find(w("sectPr"))
    previous = None
    for element in elements:
        if element.getparent() is not body:
            if previous is None:
                body.insert(0, element)
            else:
                previous.addnext(element)
        previous = element
    keep = {id(e) for e in elements}
    for child in list(body):
        if child is not final and id(child) not in keep:
            body.remove(child)
    if final is not None and final.getnext() is not None:
        body.append(final)  # the section properties close the body


# ---------------------------------------------------------------- tokens


_Token = tuple[str, Any, str, Any]  # (comparison key, run properties, kind, element for objects)


def _tokens(p: etree._Element) -> Iterator[_Token]:
    """Words, spaces, breaks, tabs and objects of a (cleaned) paragraph, each with its run's properties."""
    for child in p:
        if child.tag == w("pPr"):
            continue
        if child.tag != w("r"):  # an equation or other paragraph-level content
            yield "\x00" + etree.tostring(child, method="c14n").decode(), None, "para", child
            continue
        rpr = child.find(w("rPr"))
        props = etree.tostring(rpr) if rpr is not None else None
        for part in child:
            if part.tag in (w("t"), w("delText")):
                for token in _TOKEN.findall(part.text or ""):
                    yield token, props, "t", None
            elif part.tag in (w("br"), w("cr")):
                yield "\n", props, "br", part
            elif part.tag == w("tab"):
                yield "\t", props, "tab", None
            elif part.tag != w("rPr"):  # a picture, a note reference or mark, a symbol...
                yield "\x00" + etree.tostring(part, method="c14n").decode(), props, "obj", part


@dataclass(frozen=True)
class _FormatChange:
    """A token's run properties when its formatting changed: the new ones, and the old ones a reject restores."""

    new: bytes | None
    old: bytes | None


def _build_runs(tokens: Sequence[_Token], *, old_side: bool, deleted: bool,
                mark: Callable[[str], etree._Element] | None = None) -> list[etree._Element]:
    """Runs for consecutive tokens, one run per stretch of the same run properties.

    Objects from the old draft are left out (they point into the old file's
    package, its pictures, which the redline does not carry), except note
    references, which :class:`_Notes` pointed at the notes of the redline,
    and the note marks a note starts with. A token whose properties are a :class:`_FormatChange` gets the new ones
    and a ``w:rPrChange`` (made by ``mark``) holding the old ones.
    """
    runs: list[etree._Element] = []
    current: Any = object()
    run = None
    tag = "delText" if deleted else "t"
    words: list[str] = []  # text of the run's last text element, joined once (appending to .text is quadratic)

    def flush() -> None:
        if words:
            assert run is not None
            run.append(text_el(tag, "".join(words)))
            words.clear()

    for text, props, kind, element in tokens:
        if kind == "obj" and old_side and element.tag not in _CARRIED:
            continue
        if run is None or props != current:
            flush()
            run = el("r")
            if isinstance(props, _FormatChange):
                assert mark is not None
                rpr = etree.fromstring(props.new) if props.new is not None else el("rPr")
                change = mark("rPrChange")
                was = etree.fromstring(props.old) if props.old is not None else el("rPr")
                for child in list(was):
                    if child.tag == w("rPrChange"):
                        was.remove(child)
                change.append(was)
                rpr.append(change)  # the change record comes last in the properties
                run.append(rpr)
            elif props is not None:
                run.append(etree.fromstring(props))
            runs.append(run)
            current = props
        if kind == "t":
            words.append(text)
            continue
        flush()
        run.append(el("tab") if kind == "tab" else copy.deepcopy(element))  # a break or an object
    flush()
    return runs


def _key(element: etree._Element, defaults: frozenset[str] = frozenset(), notes: bool = False) -> str:
    """What equal elements share: kind, style, text, and (``notes``: when the drafts have notes) the notes they
    refer to (a reference added is a change).

    ``defaults``: the drafts' default paragraph styles, which a paragraph
    has whether it names them or not (LibreOffice names "Normal" on every
    paragraph it saves).
    """
    style = (_style(element, defaults) or "") if element.tag == w("p") else ""
    refs = ",".join(ref.get(w("id"), "") for ref in note_references([element])) if notes else ""
    return f"{etree.QName(element).localname}|{style}|{text_of(element)}|{refs}"


def _style(p: etree._Element, defaults: frozenset[str] = frozenset()) -> str | None:
    """A paragraph's style; None for none, or for one of ``defaults`` (the default paragraph style, named)."""
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    value = style.get(w("val")) if style is not None else None
    return None if value in defaults else value


@dataclass(frozen=True)
class _Shape:
    """What decides whether two elements are alike, worked out once per element."""

    tag: str
    style: str | None = None  # a paragraph's
    wording: Wording | None = None  # a paragraph's
    columns: int = 0  # a row's cells, a table's grid columns

    @classmethod
    def of(cls, element: etree._Element, defaults: frozenset[str] = frozenset()) -> _Shape:
        if element.tag == w("p"):
            return cls(element.tag, _style(element, defaults), Wording(text_of(element)))
        if element.tag == w("tr"):
            return cls(element.tag, columns=len(element.findall(w("tc"))))
        if element.tag == w("tbl"):
            return cls(element.tag, columns=len(element.findall(f"{w('tblGrid')}/{w('gridCol')}")))
        return cls(element.tag)


def _alike(old: _Shape, new: _Shape) -> bool:
    """Can ``old`` be shown as edited into ``new`` (rather than deleted and inserted)?"""
    if old.tag != new.tag:
        return False
    if old.tag == w("p"):
        assert old.wording is not None and new.wording is not None
        return old.style == new.style and similar(old.wording, new.wording)
    return old.tag in (w("tr"), w("tbl")) and old.columns == new.columns


def _words(element: etree._Element) -> list[str]:
    return Wording(text_of(element)).words


def _block_items(defaults: frozenset[str], notes: bool, movable: bool) -> Items[etree._Element, _Shape]:
    """Block elements (paragraphs and tables) as the redline aligns them: paragraphs may move, unless not ``movable``
    (inside a moved clause, whose paragraphs move with it). ``defaults`` and ``notes`` as for :func:`_key`."""
    return Items(key=functools.partial(_key, defaults=defaults, notes=notes), words=_words,
                 shape=functools.partial(_Shape.of, defaults=defaults), alike=_alike,
                 movable=(lambda element: element.tag == w("p")) if movable else (lambda element: False))


#: Table rows: matched by their text, never moved.
_ROWS: Items[etree._Element, _Shape] = Items(key=text_of, words=_words, shape=_Shape.of, alike=_alike,
                                              movable=lambda element: False)


def _move_groups(steps: Sequence[Step]) -> dict[int, int]:
    """For each move step, its group: the place of the group's first ``moved-to`` step.

    Moved paragraphs next to each other at both places, in the same order,
    are one move (one named range on each side), as a reviewer sees them.
    """
    from_place = {step.old: k for k, step in enumerate(steps) if step.kind == "moved-from"}
    group: dict[int, int] = {}
    for k, step in enumerate(steps):
        if step.kind != "moved-to":
            continue
        before = steps[k - 1] if k else None
        joins = (before is not None and before.kind == "moved-to" and before.old is not None and step.old is not None
                 and before.old + 1 == step.old and from_place[step.old] == from_place[before.old] + 1)
        group[k] = group[k - 1] if joins else k
        group[from_place[step.old]] = group[k]  # type: ignore[index]
    return group


_Sides = tuple[list[etree._Element], list[etree._Element]]


# ---------------------------------------------------------------- revisions


_Pair = tuple[Any, Any, bool]  # (old element or None, new element or None, equal)


class _Reviser:
    """Writes revisions, numbering them from 1 in the order they are made."""

    def __init__(self, author: str, stamp: str | None, old_formats: Formats, new_formats: Formats, *,
                 notes: bool = False) -> None:
        self.author = checked_author(author)
        self.stamp = stamp
        #: each draft's character formatting, resolved against its own styles
        self.old_formats, self.new_formats = old_formats, new_formats
        defaults = frozenset(f.default_paragraph for f in (old_formats, new_formats) if f.default_paragraph)
        self.key = functools.partial(_key, defaults=defaults, notes=notes)
        self.blocks, self.still_blocks = _block_items(defaults, notes, True), _block_items(defaults, notes, False)
        self.next_id = 0
        self.move_count = 0
        #: both sides of each moved group of segments, made when its first side is written
        self.moves: dict[str, _Sides] = {}

    def fresh_id(self) -> str:
        """A revision id not used yet."""
        self.next_id += 1
        return str(self.next_id)

    def _attrs(self, **extra: str) -> dict[str, str]:
        attrs = {"id": self.fresh_id(), **extra, "author": self.author}
        if self.stamp:
            attrs["date"] = self.stamp
        return attrs

    def _mark(self, kind: str) -> etree._Element:
        return el(kind, self._attrs())

    # -- whole drafts: segments, moves and the gaps between kept segments

    def drafts(self, old: list[etree._Element], new: list[etree._Element]) -> list[etree._Element]:
        old_segments, new_segments = cleaned_segments(old, copy=False), cleaned_segments(new, copy=False)
        old_place = {s.key: i for i, s in enumerate(old_segments)}
        new_keys = {s.key for s in new_segments}
        weights = {s.key: s.weight for s in new_segments}
        moved = moved_keys([s.key for s in old_segments], [s.key for s in new_segments], weights.__getitem__)
        kept = {key for key in old_place if key in new_keys} - moved
        # Moved segments that are neighbours in both drafts (a section and its clauses) move as one.
        group: dict[str, str] = {}
        previous = None
        for part in new_segments:
            if part.key in moved:
                joins = previous is not None and old_place[part.key] == old_place[previous] + 1
                group[part.key] = group[previous] if joins else part.key
                previous = part.key
            else:
                previous = None
        old_groups: dict[str, list[Segment]] = {}
        new_groups: dict[str, list[Segment]] = {}
        for parts, groups in ((old_segments, old_groups), (new_segments, new_groups)):
            for part in parts:
                if part.key in group:
                    groups.setdefault(group[part.key], []).append(part)
        out: list[etree._Element] = []
        i = j = 0
        while i < len(old_segments) or j < len(new_segments):
            old_gap, new_gap = [], []
            while i < len(old_segments) and old_segments[i].key not in kept:
                old_gap.append(old_segments[i])
                i += 1
            while j < len(new_segments) and new_segments[j].key not in kept:
                new_gap.append(new_segments[j])
                j += 1
            out += self._gap(old_gap, new_gap, group, old_groups, new_groups)
            if i < len(old_segments) and j < len(new_segments):
                out += self.merge(old_segments[i].elements, new_segments[j].elements)
                i, j = i + 1, j + 1
        return out

    def _gap(self, olds: list[Segment], news: list[Segment], group: dict[str, str],
             old_move: dict[str, list[Segment]], new_move: dict[str, list[Segment]]) -> list[etree._Element]:
        """Segments between two kept ones: removed and added text is compared together; moves stay moves."""
        old_runs, old_moves = _split_at_moves(olds, group)
        new_runs, new_moves = _split_at_moves(news, group)
        out: list[etree._Element] = []
        for k in range(max(len(old_runs), len(new_runs))):
            out += self.merge(
                [e for s in (old_runs[k] if k < len(old_runs) else []) for e in s.elements],
                [e for s in (new_runs[k] if k < len(new_runs) else []) for e in s.elements],
            )
            if k < len(old_moves):
                key = group[old_moves[k][0].key]
                out += self._segments_moved(old_move[key], new_move[key], key)[0]
            if k < len(new_moves):
                key = group[new_moves[k][0].key]
                out += self._segments_moved(old_move[key], new_move[key], key)[1]
        return out

    def _segments_moved(self, old: list[Segment], new: list[Segment], key: str) -> _Sides:
        """Both sides of a moved group of segments (made once, whichever side comes first)."""
        if key not in self.moves:
            old_elements = [e for s in old for e in s.elements]
            new_elements = [e for s in new for e in s.elements]
            self.moves[key] = self._move(self._align(old_elements, new_elements))
        return self.moves[key]

    def _move(self, pairs: Sequence[_Pair]) -> _Sides:
        """A move: the old text inside a named ``moveFrom`` range, the new inside a ``moveTo`` range.

        Words kept move; words removed are deleted at the source, words added
        inserted at the destination; a paragraph only on one side is deleted
        or inserted. The source is made first: the destination is the new
        element itself, rewritten in place.
        """
        self.move_count += 1
        name = f"mou_move_{self.move_count}"
        sides: list[list[etree._Element]] = []
        for kind in ("moveFrom", "moveTo"):
            start = el(f"{kind}RangeStart", self._attrs(name=name))
            out: list[etree._Element | None] = [start]
            for o, n, equal in pairs:
                if kind == "moveFrom" and o is not None:
                    if n is None:
                        out.append(self.deleted(o))
                    elif equal or o.tag != w("p"):
                        out.append(self._whole(copy.deepcopy(o), "moveFrom"))
                    else:
                        p = copy.deepcopy(o)
                        self._rewrite(p, o, n, equal_as="moveFrom", removed_as="del", added_as=None)
                        out.append(p)
                elif kind == "moveTo" and n is not None:
                    if o is None:
                        out.append(self.inserted(n))
                    elif equal or n.tag != w("p"):
                        out.append(self._whole(n, "moveTo"))
                    else:
                        self._rewrite(n, o, n, equal_as="moveTo", removed_as=None, added_as="ins")
                        out.append(n)
            out.append(el(f"{kind}RangeEnd", {"id": start.get(w("id"))}))
            sides.append([e for e in out if e is not None])
        return sides[0], sides[1]

    # -- sequences of block elements

    def merge(self, old: Sequence[etree._Element], new: Sequence[etree._Element]) -> list[etree._Element]:
        """Old and new block elements as one sequence with revisions; paragraphs that moved are Word moves."""
        steps = align(old, new, self.blocks)
        group = _move_groups(steps)
        moves: dict[int, list[tuple[int, int, bool]]] = {}
        for k, step in enumerate(steps):
            if step.kind == "moved-to":
                moves.setdefault(group[k], []).append((step.old, step.new, not step.edited))
        made: dict[int, _Sides] = {}
        out: list[etree._Element | None] = []
        for k, step in enumerate(steps):
            if step.kind in ("moved-from", "moved-to"):
                first = group[k]
                if k != first and steps[k - 1].kind == step.kind and group[k - 1] == first:
                    continue  # the group was written at its first step
                if first not in made:
                    made[first] = self._move([(old[i], new[j], equal) for i, j, equal in moves[first]])
                out += made[first][0 if step.kind == "moved-from" else 1]
            elif step.kind == "equal":
                o, n = old[step.old], new[step.new]
                out.append(n if self.same_format(o, n) else self.changed(o, n))
            elif step.kind == "changed":
                out.append(self.changed(old[step.old], new[step.new]))
            elif step.kind == "deleted":
                out.append(self.deleted(old[step.old]))
            else:
                out.append(self.inserted(new[step.new]))
        return [e for e in out if e is not None]

    def _align(self, old: Sequence[etree._Element], new: Sequence[etree._Element],
               items: Items[etree._Element, _Shape] | None = None) -> list[_Pair]:
        """Equal elements paired, then alike ones in what differs; the rest alone (nothing moves)."""
        pairs: list[_Pair] = []
        for step in align(old, new, items or self.still_blocks):
            pairs.append((None if step.old is None else old[step.old], None if step.new is None else new[step.new],
                          step.kind == "equal"))
        return pairs

    # -- whole elements

    def inserted(self, element: etree._Element) -> etree._Element | None:
        return self._whole(element, "ins")

    def deleted(self, element: etree._Element) -> etree._Element | None:
        return self._whole(copy.deepcopy(element), "del")

    def _whole(self, element: etree._Element, kind: str) -> etree._Element | None:
        if element.tag == w("tbl"):
            for row in element.findall(w("tr")):
                self._row(row, kind)
        elif element.tag == w("p"):
            self._paragraph(element, kind)
        elif kind in _OLD_SIDE:
            return None  # something else from the old file (an embedded chunk...): not carried over
        return element

    def _row(self, row: etree._Element, kind: str) -> None:
        trpr = row.find(w("trPr"))
        if trpr is None:
            trpr = el("trPr")
            row.insert(1 if row.find(w("tblPrEx")) is not None else 0, trpr)
        trpr.append(self._mark("del" if kind in _OLD_SIDE else "ins"))  # rows are inserted or deleted, never moved
        for p in row.iter(w("p")):
            self._paragraph(p, kind)

    def _paragraph(self, p: etree._Element, kind: str) -> None:
        tokens = list(_tokens(p))
        _clear(p)
        self._emit(p, tokens, kind)
        self._mark_paragraph(p, kind)

    def _mark_paragraph(self, p: etree._Element, kind: str) -> None:
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = el("pPr")
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = el("rPr")
            # rPr comes before the section properties and the change record, after everything else
            later = [c for c in ppr if c.tag in (w("sectPr"), w("pPrChange"))]
            if later:
                later[0].addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, self._mark(kind))  # the mark comes first in a paragraph mark's properties

    def _emit(self, p: etree._Element, tokens: Sequence[_Token], kind: str | None) -> None:
        """Append ``tokens`` to ``p`` as runs, inside a ``kind`` revision unless ``kind`` is None."""
        old_side = kind in _OLD_SIDE
        stretch: list[_Token] = []

        def flush() -> None:
            if not stretch:
                return
            runs = _build_runs(stretch, old_side=old_side, deleted=kind == "del", mark=self._mark)
            if runs and kind:
                wrapper = self._mark(kind)
                wrapper.extend(runs)
                p.append(wrapper)
            else:
                p.extend(runs)
            stretch.clear()

        for token in tokens:
            if token[2] == "para":  # paragraph-level content stays outside revisions; only the new draft's
                flush()
                if not old_side:
                    p.append(copy.deepcopy(token[3]))
            else:
                stretch.append(token)
        flush()

    # -- changed elements

    def changed(self, old: etree._Element, new: etree._Element) -> etree._Element:
        if new.tag == w("p"):
            self._rewrite(new, old, new, equal_as=None, removed_as="del", added_as="ins")
            return new
        return self._changed_table(old, new)

    def _rewrite(self, target: etree._Element, old: etree._Element, new: etree._Element, *,
                 equal_as: str | None, removed_as: str | None, added_as: str | None) -> None:
        """Refill ``target`` word by word: common words as ``equal_as``, old-only and new-only words as given (None: left out)."""
        old_tokens, new_tokens = list(_tokens(old)), list(_tokens(new))
        contexts = self.old_formats.context(old), self.new_formats.context(new)
        _clear(target)
        for tag, i1, i2, j1, j2 in opcodes([t[0] for t in old_tokens], [t[0] for t in new_tokens]):
            if tag == "equal":
                if equal_as in _OLD_SIDE:
                    self._emit(target, old_tokens[i1:i2], equal_as)
                else:  # the same words in the new draft's formatting; where it changed, the old one is recorded
                    self._emit(target, [self._formatted(o, n, contexts)
                                        for o, n in zip(old_tokens[i1:i2], new_tokens[j1:j2])], equal_as)
                continue
            if i2 > i1 and removed_as:
                self._emit(target, old_tokens[i1:i2], removed_as)
            if j2 > j1 and added_as:
                self._emit(target, new_tokens[j1:j2], added_as)
        if equal_as:  # a moved paragraph's mark moves too
            self._mark_paragraph(target, equal_as)

    def same_format(self, old: etree._Element, new: etree._Element) -> bool:
        """Whether two elements with the same text show it in the same character formatting, each in its own draft's styles."""
        return ([self.old_formats.formatting(p) for p in old.iter(w("p"))]
                == [self.new_formats.formatting(p) for p in new.iter(w("p"))])

    def _formatted(self, old: _Token, new: _Token, contexts: tuple[Any, Any]) -> _Token:
        """``new``, its properties a :class:`_FormatChange` when a word's formatting changed from ``old``'s."""
        if new[2] != "t" or self.old_formats.key(old[1], contexts[0]) == self.new_formats.key(new[1], contexts[1]):
            return new
        return new[0], _FormatChange(new[1], old[1]), new[2], new[3]

    def _changed_table(self, old: etree._Element, new: etree._Element) -> etree._Element:
        old_rows, new_rows = old.findall(w("tr")), new.findall(w("tr"))
        # the rows stay in the table until all are compared: a row's formatting depends on its place (a header row)
        rows: list[etree._Element] = []
        for o, n, equal in self._align(old_rows, new_rows, _ROWS):
            if equal and self.same_format(o, n):
                rows.append(n)
            elif o is not None and n is not None:
                for old_cell, new_cell in zip(o.findall(w("tc")), n.findall(w("tc"))):
                    self._changed_cell(old_cell, new_cell)
                rows.append(n)
            elif o is not None:
                row = copy.deepcopy(o)
                self._row(row, "del")
                rows.append(row)
            else:
                self._row(n, "ins")
                rows.append(n)
        for row in new_rows:
            new.remove(row)
        new.extend(rows)
        return new

    def _changed_cell(self, old: etree._Element, new: etree._Element) -> None:
        """A cell's paragraphs and tables, compared like a body of their own."""
        old_blocks = [c for c in old if c.tag != w("tcPr")]
        new_blocks = [c for c in new if c.tag != w("tcPr")]
        if [self.key(b) for b in old_blocks] == [self.key(b) for b in new_blocks] and all(map(self.same_format, old_blocks,
                                                                                       new_blocks)):
            return
        merged = self.merge(old_blocks, new_blocks)
        for block in new_blocks:
            new.remove(block)
        new.extend(merged)


def _clear(p: etree._Element) -> None:
    for child in list(p):
        if child.tag != w("pPr"):
            p.remove(child)


def _split_at_moves(parts: list[Segment], group: dict[str, str]) -> tuple[list[list[Segment]], list[list[Segment]]]:
    """Runs of unmoved segments, and the moves between them (one fewer): each move its group of segments."""
    runs: list[list[Segment]] = [[]]
    moves: list[list[Segment]] = []
    for part in parts:
        if part.key not in group:
            runs[-1].append(part)
        elif moves and runs[-1] == [] and group[part.key] == group[moves[-1][0].key]:
            moves[-1].append(part)
        else:
            moves.append([part])
            runs.append([])
    return runs, moves


# ---------------------------------------------------------------- the old file's styles and lists


class _Adopter:
    """Makes elements read from the old .docx valid in the new one's package.

    Styles the new file lacks are copied from the old one; list numbering
    is mapped to an identical list of the new file where one exists (so that
    a deleted heading keeps its place in the heading numbers), or copied;
    section properties (which point at the old file's headers) are dropped.
    """

    def __init__(self, old: WordDraft, word: Any) -> None:
        self.old = old
        self.styles = word.styles.element
        self.numbering = word.part.numbering_part.element
        self.style_ids = {s.get(w("styleId")) for s in self.styles.findall(w("style"))}
        self.num_map: dict[str, str] = {}
        self.abstract_map: dict[str, str] = {}

    def adopt(self, elements: list[etree._Element]) -> None:
        for element in elements:
            for sect in list(element.iter(w("sectPr"))):
                sect.getparent().remove(sect)
            for ref in list(element.iter(w("pStyle"), w("rStyle"), w("tblStyle"))):
                if not self._style(ref.get(w("val"), "")):
                    ref.getparent().remove(ref)
            for num_id in list(element.iter(w("numId"))):
                value = num_id.get(w("val"), "0")
                if value != "0":
                    num_id.set(w("val"), self._num(value))

    def _style(self, style_id: str) -> bool:
        """Whether ``style_id`` exists in the new file, copying it (and what it is based on) from the old."""
        if style_id in self.style_ids:
            return True
        source = None
        if self.old.styles is not None:
            source = next((s for s in self.old.styles.findall(w("style")) if s.get(w("styleId")) == style_id), None)
        if source is None:
            return False
        style = copy.deepcopy(source)
        for num in list(style.iter(w("numPr"))):  # its list lives in the old numbering part
            num.getparent().remove(num)
        self.style_ids.add(style_id)
        self.styles.append(style)
        for link in ("basedOn", "next", "link"):
            ref = style.find(w(link))
            if ref is not None and not self._style(ref.get(w("val"), "")):
                style.remove(ref)
        return True

    def _num(self, old_id: str) -> str:
        if old_id in self.num_map:
            return self.num_map[old_id]
        old_numbering = self.old.numbering
        num = None
        if old_numbering is not None:
            num = next((n for n in old_numbering.findall(w("num")) if n.get(w("numId")) == old_id), None)
        if num is None:
            self.num_map[old_id] = "0"  # no list: Word shows the paragraph unnumbered
            return "0"
        abstract_ref = num.find(w("abstractNumId"))
        abstract_id = self._abstract(abstract_ref.get(w("val"), "") if abstract_ref is not None else "")
        overrides = num.findall(w("lvlOverride"))
        new_id = None
        if not overrides:  # a plain list: continue the new file's identical one
            new_id = next((n.get(w("numId")) for n in self.numbering.findall(w("num"))
                           if n.find(w("abstractNumId")) is not None
                           and n.find(w("abstractNumId")).get(w("val")) == abstract_id
                           and n.find(w("lvlOverride")) is None), None)
        if new_id is None:
            new_id = str(max([int(n.get(w("numId"), "0")) for n in self.numbering.findall(w("num"))], default=0) + 1)
            self.numbering.append(el("num", {"numId": new_id}, el("abstractNumId", {"val": abstract_id}),
                                     *(copy.deepcopy(o) for o in overrides)))
        self.num_map[old_id] = new_id
        return new_id

    def _abstract(self, old_id: str) -> str:
        if old_id in self.abstract_map:
            return self.abstract_map[old_id]
        assert self.old.numbering is not None
        source = next((a for a in self.old.numbering.findall(w("abstractNum")) if a.get(w("abstractNumId")) == old_id), None)
        existing = self.numbering.findall(w("abstractNum"))
        new_id = None
        if source is not None:
            shape = _list_shape(source)
            new_id = next((a.get(w("abstractNumId")) for a in existing if _list_shape(a) == shape), None)
        if new_id is None:
            new_id = str(max([int(a.get(w("abstractNumId"), "0")) for a in existing], default=-1) + 1)
            abstract = copy.deepcopy(source) if source is not None else el("abstractNum")
            abstract.set(w("abstractNumId"), new_id)
            for unique in abstract.findall(w("nsid")):  # Word links lists with the same nsid
                abstract.remove(unique)
            add_abstract_num(self.numbering, abstract)
        self.abstract_map[old_id] = new_id
        return new_id


def _list_shape(abstract: etree._Element) -> bytes:
    """What a list looks like, without the ids that differ from file to file."""
    shape = copy.deepcopy(abstract)
    for attr in list(shape.attrib):
        del shape.attrib[attr]
    for child in list(shape):
        if child.tag in (w("nsid"), w("tmpl")):
            shape.remove(child)
    return etree.tostring(shape, method="c14n")


# ---------------------------------------------------------------- the cover page


def _cover_page(cover: Cover, styles: dict[str, str]) -> list[etree._Element]:
    """The summary as a page of its own before the agreement (plain content, not a tracked change)."""

    def paragraph(text: str, style: str | None, *, bold: bool = False, size: int | None = None,
                  before: int | None = None) -> etree._Element:
        ppr = el("pPr", None, el("pStyle", {"val": styles[style]})) if style in styles else el("pPr")
        if before is not None:
            ppr.append(el("keepNext"))
            ppr.append(el("spacing", {"before": str(before), "after": "80"}))
        rpr = el("rPr", None, *([el("b")] if bold else []), *([el("sz", {"val": str(size)})] if size else []))
        return el("p", None, ppr, el("r", None, rpr, text_el("t", text)))

    out = [paragraph(cover.title, "Title", bold="Title" not in styles, size=None if "Title" in styles else 32),
           paragraph(cover.subtitle, "Subtitle")]
    border = {"val": "single", "sz": "4", "space": "0", "color": "999999"}
    for title, rows in cover.groups:
        out.append(paragraph(title, None, bold=True, before=240))
        table = el(
            "tbl", None,
            el("tblPr", None,
               el("tblW", {"w": "9360", "type": "dxa"}),
               el("tblBorders", None, *(el(side, border) for side in
                                        ("top", "left", "bottom", "right", "insideH", "insideV"))),
               el("tblLayout", {"type": "fixed"})),
            el("tblGrid", None, el("gridCol", {"w": "3600"}), el("gridCol", {"w": "5760"})),
        )
        for subject, text in rows:
            table.append(el("tr", None, el("trPr", None, el("cantSplit")), *(
                el("tc", None, el("tcPr", None, el("tcW", {"w": width, "type": "dxa"})), paragraph(cell, None))
                for cell, width in ((subject, "3600"), (text, "5760"))
            )))
        out.append(table)
    out.append(el("p", None, el("r", None, el("br", {"type": "page"}))))
    return out
