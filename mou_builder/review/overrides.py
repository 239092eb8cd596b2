"""Clause overrides: a library clause replaced by words written in the spec (``clauses.override``).

An override is how a reviewer's edits to a returned draft are adopted
(``mou-build review-edits REVIEWED --adopt SPEC``): each edited clause's
text, as the reviewer left it, goes into the spec with what it was made
against (the library clause's version and hash, and a hash of the clause's
text in the draft then). Later builds use the override's words, literally
(never as a template). When the library clause changes, or the spec's
values change what the library clause would say, ``check`` reports
``override-stale``: the override is kept, and the drafter decides. Nothing
here prints.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mou_builder.library.clauses import ClauseFile, ClauseLibrary
    from mou_builder.library.completeness import Profile
    from mou_builder.document import Finding
    from mou_builder.spec.model import ClauseOverride, Spec
    from mou_builder.review.edits import Base, ReviewReport


def text_sha256(paragraphs: Sequence[str]) -> str:
    """Hash of a clause's text as a draft shows it (heading and paragraphs)."""
    return hashlib.sha256("\n".join(paragraphs).encode("utf-8")).hexdigest()


def overridden(clause: ClauseFile, override: ClauseOverride, label: str) -> ClauseFile:
    """``clause`` with the override's heading and words (used literally, as a clause written in the spec is)."""
    from mou_builder.library.clauses import ClauseFile

    # the version the words were made against: a later library version does not make them that version's
    header = clause.header.model_copy(update={"title": override.title or clause.header.title,
                                              "version": override.based_on.version})
    return ClauseFile(header, override.text, None, "spec", label)


def apply_overrides(spec: Spec, by_section: dict[str, list[ClauseFile]]) -> dict[str, list[ClauseFile]]:
    """The selected clauses, each overridden one replaced by its override (a clause not selected stays out)."""
    if not spec.clauses.override:
        return by_section
    overrides = {o.id: (i, o) for i, o in enumerate(spec.clauses.override)}
    out = {}
    for key, clauses in by_section.items():
        out[key] = [overridden(c, overrides[c.id][1], _label(spec, overrides[c.id][0])) if c.id in overrides else c
                    for c in clauses]
    return out


def _label(spec: Spec, index: int) -> str:
    label = f"clauses.override[{index}].text"
    if spec.source is not None:
        line, column = spec.source.locate(("clauses", "override", index, "text"))
        label = f"{spec.source.source}:{line}:{column}: {label}"
    return label


def unknown_overrides(spec: Spec, library: ClauseLibrary) -> list[tuple[tuple[str | int, ...], str]]:
    """``(loc, message)`` for each override of a clause the library does not have."""
    return [(("clauses", "override", i, "id"), f"no clause {o.id!r} in the library to override")
            for i, o in enumerate(spec.clauses.override) if o.id not in library.clauses]


def without_overrides(spec: Spec) -> Spec:
    """The spec with its overrides left out: the draft the library alone would give."""
    return spec.model_copy(update={"clauses": spec.clauses.model_copy(update={"override": []})})


def stale_overrides(spec: Spec, library: ClauseLibrary, profile: Profile | str | Path | None) -> list[tuple[int, str]]:
    """``(index, why)`` of each override made against a library clause or a text that has changed since."""
    if not spec.clauses.override:
        return []
    from mou_builder.assembly import assemble
    from mou_builder.review.changes import outline

    plain = assemble(without_overrides(spec), library, profile)
    texts = {c.id: c.paragraphs for c in outline(plain)}
    out = []
    for i, override in enumerate(spec.clauses.override):
        clause = library.clauses.get(override.id)
        made = override.based_on
        if clause is None:
            continue  # refused as a spec problem
        why = ""
        if (clause.version, clause.sha256) != (made.version, made.sha256):
            changed = f"{made.version} -> {clause.version}" if clause.version != made.version else \
                f"{clause.version}, its text changed without a new version"
            why = f"the library clause {override.id} changed since the override was made ({changed})"
        elif override.id not in texts:
            why = (f"clause {override.id} is no longer in the draft (its condition or an exclusion leaves it out), "
                   "so the override is not used")
        elif text_sha256(texts[override.id]) != made.text_sha256:
            why = f"the spec's values changed what clause {override.id} says since the override was made"
        if why and override.id in texts:
            why += "; " + _both_sides(override, texts[override.id])
        if why:
            out.append((i, why))
    return out


