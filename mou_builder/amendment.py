"""Amendments: the formal instrument that changes a signed agreement into its next version.

:func:`amendment_items` compares the original agreement with its new
version clause by clause and says each change as an amendment does, in the
*original's* numbering: a clause deleted and replaced, a clause added after
the last clause of its section, a clause or section deleted (later sections
are not renumbered), a new section numbered after the last, a party added
or renamed, and an end date or a budget total that is the only change in
its clause stated plainly. :func:`amend` builds the instrument as a
:class:`~mou_builder.document.Document` (recitals, the numbered items, the
agreement otherwise in force, the effective date, counterparts and the new
version's signature blocks) that the Word and text renderers print.
:func:`items_json` is the items as data (the tests apply them to the
original's clauses). The signature section of the agreement is never an
item: the amendment carries its own signature blocks.

Nothing here prints or writes files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from mou_builder._version import __version__
from mou_builder.document import (
    Block, Clause, ClauseEntry, Document, Exhibit, Inline, ListBlock, Paragraph, Ref, Section, SignatureBlock,
    Signatures, Span, TitleBlock,
)
from mou_builder.errors import MouError
from mou_builder.render.text import block_paragraphs
from mou_builder.spec.types import UNDATED, is_placeholder

if TYPE_CHECKING:
    from mou_builder.library.clauses import ClauseLibrary
    from mou_builder.library.completeness import Profile
    from mou_builder.spec.model import Spec

#: The version of :func:`items_json`'s format.
ITEMS_VERSION = 1

#: Sections that are never amended item by item: the amendment is signed on its own signature page.
_NOT_AMENDED = frozenset({"signatures"})

ItemKind = Literal["replace", "add", "delete", "delete-section", "add-section", "change", "party-added",
                   "party-removed", "party-renamed", "exhibit-replace", "exhibit-add", "exhibit-delete"]


class AmendmentError(MouError):
    """The two versions cannot make an amendment (e.g. nothing to amend)."""


@dataclass(frozen=True)
class NewClause:
    """A clause as an amendment item states it: its number in the amended agreement, heading, blocks and text."""

    id: str
    number: str
    title: str
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The clause's paragraphs as a comparison sees them (table cells one each), heading not included."""
        return tuple(p for b in self.blocks for p in block_paragraphs(b) if p)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title, "paragraphs": list(self.paragraphs)}


@dataclass(frozen=True)
class AmendmentItem:
    """One numbered change the amendment makes to the agreement.

    ``text`` is the sentence that states it ("Section 12.2 (Publicity) is
    deleted in its entirety."); ``clauses`` the original's clause numbers it
    names (replaced, deleted, changed); ``new`` the clauses it puts in (a
    replacement, an added clause, or an added section's clauses); ``old``
    and ``new_value`` a value stated plainly (kind ``change``).
    """

    kind: ItemKind
    text: str
    heading: str
    section: str | None = None
    section_title: str | None = None
    section_key: str | None = None
    clauses: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    new: tuple[NewClause, ...] = ()
    label: str | None = None
    old: str | None = None
    new_value: str | None = None
    #: the words of the original's clauses it names (not in the JSON: the original has them)
    old_text: tuple[str, ...] = ()
    #: an exhibit item: the original's letter of the exhibit it replaces or deletes (None for one it adds)
    exhibit_letter: str | None = None
    #: an exhibit item: the exhibit it attaches (letter "A-1" for a replacement, the next free letter for a new one)
    exhibit: Exhibit | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "text": self.text, "heading": self.heading,
                                "section": self.section, "section_title": self.section_title,
                                "section_key": self.section_key, "clauses": list(self.clauses), "ids": list(self.ids),
                                "new": [c.as_dict() for c in self.new]}
        if self.kind == "change":
            data.update(field=self.label, old=self.old, new_value=self.new_value)
        if self.kind.startswith("exhibit-"):
            attached = self.exhibit
            data.update(letter=self.exhibit_letter, exhibit=None if attached is None else {
                "id": attached.id, "letter": attached.letter, "title": attached.title,
                "paragraphs": [p for b in attached.blocks for p in block_paragraphs(b) if p]})
        return data


@dataclass(frozen=True)
class Amendment:
    """The items, and what the instrument says about the agreement it amends."""

    number: int
    title: str
    effective: _dt.date
    agreement_title: str
    agreement_number: str | None
    agreement_date: _dt.date
    #: the original's defined term for itself ("MOU", "Agreement")
    term: str
    items: tuple[AmendmentItem, ...] = field(default_factory=tuple)
    #: the amendments the original had already: "Amendment No. 1 dated March 1, 2027"
    earlier: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "items_version": ITEMS_VERSION,
            "number": self.number,
            "title": self.title,
            "effective": str(self.effective),  # YYYY-MM-DD, or a placeholder ([DATE]) as written
            "agreement": {"title": self.agreement_title, "number": self.agreement_number,
                          "date": str(self.agreement_date), "amended_by": list(self.earlier)},
            "items": [i.as_dict() for i in self.items],
        }


