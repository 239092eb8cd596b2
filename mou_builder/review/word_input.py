"""Reading .docx drafts: the body of a Word file, and what mou-builder recorded in it.

A draft mou-builder wrote carries its clause manifest in custom properties,
a bookmark spanning each clause (``mou_<clause id>``) and one on each section
heading (``_Ref_mou_...``). Its body splits into *segments* keyed by those
bookmarks, so that a comparison can tell a clause that moved from one that
was deleted. Any other .docx is a single segment.

Before two bodies are compared they are *cleaned*: tracked changes already
in a file are accepted, fields become the result they display, and wrappers
without text of their own (hyperlinks, content controls, smart tags,
bookmarks, comment ranges, proofing marks) are unwrapped or dropped. Of
content Word stores twice (``mc:AlternateContent``, e.g. a text box) only the
``mc:Choice`` is kept. Pictures and other objects inside runs are kept.

Footnotes and endnotes are read with the draft and numbered as a reader
sees them (:func:`numbered_notes`); character formatting is compared as a
reader sees it, resolved against the draft's own styles (:class:`Formats`).

Every .docx mou-builder reads (drafts, the new draft of a redline, Word
templates) is opened by :func:`open_package`, which inflates and measures
every part against the limits below and refuses macros before anything is
parsed or copied.

Plain lxml and zipfile: nothing here imports python-docx.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from lxml import etree

from mou_builder.document import ClauseOutline
from mou_builder.errors import DraftError, MouError
from mou_builder.files import NotRegularFile, read_bounded, read_regular
from mou_builder.render.ooxml import MC_NS, w

if TYPE_CHECKING:
    from mou_builder.spec.model import Spec

# Limits on a .docx package, a guard against zip bombs and parts no agreement has.
# A 200-page agreement's document.xml is 2 to 6 MB and its other XML parts
# (styles, numbering, headers) well under 1 MB; pictures (logos, signatures,
# a scanned annex) are a few MB. The limits leave several times that room,
# and bound what a comparison parses, copies and holds in memory.
MB = 2**20
#: The size of a .docx file on disk.
MAX_FILE_BYTES = 64 * MB
#: Each XML part, uncompressed.
MAX_XML_PART_BYTES = 16 * MB
#: All XML parts together, uncompressed.
MAX_XML_BYTES = 48 * MB
#: Each other part (pictures, fonts, embedded files), uncompressed.
MAX_MEDIA_PART_BYTES = 32 * MB
#: Every part together, uncompressed.
MAX_PACKAGE_BYTES = 128 * MB
#: How much larger than compressed a part over 1 MB may be: XML compresses about 10:1, pictures hardly at all.
MAX_RATIO = 200
#: The number of parts in a package (Word writes a few dozen).
MAX_PARTS = 2000
#: How deep elements may nest: the XML parser's own limit (a Word document nests a few dozen deep).
MAX_DEPTH = 256
#: Paragraphs (table cells' included) and elements in a document: 200 pages hold about 2,000 and 60,000.
MAX_PARAGRAPHS = 20_000
MAX_ELEMENTS = 300_000

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_DCTERMS_NS = "http://purl.org/dc/terms/"
#: The namespace of the custom XML part in which a build keeps the spec it was built from.
SPEC_XML_NS = "urn:mou-builder:spec:1"


@dataclass(frozen=True)
class WordComment:
    """A comment from a .docx file's comments part: who wrote it, when, and its text (paragraphs joined by line breaks)."""

    id: str
    author: str
    date: str | None
    text: str


@dataclass
class WordDraft:
    """A .docx file read for comparison."""

    name: str
    data: bytes
    #: Block-level elements of the body, in order, without the final section properties.
    body: list[etree._Element]
    styles: etree._Element | None
    numbering: etree._Element | None
    #: Custom document properties (mou-builder writes its provenance there).
    properties: dict[str, str]
    #: The core 'modified' (or 'created') date, if the file has one.
    date: date | None
    #: Header and footer parts (their root elements), by :func:`margin_refs` label, in document order.
    margins: dict[str, etree._Element] = field(default_factory=dict)
    #: The spec the draft was built from, as canonical JSON (None: not recorded), and its recorded hash.
    spec_json: str | None = None
    spec_sha256: str | None = None
    #: The comments of the comments part, by their ``w:id`` (anchored in the body by comment ranges).
    comments: dict[str, WordComment] = field(default_factory=dict)
    #: Footnotes and endnotes (``w:footnote``/``w:endnote`` elements, separators left out), by kind and ``w:id``.
    notes: dict[str, dict[str, etree._Element]] = field(default_factory=dict)
    #: The theme's fonts (``major``, ``minor``: the typeface of headings and of body text), see :func:`theme_fonts`.
    fonts: dict[str, str] = field(default_factory=dict)

    @property
    def from_mou_builder(self) -> bool:
        """Whether mou-builder wrote this file (it carries the clause manifest)."""
        return "mou.generator" in self.properties

    @property
    def manifest(self) -> list[tuple[str, str]]:
        """``(clause id, version)`` of each clause, in document order, as recorded at build time."""
        # by the clause's place as a number: as text, mou.clause.1000 would sort before mou.clause.101
        entries = sorted((int(k.rpartition(".")[2]), v) for k, v in self.properties.items()
                         if re.fullmatch(r"mou\.clause\.\d+", k))
        out = []
        for _, value in entries:
            ref = value.split(" ", 1)[0]
            clause_id, _, version = ref.rpartition("@")
            out.append((clause_id, version))
        return out

    @property
    def complete(self) -> bool | None:
        """Whether the draft was complete when it was built; None if not recorded."""
        value = self.properties.get("mou.complete")
        return None if value is None else value == "true"


def read_docx(data: bytes, name: str, error: type[MouError] = DraftError) -> WordDraft:
    """Read a .docx file's body, styles, numbering and properties. Raises ``error`` (:class:`DraftError`)."""
    with open_package(data, name, error) as archive:
        package = _Package(archive, name, error)
        main = package.target("", "officeDocument")
        if main is None:
            raise error(f"{name}: not a Word document (the package has no main document part)")
        root = package.xml(main)
        check_document(root, name, main, error)
        styles = package.target(main, "styles")
        numbering = package.target(main, "numbering")
        custom = package.target("", "custom-properties")
        core = package.target("", "metadata/core-properties")
        blocks = [child for child in root.find(w("body")) if child.tag != w("sectPr")]
        parts = package.targets(main)
        margins = {}
        for label, rid in margin_refs(root):
            if rid in parts:
                margin = package.xml(parts[rid])
                if margin.tag in (w("hdr"), w("ftr")):
                    margins[label] = margin
        spec_json, spec_hash = _embedded_spec(package, main)
        comments_part = package.target(main, "comments")
        comments = _comments(package.xml(comments_part)) if comments_part else {}
        theme = package.target(main, "theme")
        notes = {}
        for kind in NOTE_KINDS:
            part = package.target(main, kind + "s")
            notes[kind] = _notes(package.xml(part), kind) if part else {}
        return WordDraft(
            name=name,
            data=data,
            body=blocks,
            styles=package.xml(styles) if styles else None,
            numbering=package.xml(numbering) if numbering else None,
            properties=_custom_properties(package.xml(custom)) if custom else {},
            date=_core_date(package.xml(core)) if core else None,
            margins=margins,
            comments=comments,
            notes=notes,
            fonts=theme_fonts(package.xml(theme)) if theme else {},
            spec_json=spec_json,
            spec_sha256=spec_hash,
        )


