"""The assembled agreement as plain data: sections, clauses, paragraphs, tables.

Renderers (text, Word) read this and nothing else, so they all say the
same thing. It knows nothing about Word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

#: The line a signer signs on, in every renderer.
SIGNATURE_LINE = "_" * 32


def letter(index: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa': the labels of an enumeration '(a) ...; (b) ...'."""
    return chr(ord("a") + index % 26) * (index // 26 + 1)


@dataclass(frozen=True)
class Span:
    """A run of literal text."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Ref:
    """A reference to another clause, shown as its number ("Section 7.2"), or to an exhibit ("Exhibit A")."""

    clause_id: str
    number: str
    bold: bool = False
    italic: bool = False
    #: "Section", or "Exhibit" for a reference to an exhibit (whose "number" is its letter).
    label: str = "Section"

    @property
    def text(self) -> str:
        return f"{self.label} {self.number}"


Inline = Union[Span, Ref]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline text. ``kind`` 'missing' marks a placeholder for a missing section."""

    inlines: tuple[Inline, ...]
    kind: Literal["body", "missing"] = "body"

    @property
    def text(self) -> str:
        return "".join(i.text for i in self.inlines)


@dataclass(frozen=True)
class ListBlock:
    """A bulleted, numbered or lettered list; numbering restarts at 1 (or "(a)") for every list.

    A lettered list is the enumeration of a legal sentence: "The City shall: (a) ...; and (b) ...".
    """

    ordered: bool
    items: tuple[tuple[Inline, ...], ...]
    lettered: bool = False


@dataclass(frozen=True)
class Table:
    """A table built from spec data, with a header row and optional total rows."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[tuple[str, ...], ...] = ()
    #: Relative column widths.
    widths: tuple[int, ...] = ()
    #: Indexes of columns holding amounts (right-aligned).
    numeric: frozenset[int] = frozenset()


@dataclass(frozen=True)
class SignatureBlock:
    """Where one person signs for one party."""

    party: str
    signer: str
    title: str | None
    authority: str | None
    date: str | None

    @property
    def lines(self) -> list[str]:
        """The block's lines, as every renderer prints them."""
        lines = [self.party, f"Signature: {SIGNATURE_LINE}", f"Name: {self.signer}"]
        if self.title:
            lines.append(f"Title: {self.title}")
        if self.authority:
            lines.append(f"Authority: {self.authority}")
        lines.append(f"Date: {self.date or SIGNATURE_LINE}")
        return lines


@dataclass(frozen=True)
class Signatures:
    """The signature blocks, one per signatory."""

    blocks: tuple[SignatureBlock, ...]


Block = Union[Paragraph, ListBlock, Table, Signatures]


@dataclass(frozen=True)
class ClauseEntry:
    """``id@version`` and content hash of a clause used in the document."""

    id: str
    version: str
    sha256: str
    source: str  # 'builtin', 'user' or 'spec'

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class ClauseOutline:
    """A clause as a comparison sees it: id, number, version and its paragraphs' text.

    Built from an assembled document or read back from a .docx mou-builder
    wrote; both give the same paragraphs for the same clause.
    """

    id: str
    number: str
    version: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """One clause of the agreement: a numbered, titled group of blocks."""

    id: str
    number: str
    title: str
    blocks: tuple[Block, ...]
    entry: ClauseEntry


@dataclass(frozen=True)
class Finding:
    """Something the completeness check reports about a spec.

    ``code`` is stable (documented in docs/findings.md); ``severity`` is
    'error', 'warning' or 'info' (a named default in force, which the draft
    asserts though the spec never said it); ``path`` is the spec path concerned.
    """

    code: str
    severity: Literal["error", "warning", "info"]
    section: str
    path: str
    message: str
    hint: str
    source: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def location(self) -> str:
        """``file:line:col`` (or the file alone) when the spec came from a file."""
        if self.source is None:
            return ""
        if self.line is None:
            return self.source
        return f"{self.source}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.severity} {self.code}: {self.path}: {self.message}; {self.hint}"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "section": self.section,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
            "file": self.source,
            "line": self.line,
            "column": self.column,
        }


