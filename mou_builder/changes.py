"""What changed between two drafts: spec fields, clauses and findings.

Reviewers read this before the text itself. The comparison is of the specs
(field by field) and of the assembled documents (clause by clause, and the
completeness findings); :func:`unified_diff` gives the line diff of the two
Markdown renderings. Nothing here imports Word libraries or prints.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mou_builder.document import Clause, Document
from mou_builder.model import Spec
from mou_builder.render_text import block_paragraphs, render_markdown

SUMMARY_VERSION = 1


@dataclass(frozen=True)
class FieldChange:
    """A spec value that was added, removed or changed."""

    path: str
    kind: Literal["added", "removed", "changed"]
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class ClauseChange:
    """A clause that was added, removed, moved, re-versioned or re-worded."""

    id: str
    kind: Literal["added", "removed", "moved", "re-versioned", "re-worded"]
    old: str | None = None  # old number, or old version
    new: str | None = None


@dataclass(frozen=True)
class FindingChange:
    """A completeness finding that appeared or was resolved."""

    code: str
    path: str
    kind: Literal["new", "resolved"]
    message: str


@dataclass(frozen=True)
class ChangeSummary:
    """Everything that changed from ``old`` to ``new``."""

    fields: tuple[FieldChange, ...] = ()
    clauses: tuple[ClauseChange, ...] = ()
    findings: tuple[FindingChange, ...] = ()
    old_complete: bool = True
    new_complete: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.fields or self.clauses or self.findings)


# ---------------------------------------------------------------- comparing


def summarize_changes(old: Spec, new: Spec, old_doc: Document, new_doc: Document) -> ChangeSummary:
    """Compare two specs and their assembled documents."""
    return ChangeSummary(
        fields=tuple(_field_changes(old, new)),
        clauses=tuple(_clause_changes(old_doc, new_doc)),
        findings=tuple(_finding_changes(old_doc, new_doc)),
        old_complete=old_doc.complete,
        new_complete=new_doc.complete,
    )


_MISSING: Any = object()
# What identifies an item of a list, so that inserting one item does not make
# every later item look changed.
_ITEM_KEYS = ("id", "party", "activity", "name", "description", "kind", "coverage")


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
    if isinstance(old, dict) or isinstance(new, dict):
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
    matcher = difflib.SequenceMatcher(a=[_identity(i) for i in old], b=[_identity(i) for i in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
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


def _clauses(doc: Document) -> dict[str, Clause]:
    return {c.id: c for s in doc.sections for c in s.clauses}


def _clause_text(clause: Clause) -> list[str]:
    return [clause.title, *(p for b in clause.blocks for p in block_paragraphs(b))]


def _clause_changes(old_doc: Document, new_doc: Document) -> Iterator[ClauseChange]:
    before, after = _clauses(old_doc), _clauses(new_doc)
    common_old = [c for c in before if c in after]
    common_new = [c for c in after if c in before]
    # Clauses outside the longest common order moved; the rest only shifted number.
    matcher = difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    in_order: set[str] = set()
    for block in matcher.get_matching_blocks():
        in_order.update(common_new[block.b : block.b + block.size])
    for clause_id, clause in after.items():
        if clause_id not in before:
            yield ClauseChange(clause_id, "added", new=clause.number)
            continue
        old_clause = before[clause_id]
        if clause_id not in in_order:
            yield ClauseChange(clause_id, "moved", old_clause.number, clause.number)
        if old_clause.entry.version != clause.entry.version:
            yield ClauseChange(clause_id, "re-versioned", old_clause.entry.version, clause.entry.version)
        elif _clause_text(old_clause) != _clause_text(clause):
            yield ClauseChange(clause_id, "re-worded", old_clause.number, clause.number)
    for clause_id, clause in before.items():
        if clause_id not in after:
            yield ClauseChange(clause_id, "removed", old=clause.number)


def _finding_changes(old_doc: Document, new_doc: Document) -> Iterator[FindingChange]:
    before = {(f.code, f.path): f for f in old_doc.findings}
    after = {(f.code, f.path): f for f in new_doc.findings}
    for key, finding in after.items():
        if key not in before:
            yield FindingChange(finding.code, finding.path, "new", finding.message)
    for key, finding in before.items():
        if key not in after:
            yield FindingChange(finding.code, finding.path, "resolved", finding.message)


def unified_diff(old_doc: Document, new_doc: Document, old_name: str = "old", new_name: str = "new") -> str:
    """A unified diff of the two drafts' Markdown renderings."""
    lines = difflib.unified_diff(
        render_markdown(old_doc).splitlines(keepends=True),
        render_markdown(new_doc).splitlines(keepends=True),
        old_name, new_name,
    )
    return "".join(lines)


# ---------------------------------------------------------------- reporting


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _field_line(change: FieldChange) -> tuple[str, str]:
    if change.kind == "changed":
        return change.path, f"{_value(change.old)} -> {_value(change.new)}"
    if change.kind == "added":
        return change.path, f"added {_value(change.new)}"
    return change.path, f"removed (was {_value(change.old)})"


def _clause_line(change: ClauseChange) -> tuple[str, str]:
    text = {
        "added": f"added as {change.new}",
        "removed": f"removed (was {change.old})",
        "moved": f"moved from {change.old} to {change.new}",
        "re-versioned": f"version {change.old} -> {change.new}",
        "re-worded": f"wording changed ({change.new})",
    }[change.kind]
    return change.id, text


def _finding_line(change: FindingChange) -> tuple[str, str]:
    return f"{change.kind} {change.code}", f"{change.path}: {change.message}"


def _groups(summary: ChangeSummary) -> list[tuple[str, list[tuple[str, str]]]]:
    groups = [
        ("Spec changes", [_field_line(c) for c in summary.fields]),
        ("Clause changes", [_clause_line(c) for c in summary.clauses]),
        ("Completeness", [_finding_line(c) for c in summary.findings]),
    ]
    return [(title, lines) for title, lines in groups if lines]


def _completeness(summary: ChangeSummary) -> str:
    word = {True: "complete", False: "incomplete"}
    return f"{word[summary.old_complete]} -> {word[summary.new_complete]}"


def summary_text(summary: ChangeSummary) -> str:
    """The summary as plain text, one change per line."""
    if summary.empty:
        return "no changes\n"
    out = []
    for title, lines in _groups(summary):
        out.append(f"{title} ({len(lines)}):")
        out += [f"  {subject}: {text}" for subject, text in lines]
    out.append(f"Draft: {_completeness(summary)}")
    return "\n".join(out) + "\n"


def summary_markdown(summary: ChangeSummary) -> str:
    """The summary as Markdown, for a pull request or an e-mail."""
    if summary.empty:
        return "No changes.\n"
    out = ["# Changes between the drafts", ""]
    for title, lines in _groups(summary):
        out += [f"## {title}", ""]
        out += [f"- `{subject}`: {text}" for subject, text in lines]
        out.append("")
    out += [f"Draft: {_completeness(summary)}", ""]
    return "\n".join(out)


def summary_json(summary: ChangeSummary) -> str:
    """The summary as JSON (documented in docs/reviewing.md)."""
    data = {
        "summary_version": SUMMARY_VERSION,
        "fields": [asdict(c) for c in summary.fields],
        "clauses": [asdict(c) for c in summary.clauses],
        "findings": [asdict(c) for c in summary.findings],
        "old_complete": summary.old_complete,
        "new_complete": summary.new_complete,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