_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def margin_refs(root: etree._Element) -> list[tuple[str, str]]:
    """``(label, relationship id)`` of each header and footer a document's sections use, in order.

    The label names the part as a reader would ("header", "first-page
    footer", "header of section 2") and is what two drafts' parts are
    matched by. A part used by several sections is listed once.
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, sect in enumerate(root.iter(w("sectPr")), start=1):
        for ref in sect:
            if ref.tag not in (w("headerReference"), w("footerReference")):
                continue
            rid = ref.get(_R_ID, "")
            if rid in seen:
                continue
            seen.add(rid)
            kind = "header" if ref.tag == w("headerReference") else "footer"
            page = {"first": "first-page ", "even": "even-page "}.get(ref.get(w("type"), "default"), "")
            out.append((f"{page}{kind}" + (f" of section {number}" if number > 1 else ""), rid))
    return out


def margin_lines(draft: WordDraft) -> dict[str, tuple[str, ...]]:
    """The text lines of each header and footer of a draft, by label.

    Cleaned copies: fields show their result, except the page-layout fields
    (``Page {PAGE} of {NUMPAGES}``), whose result is whatever page count the
    program that last saved the file had worked out, not the draft's words.
    """
    return {label: tuple(text_lines(clean(layout_fields_named([deepcopy(c) for c in root]))))
            for label, root in draft.margins.items()}


#: The kinds of notes a Word file holds, each in a part of its own (``footnotes.xml``, ``endnotes.xml``).
NOTE_KINDS = ("footnote", "endnote")


def _notes(root: etree._Element, kind: str) -> dict[str, etree._Element]:
    """The notes of a footnotes or endnotes part by id; the separators Word keeps there are no one's note."""
    return {note.get(w("id"), ""): note for note in root.findall(w(kind)) if note.get(w("type"), "normal") == "normal"}


def note_references(elements: Iterable[etree._Element]) -> list[etree._Element]:
    """The footnote and endnote references in ``elements``, in document order."""
    return [ref for element in elements for ref in element.iter(w("footnoteReference"), w("endnoteReference"))]


def note_label(kind: str, number: int) -> str:
    """How a reader names a note: "Footnote 2", "Endnote 1" (its number in the draft, by the order of references)."""
    return f"{kind.capitalize()} {number}"


def numbered_notes(notes: Mapping[str, Mapping[str, etree._Element]],
                   body: Iterable[etree._Element]) -> list[tuple[str, etree._Element]]:
    """``(label, note element)`` of each of ``notes`` (by kind and id, as :attr:`WordDraft.notes`) referenced in ``body`` (cleaned), as the reader numbers them.

    Word numbers footnotes and endnotes, each kind from 1, in the order
    their references come in the text; the ids in the file are not what a
    reader sees (LibreOffice writes them again on saving). A note referenced
    twice is listed once; a reference to no note of the file is skipped.
    """
    out: list[tuple[str, etree._Element]] = []
    counts = dict.fromkeys(NOTE_KINDS, 0)
    seen: set[tuple[str, str]] = set()
    for ref in note_references(body):
        kind = "footnote" if ref.tag == w("footnoteReference") else "endnote"
        note = notes.get(kind, {}).get(ref.get(w("id"), ""))
        if note is None or (kind, ref.get(w("id"), "")) in seen:
            continue
        seen.add((kind, ref.get(w("id"), "")))
        counts[kind] += 1
        out.append((note_label(kind, counts[kind]), note))
    return out