# ---------------------------------------------------------------- the items


def amendment_items(
    original: Spec,
    new: Spec,
    *,
    number: int | None = None,
    effective: _dt.date | None = None,
    title: str | None = None,
    library: ClauseLibrary | None = None,
    profile: str | Profile | None = None,
) -> Amendment:
    """The amendment from ``original`` to ``new``: its items, in the original's numbering.

    ``number`` defaults to the one after the last amendment ``original``
    lists in ``agreement.amendments`` (1 when it lists none); ``effective``
    to the new version's document date; ``title`` to "Amendment No. N to
    <the original's title>". Raises :class:`AmendmentError` when there is
    nothing to amend, or ``number`` is not after the amendments already
    signed.
    """
    from mou_builder.assembly import assemble

    number = _next_number(original, number)
    old_doc = assemble(original, library, profile)
    new_doc = assemble(new, library, profile)
    return _amendment(original, new, old_doc, new_doc, number=number, effective=effective, title=title)


def _next_number(original: Spec, number: int | None) -> int:
    """The amendment's number: the one asked for, or the one after the last ``original`` lists."""
    signed = original.agreement.amendments
    last = signed[-1].number if signed else 0
    if number is None:
        return last + 1
    if number < 1:
        raise AmendmentError(f"the amendment number must be 1 or more, got {number}")
    if number <= last:
        raise AmendmentError(f"Amendment No. {number} is already signed: the original's agreement.amendments lists "
                             f"amendments up to No. {last}, so this one is No. {last + 1}")
    return number


def _amendment(original: Spec, new: Spec, old_doc: Document, new_doc: Document, *, number: int,
               effective: _dt.date | None, title: str | None) -> Amendment:
    from mou_builder.assembly import prior_amendments
    from mou_builder.library.clauses import spec_context

    term = spec_context(original)["doc"]["name"]
    items = tuple(_items(original, new, old_doc, new_doc, term))
    if not items:
        raise AmendmentError("nothing to amend: the two versions have the same parties and clauses "
                             "(outside the signature page)")
    agreement = original.agreement
    if title is not None and not title.strip():
        raise AmendmentError("the amendment's title is blank")
    return Amendment(
        number=number,
        title=title.strip() if title else f"Amendment No. {number} to {agreement.title}",
        effective=effective or new.agreement.document_date,
        agreement_title=agreement.title,
        agreement_number=agreement.number,
        agreement_date=agreement.document_date,
        term=term,
        items=items,
        earlier=prior_amendments(original),
    )


def exhibit_letters(old_doc: Document, new_doc: Document) -> dict[str, str]:
    """Exhibit id -> its letter in the amended agreement, for each exhibit of the new version.

    The original's letters stay (like its section numbers): an exhibit it
    had keeps its letter, whatever the new version's order, and one the new
    version adds takes the next letter after the original's last, so no
    letter of the signed agreement is given to another exhibit.
    """
    from mou_builder.spec.model import exhibit_letter

    old = {x.id: x.letter for x in old_doc.exhibits}
    out = {}
    free = len(old_doc.exhibits)
    for exhibit in new_doc.exhibits:
        if exhibit.id in old:
            out[exhibit.id] = old[exhibit.id]
        else:
            out[exhibit.id] = exhibit_letter(free)
            free += 1
    return out


def _relettered(new_doc: Document, letters: Mapping[str, str]) -> Document:
    """The new version with each exhibit named by its letter in the amended agreement, where that differs.

    A reference (``[[exhibit.id]]``) is renumbered like a clause reference;
    this is for the names clauses print as words (the Exhibits clause's
    list, a table cell): "Exhibit B (Data Elements)" -> "Exhibit C (Data
    Elements)".
    """
    import re

    names = {f"Exhibit {x.letter} ({x.title})": f"Exhibit {letters[x.id]} ({x.title})" for x in new_doc.exhibits
             if letters[x.id] != x.letter}
    if not names:
        return new_doc
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))

    def swap(text: str) -> str:
        return pattern.sub(lambda m: names[m.group()], text)

    sections = tuple(replace(s, clauses=tuple(replace(c, blocks=_mapped(c.blocks, swap)) for c in s.clauses))
                     for s in new_doc.sections)
    exhibits = tuple(replace(x, blocks=_mapped(x.blocks, swap)) for x in new_doc.exhibits)
    return replace(new_doc, sections=sections, exhibits=exhibits)