def _both_sides(override: ClauseOverride, library_text: Sequence[str]) -> str:
    """How the library's text now differs from the override's words, a few edits quoted."""
    from mou_builder.review.edits import word_edits

    title = override.title or (library_text[0] if library_text else "")
    mine = [title, *(p.strip() for p in re.split(r"\n\s*\n", override.text) if p.strip())]
    edits = word_edits(mine, library_text)
    if not edits:
        return "the library's text now reads as the override does"
    shown = ", ".join(f'"{e.old}" -> "{e.new}"' for e in edits[:3])
    more = f" and {len(edits) - 3} more" if len(edits) > 3 else ""
    return f"from the override's words to the library's text now: {shown}{more}"


def override_findings(spec: Spec, library: ClauseLibrary, profile: Profile | str | Path | None,
                      make: Any) -> list[Finding]:
    """An ``override-stale`` warning for each stale override (``make`` is the completeness check's finding maker)."""
    out = []
    for i, why in stale_overrides(spec, library, profile):
        override = spec.clauses.override[i]
        section = library.clauses[override.id].header.section
        out.append(make(
            "override-stale", "warning", section, f"clauses.override[{i}]",
            f"{why}; the draft still uses the override's words",
            f"compare the override with the library's text now (remove the override and `mou-build show` the spec), "
            f"then update clauses.override[{i}] (text and based_on) or remove it",
        ))
    return out


# ---------------------------------------------------------------- adopting a reviewer's edits


def adoptable(report: ReviewReport, base: Base) -> tuple[list[dict[str, Any]], list[str]]:
    """The overrides a review's edits make (as spec data), and why each other edited clause is left out.

    A clause edited, or with tracked changes pending (taken as accepted),
    becomes an override of its library clause with the words it has in the
    returned draft. Left out: a clause deleted or added (exclude it, or add
    it with ``clauses.add``), one holding a table (its rows come from the
    spec's values), and one not from the library.
    """
    if base.document is None:
        from mou_builder.errors import DraftError

        raise DraftError(f"{base.name}: adopting edits needs the draft rebuilt from its spec (the one the returned "
                         "draft carries, or --base SPEC), not a .docx base")
    from mou_builder.review.changes import outline

    built = {c.id: c.paragraphs for c in outline(base.document)}
    entries = {e.id: e for e in base.document.manifest}
    overrides, skipped = [], []
    for clause in report.clauses:
        if clause.status == "unchanged" and not clause.tracked:
            continue
        where = f"{clause.number or clause.base_number} {clause.title} ({clause.id})"
        if clause.status in ("deleted", "added"):
            skipped.append(f"{where}: {clause.status}; "
                           + ("exclude it in clauses.exclude" if clause.status == "deleted" else "add it with clauses.add"))
            continue
        entry = entries.get(clause.id)
        if entry is None or entry.source == "spec" or clause.id not in built:
            skipped.append(f"{where}: not a library clause (edit the spec's own text instead)")
            continue
        if clause.has_table:
            skipped.append(f"{where}: holds a table, whose rows come from the spec's values; edit those instead")
            continue
        if clause.accepted_text == clause.base_text or not clause.accepted_text:
            continue  # tracked changes that cancel out
        title, *paragraphs = clause.accepted_text
        library_title = built[clause.id][0] if built[clause.id] else ""
        override: dict[str, Any] = {"id": clause.id}
        if title != library_title:
            override["title"] = title
        override["text"] = "\n\n".join(paragraphs)
        override["based_on"] = {"version": entry.version, "sha256": entry.sha256,
                                "text_sha256": text_sha256(built[clause.id])}
        override["source"] = Path(report.reviewed).name
        overrides.append(override)
    return overrides, skipped


def adopted_spec_text(spec_text: str, spec_format: str, current: Sequence[Mapping[str, Any]],
                      overrides: Sequence[Mapping[str, Any]]) -> str:
    """The spec's text with ``overrides`` in ``clauses.override`` (an override of the same clause replaced).

    A JSON spec is written again whole. In a YAML spec only the top-level
    ``clauses:`` block is written again (appended when there is none), so
    comments and layout elsewhere in the file stay as they were. The block's
    values are read from the whole file (so an alias in it to an anchor
    elsewhere is its value); the file's line endings are kept.
    """
    return _adopted(spec_text, spec_format, current, overrides)[0]


#: A top-level ``clauses:`` key, bare or quoted, with an optional anchor or comment after it.
_CLAUSES_KEY = re.compile(r"""(clauses|"clauses"|'clauses')[ \t]*:(?=\s|$)""")