def note_lines(draft: WordDraft, body: Iterable[etree._Element]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The text lines of each note referenced in ``body`` (cleaned), labelled as :func:`numbered_notes` does."""
    return tuple((label, note_text(note)) for label, note in numbered_notes(draft.notes, body))


def note_text(note: etree._Element) -> tuple[str, ...]:
    """A note's text lines, as :func:`text_lines` reads them, tracked changes accepted.

    A note's text starts after its mark (the number Word shows), usually
    with a space: lines are compared without the spaces around them.
    """
    return tuple(line.strip() for line in text_lines(clean_copies(list(note))) if line.strip())


#: Fields whose result depends on the page layout, not on the text: a page number, a page count.
_LAYOUT_FIELDS = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION"})


def layout_fields_named(elements: list[etree._Element]) -> list[etree._Element]:
    """``elements`` (changed in place) with each page-layout field's result replaced by its name, ``{PAGE}``.

    Two saves of the same draft differ in these results (a file written
    without a layout says "Page 1 of 1"; LibreOffice writes "Page 6 of 6"),
    so they are compared by what they are. Simple and complex fields both.
    """
    def layout(instruction: str) -> str | None:
        words = instruction.split()
        return words[0].upper() if words and words[0].upper() in _LAYOUT_FIELDS else None

    for element in elements:
        for simple in list(element.iter(w("fldSimple"))):
            name = layout(simple.get(w("instr"), ""))
            if name:
                for child in list(simple):
                    simple.remove(child)
                run = etree.SubElement(simple, w("r"))
                etree.SubElement(run, w("t")).text = "{" + name + "}"
        stack: list[list[Any]] = []  # [instruction, state, named]: a field may span runs and paragraphs
        for node in list(element.iter(w("fldChar"), w("instrText"), w("t"))):
            if node.tag == w("fldChar"):
                kind = node.get(w("fldCharType"))
                if kind == "begin":
                    stack.append(["", "code", False])
                elif kind == "separate" and stack:
                    stack[-1][1] = "result"
                elif kind == "end" and stack:
                    stack.pop()
            elif node.tag == w("instrText") and stack:
                stack[-1][0] += node.text or ""
            elif node.tag == w("t") and stack and stack[-1][1] == "result":
                name = layout(stack[-1][0])
                if name:
                    node.text = "" if stack[-1][2] else "{" + name + "}"
                    stack[-1][2] = True
    return elements


def check_document(root: etree._Element, name: str, member: str, error: type[MouError]) -> None:
    """Raise ``error`` unless ``root`` (the main part ``member``) is a WordprocessingML document with a body of a size an agreement has.

    The size limits bound the work of a comparison, which grows with the
    number of paragraphs and elements, not only with the bytes of the part.
    """
    if root.tag != w("document") or root.find(w("body")) is None:
        raise error(f"{name}: not a Word document ({member} is not a WordprocessingML document with a body)")
    for what, tags, limit in (("paragraphs", (w("p"),), MAX_PARAGRAPHS), ("elements", (), MAX_ELEMENTS)):
        count = 0
        for _ in root.iter(*tags):
            count += 1
            if count > limit:
                raise error(f"{name}: {member} holds more than {limit:,} {what}, more than a Word agreement has")


def read_docx_file(path: str | os.PathLike[str], error: type[MouError] = DraftError) -> bytes:
    """The bytes of a .docx file on disk, read up to :data:`MAX_FILE_BYTES` (a device or pipe is refused)."""
    return read_bounded(path, MAX_FILE_BYTES, error, not_regular="not a regular file",
                        too_large=f"larger than {MAX_FILE_BYTES // MB} MB, more than a Word agreement needs")


def open_package(data: bytes, name: str, error: type[MouError] = DraftError) -> zipfile.ZipFile:
    """The zip package of a .docx file, after checking every part; raises ``error`` (naming the part) if one fails.

    Every place that opens a .docx (drafts, the new draft of a redline,
    templates) comes through here before any part is parsed or copied.
    Each part is inflated in chunks and counted, so a part whose header
    understates its size is caught when it passes the limit, not after.
    Macro-enabled content is refused, so it never reaches an output.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise error(
            f"{name}: not a Word .docx file (it is not a zip package; an old .doc must be saved as .docx first)"
        ) from None
    try:
        _check_parts(archive, name, error)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_parts(archive: zipfile.ZipFile, name: str, error: type[MouError]) -> None:
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise error(f"{name}: the package has {len(members):,} parts, more than the {MAX_PARTS:,} a Word file may have")
    xml_total = total = 0
    for info in members:
        member = info.filename
        if posixpath.basename(member).lower() in ("vbaproject.bin", "vbadata.xml"):
            raise error(f"{name}: {member} holds macros; mou-builder does not read macro-enabled Word files "
                        "(save it as a Word Document, .docx, without macros)")
        is_xml = member.lower().endswith((".xml", ".rels"))
        limit = MAX_XML_PART_BYTES if is_xml else MAX_MEDIA_PART_BYTES
        kind = "an XML part" if is_xml else "a picture or other part"
        if info.file_size > limit:
            raise error(f"{name}: {member} is {_size(info.file_size)} uncompressed, more than the "
                        f"{_size(limit)} allowed for {kind}")
        if info.file_size > MB and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise error(f"{name}: {member} inflates {info.file_size // max(info.compress_size, 1):,} times "
                        f"(more than {MAX_RATIO} times): not an ordinary Word part")
        size = _inflated_size(archive, info, name, limit, kind, error)
        total += size
        xml_total += size if is_xml else 0
        if xml_total > MAX_XML_BYTES:
            raise error(f"{name}: its XML parts inflate to more than {_size(MAX_XML_BYTES)} together "
                        f"(at {member})")
        if total > MAX_PACKAGE_BYTES:
            raise error(f"{name}: its parts inflate to more than {_size(MAX_PACKAGE_BYTES)} together (at {member})")
        if member == "[Content_Types].xml" and re.search(rb"macroEnabled|vbaProject", archive.read(info), re.I):
            raise error(f"{name}: [Content_Types].xml declares macro-enabled content; mou-builder does not read "
                        "macro-enabled Word files (save it as a Word Document, .docx, without macros)")


def _inflated_size(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int, kind: str,
                   error: type[MouError]) -> int:
    """A part's real uncompressed size, read in chunks and never past ``limit`` (the header may lie)."""
    size = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(MB):
                size += len(chunk)
                if size > limit:
                    raise error(f"{name}: {info.filename} inflates to more than the {_size(limit)} allowed "
                                f"for {kind} (its header says {_size(info.file_size)})")
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise error(f"{name}: {info.filename} cannot be read ({exc})") from None
    return size


def _size(count: int) -> str:
    return f"{count / MB:,.0f} MB" if count >= MB else f"{count / 1024:,.0f} KB" if count >= 1024 else f"{count} bytes"


class _Package:
    """The parts and relationships of an open zip package (already checked by :func:`open_package`)."""

    def __init__(self, archive: zipfile.ZipFile, name: str, error: type[MouError]) -> None:
        self.archive = archive
        self.name = name
        self.error = error
        self.members = {info.filename: info for info in archive.infolist()}
        self.parsed: dict[str, etree._Element] = {}  # relationship parts are asked for more than once

    def xml(self, member: str) -> etree._Element:
        if member not in self.parsed:
            self.parsed[member] = self._parse(member)
        return self.parsed[member]

    def _parse(self, member: str) -> etree._Element:
        info = self.members.get(member)
        if info is None:
            raise self.error(f"{self.name}: the package lacks {member}")
        if info.file_size > MAX_XML_PART_BYTES:  # a part named as something else but related as XML
            raise self.error(f"{self.name}: {member} is {_size(info.file_size)} uncompressed, more than the "
                             f"{_size(MAX_XML_PART_BYTES)} allowed for an XML part")
        try:
            blob = self.archive.read(member)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:  # damaged compressed data
            raise self.error(f"{self.name}: {member} cannot be read ({exc})") from None
        return parse_part(blob, self.name, member, self.error)

    def targets(self, source: str) -> dict[str, str]:
        """The parts ``source`` relates to inside the package, by relationship id."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", f"{base}.rels")
        out = {}
        if rels in self.members:
            for rel in self.xml(rels).iter(f"{{{_REL_NS}}}Relationship"):
                target = rel.get("Target", "")
                if rel.get("TargetMode") == "External" or not target:
                    continue
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                if path in self.members:
                    out[rel.get("Id", "")] = path
        return out

    def target(self, source: str, kind: str) -> str | None:
        """The part that ``source`` (the package itself when '') relates to with a relationship of ``kind``."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", f"{base}.rels") if source else "_rels/.rels"
        if rels not in self.members:
            return None
        for rel in self.xml(rels).iter(f"{{{_REL_NS}}}Relationship"):
            if rel.get("Type", "").endswith("/" + kind) and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                return path if path in self.members else None
        return None


def parse_part(blob: bytes, name: str, member: str, error: type[MouError] = DraftError) -> etree._Element:
    """The XML part ``member`` of the package ``name``, parsed safely; raises ``error`` naming both.

    Entities are never expanded (no file or network is read, no "billion
    laughs"), and a DOCTYPE, which Word never writes, is refused. Every XML
    part mou-builder parses, reads or rewrites goes through here.
    """
    doctype = error(f"{name}: {member} declares a DOCTYPE with entities, which Word never writes; "
                    "open the file in Word or LibreOffice and save it again as .docx")
    try:
        root = etree.fromstring(blob, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        if _DOCTYPE.match(blob):  # an entity the parser refused to expand: the DOCTYPE is the cause
            raise doctype from None
        if "Excessive depth" in str(exc):
            raise error(f"{name}: {member} nests elements more than {MAX_DEPTH} deep "
                        "(a Word document nests a few dozen at most)") from None
        raise error(f"{name}: {member} is not well-formed XML ({exc})") from None
    if root.getroottree().docinfo.internalDTD is not None:
        # Word never writes a DOCTYPE. Its entities are not expanded (that is how a small file
        # grows to gigabytes), and an unexpanded one would cut off the text that follows it.
        raise doctype
    return root


#: A DOCTYPE before the root element (after the XML declaration, comments and processing instructions).
_DOCTYPE = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*)*<!DOCTYPE", re.S)