def _exhibit_items(old_doc: Document, new_doc: Document, letters: Mapping[str, str], numbers: Mapping[str, str],
                   term: str) -> Iterator[AmendmentItem]:
    """An item for each exhibit replaced (its content or title changed), deleted or added, by its letters."""
    new = {x.id: x for x in new_doc.exhibits}

    def words(exhibit: Exhibit) -> tuple[str, ...]:
        return (exhibit.title, *(p for b in _renumbered(exhibit.blocks, numbers) for p in block_paragraphs(b) if p))

    def attached(exhibit: Exhibit, letter: str) -> Exhibit:
        return replace(exhibit, letter=letter, blocks=_renumbered(exhibit.blocks, numbers))

    for old in old_doc.exhibits:
        named = f"Exhibit {old.letter} ({old.title})"
        after = new.get(old.id)
        if after is None:
            yield AmendmentItem("exhibit-delete", f"{named} is deleted in its entirety.", named, ids=(old.id,),
                                exhibit_letter=old.letter, old_text=words(old))
        elif words(old) != words(after):
            letter = f"{old.letter}-1"
            yield AmendmentItem(
                "exhibit-replace",
                f"{named} is deleted and replaced in its entirety with the attached Exhibit {letter} ({after.title}). "
                f"Each reference in the {term} to Exhibit {old.letter} is to Exhibit {letter}.",
                named, ids=(old.id,), exhibit_letter=old.letter, exhibit=attached(after, letter), old_text=words(old))
    for exhibit in new_doc.exhibits:
        if exhibit.id not in {x.id for x in old_doc.exhibits}:
            letter = letters[exhibit.id]
            yield AmendmentItem(
                "exhibit-add", f"The {term} is amended by adding the attached Exhibit {letter} ({exhibit.title}).",
                f"New Exhibit {letter} ({exhibit.title})", ids=(exhibit.id,), exhibit=attached(exhibit, letter))


def _items(original: Spec, new: Spec, old_doc: Document, new_doc: Document, term: str) -> Iterator[AmendmentItem]:
    yield from _party_items(original, new, term)
    letters = exhibit_letters(old_doc, new_doc)
    new_doc = _relettered(new_doc, letters)
    old_sections = [s for s in old_doc.sections if s.key not in _NOT_AMENDED]
    new_sections = {s.key: s for s in new_doc.sections if s.key not in _NOT_AMENDED}
    old_keys = {s.key for s in old_doc.sections}

    # The amended agreement's numbers: the original's, and the next free ones for what is added.
    numbers: dict[str, str] = {s.key: str(s.number) for s in old_doc.sections}
    numbers.update({c.id: c.number for s in old_doc.sections for c in s.clauses})
    numbers.update({f"exhibit.{x.id}": x.letter for x in old_doc.exhibits})
    numbers.update({f"exhibit.{x}": letter for x, letter in letters.items()})
    plans: dict[str, _SectionPlan] = {}
    for section in old_sections:
        plan = _SectionPlan.of(section, new_sections.get(section.key))
        plans[section.key] = plan
        for old_clause, new_clause in plan.replaced:
            numbers[new_clause.id] = old_clause.number
        for k, clause in enumerate(plan.added, start=len(section.clauses) + 1):
            numbers[clause.id] = f"{section.number}.{k}"
    next_section = max((s.number for s in old_doc.sections), default=0)
    added_sections = [s for s in new_doc.sections if s.key not in old_keys and s.clauses and s.key not in _NOT_AMENDED]
    for section in added_sections:
        next_section += 1
        numbers[section.key] = str(next_section)
        for k, clause in enumerate(section.clauses, start=1):
            numbers[clause.id] = f"{next_section}.{k}"

    changes = _plain_changes(original, new)
    ambiguous = _other_values(original)
    for section in old_sections:
        plan = plans[section.key]
        where = f"Section {section.number} ({section.title})"
        if section.clauses and plan.gone:
            yield AmendmentItem("delete-section", f"{where} is deleted in its entirety.", where,
                                str(section.number), section.title, section.key,
                                tuple(c.number for c in section.clauses), tuple(c.id for c in section.clauses),
                                old_text=tuple(p for c in section.clauses for p in clause_text(c, numbers)))
            continue
        for old_clause in section.clauses:
            named = f"Section {old_clause.number} ({old_clause.title})"
            new_clause = plan.kept.get(old_clause.id) or plan.replacing.get(old_clause.id)
            if new_clause is None:
                yield AmendmentItem("delete", f"{named} is deleted in its entirety.", named,
                                    str(section.number), section.title, section.key,
                                    (old_clause.number,), (old_clause.id,), old_text=clause_text(old_clause, numbers))
                continue
            before = clause_text(old_clause, numbers)
            after_clause = _new_clause(new_clause, numbers[new_clause.id], numbers)
            after = (after_clause.title, *after_clause.paragraphs)
            if before == after:
                continue
            change = next((c for c in changes if _substituted(before, c[1], c[2]) == after), None)
            if change is not None and new_clause.id == old_clause.id:
                label, old_value, new_value = change
                # the value named only when it is the one place it appears; otherwise each place is changed
                said = (_sentence(f"The {label} in {named} is changed from {old_value} to {new_value}")
                        if sum(p.count(old_value) for p in before) == 1 and old_value not in ambiguous
                        else f"In {named}, \"{old_value}\" is changed to \"{new_value}\" each time it appears.")
                yield AmendmentItem("change", said, named, str(section.number), section.title, section.key,
                                    (old_clause.number,), (old_clause.id,), label=label, old=old_value,
                                    new_value=new_value, old_text=before)
                continue
            yield AmendmentItem("replace", f"{named} is deleted and replaced in its entirety with the following:",
                                named, str(section.number), section.title, section.key, (old_clause.number,),
                                (old_clause.id,), (after_clause,), old_text=before)
        for clause in plan.added:
            added = _new_clause(clause, numbers[clause.id], numbers)
            yield AmendmentItem(
                "add", f"Section {section.number} ({section.title}) is amended by adding the following new Section "
                       f"{added.number} ({added.title}):",
                f"New Section {added.number} ({added.title})", str(section.number), section.title, section.key, (),
                (clause.id,), (added,))
    for section in added_sections:
        number = numbers[section.key]
        clauses = tuple(_new_clause(c, numbers[c.id], numbers) for c in section.clauses)
        yield AmendmentItem(
            "add-section", f"The {term} is amended by adding the following new Section {number} ({section.title}):",
            f"New Section {number} ({section.title})", number, section.title, section.key, (),
            tuple(c.id for c in clauses), clauses)
    yield from _exhibit_items(old_doc, new_doc, letters, numbers, term)


