"""A returned draft, read against the draft it came from: what the reviewer did, clause by clause.

A reviewer gets a .docx mou-builder wrote and sends it back with edits
typed in, tracked changes pending and comments. :func:`review_edits` lists,
for each clause (by id, number and heading):

- the text edited without tracking, word by word (the base draft's words
  and the returned draft's, its pending tracked changes *rejected*, so that
  each edit is listed once: an untracked one here, a tracked one below);
- clauses deleted or added;
- tracked changes still pending (insertions, deletions, moves: author,
  date, text);
- comments (author, date, the text they are anchored on, the comment).

The base draft is the one the returned file was built from: rebuilt from
the spec every build embeds in the .docx (see ``render.word._embed_spec``),
or given as a spec or .docx. Clauses are matched by the manifest, the
clause bookmarks and their text together (:func:`~mou_builder.review.word_input.match_clauses`),
so a file saved by LibreOffice or Word, which renumber, duplicate and drop
bookmarks, reads clause by clause. Nothing here prints or imports Word
libraries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from copy import deepcopy
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lxml import etree

from mou_builder.review.alignment import WORD, opcodes
from mou_builder.document import ClauseOutline
from mou_builder.errors import DraftError
from mou_builder.render.ooxml import W_NS, w
from mou_builder.review.word_input import (
    ClausePart, WordDraft, clause_parts, clean, clean_copies, match_clauses, note_references, note_text, numbered_notes,
    paragraph_texts, read_docx, read_docx_file, text_of,
)

if TYPE_CHECKING:
    from mou_builder.library.clauses import ClauseLibrary
    from mou_builder.document import Document

REVIEW_VERSION = 2
#: The id under which tracked changes and comments outside every clause are listed.
OUTSIDE = "outside-clauses"

#: Words, numbers and punctuation, and the spaces between them (kept, so an edit reads as the text does).
_TOKEN = re.compile(r"\s+|" + WORD)
#: What separates two paragraphs in a clause's text, for the word diff.
_PARAGRAPH = "\n"


@dataclass(frozen=True)
class WordEdit:
    """Words replaced: ``old`` by ``new`` (an insertion has ``old`` empty, a deletion ``new``)."""

    old: str
    new: str


@dataclass(frozen=True)
class TrackedChange:
    """A tracked change still pending in the returned draft."""

    kind: Literal["insertion", "deletion", "moved from", "moved to"]
    author: str
    date: str | None
    text: str


@dataclass(frozen=True)
class CommentNote:
    """A comment: who, when, the text it is anchored on, and what it says."""

    author: str
    date: str | None
    anchor: str
    text: str


@dataclass(frozen=True)
class NoteAdded:
    """A footnote or endnote in the returned draft, with the reviewer's text (a built draft has none of its own)."""

    #: how a reader names it in the returned draft: "Footnote 1", "Endnote 2"
    note: str
    text: str


@dataclass(frozen=True)
class ClauseReview:
    """One clause of the base or returned draft, and what the reviewer did to it."""

    id: str
    #: the clause's number in the returned draft (None: deleted), and in the base (None: added)
    number: str | None
    base_number: str | None
    title: str
    status: Literal["edited", "deleted", "added", "unchanged"]
    edits: tuple[WordEdit, ...] = ()
    tracked: tuple[TrackedChange, ...] = ()
    comments: tuple[CommentNote, ...] = ()
    #: footnotes and endnotes the clause's text refers to in the returned draft
    footnotes: tuple[NoteAdded, ...] = ()
    #: the clause's paragraphs in the base draft, heading first
    base_text: tuple[str, ...] = ()
    #: the clause's paragraphs in the returned draft with its pending tracked changes accepted (what ``--adopt`` takes)
    accepted_text: tuple[str, ...] = ()
    #: whether the returned clause holds a table (its text cannot be adopted as clause text)
    has_table: bool = False

    @property
    def noted(self) -> bool:
        """Whether the reviewer did anything here (edit, deletion, addition, tracked change, comment or footnote)."""
        return self.status != "unchanged" or bool(self.tracked or self.comments or self.footnotes)


@dataclass(frozen=True)
class ReviewReport:
    """What a reviewer did to a draft: every clause of base and returned draft, in the returned draft's order."""

    base: str
    reviewed: str
    clauses: tuple[ClauseReview, ...]
    notes: tuple[str, ...] = ()

    @property
    def noted(self) -> tuple[ClauseReview, ...]:
        """The clauses the reviewer did anything to."""
        return tuple(c for c in self.clauses if c.noted)