@dataclass(frozen=True)
class Section:
    """A numbered section. A required section the spec leaves out has no clauses and a ``missing`` finding."""

    key: str
    number: int
    title: str
    clauses: tuple[Clause, ...]
    missing: Finding | None = None

    @property
    def missing_text(self) -> str:
        """The placeholder paragraph of a missing required section."""
        assert self.missing is not None
        return f"MISSING: {self.title} — {self.missing.message}"


@dataclass(frozen=True)
class Exhibit:
    """A document attached after the signature page: "Exhibit A", its title, and its content."""

    id: str
    letter: str
    title: str
    blocks: tuple[Block, ...]
    #: Where the content came from: 'spec' (written in the spec), or the file's path as the spec gives it.
    source: str = "spec"
    #: SHA-256 of the content as read (the text, or the file's bytes): the spec's hash covers only the path.
    sha256: str = ""

    @property
    def heading(self) -> str:
        """'Exhibit A'."""
        return f"Exhibit {self.letter}"


@dataclass(frozen=True)
class TitleBlock:
    """What the first page says above the body."""

    title: str
    parties: tuple[str, ...]
    number: str | None
    date: str
    iso_date: str  # the same date as YYYY-MM-DD, for file properties
    draft_label: str | None  # None for a final copy
    program: str | None
    funding_source: str | None
    #: The instrument's defined term, which labels its number ("MOU No. RPL-2026-014").
    term: str = "Agreement"
    #: The amendments already signed: "Amendment No. 1 dated March 1, 2027", ...
    amended_by: tuple[str, ...] = ()

    @property
    def parties_line(self) -> str:
        """'between A and B', or 'between A, B and C'."""
        if len(self.parties) <= 2:
            return "between " + " and ".join(self.parties)
        return "between " + ", ".join(self.parties[:-1]) + " and " + self.parties[-1]

    @property
    def number_line(self) -> str:
        """'MOU No. RPL-2026-014, as amended by Amendment No. 1 dated March 1, 2027', or '' for neither."""
        amended = ""
        if self.amended_by:
            listed = self.amended_by[0] if len(self.amended_by) == 1 else (
                ", ".join(self.amended_by[:-1]) + " and " + self.amended_by[-1])
            amended = f"as amended by {listed}"
        if self.number:
            return f"{self.term} No. {self.number}" + (f", {amended}" if amended else "")
        return amended[:1].upper() + amended[1:]

    @property
    def program_line(self) -> str:
        """'Program: X; funded by Y', or an empty string."""
        parts = []
        if self.program:
            parts.append(f"Program: {self.program}")
        if self.funding_source:
            parts.append(f"funded by {self.funding_source}" if parts else f"Funded by {self.funding_source}")
        return "; ".join(parts)

    @property
    def lines(self) -> list[str]:
        """The title block's paragraphs after the title itself."""
        lines = [self.parties_line]
        if self.number_line:
            lines.append(self.number_line)
        if self.program_line:
            lines.append(self.program_line)
        lines.append(self.date)
        if self.draft_label:
            lines.append(self.draft_label)
        return lines


@dataclass(frozen=True)
class Document:
    """An assembled agreement, ready for any renderer."""

    title: TitleBlock
    sections: tuple[Section, ...]
    manifest: tuple[ClauseEntry, ...]
    findings: tuple[Finding, ...]
    profile: str
    spec_sha256: str
    metadata: dict[str, str] = field(default_factory=dict)
    #: The exhibits, in letter order, printed after the signature page.
    exhibits: tuple[Exhibit, ...] = ()

    @property
    def complete(self) -> bool:
        """True when no finding is an error."""
        return not any(f.severity == "error" for f in self.findings)

    def section_by_key(self, key: str) -> Section:
        """The section with key ``key``."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def clause(self, clause_id: str) -> Clause:
        """The clause with id ``clause_id``."""
        for section in self.sections:
            for clause in section.clauses:
                if clause.id == clause_id:
                    return clause
        raise KeyError(clause_id)