@dataclass(frozen=True)
class _SectionPlan:
    """How one of the original's sections fares: clauses kept, replaced by another alternate, added, or all gone."""

    kept: dict[str, Clause]
    #: old clause id -> the new clause (another id, the same heading) that replaces it
    replacing: dict[str, Clause]
    replaced: tuple[tuple[Clause, Clause], ...]
    added: tuple[Clause, ...]
    gone: bool

    @classmethod
    def of(cls, old: Section, new: Section | None) -> _SectionPlan:
        new_clauses = new.clauses if new is not None else ()
        new_ids = {c.id for c in new_clauses}
        old_ids = {c.id for c in old.clauses}
        kept = {c.id: c for c in new_clauses if c.id in old_ids}
        unmatched = [c for c in new_clauses if c.id not in old_ids]
        replacing: dict[str, Clause] = {}
        pairs = []
        for clause in old.clauses:
            if clause.id in new_ids:
                continue
            # a switched alternate keeps its heading: it replaces the clause it stands for
            other = next((c for c in unmatched if c.title == clause.title), None)
            if other is not None:
                unmatched.remove(other)
                replacing[clause.id] = other
                pairs.append((clause, other))
        return cls(kept, replacing, tuple(pairs), tuple(unmatched), not new_clauses)


def _plain_changes(original: Spec, new: Spec) -> list[tuple[str, str, str]]:
    """Values an amendment states plainly when they are all that changed in a clause: (label, old, new)."""
    from mou_builder.library.clauses import format_date, format_money

    out = []
    old_end = original.term.end if original.term is not None else None
    new_end = new.term.end if new.term is not None else None
    if old_end is not None and new_end is not None and old_end != new_end:
        out.append(("end date", format_date(old_end), format_date(new_end)))
    old_fin, new_fin = original.financial, new.financial
    if old_fin is not None and new_fin is not None and old_fin.budget_total is not None \
            and new_fin.budget_total is not None and old_fin.budget_total != new_fin.budget_total:
        out.append(("budget total", format_money(old_fin.budget_total, old_fin.currency),
                    format_money(new_fin.budget_total, new_fin.currency)))
    return out


def _other_values(original: Spec) -> set[str]:
    """Amounts the original states for something other than the budget total (a contribution, a cap):
    a clause showing one of them cannot say which value changed."""
    from mou_builder.library.clauses import format_money

    fin = original.financial
    if fin is None:
        return set()
    return {format_money(v, c.currency or fin.currency) for c in fin.contributions for v in (c.amount, c.cap)
            if v is not None}


def _substituted(text: tuple[str, ...], old: str, new: str) -> tuple[str, ...] | None:
    """``text`` with ``old`` replaced by ``new`` throughout; None when ``old`` is not in it."""
    if not any(old in p for p in text):
        return None
    return tuple(p.replace(old, new) for p in text)


def _party_items(original: Spec, new: Spec, term: str) -> Iterator[AmendmentItem]:
    before = {p.id: p for p in original.parties}
    after = {p.id: p for p in new.parties}
    for pid, party in after.items():
        if pid not in before:
            yield AmendmentItem("party-added", f"{_defining(party.legal_name, party.short_name)} is added as a Party "
                                               f"to the {term}.", "New Party", ids=(pid,))
        elif before[pid].legal_name != party.legal_name:
            yield AmendmentItem("party-renamed", _sentence(f"The name of the Party {before[pid].legal_name} is "
                                                           f"changed to {party.legal_name}"), "Change of Name", ids=(pid,),
                                label="legal name", old=before[pid].legal_name, new_value=party.legal_name)
    for pid, party in before.items():
        if pid not in after:
            yield AmendmentItem("party-removed", f"{party.legal_name} is no longer a Party to the {term}.",
                                "Withdrawal of a Party", ids=(pid,))


def _sentence(text: str) -> str:
    """``text`` ended with one full stop: a name that ends in one ("Services, Inc.") closes the sentence itself."""
    return text if text.endswith(".") else text + "."