# ---------------------------------------------------------------- the base


@dataclass(frozen=True)
class Base:
    """The draft a returned one is read against: each clause's paragraphs by id, in order."""

    name: str
    clauses: tuple[ClauseOutline, ...]
    notes: tuple[str, ...] = ()
    #: the base's assembled document, when it came from a spec (what ``--adopt`` records hashes of)
    document: Document | None = None


def base_of_document(name: str, document: Document, template: str | Path | None = None) -> Base:
    """The base from an assembled document, as its .docx reads (so that the text compares like for like)."""
    from mou_builder.render.word import render_docx
    from mou_builder.review.word_input import outline

    return Base(name, outline(read_docx(render_docx(document, template=template), name)), document=document)


def base_from_embedded(reviewed: WordDraft, library: ClauseLibrary | None = None, profile: str | None = None) -> Base:
    """The base rebuilt from the spec the returned draft carries; raises DraftError when it carries none.

    When the clause library changed since the draft was built, the rebuilt
    clauses are today's text: each such clause is named in the notes.
    """
    from mou_builder.assembly import assemble
    from mou_builder.errors import ProfileError
    from mou_builder.review.word_input import spec_of_draft

    spec = spec_of_draft(reviewed, "give the draft it came from with --base (its spec or .docx)")
    notes = []
    recorded = reviewed.properties.get("mou.profile") or None
    if profile is None and recorded is not None and not re.fullmatch(r"[a-z][a-z0-9_-]*", recorded):
        # a path: a returned file names no file of this machine to read (give it with --profile)
        notes.append(f"the draft was built with the profile file {recorded!r}, which is not read from a returned "
                     "draft: the spec's own profile is used (give the file with --profile)")
        recorded = None
    profile = profile or recorded
    # A file exhibit was read beside the spec when the draft was built; a returned draft is read
    # anywhere, and must not name files here to read. Exhibits are not clauses, and a clause
    # cites an exhibit by its letter and title only, so the file's content is not needed.
    spec = spec.model_copy(update={"exhibits": [
        ex.model_copy(update={"file": None, "text": f"(the content of {ex.file})"}) if ex.file is not None else ex
        for ex in spec.exhibits]})
    try:
        document = assemble(spec, library, profile)
    except ProfileError:  # a profile file given at build time: the spec's own profile gives the same clauses
        notes.append(f"the profile {profile!r} the draft was built with is not known here: the spec's own is used")
        document = assemble(spec, library)
    base = base_of_document("the draft it was built from", document)
    built = {}
    for key, value in reviewed.properties.items():
        if re.fullmatch(r"mou\.clause\.\d+", key):
            ref, _, digest = value.partition(" ")
            built[ref.rpartition("@")[0]] = (ref.rpartition("@")[2], digest)
    rebuilt = {e.id for e in document.manifest}
    changed = [f"{e.id} (built with {built[e.id][0]}, now {e.version})" for e in document.manifest
               if e.id in built and built[e.id][1] != e.sha256]
    if changed:
        notes.append(f"the clause library changed since {reviewed.name} was built: the base text of "
                     f"{', '.join(changed)} is the library's text today")
    lost = [clause_id for clause_id in built if clause_id not in rebuilt]
    if lost:
        notes.append(f"{', '.join(lost)} {'was' if len(lost) == 1 else 'were'} in the draft as built but not in "
                     "the rebuilt one (built with a folder of your own clauses? give it with --clauses)")
    return Base(base.name, base.clauses, tuple(notes), document)


def load_base(path: str | Path, library: ClauseLibrary | None = None, profile: str | None = None) -> Base:
    """The base from a file: a .docx mou-builder wrote, or a spec."""
    from mou_builder.review.drafts import is_docx

    if is_docx(path):
        draft = read_docx(read_docx_file(path), str(path))
        if not draft.from_mou_builder:
            raise DraftError(f"{path}: not written by mou-builder (it carries no clause manifest); "
                             "give the spec of the draft instead")
        from mou_builder.review.word_input import outline

        return Base(str(path), outline(draft))
    from mou_builder.assembly import assemble
    from mou_builder.spec.loader import load_spec

    return base_of_document(str(path), assemble(load_spec(path), library, profile))