#: How much larger than a spec file the spec a draft carries may be (it holds every field, defaults included).
EMBEDDED_SPEC_FACTOR = 3


def _custom_properties(root: etree._Element) -> dict[str, str]:
    out = {}
    for prop in root.iter(f"{{{_CUSTOM_NS}}}property"):
        value = next(iter(prop), None)
        out[prop.get("name", "")] = (value.text or "") if value is not None else ""
    return out


def _embedded_spec(package: _Package, main: str) -> tuple[str | None, str | None]:
    """The spec a build embedded (see ``render.word._embed_spec``): its JSON text and recorded hash."""
    for rid, part in package.targets(main).items():
        if not part.startswith("customXml/"):
            continue
        try:
            root = package.xml(part)
        except MouError:  # another program's item we cannot read is none of ours: the draft is still read
            continue
        if root.tag == f"{{{SPEC_XML_NS}}}spec":
            return root.text or "", root.get("sha256")
    return None, None


def _comments(root: etree._Element) -> dict[str, WordComment]:
    out = {}
    for comment in root.iter(w("comment")):
        cid = comment.get(w("id"), "")
        text = "\n".join(text_of(p) for p in comment.iter(w("p")))
        out[cid] = WordComment(cid, comment.get(w("author"), ""), comment.get(w("date")), text)
    return out


def _core_date(root: etree._Element) -> date | None:
    for tag in ("modified", "created"):
        found = root.find(f"{{{_DCTERMS_NS}}}{tag}")
        if found is not None and found.text:
            try:
                return date.fromisoformat(found.text.strip()[:10])
            except ValueError:
                continue
    return None


# ---------------------------------------------------------------- segments


@dataclass
class Segment:
    """Consecutive body elements with one identity: the front matter, a section heading, or a clause."""

    key: str  # 'front', 'section:<bookmark>' or 'clause:<bookmark>'
    elements: list[etree._Element]

    @property
    def weight(self) -> int:
        """How much text the segment holds (what a move is measured by)."""
        return 1 + sum(len(text_of(e)) for e in self.elements)


def segments(elements: Iterable[etree._Element]) -> list[Segment]:
    """Split body elements at mou-builder's section and clause bookmarks (a file without them is one segment)."""
    out = [Segment("front", [])]
    seen = {"front"}
    for element in elements:
        key = _segment_key(element)
        if key is not None and key not in seen:
            seen.add(key)
            out.append(Segment(key, [element]))
        else:
            out[-1].elements.append(element)
    return out


def _segment_key(element: etree._Element) -> str | None:
    if element.tag != w("p"):
        return None
    names = [b.get(w("name"), "") for b in element.findall(w("bookmarkStart"))]
    for name in names:
        if name.startswith("mou_"):
            return "clause:" + name
    for name in names:
        if name.startswith("_Ref_mou_"):
            return "section:" + name
    return None


_TEXT_TAGS = (w("t"), w("delText"), w("br"), w("tab"), w("cr"))
_AS_TEXT = {w("br"): "\n", w("cr"): "\n", w("tab"): "\t"}
_BR, _TYPE = w("br"), w("type")


def text_of(element: etree._Element) -> str:
    """The text an element shows (deleted text included), breaks and tabs as characters.

    A page or column break before or after all the text is left out: it
    says where the text starts or the next text starts, like a paragraph's
    "page break before", which LibreOffice writes as such a break (at the
    start of the paragraph, or at the end of the one before) when it saves.
    """
    text = "".join(("\f" if node.get(_TYPE) in ("page", "column") else "\n") if node.tag == _BR
                   else _AS_TEXT.get(node.tag) or node.text or "" for node in element.iter(*_TEXT_TAGS))
    # \f marks a page break (XML text holds none): kept as a line break only between words
    return text.strip("\f").replace("\f", "\n") if "\f" in text else text


def paragraph_texts(elements: Iterable[etree._Element]) -> list[str]:
    """The non-empty paragraphs (table cells' included), in document order."""
    out = []
    for element in elements:
        for p in element.iter(w("p")):  # the element itself included
            text = text_of(p)
            if text:
                out.append(text)
    return out


def cleaned_segments(elements: Sequence[etree._Element], *, copy: bool = True) -> list[Segment]:
    """:func:`segments`, each cleaned (of copies of the elements unless ``copy`` is False)."""
    parts = segments(deepcopy(e) for e in elements) if copy else segments(elements)
    for part in parts:
        part.elements = clean(part.elements)
    return parts


def text_lines(elements: Iterable[etree._Element]) -> list[str]:
    """The text as lines for comparing drafts: paragraphs, and each table row as one line.

    A row's cells are joined by `` | ``, a cell's paragraphs (nested tables
    included) by line breaks; lines without text are left out.
    """
    return [text for text, _ in _lines(elements)]


def text_lines_and_formats(elements: Iterable[etree._Element],
                           styles: Formats) -> tuple[list[str], list[tuple[Any, ...]]]:
    """:func:`text_lines`, and each line's character formatting (:meth:`Formats.formatting` of its paragraphs)."""
    lines, formats = [], []
    for text, paragraphs in _lines(elements):
        lines.append(text)
        formats.append(tuple(styles.formatting(p) for p in paragraphs))
    return lines, formats


def _lines(elements: Iterable[etree._Element]) -> Iterator[tuple[str, list[etree._Element]]]:
    """Each line's text, with the paragraphs it is made of."""
    for element in elements:
        if element.tag == w("tbl"):
            for row in element.findall(w("tr")):
                cells = ["\n".join(paragraph_texts(cell)) for cell in row.findall(w("tc"))]
                if any(cells):
                    yield " | ".join(cells), list(row.iter(w("p")))
        elif element.tag == w("p"):
            text = text_of(element)
            if text:
                yield text, [element]


#: Toggle properties (on, or off with val 0/false/off) a reader sees: bold, italic, struck, capitals, hidden.
_TOGGLES = ("b", "i", "strike", "dstrike", "caps", "smallCaps", "vanish")
#: Properties with a value a reader sees, and the value that means "none".
_VALUED = {"u": "none", "color": "auto", "sz": None, "highlight": "none", "vertAlign": "baseline", "position": "0"}
_NONE = {name: value.upper() for name, value in _VALUED.items() if value is not None}
#: A table style's conditional formats (``w:tblStylePr``), in the order Word applies them, and their ``w:tblLook`` flags.
_CONDITIONS = (("firstCol", "firstColumn", 0x0080), ("lastCol", "lastColumn", 0x0100),
               ("firstRow", "firstRow", 0x0020), ("lastRow", "lastRow", 0x0040))

_VAL, _TC, _TBL = w("val"), w("tc"), w("tbl")
_R, _RPR, _BODY, _PPR, _PSTYLE = w("r"), w("rPr"), w("body"), w("pPr"), w("pStyle")
FormatKey = tuple[tuple[str, str], ...]
#: Where a run sits, for resolving its styles: paragraph style, table style, the table's conditions that apply.
FormatContext = tuple[str | None, str | None, tuple[str, ...]]


