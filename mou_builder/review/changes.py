"""What changed between two drafts: spec fields, clauses, text and findings.

Reviewers read this before the text itself. The comparison is of the specs
(field by field), of the clauses (added, removed, moved, re-versioned,
re-worded), of the paragraphs (aligned as the Word redline aligns them, so
both count the same), of headers, footers, footnotes and endnotes, and of the completeness
findings. The report speaks as the draft does (sections, party short names,
money as written); spec paths stay in the JSON and behind ``paths=True``. A draft
is described by :class:`DraftFacts`: from a spec and its assembled document
everything is known; from a .docx file mou-builder wrote, the clauses and
text (not the spec values); from any other .docx, only the text.
:func:`unified_diff` gives the line diff of two drafts' text. Nothing here
imports Word libraries or prints.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from mou_builder.review.alignment import Items, Wording, align, moved_keys, opcodes, similar
from mou_builder.document import ClauseOutline, Document, Finding
from mou_builder.render.text import block_paragraphs, document_lines, render_markdown

if TYPE_CHECKING:
    from mou_builder.spec.model import Spec

SUMMARY_VERSION = 4


@dataclass(frozen=True)
class DraftFacts:
    """What a comparison knows about one draft (None: not known for this kind of draft)."""

    name: str
    #: The text as lines: paragraphs, and each table row as one line (see ``render.text.document_lines``).
    lines: tuple[str, ...]
    spec: Spec | None = None
    clauses: tuple[ClauseOutline, ...] | None = None
    findings: tuple[Finding, ...] | None = None
    complete: bool | None = None
    #: The assembled document, when the draft came from a spec (its Markdown is what a unified diff shows).
    document: Document | None = None
    #: Each line's character formatting, comparable between drafts (for a .docx; None: not compared).
    formats: tuple[Any, ...] | None = None
    #: The text lines of each header and footer, by label ("header", "first-page footer"...), for a .docx.
    margins: dict[str, tuple[str, ...]] | None = None
    #: Each footnote and endnote the text refers to, in order: its label ("Footnote 2") and text lines, for a .docx.
    footnotes: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    @classmethod
    def of_document(cls, name: str, document: Document, spec: Spec | None = None) -> DraftFacts:
        """Everything about a draft assembled from a spec."""
        return cls(
            name=name,
            lines=tuple(document_lines(document)),
            spec=spec,
            clauses=tuple(outline(document)),
            findings=document.findings,
            complete=document.complete,
            document=document,
        )


def outline(document: Document) -> Iterator[ClauseOutline]:
    """Each clause of an assembled document as a comparison sees it."""
    for section in document.sections:
        for clause in section.clauses:
            text = (clause.title, *(p for b in clause.blocks for p in block_paragraphs(b)))
            yield ClauseOutline(clause.id, clause.number, clause.entry.version, tuple(p for p in text if p))


@dataclass(frozen=True)
class FieldChange:
    """A spec value that was added, removed or changed.

    ``section`` and ``description`` are the reader's view (see
    :func:`describe_fields`): where the change is in the draft ("5 Roles
    and Responsibilities") and what it says there, with party short names,
    the activity's words and money as the draft formats it.
    """

    path: str
    kind: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None
    section: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ClauseChange:
    """A clause that was added, removed, moved, re-versioned or re-worded."""

    id: str
    kind: Literal["added", "removed", "moved", "re-versioned", "re-worded"]
    old: str | None = None  # old number, or old version
    new: str | None = None
    #: the clause's heading in the draft (None when not known, e.g. from a .docx)
    title: str | None = None


@dataclass(frozen=True)
class FindingChange:
    """A completeness finding that appeared or was resolved."""

    code: str
    path: str
    kind: Literal["new", "resolved"]
    message: str


@dataclass(frozen=True)
class PartChange:
    """A header, footer, footnote or endnote whose text was added, removed or changed (its lines joined by `` / ``)."""

    part: str
    kind: Literal["added", "removed", "changed"]
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class TextChanges:
    """How many lines (paragraphs, and table rows) changed, were added, removed, moved unchanged, or kept their words with new formatting."""

    changed: int = 0
    added: int = 0
    removed: int = 0
    moved: int = 0
    #: same words, other formatting (bold, italic, underline...): compared between .docx files
    formatted: int = 0

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed or self.moved or self.formatted)


@dataclass(frozen=True)
class ChangeSummary:
    """Everything that changed from ``old`` to ``new``."""

    fields: tuple[FieldChange, ...] = ()
    clauses: tuple[ClauseChange, ...] = ()
    findings: tuple[FindingChange, ...] = ()
    old_complete: bool | None = True
    new_complete: bool | None = True
    text: TextChanges = TextChanges()
    #: What could not be compared, and why (e.g. spec values of a .docx draft).
    notes: tuple[str, ...] = ()
    #: Headers and footers whose text changed (compared between two .docx files).
    margins: tuple[PartChange, ...] = ()
    #: Footnotes and endnotes whose text changed, or that were added or removed (between two .docx files).
    footnotes: tuple[PartChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.fields or self.clauses or self.findings or self.text or self.margins or self.footnotes)


# ---------------------------------------------------------------- comparing


def compare(old: DraftFacts, new: DraftFacts) -> ChangeSummary:
    """Compare what is known about two drafts."""
    notes = []
    fields: tuple[FieldChange, ...] = ()
    if old.spec is not None and new.spec is not None:
        fields = describe_fields(tuple(_field_changes(old.spec, new.spec)), old, new)
    else:
        notes.append("spec values are compared only between two spec files")
    clauses: tuple[ClauseChange, ...] = ()
    if old.clauses is not None and new.clauses is not None:
        # a clause's heading is its first paragraph, in a draft from a spec and in a .docx alike
        titles = {c.id: c.paragraphs[0] for d in (old, new) for c in d.clauses or () if c.paragraphs}
        clauses = tuple(replace(c, title=titles.get(c.id)) for c in _clause_changes(old.clauses, new.clauses))
    else:
        missing = [d.name for d in (old, new) if d.clauses is None]
        notes.append(f"{' and '.join(missing)} {'was' if len(missing) == 1 else 'were'} not written by mou-builder: "
                     "clauses are not compared, only paragraphs")
    findings: tuple[FindingChange, ...] = ()
    if old.findings is not None and new.findings is not None:
        findings = tuple(_finding_changes(old.findings, new.findings))
    else:
        notes.append("completeness findings are compared only between two spec files")
    return ChangeSummary(
        fields=fields,
        clauses=clauses,
        findings=findings,
        old_complete=old.complete,
        new_complete=new.complete,
        text=_text_changes(old.lines, new.lines, old.formats, new.formats),
        notes=tuple(notes),
        margins=tuple(_part_changes(old.margins, new.margins)),
        footnotes=tuple(_note_changes(old.footnotes, new.footnotes)),
    )


def _part_changes(old: dict[str, tuple[str, ...]] | None,
                  new: dict[str, tuple[str, ...]] | None) -> Iterator[PartChange]:
    """Headers and footers (matched by label) whose text differs; nothing when either draft's are not known."""
    if old is None or new is None:
        return
    for label, lines in new.items():
        before = old.get(label)
        if before is None:
            if lines:
                yield PartChange(label, "added", new=" / ".join(lines))
        elif before != lines:
            yield PartChange(label, "changed", " / ".join(before), " / ".join(lines))
    for label, lines in old.items():
        if label not in new and lines:
            yield PartChange(label, "removed", old=" / ".join(lines))


def note_pairs(old: Sequence[tuple[str, tuple[str, ...]]],
               new: Sequence[tuple[str, tuple[str, ...]]]) -> list[tuple[int | None, int | None]]:
    """Which note of ``old`` each note of ``new`` is (``(old index, new index)``; None on one side: added or removed).

    Notes are ``(label, lines)`` in reading order, as :func:`~mou_builder.review.word_input.note_lines`
    gives them. Footnotes are aligned with footnotes and endnotes with
    endnotes, by their text as the redline aligns lines (a note mostly the
    same words is the same note, edited), not by their numbers: a note added
    before the others renumbers them, and they have not changed. The change
    summary and the redline pair notes with this one function.
    """
    out: list[tuple[int | None, int | None]] = []
    for kind in {label.split(" ", 1)[0] for label, _ in (*old, *new)}:
        olds = [i for i, (label, _) in enumerate(old) if label.split(" ", 1)[0] == kind]
        news = [j for j, (label, _) in enumerate(new) if label.split(" ", 1)[0] == kind]
        for step in align([" / ".join(old[i][1]) for i in olds], [" / ".join(new[j][1]) for j in news], LINES):
            if step.kind == "moved-from":
                continue  # the same pair as its moved-to step
            out.append((None if step.old is None or step.kind == "inserted" else olds[step.old],
                        None if step.new is None or step.kind == "deleted" else news[step.new]))
    return sorted(out, key=lambda pair: (pair[1] is None, pair[1] if pair[1] is not None else pair[0]))


def _note_changes(old: Sequence[tuple[str, tuple[str, ...]]] | None,
                  new: Sequence[tuple[str, tuple[str, ...]]] | None) -> Iterator[PartChange]:
    """Footnotes and endnotes added, removed or changed, each named by its number in the draft that has it."""
    if old is None or new is None:
        return
    for i, j in note_pairs(old, new):
        if i is None:
            assert j is not None
            yield PartChange(new[j][0], "added", new=" / ".join(new[j][1]))
        elif j is None:
            yield PartChange(old[i][0], "removed", old=" / ".join(old[i][1]))
        elif old[i][1] != new[j][1]:
            yield PartChange(new[j][0], "changed", " / ".join(old[i][1]), " / ".join(new[j][1]))


def _text_changes(old: Sequence[str], new: Sequence[str], old_formats: Sequence[Any] | None = None,
                  new_formats: Sequence[Any] | None = None) -> TextChanges:
    """Count lines as the redline marks them (the same alignment): an edit inside a moved line is a change.

    A line whose words are the same but whose formatting differs (when
    both drafts' formats are known) counts as ``formatted``.
    """
    count: Counter[str] = Counter()
    for step in align(old, new, LINES):
        if step.kind == "moved-to":
            count["changed" if step.edited else "moved"] += 1
        elif step.kind in ("changed", "deleted", "inserted"):
            count[step.kind] += 1
        elif (step.kind == "equal" and old_formats is not None and new_formats is not None
              and old_formats[step.old] != new_formats[step.new]):
            count["formatted"] += 1
    return TextChanges(count["changed"], count["inserted"], count["deleted"], count["moved"], count["formatted"])


#: Lines of text as :func:`~mou_builder.review.alignment.align` compares them: a line is edited when mostly the same words.
LINES: Items[str, Wording] = Items(key=lambda line: line, words=lambda line: Wording(line).words, shape=Wording,
                                   alike=similar)


_MISSING: Any = object()
# What identifies an item of a list, so that inserting one item does not make
# every later item look changed.
_ITEM_KEYS = ("id", "party", "activity", "name", "description", "kind", "coverage", "title")


def _field_changes(old: Spec, new: Spec) -> Iterator[FieldChange]:
    # Which values to compare comes from the values the specs set (defaults
    # left out, so an added section lists only what it says); the values shown
    # come from the full models, so a value changed to its default still shows both.
    yield from _compare(
        old.model_dump(mode="json", exclude_defaults=True), new.model_dump(mode="json", exclude_defaults=True),
        old.model_dump(mode="json"), new.model_dump(mode="json"), "", "",
    )


def _at(full: Any, path: str) -> Any:
    import re

    current = full
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index:
            current = current[int(index)] if isinstance(current, list) and int(index) < len(current) else _MISSING
        else:
            current = current.get(key, _MISSING) if isinstance(current, dict) else _MISSING
        if current is _MISSING:
            return _MISSING
    return current


def _compare(old: Any, new: Any, old_full: Any, new_full: Any, old_path: str, new_path: str) -> Iterator[FieldChange]:
    if (old is _MISSING and new == {}) or (new is _MISSING and old == {}):
        # a block given empty (research: {}) has no leaves, but it is a change: it brings its defaults in
        yield from _leaves(new, new_path, "added") if old is _MISSING else _leaves(old, old_path, "removed")
    elif isinstance(old, dict) or isinstance(new, dict):
        old_d = old if isinstance(old, dict) else {}
        new_d = new if isinstance(new, dict) else {}
        keys = list(new_d) + [k for k in old_d if k not in new_d]
        for key in keys:
            yield from _compare(old_d.get(key, _MISSING), new_d.get(key, _MISSING), old_full, new_full,
                                _join(old_path, key), _join(new_path, key))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _compare_lists(old, new, old_full, new_full, old_path, new_path)
    elif old is _MISSING and new is not _MISSING:
        before = _at(old_full, old_path)
        if before is _MISSING or before is None or isinstance(new, (dict, list)):
            yield from _leaves(new, new_path, "added")
        elif before != new:
            yield FieldChange(new_path, "changed", before, new)
    elif new is _MISSING and old is not _MISSING:
        after = _at(new_full, new_path)
        if after is _MISSING or after is None or isinstance(old, (dict, list)):
            yield from _leaves(old, old_path, "removed")
        elif after != old:
            yield FieldChange(new_path, "changed", old, after)
    elif old != new:
        yield FieldChange(new_path, "changed", old, new)


def _compare_lists(old: list, new: list, old_full: Any, new_full: Any, old_path: str,
                   new_path: str) -> Iterator[FieldChange]:
    for tag, i1, i2, j1, j2 in opcodes([_identity(i) for i in old], [_identity(i) for i in new]):
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for i, j in zip(range(i1, i2), range(j1, j2)):
                yield from _compare(old[i], new[j], old_full, new_full, f"{old_path}[{i}]", f"{new_path}[{j}]")
        else:
            for i in range(i1, i2):
                yield from _leaves(old[i], f"{old_path}[{i}]", "removed")
            for j in range(j1, j2):
                yield from _leaves(new[j], f"{new_path}[{j}]", "added")


def _identity(item: Any) -> str:
    if isinstance(item, dict):
        for key in _ITEM_KEYS:
            if key in item:
                return f"{key}={item[key]}"
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _leaves(value: Any, path: str, kind: Literal["added", "removed"]) -> Iterator[FieldChange]:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, _join(path, key), kind)
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]", kind)
    elif kind == "added":
        yield FieldChange(path, "added", new=value)
    else:
        yield FieldChange(path, "removed", old=value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _clause_changes(old: Sequence[ClauseOutline], new: Sequence[ClauseOutline]) -> Iterator[ClauseChange]:
    before, after = {c.id: c for c in old}, {c.id: c for c in new}
    # Clauses outside the heaviest common order moved (the Word redline calls
    # the same ones moved); the rest only shifted number.
    weight = {c.id: 1 + sum(len(p) for p in c.paragraphs) for c in new}
    moved = moved_keys([c.id for c in old], [c.id for c in new], weight.__getitem__)
    for clause_id, clause in after.items():
        if clause_id not in before:
            yield ClauseChange(clause_id, "added", new=clause.number)
            continue
        old_clause = before[clause_id]
        if clause_id in moved:
            yield ClauseChange(clause_id, "moved", old_clause.number, clause.number)
        if old_clause.version and clause.version and old_clause.version != clause.version:
            yield ClauseChange(clause_id, "re-versioned", old_clause.version, clause.version)
        elif old_clause.paragraphs != clause.paragraphs:
            yield ClauseChange(clause_id, "re-worded", old_clause.number, clause.number)
    for clause_id, clause in before.items():
        if clause_id not in after:
            yield ClauseChange(clause_id, "removed", old=clause.number)


def _finding_changes(old: Sequence[Finding], new: Sequence[Finding]) -> Iterator[FindingChange]:
    before = {(f.code, f.path): f for f in old}
    after = {(f.code, f.path): f for f in new}
    for key, finding in after.items():
        if key not in before:
            yield FindingChange(finding.code, finding.path, "new", finding.message)
    for key, finding in before.items():
        if key not in after:
            yield FindingChange(finding.code, finding.path, "resolved", finding.message)


def unified_diff(old: DraftFacts, new: DraftFacts) -> str:
    """A unified diff of two drafts' text: their Markdown, or their paragraphs when either is a .docx."""
    if old.document is not None and new.document is not None:
        old_lines = render_markdown(old.document).splitlines(keepends=True)
        new_lines = render_markdown(new.document).splitlines(keepends=True)
    else:
        old_lines, new_lines = [p + "\n" for p in old.lines], [p + "\n" for p in new.lines]
    return "".join(difflib.unified_diff(old_lines, new_lines, old.name, new.name))


# ---------------------------------------------------------------- reporting


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _field_line(change: FieldChange, paths: bool = True) -> tuple[str, str]:
    if not paths and change.description is not None:
        return change.section or "", change.description
    if change.kind == "changed":
        return change.path, f"{_value(change.old)} -> {_value(change.new)}"
    if change.kind == "added":
        return change.path, f"added {_value(change.new)}"
    return change.path, f"removed (was {_value(change.old)})"


def _clause_line(change: ClauseChange, paths: bool = True) -> tuple[str, str]:
    text = {
        "added": f"added as {change.new}",
        "removed": f"removed (was {change.old})",
        "moved": f"moved from {change.old} to {change.new}",
        "re-versioned": f"version {change.old} -> {change.new}",
        "re-worded": f"wording changed ({change.new})",
    }[change.kind]
    if paths or change.title is None:
        return change.id, text
    # the number leads the heading, as in the draft; an alternate is told from its sibling by the end of its id
    number = {"added": change.new, "moved": change.new, "re-worded": change.new, "removed": change.old}.get(change.kind)
    alternate = change.id.rpartition(".")[2]
    text = {"added": f"added ({alternate})", "removed": f"removed ({alternate})", "moved": f"moved from {change.old}",
            "re-worded": "wording changed"}.get(change.kind, text)
    return f"{number} {change.title}" if number else change.title, text


def _part_line(change: PartChange) -> tuple[str, str]:
    if change.kind == "changed":
        return change.part, f"changed {change.old} -> {change.new}"
    return change.part, f"added {change.new}" if change.kind == "added" else f"removed (was {change.old})"


def _finding_line(change: FindingChange) -> tuple[str, str]:
    return f"{change.kind} {change.code}", f"{change.path}: {change.message}"


def summary_groups(summary: ChangeSummary, *, paths: bool = False) -> list[tuple[str, list[tuple[str, str]]]]:
    """The summary's non-empty groups, each a title and (subject, change) lines; the last is the draft overall.

    The reader's view by default: spec changes by the section of the draft
    they are in, in the draft's words (party short names, the activity,
    money as the draft writes it), clauses by their heading. ``paths``
    gives the spec paths and clause ids instead, as the JSON has them.
    """
    fields = [_field_line(c, paths) for c in summary.fields]
    if not paths:  # the fields of an item added or removed whole share one line
        fields = [line for k, line in enumerate(fields) if k == 0 or line != fields[k - 1]]
    groups = [
        ("Spec changes" if paths else "Changes to the terms", fields),
        ("Clause changes", [_clause_line(c, paths) for c in summary.clauses]),
        ("Headers and footers", [_part_line(c) for c in summary.margins]),
        ("Footnotes and endnotes", [_part_line(c) for c in summary.footnotes]),
        ("Completeness", [_finding_line(c) for c in summary.findings]),
    ]
    out = [(title, lines) for title, lines in groups if lines]
    overall = [("Text", _text_line(summary.text)), ("Draft", _completeness(summary))]
    overall += [("Note", note) for note in summary.notes]
    out.append(("Overall", overall))
    return out


def _text_line(text: TextChanges) -> str:
    noun = "line" if text.changed == 1 else "lines"
    line = f"{text.changed} {noun} changed, {text.added} added, {text.removed} removed"
    line += f", {text.moved} moved" if text.moved else ""
    return line + (f", {text.formatted} with formatting changed" if text.formatted else "")


def _completeness(summary: ChangeSummary) -> str:
    word = {True: "complete", False: "incomplete", None: "not known"}
    return f"{word[summary.old_complete]} -> {word[summary.new_complete]}"


def summary_text(summary: ChangeSummary, *, paths: bool = False) -> str:
    """The summary as plain text, one change per line (``paths``: spec paths and clause ids, see :func:`summary_groups`)."""
    out = [] if not summary.empty else ["no changes"]
    *groups, (_, overall) = summary_groups(summary, paths=paths)
    for title, lines in groups:
        out.append(f"{title} ({len(lines)}):")
        out += [f"  {subject}: {text}" for subject, text in lines]
    out += [f"{subject}: {text}" for subject, text in overall if not (summary.empty and subject == "Text")]
    return "\n".join(out) + "\n"


def summary_markdown(summary: ChangeSummary, *, paths: bool = False) -> str:
    """The summary as Markdown, for a pull request or an e-mail (``paths`` as for :func:`summary_text`)."""
    out = ["# Changes between the drafts", ""]
    if summary.empty:
        out += ["No changes.", ""]
    *groups, (_, overall) = summary_groups(summary, paths=paths)
    for title, lines in groups:
        out += [f"## {title}", ""]
        out += [f"- `{subject}`: {text}" if paths else f"- **{subject}**: {text}" for subject, text in lines]
        out.append("")
    out += [f"{subject}: {text}  " for subject, text in overall if not (summary.empty and subject == "Text")]
    out.append("")
    return "\n".join(out)


def summary_json(summary: ChangeSummary) -> str:
    """The summary as JSON (documented in docs/reviewing.md)."""
    data = {
        "summary_version": SUMMARY_VERSION,
        "fields": [asdict(c) for c in summary.fields],
        "clauses": [asdict(c) for c in summary.clauses],
        "findings": [asdict(c) for c in summary.findings],
        "text": asdict(summary.text),
        "old_complete": summary.old_complete,
        "new_complete": summary.new_complete,
        "notes": list(summary.notes),
        "headers_footers": [asdict(c) for c in summary.margins],
        "footnotes": [asdict(c) for c in summary.footnotes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- the reader's view of spec changes

#: Spec fields whose values are amounts of money (formatted as the draft writes them).
_MONEY_FIELDS = frozenset({"amount", "cap", "budget_total", "not_to_exceed", "amounts"})
#: RACI roles, as the draft's table heads them.
_ROLES = {"responsible": "Responsible", "accountable": "Accountable", "consulted": "Consulted", "informed": "Informed"}
#: Spec fields that are not a section of their own, and where the draft shows them.
_PLACES = {"agreement": "Title page", "clauses": "Clauses", "legal": "legal_status", "signatories": "signatures",
           "insurance": "liability", "bodies": "parties"}
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def describe_fields(changes: tuple[FieldChange, ...], old: DraftFacts, new: DraftFacts) -> tuple[FieldChange, ...]:
    """``changes`` with their reader's view filled in from the two drafts' specs and documents.

    A list item added or removed whole (a party, a responsibility, a step)
    reads as one change, e.g. "Party 'the District' added: legal name
    Riverside Unified School District; short name the District; ...": each
    of its fields carries that description, and a report shows it once.
    """
    if old.spec is None or new.spec is None:
        return changes
    sides = {"old": _Side(old), "new": _Side(new)}
    said = [_describe(c, sides["new" if c.kind == "added" else "old"], sides["old"], sides["new"]) for c in changes]
    text = [s.text for s in said]
    for start, end in _whole_items(changes):
        first = said[start]
        verb = "added" if changes[start].kind == "added" else "removed"
        parts = "; ".join(f"{s.label} {s.value}" for s in said[start:end] if not s.identity)
        line = ": ".join([*first.context[:-1], f"{first.context[-1]} {verb}" + (f": {parts}" if parts else "")])
        text[start:end] = [line] * (end - start)
    out = []
    for change, description in zip(changes, text):
        # where it is now (a removed value: where it was)
        place = sides["old" if change.kind == "removed" else "new"].section(change.path)
        out.append(FieldChange(change.path, change.kind, change.old, change.new, place, description))
    return tuple(out)


_ITEM = re.compile(r"^[^\[]*\[\d+\]")


def _whole_items(changes: Sequence[FieldChange]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of changes that adds or removes one list item whole.

    A run is whole when all its changes share the item's path and kind and
    one of them is the field the item is known by (its id, activity, party...):
    two optional fields added to an item that stays are not a new item.
    """
    start = 0
    while start < len(changes):
        match = _ITEM.match(changes[start].path)
        end = start + 1
        if match and changes[start].kind in ("added", "removed"):
            item = match.group(0)
            while (end < len(changes) and changes[end].kind == changes[start].kind
                   and _ITEM.match(changes[end].path) and _ITEM.match(changes[end].path).group(0) == item):  # type: ignore[union-attr]
                end += 1
            if any(c.path in (f"{item}.{key}" for key in _ITEM_KEYS) for c in changes[start:end]):
                yield start, end
        start = end


@dataclass(frozen=True)
class _Said:
    """One change as the draft says it: where (``context``), what (``label``), the value shown, the whole line."""

    context: list[str]
    label: str
    value: str
    text: str
    #: the field is what the item is named by (its id, or a value its label already shows): not repeated when the whole item is listed
    identity: bool = False


class _Side:
    """One draft's spec (as JSON data) and sections, for describing a change by what the draft says."""

    def __init__(self, facts: DraftFacts) -> None:
        assert facts.spec is not None
        self.data = facts.spec.model_dump(mode="json")
        self.parties = {p["id"]: p.get("short_name") or p.get("legal_name") or p["id"]
                        for p in self.data.get("parties") or [] if isinstance(p, dict) and "id" in p}
        # A body is referred to by id like a party (consulted, informed, reports): named as the draft names it.
        self.parties.update({b["id"]: b.get("short_name") or b.get("name") or b["id"]
                             for b in self.data.get("bodies") or [] if isinstance(b, dict) and "id" in b})
        self.sections = {s.key: f"{s.number} {s.title}" for s in facts.document.sections} if facts.document else {}

    def section(self, path: str) -> str:
        top = path.split(".", 1)[0].split("[", 1)[0]
        place = _PLACES.get(top, top)
        return self.sections.get(place) or (place if place in _PLACES.values() else top.replace("_", " ").capitalize())

    def value(self, value: Any, field: str, currency: str) -> str:
        """A value as the draft shows it: a party by its short name, money formatted, yes/no for flags."""
        if isinstance(value, str) and field != "id" and value in self.parties:
            return self.parties[value]
        if field in _MONEY_FIELDS and isinstance(value, (str, int)) and not isinstance(value, bool):
            from decimal import Decimal, InvalidOperation

            from mou_builder.library.clauses import format_money

            try:
                return format_money(Decimal(str(value)), currency)
            except (InvalidOperation, ValueError, KeyError):
                return str(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(self.value(v, field, currency) for v in value) or "none"
        if value is None:
            return "none"
        return _value(value)


def _describe(change: FieldChange, side: _Side, old: _Side, new: _Side) -> _Said:
    """A change as a reader of the draft says it, e.g. "Responsibility 'Issue library cards': Hope House added as Informed"."""
    steps = [(key, int(index) if index else None) for key, index in _STEP.findall(change.path)]
    context: list[str] = []
    node: Any = side.data
    currency = str((side.data.get("financial") or {}).get("currency") or "USD")
    field = ""
    for k, (key, index) in enumerate(steps):
        if key:
            field = key
            node = node.get(key) if isinstance(node, dict) else None
            if 0 < k < len(steps) - 1 and steps[k + 1][1] is None:  # a group of fields (not a list, not the leaf)
                context.append(key.replace("_", " "))
            continue
        assert index is not None
        item = node[index] if isinstance(node, list) and index < len(node) else None
        node = item
        if isinstance(item, dict):
            currency = str(item.get("currency") or currency)
            context.append(_item_label(field, item, index, side))
        elif k + 1 == len(steps) and field in _ROLES:  # a party in a RACI role
            who = old.value(change.old, "", currency) if change.kind == "removed" else new.value(change.new, "", currency)
            done = {"added": f"{who} added as {_ROLES[field]}", "removed": f"{who} no longer {_ROLES[field]}"}
            text = done.get(change.kind) or (f"{_ROLES[field]}: {old.value(change.old, '', currency)} -> "
                                             f"{new.value(change.new, '', currency)}")
            return _Said(context, _ROLES[field], who, ": ".join([*context, text]))
    label = _ROLES.get(field) or field.replace("_", " ")
    before, after = old.value(change.old, field, currency), new.value(change.new, field, currency)
    if change.kind == "changed" and steps[0][0] == "exhibits" and field == "text":
        # An exhibit's text runs to pages: the summary shows the lines that changed, not the whole text twice.
        before, after = _changed_lines(str(change.old), str(change.new))
        label = "text, changed lines"
    text = {"changed": f"{label}: {before} -> {after}", "added": f"{label} added: {after}",
            "removed": f"{label} removed (was {before})"}[change.kind]
    shown = after if change.kind == "added" else before
    return _Said(context, label, shown, ": ".join([*context, text]),
                 identity=field == "id" or bool(context) and f"'{shown}'" in context[-1] or context[-1:] == [f"Signatory for {shown}"])


def _changed_lines(old: str, new: str) -> tuple[str, str]:
    """The lines of ``old`` and of ``new`` that differ, each side joined by " / "."""
    import difflib

    a, b = old.splitlines(), new.splitlines()
    gone, came = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            gone += [line.strip() for line in a[i1:i2] if line.strip()]
            came += [line.strip() for line in b[j1:j2] if line.strip()]
    return " / ".join(gone) or "none", " / ".join(came) or "none"


def _item_label(field: str, item: dict[str, Any], index: int, side: _Side) -> str:
    """An item of a list as the draft names it: a responsibility by its activity, a party by its short name..."""
    noun = {"responsibilities": "Responsibility", "parties": "Party", "signatories": "Signatory",
            "contributions": "Contribution", "steps": "Step", "metrics": "Metric", "liaisons": "Liaison",
            "budget_by_year": "Budget period"}.get(
        field, field.replace("_", " ").capitalize().removesuffix("s"))
    if field in ("parties", "bodies"):
        noun = "Party" if field == "parties" else "Body"
        named = item.get("legal_name") or item.get("name") or index + 1
        return f"{noun} '{side.parties.get(item.get('id', ''), named)}'"
    if field == "override" and isinstance(item.get("id"), str):  # a clause override, by the clause it replaces
        return f"Override of {item['id']}"
    if field == "signatories" and "party" in item:
        return f"{noun} for {side.parties.get(item['party'], item['party'])}"
    if field == "exhibits":  # as the draft names it: "Exhibit A (Data Elements)"
        from mou_builder.spec.model import exhibit_letter

        return f"Exhibit {exhibit_letter(index)} ({item.get('title') or item.get('id')})"
    for key in ("activity", "description", "name", "kind", "period", "title"):
        if isinstance(item.get(key), str):
            return f"{noun} '{item[key]}'"
    return f"{noun} {index + 1}"