# ---------------------------------------------------------------- reading the returned draft


def review_edits(reviewed: WordDraft, base: Base) -> ReviewReport:
    """What the reviewer did to ``base`` to make ``reviewed``, clause by clause (see the module's docstring)."""
    if not reviewed.from_mou_builder:
        raise DraftError(f"{reviewed.name}: not written by mou-builder (it carries no clause manifest), "
                         "so its clauses cannot be told apart")
    reference = {c.id: c.paragraphs for c in base.clauses}
    parts = clause_parts(reviewed)
    ids = [clause_id for clause_id, _ in match_clauses(parts, _manifest(reviewed, base), reference)]
    tracked = _tracked_changes(reviewed, parts)
    comments = _comments(reviewed, parts)
    footnotes = _footnotes(reviewed, parts)
    base_by_id = {c.id: c for c in base.clauses}
    out: list[ClauseReview] = []
    for k, (clause_id, part) in enumerate(zip(ids, parts)):
        rejected = tuple(paragraph_texts(clean(_rejected(part.elements))))
        accepted = tuple(paragraph_texts(clean([deepcopy(e) for e in part.elements])))
        title = (accepted or rejected or ("",))[0]
        has_table = any(e.tag == w("tbl") for e in part.elements)
        extras = {"tracked": tuple(tracked.get(k, ())), "comments": tuple(comments.get(k, ())),
                  "footnotes": footnotes.get(k, ()), "accepted_text": accepted, "has_table": has_table}
        old = base_by_id.pop(clause_id, None)
        if old is None:
            out.append(ClauseReview(clause_id, part.number, None, title, "added", **extras))
            continue
        edits = word_edits(old.paragraphs, rejected)
        out.append(ClauseReview(clause_id, part.number, old.number, old.paragraphs[0] if old.paragraphs else title,
                                "edited" if edits else "unchanged", edits, base_text=old.paragraphs, **extras))
    if -1 in tracked or -1 in comments or -1 in footnotes:
        out.insert(0, ClauseReview(OUTSIDE, None, None, "Title page and section headings", "unchanged",
                                   tracked=tuple(tracked.get(-1, ())), comments=tuple(comments.get(-1, ())),
                                   footnotes=footnotes.get(-1, ())))
    # a deleted clause is listed where it was: after the clause that preceded it in the base
    for old in base_by_id.values():
        deleted = ClauseReview(old.id, None, old.number, old.paragraphs[0] if old.paragraphs else old.id, "deleted",
                               base_text=old.paragraphs)
        order = [c.id for c in base.clauses]
        before = order[:order.index(old.id)]
        place = max((i + 1 for i, c in enumerate(out) if c.id in before), default=0)
        out.insert(place, deleted)
    return ReviewReport(base.name, reviewed.name, tuple(out), base.notes)


def _manifest(reviewed: WordDraft, base: Base) -> list[tuple[str, str]]:
    """The returned draft's manifest (the base's clause ids when the file's was lost, e.g. properties cleared)."""
    return reviewed.manifest or [(c.id, c.version) for c in base.clauses]


def word_edits(old: Sequence[str], new: Sequence[str]) -> tuple[WordEdit, ...]:
    """The words that differ between two texts (paragraph lists), each run of changes once, as a reader quotes it.

    Changes separated only by spaces and punctuation are one edit, so
    "thirty (30)" -> "sixty (60)" is one edit, not two; an insertion or a
    deletion is quoted with the word before it ("receive and" -> "receive,
    hold and"), so that it can be found in the text.
    """
    a = _TOKEN.findall(_PARAGRAPH.join(old))
    b = _TOKEN.findall(_PARAGRAPH.join(new))
    spans: list[list[int]] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            continue
        if spans and _filler(a[spans[-1][1]:i1]) and a[spans[-1][1]:i1] == b[spans[-1][3]:j1]:
            spans[-1][1], spans[-1][3] = i2, j2
        else:
            spans.append([i1, i2, j1, j2])
    out = []
    for i1, i2, j1, j2 in spans:
        if i1 == i2 or j1 == j2:  # quote a word of context: the word before, else the word after
            before = _word_before(a, i1)
            if before is not None and a[before:i1] == b[j1 - (i1 - before):j1]:
                i1, j1 = before, j1 - (i1 - before)
            else:
                after = _word_after(a, i2)
                if after is not None and a[i2:after] == b[j2:j2 + (after - i2)]:
                    i2, j2 = after, j2 + (after - i2)
        while i2 < len(a) and j2 < len(b) and a[i2] == b[j2] == ")" and _open(a[i1:i2]) and _open(b[j1:j2]):
            i2, j2 = i2 + 1, j2 + 1  # close the bracket the edit opened
        out.append(WordEdit(_joined(a[i1:i2]), _joined(b[j1:j2])))
    return tuple(out)