def _on(element: etree._Element) -> str:
    return "0" if element.get(w("val"), "true").lower() in ("0", "false", "off") else "1"


_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"


def theme_fonts(root: etree._Element) -> dict[str, str]:
    """The typefaces a theme part gives its ``major`` (headings) and ``minor`` (body) fonts, for latin text."""
    out = {}
    for kind in ("major", "minor"):
        latin = root.find(f".//{{{_DRAWING_NS}}}{kind}Font/{{{_DRAWING_NS}}}latin")
        if latin is not None and latin.get("typeface"):
            out[kind] = latin.get("typeface", "")
    return out


def _reader_properties(rpr: etree._Element | None) -> dict[str, str]:
    """The properties of a ``w:rPr`` a reader sees (bold, italic, underline, strike, colour, size, highlight,
    capitals, raised or lowered, font, shading), each as one comparable value; the rest (language, kerning,
    complex-script sizes, proofing) left out."""
    out: dict[str, str] = {}
    if rpr is None:
        return out
    for child in rpr:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name in _TOGGLES:
            out[name] = _on(child)
        elif name in _VALUED:
            out[name] = (child.get(w("val")) or ("single" if name == "u" else "")).upper()
        elif name == "rFonts":
            # a theme font, when given, over the font named outright (as in Word); Formats.key names its typeface
            theme = child.get(w("asciiTheme")) or child.get(w("hAnsiTheme"))
            font = "theme:" + theme if theme else child.get(w("ascii")) or child.get(w("hAnsi"))
            if font:
                out["font"] = font
        elif name == "shd":
            out["shd"] = (child.get(w("fill")) or "auto").upper()
    return out


class Formats:
    """The character formatting of runs as a reader sees it, resolved against one draft's styles.

    A run's formatting comes from the document defaults, the table style
    (with its conditional formats: the header row's bold and colour, ...),
    the paragraph style, the character style and the run's own properties,
    each over the one before. Two runs compare by what all of that gives
    (:meth:`key`), each against its own draft's styles, so a program that
    writes a style's formatting into the runs themselves (LibreOffice does,
    for a table style's header row) has changed nothing. Keys and styles
    are worked out once per draft and cached.
    """

    def __init__(self, styles: etree._Element | None, fonts: Mapping[str, str] | None = None) -> None:
        #: the theme's typefaces (see :func:`theme_fonts`): a theme font compares as the typeface it stands for
        self.fonts = dict(fonts or {})
        self.styles = {s.get(w("styleId"), ""): s for s in styles.iter(w("style"))} if styles is not None else {}
        defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}") if styles is not None else None
        self.defaults = _reader_properties(defaults)
        self.default_paragraph = next((sid for sid, s in self.styles.items()
                                       if s.get(w("type")) == "paragraph" and _on_attr(s.get(w("default")))), None)
        self._chains: dict[tuple[str | None, str], dict[str, str]] = {}
        self._bases: dict[FormatContext, dict[str, str]] = {}
        self._keys: dict[tuple[bytes | None, FormatContext], FormatKey] = {}
        self._tables: dict[etree._Element, tuple[str | None, tuple[str, ...], tuple[etree._Element, ...]]] = {}

    def _style(self, style_id: str | None, condition: str = "") -> dict[str, str]:
        """A style's run properties, its ``basedOn`` chain included (``condition``: a table style's conditional format)."""
        if style_id is None:
            return {}
        cached = self._chains.get((style_id, condition))
        if cached is not None:
            return cached
        out: dict[str, str] = {}
        chain, seen = [], set()
        current: str | None = style_id
        while current is not None and current in self.styles and current not in seen:  # a loop in basedOn ends it
            seen.add(current)
            chain.append(self.styles[current])
            based = self.styles[current].find(w("basedOn"))
            current = based.get(w("val")) if based is not None else None
        for style in reversed(chain):
            if condition:
                conditional = next((c for c in style.findall(w("tblStylePr")) if c.get(w("type")) == condition), None)
                out.update(_reader_properties(conditional.find(w("rPr")) if conditional is not None else None))
            else:
                out.update(_reader_properties(style.find(w("rPr"))))
        self._chains[style_id, condition] = out
        return out

    def context(self, p: etree._Element) -> FormatContext:
        """The paragraph's style, and the style and conditions of the table cell it is in."""
        # iterchildren, not find: find goes through lxml's path parser, and this runs for every paragraph
        ppr = next(p.iterchildren(_PPR), None)
        style = next(ppr.iterchildren(_PSTYLE), None) if ppr is not None else None
        paragraph = style.get(_VAL) if style is not None else self.default_paragraph
        parent = p.getparent()
        if parent is None or parent.tag == _BODY:  # most paragraphs: no table to look for
            return paragraph, None, ()
        cell = parent if parent.tag == _TC else next(p.iterancestors(_TC), None)
        row = cell.getparent() if cell is not None else None
        table = row.getparent() if row is not None else None
        if table is None or table.tag != _TBL:
            return paragraph, None, ()
        table_style, enabled, rows = self._table(table)
        if not enabled:
            return paragraph, table_style, ()
        conditions = []
        for condition in enabled:
            if condition.endswith("Row"):
                if row is rows[0 if condition == "firstRow" else -1]:
                    conditions.append(condition)
            # the first (last) cell has no cell before (after) it: only its neighbours are looked at
            elif next(cell.itersiblings(_TC, preceding=condition == "firstCol"), None) is None:
                conditions.append(condition)
        return paragraph, table_style, tuple(conditions)

    def _table(self, table: etree._Element) -> tuple[str | None, tuple[str, ...], tuple[etree._Element, ...]]:
        """A table's style, the conditional formats its ``w:tblLook`` turns on that the style has, and its first
        and last rows (once per table)."""
        known = self._tables.get(table)
        if known is not None:
            return known
        tstyle = table.find(f"{w('tblPr')}/{w('tblStyle')}")
        table_style = tstyle.get(w("val")) if tstyle is not None else None
        look = table.find(f"{w('tblPr')}/{w('tblLook')}")
        enabled: list[str] = []
        if table_style in self.styles and look is not None:
            bits = int(look.get(w("val"), "0") or "0", 16)
            for condition, flag, bit in _CONDITIONS:
                on = _on_attr(look.get(w(flag))) if look.get(w(flag)) is not None else bits & bit
                if on and self._style(table_style, condition):
                    enabled.append(condition)
        rows = table.findall(w("tr"))
        self._tables[table] = table_style, tuple(enabled), (rows[0], rows[-1]) if rows else ()
        return self._tables[table]

    def key(self, props: bytes | None, context: FormatContext) -> FormatKey:
        """What a run with properties ``props`` (serialised ``w:rPr``, or None) looks like in ``context``."""
        cached = self._keys.get((props, context))
        if cached is not None:
            return cached
        base = self._bases.get(context)
        if base is None:
            paragraph, table, conditions = context
            base = {**self.defaults, **self._style(table)}
            for condition in conditions:
                base.update(self._style(table, condition))
            base.update(self._style(paragraph))
            self._bases[context] = base
        rpr = etree.fromstring(props) if props is not None else None
        character = rpr.find(w("rStyle")) if rpr is not None else None
        merged = {**base, **self._style(character.get(w("val")) if character is not None else None),
                  **_reader_properties(rpr)}
        font = merged.get("font", "")
        if font.startswith("theme:"):  # majorHAnsi, minorBidi...: the theme's major or minor typeface
            merged["font"] = self.fonts.get(font[len("theme:"):][:5], font)
        key = tuple(sorted((k, v) for k, v in merged.items() if v not in ("0", "") and v != _NONE.get(k)))
        self._keys[props, context] = key
        return key

    def formatting(self, p: etree._Element) -> tuple[tuple[FormatKey, int], ...]:
        """A paragraph's character formatting: (:meth:`key`, length of text) for each stretch of one format.

        Independent of how the text is split into runs (Word splits them at
        every edit), so two paragraphs compare equal when a reader sees the same.
        """
        context = self.context(p)
        out: list[tuple[FormatKey, int]] = []
        for run in p.iter(_R):
            size = len(text_of(run))
            if not size:
                continue
            rpr = next(run.iterchildren(_RPR), None)
            key = self.key(etree.tostring(rpr) if rpr is not None else None, context)
            if out and out[-1][0] == key:
                out[-1] = (key, out[-1][1] + size)
            else:
                out.append((key, size))
        return tuple(out)