def _defining(legal_name: str, short_name: str) -> str:
    """'Riverside Public Library (the "Library")', or the legal name alone when the short name is the same."""
    if short_name.strip().lower() == legal_name.strip().lower():
        return legal_name
    first, _, rest = short_name.partition(" ")
    article, name = (first + " ", rest) if first.lower() == "the" and rest else ("", short_name)
    return f'{legal_name} ({article}"{name}")'


# ---------------------------------------------------------------- clause text in the amended numbering


def clause_text(clause: Clause, numbers: Mapping[str, str]) -> tuple[str, ...]:
    """A clause's heading and paragraphs, with each reference numbered as in the amended agreement."""
    blocks = _renumbered(clause.blocks, numbers)
    return (clause.title, *(p for b in blocks for p in block_paragraphs(b) if p))


def _new_clause(clause: Clause, number: str, numbers: Mapping[str, str]) -> NewClause:
    return NewClause(clause.id, number, clause.title, _renumbered(clause.blocks, numbers))


def _refs(blocks: Sequence[Block]) -> Iterator[Ref]:
    """The references in ``blocks``."""
    for block in blocks:
        lines = block.items if isinstance(block, ListBlock) else ()
        for line in (block.inlines,) if isinstance(block, Paragraph) else lines:
            yield from (i for i in line if isinstance(i, Ref))


def _renumbered(blocks: Sequence[Block], numbers: Mapping[str, str],
                only: Mapping[str, str] | None = None) -> tuple[Block, ...]:
    """Blocks whose references are plain text naming the amended agreement's numbers.

    With ``only``, just the references to those targets.

    A reference is plain text in the amendment: its target is a clause of
    the agreement, not of the amendment, so a Word cross-reference field
    would have nothing to point at.
    """
    def inline(item: Inline) -> Inline:
        if isinstance(item, Ref) and (only is None or item.clause_id in only):
            return Span(f"{item.label} {numbers.get(item.clause_id, item.number)}", item.bold, item.italic)
        return item

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(replace(block, inlines=tuple(inline(i) for i in block.inlines)))
        elif isinstance(block, ListBlock):  # replace(): a list keeps whatever else it says (its numbering style)
            out.append(replace(block, items=tuple(tuple(inline(i) for i in item) for item in block.items)))
        else:
            out.append(block)
    return tuple(out)


# ---------------------------------------------------------------- the instrument


def amend(
    original: Spec,
    new: Spec,
    *,
    number: int | None = None,
    effective: _dt.date | None = None,
    title: str | None = None,
    library: ClauseLibrary | None = None,
    profile: str | Profile | None = None,
) -> Document:
    """The amendment from ``original`` to ``new`` as a document the Word and text renderers print.

    See :func:`amendment_items` for the arguments and errors.
    """
    amendment = amendment_items(original, new, number=number, effective=effective, title=title, library=library,
                                profile=profile)
    return amendment_document(amendment, original, new)