def _filler(tokens: Sequence[str]) -> bool:
    """Spaces and punctuation only, and few of them (what joins two changed words into one edit)."""
    return len(tokens) <= 3 and all(t.isspace() or not t[0].isalnum() for t in tokens) and _PARAGRAPH not in "".join(tokens)


def _open(tokens: Sequence[str]) -> bool:
    return tokens.count("(") > tokens.count(")")


def _word_before(tokens: Sequence[str], i: int) -> int | None:
    """Where the nearest word before ``i`` in the same paragraph starts (spaces and punctuation skipped)."""
    k = i - 1
    while k >= 0 and not tokens[k][0].isalnum() and _PARAGRAPH not in tokens[k]:
        k -= 1
    return k if k >= 0 and tokens[k][0].isalnum() else None


def _word_after(tokens: Sequence[str], i: int) -> int | None:
    """Where the nearest word after ``i`` in the same paragraph ends (spaces and punctuation skipped)."""
    k = i
    while k < len(tokens) and not tokens[k][0].isalnum() and _PARAGRAPH not in tokens[k]:
        k += 1
    return k + 1 if k < len(tokens) and tokens[k][0].isalnum() else None


def _joined(tokens: Sequence[str]) -> str:
    return re.sub(r"\s*\n\s*", " ¶ ", "".join(tokens)).strip()


def _rejected(elements: Iterable[etree._Element]) -> list[etree._Element]:
    """Copies of ``elements`` with their pending tracked changes rejected: inserted text goes, deleted text stays."""
    out = []
    for element in elements:
        copy = deepcopy(element)
        if copy.tag in (w("ins"), w("moveTo")):
            continue
        root = etree.Element("wrap")
        root.append(copy)
        for node in list(root.iter(w("ins"), w("moveTo"))):
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)  # a paragraph mark's insertion goes too: the paragraph stays as it was
        for node in list(root.iter(w("del"), w("moveFrom"))):
            parent = node.getparent()
            if parent is None:
                continue
            if parent.tag in (w("rPr"), w("trPr")):  # a paragraph mark or a row marked deleted: kept
                parent.remove(node)
                continue
            index = parent.index(node)
            for offset, child in enumerate(list(node)):
                parent.insert(index + offset, child)
            parent.remove(node)
        for node in root.iter(w("delText")):
            node.tag = w("t")
        for node in root.iter(w("delInstrText")):
            node.tag = w("instrText")
        out.extend(list(root))
    return out


_KINDS = {w("ins"): "insertion", w("del"): "deletion", w("moveFrom"): "moved from", w("moveTo"): "moved to"}


def _owners(reviewed: WordDraft, parts: Sequence[ClausePart]) -> Iterator[tuple[int, etree._Element]]:
    """Each body element with the index of the clause it is in (-1: the title page or a section heading)."""
    owner = {id(e): k for k, part in enumerate(parts) for e in part.elements}
    for element in reviewed.body:
        yield owner.get(id(element), -1), element


def _tracked_changes(reviewed: WordDraft, parts: Sequence[ClausePart]) -> dict[int, list[TrackedChange]]:
    """The pending tracked changes of each clause; adjacent ones of one kind, author and date are one change."""
    # each change's text is kept as a list of pieces and joined once at the end: joining as it
    # grows would copy it again for every adjacent piece (time squared for 100,000 of them)
    found: dict[int, list[tuple[str, str, str | None, list[str]]]] = {}
    last: etree._Element | None = None
    for k, element in _owners(reviewed, parts):
        for node in element.iter(*_KINDS):
            parent = node.getparent()
            if parent is not None and parent.tag in (w("rPr"), w("trPr"), w("pPr")):
                continue  # a paragraph mark or a row: its text is listed with its runs
            text = text_of(node)
            if not text.strip():
                continue
            key = (_KINDS[node.tag], node.get(w("author"), ""), node.get(w("date")))
            changes = found.setdefault(k, [])
            previous = changes[-1] if changes else None
            if previous is not None and last is not None and last.getnext() is node and previous[:3] == key:
                previous[3].append(text)
            else:
                changes.append((*key, [text]))
            last = node
    return {k: [TrackedChange(kind, author, date, "".join(pieces))  # type: ignore[arg-type]
                for kind, author, date, pieces in changes] for k, changes in found.items()}