def _on_attr(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "on")


def outline(
    draft: WordDraft, reference: Mapping[str, Sequence[str]] | None = None,
) -> tuple[ClauseOutline, ...]:
    """The clauses of a mou-builder draft (ids from its manifest), numbered by their place.

    Clauses are matched to the manifest by :func:`match_clauses` (bookmark,
    manifest order and text together), so a file saved by a program that
    renumbers, duplicates or drops bookmarks, or with a clause deleted by
    hand, still reads clause by clause. ``reference`` (each clause's
    paragraphs, by id, e.g. of the draft it came from) lets text similarity
    decide between clauses whose bookmarks were lost.
    """
    parts = clause_parts(draft)
    ids = match_clauses(parts, draft.manifest, reference)
    return tuple(ClauseOutline(ids[k][0], part.number, ids[k][1], tuple(paragraph_texts(clean_copies(part.elements))))
                 for k, part in enumerate(parts))


@dataclass
class ClausePart:
    """A clause as found in a draft's body: its elements (not copies), number by place and mou-builder bookmarks."""

    number: str
    elements: list[etree._Element]
    #: The clause bookmarks (``mou_...``) that start in it and in no clause before it.
    marks: tuple[str, ...]

    @property
    def title(self) -> str:
        """The heading's text (the first paragraph with text)."""
        texts = paragraph_texts(clean_copies(self.elements[:1]))
        return texts[0] if texts else ""


def clean_copies(elements: Sequence[etree._Element]) -> list[etree._Element]:
    """Cleaned copies of ``elements`` (the originals stay as they are)."""
    return clean([deepcopy(e) for e in elements])


def heading_levels(draft: WordDraft) -> dict[str, int]:
    """Style ids of the draft's Heading 1 and Heading 2 styles, with their level (by the style's name)."""
    out: dict[str, int] = {}
    for style in draft.styles.iter(w("style")) if draft.styles is not None else ():
        name = style.find(w("name"))
        value = (name.get(w("val")) or "").strip().lower() if name is not None else ""
        if value in ("heading 1", "heading 2"):
            out[style.get(w("styleId"), "")] = int(value[-1])
    return out


def clause_parts(draft: WordDraft) -> list[ClausePart]:
    """The clauses of a mou-builder draft's body, in order, split at their headings.

    Headings are told by their style (Heading 1 a section, Heading 2 a
    clause), which Word and LibreOffice keep whatever they do to bookmarks:
    LibreOffice duplicates a bookmark that spans paragraphs and drops one
    that starts right after a table. A file with no Heading 2 paragraph is
    split at its bookmarks, as :func:`segments` does.
    """
    levels = heading_levels(draft)
    by_style = any(_level(e, levels) == 2 for e in draft.body)
    parts: list[ClausePart] = []
    seen: set[str] = set()
    current: ClausePart | None = None
    section = clause = 0
    for element in draft.body:
        if by_style:
            level = _level(element, levels)
        else:
            key = _segment_key(element)
            level = None if key is None or key[len("clause:") if key.startswith("clause:") else len("section:"):] in seen \
                else (2 if key.startswith("clause:") else 1)
        if level == 1:
            section, clause, current = section + 1, 0, None
            continue
        if level == 2:
            clause += 1
            current = ClausePart(f"{section}.{clause}", [], ())
            parts.append(current)
        names = [b.get(w("name"), "") for b in element.iter(w("bookmarkStart"))]
        if current is not None:
            current.elements.append(element)
            current.marks += tuple(n for n in dict.fromkeys(names) if n.startswith("mou_") and n not in seen)
        seen.update(names)
    return parts


def _level(element: etree._Element, levels: Mapping[str, int]) -> int | None:
    if element.tag != w("p"):
        return None
    style = element.find(f"{w('pPr')}/{w('pStyle')}")
    return levels.get(style.get(w("val"), "")) if style is not None else None


def clause_bookmark(clause_id: str) -> str:
    """The bookmark mou-builder puts around a clause (the same as ``render.word.bookmark_name``)."""
    name = "mou_" + re.sub(r"[^A-Za-z0-9_]", "_", clause_id)
    if len(name) > 40:
        import hashlib

        name = name[:31] + "_" + hashlib.sha256(clause_id.encode()).hexdigest()[:8]
    return name


#: How alike (matched words over all words, 0 to 1) a clause must be to one of the manifest to be taken for it.
MATCH_THRESHOLD = 0.5


def match_clauses(
    parts: Sequence[ClausePart],
    manifest: Sequence[tuple[str, str]],
    reference: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str]]:
    """``(id, version)`` of each part: its manifest entry, or an id of its own for a clause not in the manifest.

    A part whose bookmark names a manifest clause is that clause. Between
    two such anchors, the parts left are matched in order to the manifest
    entries left between them: one for one when there are as many of each,
    otherwise by how alike they are (to ``reference``'s text of the clause
    when given, else the heading to the words of the id), so one deleted
    clause is one entry left over, not every clause after it shifted. A part
    matched to nothing keeps the id its bookmark gives, or is ``added:`` and
    its heading.
    """
    by_mark = {clause_bookmark(clause_id): k for k, (clause_id, _) in enumerate(manifest)}
    owner: dict[int, int] = {}  # part -> manifest entry
    for k, part in enumerate(parts):
        for mark in part.marks:
            entry = by_mark.get(mark)
            if entry is not None and entry not in owner.values():
                owner[k] = entry
                break
    anchors = [(-1, -1), *sorted(owner.items()), (len(parts), len(manifest))]
    claimed = set(owner.values())
    for (k0, m0), (k1, m1) in zip(anchors, anchors[1:]):
        free_parts = [k for k in range(k0 + 1, k1)]
        free_entries = [m for m in range(m0 + 1, m1) if m not in claimed] if m0 < m1 else []
        if not free_parts or not free_entries:
            continue
        if len(free_parts) == len(free_entries):
            pairs = list(zip(free_parts, free_entries))
        else:
            pairs = _best_pairs(free_parts, free_entries,
                                lambda k, m: _likeness(parts[k], manifest[m][0], reference))
        for k, m in pairs:
            owner[k] = m
            claimed.add(m)
    out = []
    for k, part in enumerate(parts):
        if k in owner:
            out.append(manifest[owner[k]])
        elif part.marks:
            out.append((part.marks[0].removeprefix("mou_"), ""))
        else:
            out.append((f"added:{part.title}", ""))
    return out