def _adopted(spec_text: str, spec_format: str, current: Sequence[Mapping[str, Any]],
             overrides: Sequence[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """:func:`adopted_spec_text`, and the comment lines of the old ``clauses:`` block the new one lacks."""
    import json

    import yaml

    merged = {o["id"]: dict(o) for o in current}
    merged.update({o["id"]: dict(o) for o in overrides})
    bom = "\ufeff" if spec_text.startswith("\ufeff") else ""
    spec_text = spec_text[len(bom):]
    newline = "\r\n" if "\r\n" in spec_text else "\n"
    if spec_format == "json":
        data = json.loads(spec_text)
        data.setdefault("clauses", {})["override"] = list(merged.values())
        return bom + json.dumps(data, indent=2, ensure_ascii=False).replace("\n", newline) + newline, []
    lines = spec_text.splitlines(keepends=True)
    start = next((k for k, line in enumerate(lines) if _CLAUSES_KEY.match(line)), None)
    existing: dict[str, Any] = {}
    dropped: list[str] = []
    if start is not None:
        end = next((k for k in range(start + 1, len(lines)) if re.match(r"[^\s#-]", lines[k])), len(lines))
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1  # blank lines and comments before the next key belong to it, and stay
        # the whole file, not the block alone: an alias in the block names an anchor given elsewhere;
        # and read as the loader reads it (a title 'No' is text, not YAML 1.1's false)
        from mou_builder.spec.loader import parse_spec_text

        existing = dict(parse_spec_text(spec_text, fmt="yaml")[0].get("clauses") or {})
        dropped = [f"line {start + k + 1}: {text}" for k, text in _comments("".join(lines[start:end]))]
    else:
        start = end = len(lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += newline
    existing["override"] = list(merged.values())
    block = yaml.safe_dump({"clauses": existing}, sort_keys=False, allow_unicode=True, width=100)
    return bom + "".join(lines[:start]) + block.replace("\n", newline) + "".join(lines[end:]), dropped


def _clause_name(report: ReviewReport, clause_id: str) -> str:
    """How the report names a clause: number, heading and id."""
    for c in report.clauses:
        if c.id == clause_id:
            return f"{c.number or c.base_number} {c.title} ({c.id})"
    return clause_id


def _comments(block: str) -> list[tuple[int, str]]:
    """(line index, text) of each YAML comment in ``block``: a '#' at a line's start or after white space
    that no scalar holds (a '#' in quoted text or in a ``|`` block of text is the text's own)."""
    import bisect

    import yaml

    spans: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(block, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:  # pragma: no cover - the block is part of a spec that loaded
        spans = []
    starts = [a for a, _ in spans]
    out: list[tuple[int, str]] = []
    offset = 0
    for k, line in enumerate(block.splitlines(keepends=True)):
        for found in re.finditer(r"(?:^|(?<=\s))#", line):
            at = offset + found.start()
            i = bisect.bisect_right(starts, at) - 1
            if i >= 0 and spans[i][0] <= at < spans[i][1]:
                continue  # inside a scalar: text
            out.append((k, line[found.start():].strip()))
            break  # the rest of the line is the comment
        offset += len(line)
    return out


def adopt(report: ReviewReport, base: Base, spec_path: Path, spec: Spec) -> tuple[str, list[str], list[str]]:
    """The new text of the spec at ``spec_path`` with the review's edits adopted; the ids adopted; what was left out.

    Raises :class:`~mou_builder.errors.DraftError` (the spec untouched) when
    the spec cannot be rewritten into a valid one, e.g. when its ``clauses:``
    block holds an anchor that the rest of the file uses.
    """
    text, adopted, skipped, _ = adopt_with_notes(report, base, spec_path, spec)
    return text, adopted, skipped


def adopt_with_notes(report: ReviewReport, base: Base, spec_path: Path,
                     spec: Spec) -> tuple[str, list[str], list[str], list[str]]:
    """:func:`adopt`, and notes of what the rewrite did not keep (comments in the old ``clauses:`` block)."""
    from mou_builder.errors import DraftError, SpecError
    from mou_builder.files import read_regular
    from mou_builder.spec.loader import MAX_SPEC_BYTES, decode_spec_bytes, loads_spec

    overrides, skipped = adoptable(report, base)
    try:
        raw = read_regular(spec_path, MAX_SPEC_BYTES)
    except OSError as exc:
        raise DraftError(f"{spec_path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_SPEC_BYTES:
        raise DraftError(f"{spec_path}: more than {MAX_SPEC_BYTES:,} bytes, the most a spec may be")
    decode_spec_bytes(raw, str(spec_path))  # a file that is not UTF-8 is refused with its place
    text = raw.decode("utf-8")  # the byte-order mark, if any, is kept (and written back)
    fmt = "json" if spec_path.suffix.lower() == ".json" else "yaml"
    current = [o.model_dump(mode="json", exclude_none=True) for o in spec.clauses.override]
    kept = {o["id"] for o in current}
    for _ in range(2):  # once more without the reviewer's words that cannot be an override (at most once)
        new_text, dropped = _adopted(text, fmt, current, overrides)
        try:
            loads_spec(new_text.removeprefix("\ufeff"), source=str(spec_path), fmt=fmt)  # valid before it is written
            break
        except SpecError as exc:
            # the merged overrides keep the current ones' places and add new ones after them
            order = list(dict.fromkeys([o["id"] for o in current] + [o["id"] for o in overrides]))
            refused: dict[str, str] = {}
            for problem in exc.problems:
                found = re.match(r"clauses\.override\[(\d+)\]\.?(\S*)$", problem.path)
                if found and int(found.group(1)) < len(order) and order[int(found.group(1))] not in kept:
                    field = found.group(2) or "override"
                    refused.setdefault(order[int(found.group(1))], f"{field}: {problem.message}")
            others = [p for p in exc.problems if not re.match(r"clauses\.override\[\d+\]", p.path)]
            if not refused or others:
                raise DraftError(
                    f"{spec_path}: not changed: with its clauses: block written again it would not be a valid spec "
                    f"({exc}); write the block's values out (no anchors that other parts of the file use) and "
                    "adopt again"
                ) from None
            skipped += [f"{_clause_name(report, cid)}: the returned words cannot be a clause override ({why}); "
                        "edit the spec instead" for cid, why in refused.items()]
            overrides = [o for o in overrides if o["id"] not in refused]
    else:  # pragma: no cover - the second pass has only words that passed the first
        raise DraftError(f"{spec_path}: not changed: the adopted clauses would not make a valid spec")
    notes = [f"{spec_path}: the clauses: block is written again without its comment at {where}; "
             "add it again if it is still wanted" for where in dropped] if overrides else []
    adopted = {o["id"] for o in overrides}
    for clause in report.clauses:
        if clause.id in adopted:
            notes += [f"{_clause_name(report, clause.id)}: the reviewer's words no longer say {_quoted(shown)}, "
                      f"which the spec's {' or '.join(paths)} gives; the override keeps their words, and the spec "
                      "still says it: if the parties agreed to the change, change the spec instead (and remove the "
                      "override)" for shown, paths in spec_values_dropped(spec, clause.id, clause.base_text,
                                                                          clause.accepted_text)]
    return new_text, [o["id"] for o in overrides], skipped, notes


def _quoted(shown: str) -> str:
    if shown.startswith("(") and shown[1:-1].isdigit():
        return shown[1:-1]  # a number, as "(60)" in the draft
    return f'"{shown}"' if len(shown) <= 60 else f'"{shown[:57].rstrip()}..."'


def spec_values_dropped(spec: Spec, clause_id: str, before: Sequence[str],
                        after: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The spec's values that clause ``clause_id``'s text showed ``before`` and no longer shows ``after`` (an
    edit), each as the draft writes it with the fields that give it: a text of some length or a date from
    any section; a whole number ("(60)", as in "sixty (60) days") from the clause's own section only, and not
    when a text field that holds it explains the change.

    An override freezes the reviewer's words; when those change a value the spec holds (60 days become 90),
    the spec and the draft disagree without any finding, so the reviewer's change is said at adoption.
    """
    from mou_builder.library.clauses import bare, format_date
    from mou_builder.spec.loader import format_path

    old, new = "\n".join(before).lower(), "\n".join(after).lower()
    found: dict[str, list[str]] = {}
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), spec.model_dump(mode="python", exclude={"clauses"}))]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            stack += [((*loc, k), v) for k, v in value.items()]
            continue
        if isinstance(value, list):
            stack += [((*loc, i), v) for i, v in enumerate(value)]
            continue
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int):
            if loc[:1] != (clause_id.split(".", 1)[0],):
                continue  # a number is too common to name fields of other sections
            shown = f"({value})"  # "sixty (60) days": the figure the draft writes beside the words
        elif isinstance(value, date):
            shown = format_date(value)
        elif isinstance(value, str) and len(value) >= 12:
            shown = bare(value.strip())
        else:
            continue
        if shown.lower() in old and shown.lower() not in new:
            found.setdefault(shown, []).append(format_path(loc))
    texts = [shown.lower() for shown in found if not shown.startswith("(")]
    return [(shown, sorted(paths)) for shown, paths in sorted(found.items())
            if not (shown.startswith("(") and any(shown in text for text in texts))]