def _footnotes(reviewed: WordDraft, parts: Sequence[ClausePart]) -> dict[int, tuple[NoteAdded, ...]]:
    """The footnotes and endnotes each clause refers to (pending tracked changes accepted), numbered as a reader sees them.

    mou-builder writes no notes, so every note in a returned draft is the
    reviewer's; they are read and numbered as the change summary reads them.
    """
    if not any(reviewed.notes.values()):
        return {}
    owned = [(k, clean_copies([element])) for k, element in _owners(reviewed, parts)]
    labels = {id(note): label for label, note in numbered_notes(reviewed.notes, [e for _, c in owned for e in c])}
    out: dict[int, tuple[NoteAdded, ...]] = {}
    for k, cleaned in owned:
        for ref in note_references(cleaned):
            kind = "footnote" if ref.tag == w("footnoteReference") else "endnote"
            note = reviewed.notes.get(kind, {}).get(ref.get(w("id"), ""))
            if note is not None and id(note) in labels:
                added = NoteAdded(labels.pop(id(note)), " / ".join(note_text(note)))
                out[k] = (*out.get(k, ()), added)
    return out


#: The most characters of a comment's anchor text kept: enough to quote it and find it again.
MAX_ANCHOR = 400


def _comments(reviewed: WordDraft, parts: Sequence[ClausePart]) -> dict[int, list[CommentNote]]:
    """The comments anchored in each clause, with (the start of) the text their range spans.

    The text of the whole body is collected once and each range is a span
    of it: a file with thousands of ranges left open over thousands of
    runs costs no more than its text (a copy of the text per open range
    would grow as their product, to gigabytes).
    """
    from bisect import bisect_left

    texts: list[str] = []  # the body's text nodes with text, in order
    ends: list[int] = []  # the running total of their lengths
    spans: dict[str, list[int]] = {}  # comment id -> [first text node, one past the last]
    where: dict[str, int] = {}
    for k, element in _owners(reviewed, parts):
        for node in element.iter():
            if node.tag == w("commentRangeStart"):
                cid = node.get(w("id"), "")
                spans.setdefault(cid, [len(texts), -1])
                where.setdefault(cid, k)
            elif node.tag == w("commentRangeEnd"):
                cid = node.get(w("id"), "")
                if cid in spans and spans[cid][1] < 0:
                    spans[cid][1] = len(texts)
            elif node.tag == w("commentReference"):
                where.setdefault(node.get(w("id"), ""), k)
            elif node.tag in (w("t"), w("delText")) and node.text:
                texts.append(node.text)
                ends.append((ends[-1] if ends else 0) + len(node.text))
    out: dict[int, list[CommentNote]] = {}
    for cid, k in where.items():
        comment = reviewed.comments.get(cid)
        if comment is None:
            continue
        anchor = ""
        if cid in spans:
            first, last = spans[cid]
            last = len(texts) if last < 0 else last  # a range never closed runs to the end
            before = ends[first - 1] if first else 0
            # the nodes that hold the range's first MAX_ANCHOR characters, and no more
            stop = min(last, bisect_left(ends, before + MAX_ANCHOR, first) + 1)
            anchor = "".join(texts[first:stop])[:MAX_ANCHOR]
        anchor = re.sub(r"\s+", " ", anchor).strip()
        out.setdefault(k, []).append(CommentNote(comment.author, comment.date, anchor, comment.text))
    return out


# ---------------------------------------------------------------- reports


def _heading(c: ClauseReview) -> str:
    number = c.number if c.number is not None else c.base_number
    return f"{number} {c.title} ({c.id})" if number else f"{c.title} ({c.id})"