def amendment_document(amendment: Amendment, original: Spec, new: Spec) -> Document:
    """The instrument for ``amendment``: recitals, the items, the agreement otherwise in force, signatures.

    Raises AmendmentError when it would take effect on or before the agreement it amends.
    """
    problem = next(effective_date_problems(amendment, original), None)
    if problem is not None:
        raise AmendmentError(problem)
    from mou_builder.assembly import spec_sha256
    from mou_builder.library.clauses import and_list, format_date

    term = amendment.term
    number_note = f" (Agreement No. {amendment.agreement_number})" if amendment.agreement_number else ""
    old_parties = and_list(p.legal_name for p in original.parties)
    amended = f", as amended by {and_list(amendment.earlier)}" if amendment.earlier else ""
    recitals = (
        Paragraph((Span(f'This Amendment No. {amendment.number} (the "Amendment") amends the '
                        f'{amendment.agreement_title}{number_note} dated {format_date(amendment.agreement_date)} '
                        f'between {old_parties}{amended} (the "{term}").'),)),
        Paragraph((Span(f"The Parties wish to amend the {term} as set out in this Amendment."),)),
    )
    sections: list[tuple[str, str, list[tuple[str, str, tuple[Block, ...]]]]] = [
        ("recitals", "Recitals", [("amendment.recitals", "Background", recitals)]),
        ("amendments", "Amendments", [(f"amendment.item-{k}", item.heading, _item_blocks(item))
                                      for k, item in enumerate(amendment.items, start=1)]),
        ("general", "General Provisions", [
            ("amendment.in-force", "Agreement in Force", (Paragraph((Span(
                f"Except as amended by this Amendment, the {term} remains in full force and effect."),)),)),
            ("amendment.effective", "Effective Date", (Paragraph((Span(
                f"This Amendment takes effect on {format_date(amendment.effective)}."),)),)),
            ("amendment.counterparts", "Counterparts", (Paragraph((Span(
                "This Amendment may be signed in counterparts, each of which is an original and all of which "
                "together are one instrument."),)),)),
        ]),
    ]
    if new.signatories:
        names = {p.id: p.legal_name for p in new.parties}
        blocks = Signatures(tuple(SignatureBlock(names[s.party], s.name, s.title, s.authority, None)
                                  for s in new.signatories))
        sections.append(("signatures", "Signatures", [("amendment.signatures", "Signatures", (
            Paragraph((Span("In witness whereof, the Parties' authorized representatives have signed this "
                            "Amendment."),)), blocks))]))
    built = []
    manifest = []
    for s_number, (key, heading, clauses) in enumerate(sections, start=1):
        out = []
        for c_number, (clause_id, clause_title, blocks) in enumerate(clauses, start=1):
            digest = hashlib.sha256(json.dumps([clause_title, *(p for b in blocks for p in block_paragraphs(b))],
                                               ensure_ascii=False).encode("utf-8")).hexdigest()
            entry = ClauseEntry(clause_id, "1", digest, "spec")
            manifest.append(entry)
            out.append(Clause(clause_id, f"{s_number}.{c_number}", clause_title, blocks, entry))
        built.append(Section(key, s_number, heading, tuple(out)))
    agreement = new.agreement
    title = TitleBlock(
        title=amendment.title,
        parties=tuple(p.legal_name for p in new.parties),
        number=amendment.agreement_number,
        date=format_date(amendment.effective),
        iso_date=(UNDATED if is_placeholder(amendment.effective) else amendment.effective).isoformat(),
        # agreement.draft_version numbers drafts of the agreement, not of this amendment: "Draft 2" under
        # "Amendment No. 1" would read as the amendment's second draft. An unsigned amendment is just a draft.
        draft_label=None if agreement.final else "Draft",
        program=original.agreement.program,
        funding_source=None,
        term=amendment.term,  # the number is the original's: "MOU No. ..."
    )
    return Document(
        title=title, sections=tuple(built), manifest=tuple(manifest), findings=(), profile="amendment",
        # the exhibits it attaches, after its signature page: "Exhibit A-1" in place of A, a new "Exhibit C"
        exhibits=tuple(item.exhibit for item in amendment.items if item.exhibit is not None),
        spec_sha256=spec_sha256(new),
        metadata={"generator": f"mou-builder {__version__}", "amendment": str(amendment.number)},
    )


def _item_blocks(item: AmendmentItem) -> tuple[Block, ...]:
    """What an item says: its sentence, then any clause it puts in, each under its number and heading."""
    out: list[Block] = [Paragraph((Span(item.text),))]
    if item.kind == "add-section":
        out.append(Paragraph((Span(f"{item.section}. {item.section_title}", bold=True),)))
    for clause in item.new:
        out.append(Paragraph((Span(f"{clause.number} {clause.title}", bold=True),)))
        out.extend(clause.blocks)
    return tuple(out)


def items_json(amendment: Amendment) -> str:
    """The amendment's items as JSON (documented in docs/amendments.md)."""
    return json.dumps(amendment.as_dict(), indent=2, ensure_ascii=False) + "\n"



# ---------------------------------------------------------------- checking an amendment


def amendment_problems(amendment: Amendment, original: Spec, new: Spec) -> list[str]:
    """What keeps the amendment from being signed as it is, one message each (empty: none).

    A party whose obligations the amendment changes (a party it adds or
    renames, or one named in a clause it replaces, adds, changes or deletes)
    must sign it: a party of the new version with no signatory is an error.
    An amendment that takes effect on or before the agreement it amends, or an
    earlier amendment, is an error too (:func:`effective_date_problems`).
    (Nothing to amend is already an error of :func:`amendment_items`.)
    """
    signing = {s.party for s in new.signatories}
    parties = {p.id: p for p in new.parties}
    names = {**{p.id: p for p in original.parties}, **parties}
    problems = list(effective_date_problems(amendment, original))
    for pid, party in parties.items():
        if pid in signing:
            continue
        why = _affected(amendment, pid, names[pid].short_name, names[pid].legal_name)
        if why:
            problems.append(f"{party.legal_name} has no signatory in the new version, but the amendment changes "
                            f"its obligations ({why}); add one under signatories")
    return problems


def effective_date_problems(amendment: Amendment, original: Spec) -> Iterator[str]:
    """The amendment's effective date, when it is not after every date the amended agreement already has.

    An amendment changes an agreement already in force, so it takes effect after the original's
    document date, its Effective Date (term.start, for a fixed date) and each amendment already signed.
    A placeholder date ([DATE]) is left to be filled in.
    """
    from mou_builder.library.clauses import format_date

    effective = amendment.effective
    if is_placeholder(effective):
        return
    agreement = original.agreement
    term = original.term
    dates = [("the original's document date (agreement.document_date)", agreement.document_date)]
    if term is not None and term.effective == "fixed_date" and term.start is not None:
        dates.append(("the original's Effective Date (term.start)", term.start))
    dates += [(f"Amendment No. {a.number} (agreement.amendments)", a.date) for a in agreement.amendments]
    for what, date in dates:
        if not is_placeholder(date) and effective <= date:
            yield (f"the amendment takes effect on {format_date(effective)}, not after {what}, "
                   f"{format_date(date)}: give a later date (--effective, or the new version's "
                   "agreement.document_date)")
            return