def _likeness(part: ClausePart, clause_id: str, reference: Mapping[str, Sequence[str]] | None) -> float:
    from mou_builder.review.alignment import Wording, matching_blocks

    if reference is not None and clause_id in reference:
        old = Wording(" ".join(reference[clause_id])).words
        new = Wording(" ".join(paragraph_texts(clean_copies(part.elements)))).words
        total = len(old) + len(new)
        return 2 * sum(size for *_, size in matching_blocks(old, new)) / total if total else 1.0
    words = set(re.findall(r"[a-z0-9]+", clause_id.rpartition(".")[2].lower()))
    title = set(re.findall(r"[a-z0-9]+", part.title.lower()))
    return len(words & title) / len(words) if words else 0.0


def _best_pairs(parts: list[int], entries: list[int], score: Callable[[int, int], float]) -> list[tuple[int, int]]:
    """The pairs, in order on both sides, with the highest total likeness (each at least :data:`MATCH_THRESHOLD`)."""
    scores = {(k, m): score(k, m) for k in parts for m in entries}
    n, m = len(parts), len(entries)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            s = scores[parts[i], entries[j]]
            paired = best[i + 1][j + 1] + s if s >= MATCH_THRESHOLD else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], paired)
    out, i, j = [], 0, 0
    while i < n and j < m:
        s = scores[parts[i], entries[j]]
        if s >= MATCH_THRESHOLD and best[i][j] == best[i + 1][j + 1] + s:
            out.append((parts[i], entries[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return out


# ---------------------------------------------------------------- cleaning

_DROPPED = frozenset(w(t) for t in (
    "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "proofErr", "permStart", "permEnd",
    "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "customXmlInsRangeStart", "customXmlInsRangeEnd", "customXmlDelRangeStart", "customXmlDelRangeEnd",
    "customXmlMoveFromRangeStart", "customXmlMoveFromRangeEnd", "customXmlMoveToRangeStart", "customXmlMoveToRangeEnd",
    "lastRenderedPageBreak", "pPrChange", "rPrChange", "sectPrChange", "tblPrChange", "trPrChange", "tcPrChange",
    "tblPrExChange", "tblGridChange", "numberingChange", "cellIns", "cellDel", "cellMerge",
)) | {f"{{{MC_NS}}}Fallback"}  # an alternative rendering of what mc:Choice holds (a text box): read it once
_UNWRAPPED = frozenset(w(t) for t in ("hyperlink", "smartTag", "customXml", "dir", "bdo", "fldSimple", "ins", "moveTo"))
_REVISION_MARKS = frozenset(w(t) for t in ("ins", "del", "moveFrom", "moveTo"))
_PROPERTIES = frozenset(w(t) for t in ("rPr", "pPr", "trPr"))


def clean(elements: Sequence[etree._Element]) -> list[etree._Element]:
    """Cleaned block elements (changed in place, not copied): see the module's docstring.

    The elements are not moved to a common parent on the way: lxml walks a
    whole subtree each time an element changes parent, which on a long draft
    costs more than the rest of the cleaning.
    """
    fields: list[str] = []  # a field may span paragraphs
    joins: set[etree._Element] = set()
    out: list[etree._Element] = []
    for element in elements:
        out.extend(_clean_block(element, fields, joins))
    return _join_paragraphs(out, joins)


def _join_paragraphs(blocks: list[etree._Element], joins: set[etree._Element]) -> list[etree._Element]:
    """Paragraphs whose mark was deleted (a tracked merge), accepted: each joins the paragraph after it.

    As in Word, the joined paragraph keeps the second paragraph's properties
    (they live in the mark that stays). A paragraph before a table or at the
    end stays as it is: there is nothing to join it to.
    """
    if not joins:
        return blocks
    out: list[etree._Element] = []
    for k, block in enumerate(blocks):
        following = blocks[k + 1] if k + 1 < len(blocks) else None
        if block in joins and following is not None and following.tag == w("p"):
            _prepend_content(block, following)  # the following one may join the next in turn
        else:
            out.append(block)
    return out


def _prepend_content(source: etree._Element, target: etree._Element) -> None:
    """Move ``source``'s content (not its properties) to the start of paragraph ``target``."""
    ppr = target.find(w("pPr"))
    index = 0 if ppr is None else target.index(ppr) + 1
    for offset, child in enumerate(c for c in list(source) if c.tag != w("pPr")):
        target.insert(index + offset, child)


def _clean_block(element: etree._Element, fields: list[str], joins: set[etree._Element]) -> list[etree._Element]:
    tag = element.tag
    if tag in _DROPPED or tag in (w("del"), w("moveFrom")) or not isinstance(tag, str):
        return []  # markers, revisions that are accepted away, comments and processing instructions
    if tag in (w("sdt"), w("customXml"), w("ins"), w("moveTo")):  # wrappers: their content stays
        content = element.find(w("sdtContent")) if tag == w("sdt") else element
        children = [c for c in (content if content is not None else ())
                    if c.tag not in (w("sdtPr"), w("sdtEndPr"), w("customXmlPr"))]
        return [x for child in children for x in _clean_block(child, fields, joins)]
    if _accept_revisions(element, joins):
        return []
    for node in list(element.iter(*_DROPPED)):
        node.getparent().remove(node)
    for node in list(element.iter(w("sdt"))):  # content controls: keep their content
        content = node.find(w("sdtContent"))
        _replace_with(node, list(content) if content is not None else [])
    for node in list(element.iter(*_UNWRAPPED)):
        if node.getparent() is not None and node.getparent().tag not in _PROPERTIES:
            _replace_with(node, list(node))
    _field_results(element, fields)
    for run in list(element.iter(w("r"))):
        if all(child.tag == w("rPr") for child in run):
            run.getparent().remove(run)
    return [element]


def _accept_revisions(root: etree._Element, joins: set[etree._Element]) -> bool:
    """Accept the tracked changes already in a file, so that only the two drafts' difference is marked.

    A paragraph whose mark was deleted joins the next one in Word: with no
    text left it simply goes; with text, one inside ``root`` (a table cell's)
    joins its next paragraph here, and ``root`` itself is added to ``joins``
    for :func:`clean` to join with the next block. Returns True when
    ``root`` itself goes.
    """
    for row in list(root.iter(w("tr"))):
        if row.find(f"{w('trPr')}/{w('del')}") is not None:
            row.getparent().remove(row)
    dropped_marks = []
    for mark in list(root.iter(*_REVISION_MARKS)):
        parent = mark.getparent()
        if parent is None:
            continue
        if parent.tag in _PROPERTIES:  # a mark on a paragraph or a row
            ppr = parent.getparent()
            if parent.tag == w("rPr") and ppr is not None and ppr.tag == w("pPr") and mark.tag in (w("del"), w("moveFrom")):
                dropped_marks.append(ppr.getparent())
            parent.remove(mark)
        elif mark.tag in (w("del"), w("moveFrom")):
            parent.remove(mark)
    goes = False
    for p in dropped_marks:
        if not text_of(p) and not _has_objects(p):
            if p is root:
                goes = True
            elif p.getparent() is not None:
                p.getparent().remove(p)
        elif p is root:
            joins.add(p)
        elif p.getnext() is not None and p.getnext().tag == w("p"):
            _prepend_content(p, p.getnext())
            p.getparent().remove(p)
    return goes


def _has_objects(p: etree._Element) -> bool:
    return any(child.tag not in (w("rPr"), w("t"), w("br"), w("tab"), w("cr")) for run in p.iter(w("r")) for child in run)


def _field_results(root: etree._Element, stack: list[str]) -> None:
    """Complex fields become the runs of their displayed result (instructions and markers go).

    ``stack`` holds the state of the fields open at the start of ``root`` and is updated.
    """
    for run in list(root.iter(w("r"))):
        for child in list(run):
            if child.tag == w("fldChar"):
                kind = child.get(w("fldCharType"))
                if kind == "begin":
                    stack.append("code")
                elif kind == "separate" and stack:
                    stack[-1] = "result"
                elif kind == "end" and stack:
                    stack.pop()
                run.remove(child)
            elif child.tag in (w("instrText"), w("delInstrText")) or (stack and "code" in stack and child.tag != w("rPr")):
                run.remove(child)


def _replace_with(node: etree._Element, children: list[etree._Element]) -> None:
    parent = node.getparent()
    if parent is None:
        return
    # addprevious, not parent.index + insert: both walk the parent's children, so unwrapping each
    # of a paragraph's 100,000 wrappers (tracked insertions, hyperlinks) would take time squared
    for child in children:
        node.addprevious(child)
    parent.remove(node)


# ---------------------------------------------------------------- the spec a built draft carries


def spec_of_draft(draft: WordDraft, advice: str) -> Spec:
    """The spec ``draft`` carries (see ``render.word._embed_spec``) as a :class:`~mou_builder.spec.model.Spec`.

    Its ``source`` is named after the draft, so exhibit files resolve
    relative to the draft's folder. Raises :class:`DraftError` naming the
    draft, with ``advice`` (what to give instead), when it carries no spec or
    the one it carries is no longer valid.
    """
    if draft.spec_json is None:
        raise DraftError(f"{draft.name}: carries no spec (it was not built by this version of mou-builder, or "
                         f"not by mou-builder): {advice}")
    from mou_builder.errors import SpecError
    from mou_builder.spec.loader import MAX_SPEC_BYTES, parse_spec_text, validate_spec

    source = f"{draft.name} (the spec it carries)"
    # The carried copy writes out every field, defaults included: a spec just under the limit of a spec
    # file carries about 1.7 times its size. Bounded as a spec file is, it made such a draft unreviewable.
    size = len(draft.spec_json.encode("utf-8", "surrogatepass"))
    if size > EMBEDDED_SPEC_FACTOR * MAX_SPEC_BYTES:
        raise DraftError(f"{source}: {size:,} bytes, more than a spec of at most {MAX_SPEC_BYTES:,} bytes carries; "
                         f"{advice}")
    try:
        return validate_spec(*parse_spec_text(draft.spec_json, source=source, fmt="json"))
    except SpecError as exc:
        raise DraftError(f"{source}: no longer a valid spec for this version of mou-builder ({exc}); "
                         f"{advice}") from None


def recorded_exhibits(draft: WordDraft) -> dict[str, tuple[str, str, str]]:
    """Exhibit id -> (letter, SHA-256 of its content, source) as the build recorded them (``mou.exhibit.NNN``)."""
    out = {}
    for key, value in draft.properties.items():
        if re.fullmatch(r"mou\.exhibit\.\d+", key):
            letter, exhibit_id, digest, source = (value.split(" ", 3) + ["", "", "", ""])[:4]
            out[exhibit_id] = (letter, digest, source)
    return out


def spec_from_docx(path: str | os.PathLike[str], *, exhibit_folders: Sequence[str | os.PathLike[str]] = ()) -> Spec:
    """The spec a .docx built by mou-builder carries: the agreement as it was built (``amend`` reads it).

    Every build embeds its spec (canonical JSON, in a custom XML part). The
    spec names an exhibit *file* by its path, not its content, so each such
    file is looked for beside the .docx (its path relative to the .docx's
    folder, as it was relative to the spec's), then in ``exhibit_folders``
    in turn, and taken only when its SHA-256 is the one the .docx recorded
    for that exhibit when it was built: the exhibit as signed. Raises
    :class:`DraftError` naming the file when it is not a Word file, was not
    built by mou-builder (carries no spec), or an exhibit file as built is
    found nowhere.
    """
    import hashlib
    from pathlib import Path

    from mou_builder.spec.model import exhibit_letter

    name = os.fspath(path)
    advice = "give the agreement's spec (YAML or JSON) instead"
    draft = read_docx(read_docx_file(name), name)
    if draft.spec_json is None:
        raise DraftError(f"{name}: carries no spec, so it was not built by mou-builder (or by a version before "
                         f"specs were embedded): {advice}")
    spec = spec_of_draft(draft, advice)
    if not any(ex.file for ex in spec.exhibits):
        return spec
    home = Path(name).parent
    recorded = recorded_exhibits(draft)
    exhibits = []
    for i, ex in enumerate(spec.exhibits):
        if ex.file is None:
            exhibits.append(ex)
            continue
        digest = recorded.get(ex.id, ("", "", ""))[1]
        places = [home / ex.file, *(Path(folder) / ex.file for folder in exhibit_folders)]
        found = None
        for place in places:
            try:
                data = read_regular(place, MAX_FILE_BYTES)
            except (OSError, NotRegularFile):
                continue
            if hashlib.sha256(data).hexdigest() == digest:
                found = place
                break
        if found is None:
            looked = " or ".join(str(p) for p in dict.fromkeys(places))
            raise DraftError(
                f"{name}: exhibits[{i}].file: Exhibit {exhibit_letter(i)} ({ex.title}) was built from "
                f"{ex.file}, and no file with the content it had then is at {looked}; put the exhibit file as it was "
                f"signed beside the .docx, or {advice}")
        # relative to the .docx's folder, so what the agreement records as the source stays as built
        exhibits.append(ex if found == places[0] else ex.model_copy(update={"file": os.path.relpath(found, home)}))
    return spec.model_copy(update={"exhibits": exhibits})