def _status(c: ClauseReview) -> str:
    if c.status == "deleted":
        return "deleted"
    if c.status == "added":
        return "added"
    moved = f", was {c.base_number}" if c.base_number and c.number and c.base_number != c.number else ""
    return ("edited" if c.status == "edited" else "not edited") + moved


def _when(date: str | None) -> str:
    return f" on {date[:10]}" if date else ""


def _lines(c: ClauseReview) -> list[str]:
    out = []
    for e in c.edits:
        if not e.old:
            out.append(f'inserted "{e.new}"')
        elif not e.new:
            out.append(f'deleted "{e.old}"')
        else:
            out.append(f'"{e.old}" -> "{e.new}"')
    for t in c.tracked:
        out.append(f'tracked {t.kind} by {t.author or "unknown"}{_when(t.date)}: "{t.text}"')
    for n in c.comments:
        on = f' on "{n.anchor}"' if n.anchor else ""
        out.append(f"comment by {n.author or 'unknown'}{_when(n.date)}{on}: {n.text}")
    for f in c.footnotes:
        out.append(f'{f.note} added: "{f.text}"')
    return out


def _counts(report: ReviewReport) -> str:
    noted = report.noted
    count = {s: sum(c.status == s for c in noted) for s in ("edited", "deleted", "added")}
    tracked = sum(len(c.tracked) for c in noted)
    comments = sum(len(c.comments) for c in noted)
    notes = sum(len(c.footnotes) for c in noted)
    return (f"{count['edited']} edited, {count['deleted']} deleted, {count['added']} added; "
            f"{tracked} tracked change{'s' * (tracked != 1)} pending; {comments} comment{'s' * (comments != 1)}"
            + (f"; {notes} footnote{'s' * (notes != 1)} added" if notes else ""))


def report_text(report: ReviewReport) -> str:
    """The report as plain text: each clause the reviewer touched, then what was done to it."""
    out = [f"{report.reviewed} against {report.base}"]
    if not report.noted:
        out.append("no edits, tracked changes or comments")
    else:
        out.append(f"Clauses: {_counts(report)}")
        for c in report.noted:
            out.append(f"{_heading(c)}: {_status(c)}")
            out += [f"  {line}" for line in _lines(c)]
    out += [f"Note: {note}" for note in report.notes]
    return "\n".join(out) + "\n"


def report_markdown(report: ReviewReport) -> str:
    """The report as Markdown, for an e-mail or a pull request."""
    out = ["# Edits in the returned draft", "", f"`{report.reviewed}` against `{report.base}`", ""]
    if not report.noted:
        out += ["No edits, tracked changes or comments.", ""]
    else:
        out += [f"Clauses: {_counts(report)}", ""]
        for c in report.noted:
            out += [f"## {_heading(c)}: {_status(c)}", ""]
            out += [f"- {line}" for line in _lines(c)]
            out.append("")
    out += [f"Note: {note}  " for note in report.notes]
    return "\n".join(out).rstrip("\n") + "\n"