def _affected(amendment: Amendment, pid: str, short_name: str, legal_name: str) -> str | None:
    """The first item that concerns party ``pid``, as a reader names it; None when none does."""
    for k, item in enumerate(amendment.items, start=1):
        if item.kind.startswith("party-") and pid in item.ids:
            return f"item {k}: {item.heading}"
        attached = item.exhibit.blocks if item.exhibit is not None else ()
        words = (*item.old_text, *(p for c in item.new for p in (c.title, *c.paragraphs)),
                 *(p for b in attached for p in block_paragraphs(b)))
        if any(_mentions(w, short_name) or legal_name in w for w in words):
            return f"item {k}: {item.heading}"
    return None


def _mentions(text: str, short_name: str) -> bool:
    import re

    name = re.sub(r"^the\s+", "", short_name, flags=re.I)
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


# ---------------------------------------------------------------- an amended and restated agreement


def restate(
    original: Spec,
    new: Spec,
    *,
    title: str | None = None,
    library: ClauseLibrary | None = None,
    profile: str | Profile | None = None,
) -> Document:
    """The new version as an amended and restated agreement: the whole of it, reciting the original.

    Titled "Amended and Restated <the new version's title>" (or ``title``);
    a recital names the original agreement, its number, date and parties,
    and says that this agreement restates it in its entirety. Raises
    :class:`AmendmentError` when there is nothing to amend.
    """
    from mou_builder.assembly import assemble, prior_amendments
    from mou_builder.library.clauses import and_list, format_date, spec_context

    old_doc = assemble(original, library, profile)
    document = assemble(new, library, profile)
    _amendment(original, new, old_doc, document, number=1, effective=None, title=None)  # nothing to amend: an error
    if title is not None and not title.strip():
        raise AmendmentError("the restated agreement's title is blank")
    doc = spec_context(new)["doc"]
    agreement = original.agreement
    number_note = f" (Agreement No. {agreement.number})" if agreement.number else ""
    earlier = prior_amendments(original)
    amended = f", as amended by {and_list(earlier)}," if earlier else ""
    recital = Paragraph((Span(
        f"The {agreement.title}{number_note} dated {format_date(agreement.document_date)} between "
        f"{and_list(p.legal_name for p in original.parties)}{amended} is amended and restated in its entirety"
        f" by {doc['this']}, which replaces it from the date {doc['this']} takes effect."),))
    sections = list(document.sections)
    recitals = [i for i, s in enumerate(sections) if s.key == "recitals" and s.clauses]
    at = recitals[0] if recitals else next(i for i, s in enumerate(sections) if s.clauses)
    section = sections[at]
    first = section.clauses[0]
    blocks = (recital, *first.blocks) if recitals else (*first.blocks, recital)
    sections[at] = replace(section, clauses=(replace(first, blocks=blocks), *section.clauses[1:]))
    heading = title.strip() if title else f"Amended and Restated {new.agreement.title}"
    # The restatement replaces the agreement and its amendments: its cover lists none of them.
    return replace(document, title=replace(document.title, title=heading, amended_by=()), sections=tuple(sections),
                   metadata={**document.metadata, "restates": original.agreement.title})


# ---------------------------------------------------------------- the conformed copy