def report_json(report: ReviewReport) -> str:
    """The report as JSON (documented in docs/reviewing.md)."""
    clauses = []
    for c in report.noted:
        data = asdict(c)
        for key in ("base_text", "accepted_text", "has_table"):
            data.pop(key)
        clauses.append(data)
    return json.dumps({"review_version": REVIEW_VERSION, "base": report.base, "reviewed": report.reviewed,
                       "clauses": clauses, "notes": list(report.notes)}, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- carrying comments into the next draft

_COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def carry_comments(report: ReviewReport, next_draft: WordDraft) -> tuple[bytes, int, list[str]]:
    """``next_draft`` (a .docx mou-builder wrote) with the report's comments as Word comments on the same clauses.

    Each comment goes on the paragraph of its clause that holds the text it
    was anchored on, else on the clause's heading, with its author and date.
    Returns the new file's bytes, how many comments were carried, and why
    each other was not (its clause is not in the next draft).
    """
    import io
    import zipfile

    from mou_builder.review.word_input import open_package, parse_part

    if not next_draft.from_mou_builder:
        raise DraftError(f"{next_draft.name}: not written by mou-builder (it carries no clause manifest), "
                         "so its clauses cannot be found: give the next draft as mou-builder built it")
    parts = clause_parts(next_draft)
    ids = [i for i, _ in match_clauses(parts, next_draft.manifest)]
    where = dict(zip(ids, parts))
    with open_package(next_draft.data, next_draft.name) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    for member in ("word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"):
        if member not in files:  # every draft mou-builder writes has them: another program rewrote this one
            raise DraftError(f"{next_draft.name}: the package lacks {member}; give the next draft as "
                             "mou-builder built it")

    def parsed(member: str) -> etree._Element:
        # the same safe parse as reading a draft: no entities expanded, no DOCTYPE (what this writes
        # into the new file must never hold another file's contents or an entity's expansion)
        return parse_part(files[member], next_draft.name, member)

    document = parsed("word/document.xml")
    # the parts' elements are the draft's own parse: find the same paragraphs in this one by their place
    body = document.find(w("body"))
    index = {id(e): k for k, e in enumerate(next_draft.body)}
    blocks = [c for c in body if c.tag != w("sectPr")]
    comments_xml = files.get("word/comments.xml")
    comments = parsed("word/comments.xml") if comments_xml else etree.Element(w("comments"), nsmap={"w": W_NS})
    # a new comment takes an id no comment or comment mark of the draft has (ids another program
    # wrote need not be numbers: only the numeric ones can clash with the numbers given here)
    taken = [c.get(w("id"), "") for c in comments.iter(w("comment"))]
    taken += [m.get(w("id"), "") for m in document.iter(w("commentRangeStart"), w("commentReference"))]
    next_id = max([int(t) for t in taken if re.fullmatch(r"[0-9]{1,9}", t)] + [-1]) + 1
    carried, missed = 0, []
    for clause in report.clauses:
        part = where.get(clause.id)
        # each paragraph's text once per clause, not once per comment (thousands of comments on a long clause)
        paragraphs = [p for e in part.elements for p in blocks[index[id(e)]].iter(w("p"))] if part else []
        texts = [text_of(p) for p in paragraphs]
        for note in clause.comments:
            if part is None:
                missed.append(f"{clause.title} ({clause.id}): not in {next_draft.name}; comment by {note.author}: {note.text}")
                continue
            target = next((p for p, t in zip(paragraphs, texts) if note.anchor and note.anchor in t), paragraphs[0])
            _add_comment(target, comments, next_id, note)
            next_id += 1
            carried += 1
    files["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
    if comments_xml is None and carried:
        rels = parsed("word/_rels/document.xml.rels")
        taken = {r.get("Id") for r in rels}
        rid = next(f"rId{n}" for n in range(1, 10_000) if f"rId{n}" not in taken)
        etree.SubElement(rels, f"{{{_RELS_NS}}}Relationship", Id=rid, Type=_COMMENTS_TYPE, Target="comments.xml")
        files["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                               standalone=True)
        types = parsed("[Content_Types].xml")
        etree.SubElement(types, f"{{{_TYPES_NS}}}Override", PartName="/word/comments.xml", ContentType=_COMMENTS_CT)
        files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    if carried:
        files["word/comments.xml"] = etree.tostring(comments, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, blob)
    return out.getvalue(), carried, missed


def _add_comment(p: etree._Element, comments: etree._Element, cid: int, note: CommentNote) -> None:
    """A comment spanning paragraph ``p``'s text, with a comment part entry."""
    runs = [r for r in p if r.tag == w("r")]
    start = etree.Element(w("commentRangeStart"))
    start.set(w("id"), str(cid))
    end = etree.Element(w("commentRangeEnd"))
    end.set(w("id"), str(cid))
    ppr = p.find(w("pPr"))
    if runs:
        runs[0].addprevious(start)
        runs[-1].addnext(end)
    else:
        p.insert(0 if ppr is None else p.index(ppr) + 1, start)
        p.append(end)
    reference = etree.SubElement(p, w("r"))
    etree.SubElement(reference, w("commentReference")).set(w("id"), str(cid))
    comment = etree.SubElement(comments, w("comment"))
    comment.set(w("id"), str(cid))
    comment.set(w("author"), note.author or "Reviewer")
    if note.date:
        comment.set(w("date"), note.date)
    initials = "".join(part[0] for part in (note.author or "R").split() if part)[:8]
    comment.set(w("initials"), initials or "R")
    for line in note.text.split("\n") or [""]:
        para = etree.SubElement(comment, w("p"))
        t = etree.SubElement(etree.SubElement(para, w("r")), w("t"))
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