def conformed(
    amendment: Amendment,
    original: Spec,
    new: Spec,
    *,
    library: ClauseLibrary | None = None,
    profile: str | Profile | None = None,
) -> Document:
    """The original agreement with ``amendment`` applied: a conformed copy, for reading, not for signing.

    Each clause an item replaces, changes or adds carries a note under it
    ("Amended by Amendment No. 2, effective October 1, 2027."); a deleted
    clause or section keeps its number and heading with a note in place of
    its text, so that every number stays where the signed agreement has
    it, and an added section follows the original's last one. The title
    block says it is a conformed copy.
    """
    from mou_builder.assembly import assemble
    from mou_builder.library.clauses import format_date

    old_doc = assemble(original, library, profile)
    entries = {c.id: c.entry for s in assemble(new, library, profile).sections for c in s.clauses}
    when = f"Amendment No. {amendment.number}, effective {format_date(amendment.effective)}"
    amended = Paragraph((Span(f"Amended by {when}.", italic=True),))
    added = Paragraph((Span(f"Added by {when}.", italic=True),))
    deleted = Paragraph((Span(f"Deleted by {when}.", italic=True),))
    by_clause = {n: item for item in amendment.items for n in item.clauses if item.kind != "delete-section"}
    gone = {item.section for item in amendment.items if item.kind == "delete-section"}
    adds: dict[str | None, list[AmendmentItem]] = {}
    for item in amendment.items:
        if item.kind in ("add", "add-section"):
            adds.setdefault(item.section if item.kind == "add" else None, []).append(item)

    def put(clause: NewClause, number: str, note: Paragraph) -> Clause:
        entry = entries.get(clause.id) or ClauseEntry(clause.id, "1", "", "spec")
        return Clause(clause.id, number, clause.title, (*clause.blocks, note), entry)

    sections = []
    for section in old_doc.sections:
        clauses = []
        for clause in section.clauses:
            item = None if section.key in _NOT_AMENDED else by_clause.get(clause.number)
            if str(section.number) in gone and section.key not in _NOT_AMENDED:
                clauses.append(replace(clause, blocks=(deleted,)))
            elif item is None:
                clauses.append(clause)
            elif item.kind == "delete":
                clauses.append(replace(clause, blocks=(deleted,)))
            elif item.kind == "replace":
                clauses.append(put(item.new[0], clause.number, amended))
            else:
                assert item.kind == "change" and item.old is not None and item.new_value is not None
                clauses.append(replace(clause, blocks=(*_swapped(clause.blocks, item.old, item.new_value), amended)))
        for item in adds.get(str(section.number), []) if section.key not in _NOT_AMENDED else []:
            clauses.extend(put(c, c.number, added) for c in item.new)
        sections.append(replace(section, clauses=tuple(clauses)))
    for item in adds.get(None, []):
        assert item.section is not None and item.section_key is not None and item.section_title is not None
        sections.append(Section(item.section_key, int(item.section), item.section_title,
                                tuple(put(c, c.number, added) for c in item.new)))
    # a reference to a clause that is no longer there (an alternate replaced) is plain text: no field points nowhere
    present = {s.key for s in sections} | {c.id for s in sections for c in s.clauses}
    numbers = {target: ref.number for s in sections for c in s.clauses for ref in _refs(c.blocks)
               for target in (ref.clause_id,) if target not in present}
    if numbers:
        sections = [replace(s, clauses=tuple(replace(c, blocks=_renumbered(c.blocks, numbers, only=numbers))
                                             for c in s.clauses)) for s in sections]
    manifest = tuple(c.entry for s in sections for c in s.clauses)
    this = f"Amendment No. {amendment.number} dated {format_date(amendment.effective)}"
    title = replace(old_doc.title, parties=tuple(p.legal_name for p in new.parties),
                    amended_by=(*amendment.earlier, this),
                    draft_label=f"Conformed copy through Amendment No. {amendment.number}")
    return replace(old_doc, title=title, sections=tuple(sections), manifest=manifest,
                   exhibits=_conformed_exhibits(amendment, old_doc, when),
                   metadata={**old_doc.metadata, "conformed": str(amendment.number)})


def _conformed_exhibits(amendment: Amendment, old_doc: Document, when: str) -> tuple[Exhibit, ...]:
    """The original's exhibits as amended: a replaced one as its replacement (Exhibit A-1) in its place, a
    deleted one under its letter with a note in place of its content, a new one after the last."""
    items = {item.ids[0]: item for item in amendment.items if item.kind.startswith("exhibit-")}

    def note(text: str) -> Paragraph:
        return Paragraph((Span(text, italic=True),))

    out = []
    for exhibit in old_doc.exhibits:
        item = items.get(exhibit.id)
        if item is None:
            out.append(exhibit)
        elif item.exhibit is None:
            out.append(replace(exhibit, blocks=(note(f"Deleted by {when}."),)))
        else:
            out.append(replace(item.exhibit, blocks=(*item.exhibit.blocks, note(
                f"Attached by {when}, in place of Exhibit {exhibit.letter} ({exhibit.title})."))))
    for item in amendment.items:
        if item.kind == "exhibit-add" and item.exhibit is not None:
            out.append(replace(item.exhibit, blocks=(*item.exhibit.blocks, note(f"Added by {when}."))))
    return tuple(out)


def _swapped(blocks: Sequence[Block], old: str, new: str) -> tuple[Block, ...]:
    """``blocks`` with the words ``old`` replaced by ``new`` wherever they appear (text, list items, table cells)."""
    return _mapped(blocks, lambda text: text.replace(old, new))


def _mapped(blocks: Sequence[Block], swap: Callable[[str], str]) -> tuple[Block, ...]:
    """``blocks`` with ``swap`` applied to each piece of text (text, list items, table cells); references kept."""
    from mou_builder.document import Table

    def inline(item: Inline) -> Inline:
        return Span(swap(item.text), item.bold, item.italic) if isinstance(item, Span) else item

    def cells(rows: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(swap(c) for c in row) for row in rows)

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(replace(block, inlines=tuple(inline(i) for i in block.inlines)))
        elif isinstance(block, ListBlock):  # replace(): a list keeps whatever else it says (its numbering style)
            out.append(replace(block, items=tuple(tuple(inline(i) for i in item) for item in block.items)))
        elif isinstance(block, Table):
            out.append(replace(block, header=tuple(swap(c) for c in block.header), rows=cells(block.rows),
                               totals=cells(block.totals)))
        else:
            out.append(block)
    return tuple(out)
