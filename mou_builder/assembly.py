"""Assembly: (spec, clause library, profile) -> :class:`~mou_builder.document.Document`.

A pure function: no files are written and nothing is printed. Sections come
in the canonical order of ``sections.yaml``, or the profile's
``section_order``; a required section the spec
leaves out is kept, empty, with its finding, so that every renderer can
show a placeholder where it belongs. Tables are built from data here, with
totals computed exactly.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from mou_builder._version import __version__
from mou_builder.library.clauses import (
    ClauseFile, ClauseLibrary, format_days, capfirst, format_date, format_money, format_number, load_library, render_body, select_clauses,
    spec_context,
)
from mou_builder.library.completeness import Profile, check, covered_sections, load_profile
from mou_builder.document import (
    Block, Clause, ClauseEntry, Document, Finding, Section, SignatureBlock, Signatures, Table, TitleBlock,
)
from mou_builder.errors import ClauseError
from mou_builder.exhibits import build_exhibits, exhibit_targets
from mou_builder.library.markup import Directive
from mou_builder.spec.model import EXHIBIT_REF_RE, Contribution, Spec
from mou_builder.spec.money import in_schedule_table, maximum, schedule
from mou_builder.spec.types import UNDATED, is_placeholder


def prior_amendments(spec: Spec) -> tuple[str, ...]:
    """The amendments already signed, as the cover and an amendment's recital name them."""
    return tuple(f"{a.title or f'Amendment No. {a.number}'} dated {format_date(a.date)}"
                 for a in spec.agreement.amendments)


def canonical_spec(spec: Spec) -> str:
    """The spec's content as compact JSON with sorted keys: the same for the same values, whatever the file looked like."""
    return json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def spec_sha256(spec: Spec) -> str:
    """Hash of the spec's content (not of its file's formatting)."""
    return hashlib.sha256(canonical_spec(spec).encode("utf-8")).hexdigest()


def assemble(
    spec: Spec,
    library: ClauseLibrary | None = None,
    profile: str | Path | Profile | None = None,
) -> Document:
    """Assemble the agreement for ``spec``.

    ``library`` defaults to the built-in clause library; ``profile`` to the
    profile the spec names. Raises :class:`~mou_builder.errors.ClauseError`
    for a clause that cannot be rendered or a reference to a clause that is
    not in the document.
    """
    library = library or load_library()
    if not isinstance(profile, Profile):
        profile = load_profile(profile or spec.agreement.profile)
    context = spec_context(spec)
    selection = select_clauses(spec, library, context)
    # The draft carries what it lacks; the named defaults in force are for `check` to list.
    findings = check(spec, profile, library, selection=selection, context=context, defaults=False)
    missing = {f.section: f for f in findings if f.code == "missing-section"}
    covered = covered_sections(spec, library, selection, context)

    # Number first, so that references can be resolved while rendering.
    plan: list[tuple[str, list[ClauseFile]]] = []
    targets: dict[str, tuple[str, str]] = {}  # clause id or section key -> (number, title)
    for section in profile.ordered(library.sections):
        if section.key in covered:
            plan.append((section.key, selection.by_section[section.key]))
        elif section.key in missing:
            plan.append((section.key, []))
        else:
            continue
        section_number = len(plan)
        targets[section.key] = (str(section_number), section.title)
        for i, clause in enumerate(plan[-1][1], start=1):
            targets[clause.id] = (f"{section_number}.{i}", clause.header.title)
    # Exhibits are lettered by their place in the spec: [[exhibit.budget]] -> "Exhibit A (Budget)".
    targets.update(exhibit_targets(spec))

    tables = _TableBuilder(spec, context, targets)
    sections = []
    manifest = []
    present = [key for key, _ in plan]
    binding_sections = set(spec.legal.binding_sections) if spec.legal is not None else set()
    for index, (key, clauses) in enumerate(plan, start=1):
        built = []
        # The voice of a non-binding instrument is "will", except in the sections that bind all the same.
        voice = "shall" if context["doc"]["binding"] or key in binding_sections else "will"
        section_context = {**context, "sections_present": present, "doc": {**context["doc"], "shall": voice}}
        for clause in clauses:
            blocks = _render_clause(clause, section_context, targets, tables)
            entry = ClauseEntry(clause.id, clause.version, clause.sha256, clause.origin)
            built.append(Clause(clause.id, targets[clause.id][0], clause.header.title, tuple(blocks), entry))
            manifest.append(entry)
        sections.append(Section(key, index, library.section(key).title, tuple(built), missing.get(key)))
    findings.extend(_signature_blocks_missing(spec, sections))
    exhibits = build_exhibits(spec, targets.__getitem__)

    agreement = spec.agreement
    title = TitleBlock(
        title=agreement.title,
        parties=tuple(p.legal_name for p in spec.parties),
        number=agreement.number,
        date=format_date(agreement.document_date),
        iso_date=(UNDATED if is_placeholder(agreement.document_date) else agreement.document_date).isoformat(),
        draft_label=None if agreement.final else f"Draft {agreement.draft_version}",
        term=context["doc"]["name"],
        program=agreement.program,
        funding_source=agreement.funding_source,
        amended_by=prior_amendments(spec),
    )
    return Document(
        title=title,
        sections=tuple(sections),
        manifest=tuple(manifest),
        findings=tuple(findings),
        profile=profile.id,
        spec_sha256=spec_sha256(spec),
        # the spec travels in the .docx, so that `review-edits` can rebuild the draft a reviewer returns
        metadata={"generator": f"mou-builder {__version__}", "spec": canonical_spec(spec)},
        exhibits=exhibits,
    )


def _signature_blocks_missing(spec: Spec, sections: list[Section]) -> list[Finding]:
    """A signature section whose clauses place no signature blocks (an overlay that dropped
    ``[signatures]``) leaves the draft unsignable: an error, however complete the spec is."""
    section = next((s for s in sections if s.key == "signatures"), None)
    if section is None or not spec.signatories or not section.clauses:
        return []
    if any(isinstance(b, Signatures) for c in section.clauses for b in c.blocks):
        return []
    used = ", ".join(f"{c.id}@{c.entry.version}" for c in section.clauses)
    return [Finding(
        "missing-section", "error", "signatures", "signatories",
        f"the signature clauses in use ({used}) place no signature blocks",
        "put [signatures] back in the clause, or use the library's signatures.blocks",
        *_located(spec, ("signatories",)),
    )]


def _located(spec: Spec, loc: tuple[str | int, ...]) -> tuple[str | None, int | None, int | None]:
    if spec.source is None:
        return None, None, None
    line, column = spec.source.locate(loc)
    return str(spec.source.source), line, column


def _render_clause(
    clause: ClauseFile, context: Mapping[str, Any], targets: Mapping[str, tuple[str, str]], tables: _TableBuilder
) -> list[Block]:
    def resolve(target: str) -> tuple[str, str]:
        if target not in targets:
            kind = "clause" if "." in target else "section"
            raise ClauseError(f"{clause.where}: refers to the {kind} [[{target}]], which is not in this document")
        return targets[target]

    blocks: list[Block] = []
    for block in render_body(clause, context, resolve):
        if isinstance(block, Directive):
            blocks.append(tables.build(block.name, clause))
        else:
            blocks.append(block)
    if not blocks:
        raise ClauseError(f"{clause.where}: the clause renders to no text for this spec; tighten its 'when'")
    return blocks


_ROLE = {"fiscal_agent": "Fiscal agent"}
#: A total over an amount that is still a placeholder: a placeholder too, filled in with the amounts.
UNKNOWN_TOTAL = "[TOTAL]"
_BASIS = {
    "fixed": "fixed", "actual_cost": "actual cost", "reimbursement": "reimbursement", "pass_through": "pass-through",
}
_STEP = {
    "negotiation": ("Negotiation", "The Parties' {negotiators} meet and negotiate in good faith."),
    "executives": ("Escalation", "The Parties' chief executives, or their delegates, meet to resolve the dispute."),
    "mediation": ("Mediation", "A neutral mediator chosen jointly by the Parties helps them reach agreement."),
    "arbitration": ("Arbitration", "Binding arbitration."),
    "courts": ("Courts", "{any_party} may bring suit{in_venue}."),
}


class _TableBuilder:
    """Builds the data tables a clause places with ``[table: name]``."""

    def __init__(self, spec: Spec, context: Mapping[str, Any], targets: Mapping[str, tuple[str, str]]) -> None:
        self.spec = spec
        self.context = context
        self.targets = targets
        # Short names open a table cell, so they are capitalised there ("The City").
        self.names = {p.id: capfirst(p.short_name) for p in spec.parties}

    def build(self, name: str, clause: ClauseFile) -> Block:
        builder: Callable[[], Block] | None = getattr(self, f"_{name}", None)
        if builder is None:
            known = sorted(n[1:] for n in dir(self) if n.startswith("_") and not n.startswith("__") and n[1:] in _TABLES)
            raise ClauseError(f"{clause.where}: unknown table {name!r} (tables: {', '.join(known)}, and [signatures])")
        return _drop_empty_columns(self._exhibit_refs(builder()))

    def _exhibit_refs(self, block: Block) -> Block:
        """A value in a table cell that refers to an exhibit ("see [[exhibit.budget]]") names it in words."""
        if not isinstance(block, Table):
            return block

        def words(match: re.Match[str]) -> str:
            letter, title = self.targets[f"exhibit.{match.group(1)}"]
            return f"Exhibit {letter} ({title})"

        def row(cells: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(EXHIBIT_REF_RE.sub(words, c) if "[[exhibit." in c else c for c in cells)

        return replace(block, rows=tuple(row(r) for r in block.rows), totals=tuple(row(r) for r in block.totals))

    def _parties(self) -> Table:
        rows = []
        for p in self.spec.parties:
            name = p.legal_name
            # The defined terms are defined here, once: Riverside Public Library (the "Library"), with any
            # aliases the spec declares: San Francisco Unified School District (the "District" or "SFUSD").
            terms = [p.short_name] if self.context["party"][p.id]["defines"] else []
            if terms or p.aliases:
                name += f" ({_definition([*terms, *p.aliases])})"
            if p.tax_id:
                name += f"\nTax ID: {p.tax_id}"
            if p.agreement_numbers:
                name += f"\nReference: {', '.join(p.agreement_numbers)}"
            rows.append((name, p.legal_form or "", p.address or "", _ROLE.get(p.role, p.role.capitalize())))
        return Table("parties", ("Party", "Legal form", "Address", "Role"), tuple(rows), widths=(30, 28, 28, 14))

    def _bodies(self) -> Table:
        rows = []
        for b in self.spec.bodies:
            name = capfirst(b.name)
            if b.short_name and _plain(b.short_name) != _plain(b.name):
                name += f" ({_definition([b.short_name])})"
            role = _BODY_KIND[b.kind]
            if b.kind == "committee":
                role = "Existing committee" if b.existing else f"Committee established by {self.context['doc']['this']}"
            rows.append((name, f"{role}. {b.description}" if role and b.description else role or b.description or ""))
        return Table("bodies", ("Body", "Role"), tuple(rows), widths=(40, 60))

    def _notices(self) -> Table:
        comm = self.spec.communication
        assert comm is not None
        rows = [
            (self.names[p.id], p.notice_address or p.address or "", p.notice_attention or "", p.notice_email or "")
            for p in self.spec.parties
        ]
        bodies = {b.id: b for b in self.spec.bodies}
        for bid in comm.notice_copies:
            b = bodies[bid]
            rows.append((f"Copy to {b.short_name or b.name}", b.address or "", b.attention or "", b.email or ""))
        header = ("Addressee", "Notice address", "Attention", "E-mail")
        return Table("notices", header, tuple(rows), widths=(18, 32, 22, 28))

    def _contacts(self) -> Table:
        listed = set(self.context["contacts_not_liaisons"])
        rows = tuple(
            (self.names[p.id], _person(c.name, c.title), c.email or "", c.phone or "")
            for p in self.spec.parties for c in p.contacts if (p.id, c.name) in listed
        )
        return Table("contacts", ("Party", "Name and title", "E-mail", "Telephone"), rows, widths=(16, 32, 34, 18))

    def _raci(self) -> Table:
        # A column per party, then one per body consulted or informed somewhere (a body is never A or R).
        named = {i for r in self.spec.responsibilities for i in (*r.consulted, *r.informed)}
        columns = [(p.id, capfirst(p.short_name)) for p in self.spec.parties]
        columns += [(b.id, capfirst(b.short_name or b.name)) for b in self.spec.bodies if b.id in named]
        rows = []
        for r in self.spec.responsibilities:
            cells = []
            for cid, _ in columns:
                roles = []
                if r.accountable == cid:
                    roles.append("A")
                if cid in r.responsible:
                    roles.append("R")
                if cid in r.consulted:
                    roles.append("C")
                if cid in r.informed:
                    roles.append("I")
                cells.append("/".join(roles))
            when = format_date(r.due) if r.due else (r.cadence or "")
            rows.append((r.activity, *cells, when))
        party_width = max(8, 40 // len(columns))
        return Table(
            "raci", ("Activity", *(title for _, title in columns), "When"), tuple(rows),
            widths=(40, *([party_width] * len(columns)), 20),
        )

    def _contributions(self) -> Table:
        fin = self.spec.financial
        assert fin is not None  # the clause's 'when' guarantees it
        rows = []
        by_payer: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        by_currency: dict[str, Decimal] = defaultdict(Decimal)
        # A currency whose total is only a ceiling ("at most"), or cannot be given at all (an open-ended amount);
        # and the totals over an amount that is still a placeholder, which are placeholders themselves.
        ceiling: set[str] = set()
        open_ended: set[str] = set()
        unknown: set[object] = set()
        valued = any(c.amount is not None or maximum(c).amount is not None for c in fin.contributions)
        for c in fin.contributions:
            currency = c.currency or fin.currency
            terms = ["cash" if c.kind == "cash" else "in kind"]
            # "fixed" would misdescribe a sum that is only capped or set by a document
            # (and "at a rate" would repeat the rate printed next to it)
            if (c.kind == "cash" or c.basis != "fixed") and not (c.not_to_exceed is not None or c.amount_set_by
                                                                 or c.rate is not None):
                percent = f" at {format_number(c.reimbursement_percent)}%" if c.reimbursement_percent is not None else ""
                terms.append(_BASIS[c.basis] + percent)
            if c.rate is not None:
                terms.append(f"{format_money(c.rate.amount, currency)} per {c.rate.per}")
                if c.amount is not None:
                    terms.append(f"plus a fixed sum of {format_money(c.amount, currency)}")
            if c.amount_set_by is not None:
                terms.append(f"amount set by {c.amount_set_by}")
            if c.cap is not None:
                terms.append(f"cap {format_money(c.cap, currency)}")
            if c.instalments is not None:
                terms.append(f"in {self._instalment_count(c)} instalments")
            if c.admin_fee_percent is not None:
                # the amounts are what the payee gets after the fee (the model's rule), not a sum the fee comes off
                terms.append(f"after an administrative fee of {format_number(c.admin_fee_percent)}% "
                             f"kept by {next(p.short_name for p in self.spec.parties if p.id == c.payer)}")
            if c.schedule:
                terms.append(c.schedule)
            if c.restrictions and c.basis != "pass_through":  # a pass-through clause states them itself
                terms.append(f"restricted to: {c.restrictions}")
            terms[0] = terms[0].capitalize()
            most = maximum(c)
            if c.kind == "in_kind" or most.exact:
                # "not valued" only beside other amounts; with none at all the column is left out
                amount = format_money(c.amount, currency) if c.amount is not None else ("not valued" if valued else "")
            elif most.amount is not None:
                amount = f"up to {format_money(most.amount, currency)}"
            else:
                amount = "not fixed"
            rows.append((self.names[c.payer], self.names[c.payee], c.description, "; ".join(terms), amount))
            counted = c.amount if c.kind == "in_kind" else most.amount
            if c.kind == "cash" and counted is not None and not most.exact:
                ceiling.add(currency)
            if is_placeholder(counted):
                unknown |= {(c.payer, currency), currency}
                by_payer[(c.payer, currency)] += 0
                by_currency[currency] += 0
            elif counted is not None:
                by_payer[(c.payer, currency)] += counted
                by_currency[currency] += counted
            elif c.kind == "cash":
                open_ended.add(currency)

        def shown(key: object, total: Decimal, currency: str) -> str:
            if key in unknown:
                return UNKNOWN_TOTAL
            return ("up to " if currency in ceiling else "") + format_money(total, currency)

        totals = []
        if len(by_payer) > 1:
            for p in self.spec.parties:
                for currency in sorted(by_currency):
                    if (p.id, currency) in by_payer and currency not in open_ended:
                        totals.append((f"Total from {p.short_name}", "", "", "",
                                       shown((p.id, currency), by_payer[(p.id, currency)], currency)))
        for currency in sorted(by_currency):
            if currency not in open_ended:
                totals.append(("Total", "", "", "", shown(currency, by_currency[currency], currency)))
        return Table(
            "contributions", ("From", "To", "Contribution", "Terms", "Amount"), tuple(rows), tuple(totals),
            widths=(14, 14, 32, 24, 16), numeric=frozenset({4}),
        )

    @staticmethod
    def _instalment_count(c: Contribution) -> int:
        assert c.instalments is not None
        return c.instalments.count if c.instalments.count is not None else len(c.instalments.dates)

    def _instalments(self) -> Table:
        fin = self.spec.financial
        assert fin is not None  # the clause places the table only when a contribution has instalments
        planned = [(c, plan) for c in fin.contributions if c.instalments is not None
                   for plan in [schedule(c, c.currency or fin.currency)] if in_schedule_table(c, plan)]
        several = len(planned) > 1
        # A Due column only when an instalment has a date; an instalment at a cadence is due as it says.
        dated = any(c.instalments.dates for c, _ in planned if c.instalments is not None)
        rows: list[tuple[str, ...]] = []
        totals: list[tuple[str, ...]] = []
        for c, plan in planned:
            assert c.instalments is not None
            currency = c.currency or fin.currency
            up = "up to " if c.not_to_exceed is not None else ""
            lead = (c.description,) if several else ()
            for row in plan.instalments:
                due = format_date(row.due) if row.due else capfirst(c.instalments.cadence or "")
                rows.append((*lead, f"{row.number} of {len(plan.instalments)}", *([due] if dated else []),
                             up + format_money(row.amount, currency)))
            label = f"Total: {c.description}" if several else "Total"
            total = plan.total if is_placeholder(plan.total) or not any(is_placeholder(r.amount) for r in plan.instalments) \
                else UNKNOWN_TOTAL
            totals.append((label, *([""] if several else []), *([""] if dated else []), up + format_money(total, currency)))
        header = (*(("Contribution",) if several else ()), "Instalment", *(("Due",) if dated else ()), "Amount")
        widths = {4: (34, 18, 28, 20), 3: (30, 40, 30) if dated else (50, 25, 25), 2: (60, 40)}[len(header)]
        return Table("instalments", header, tuple(rows), tuple(totals), widths=widths,
                     numeric=frozenset({len(header) - 1}))

    def _budget_by_year(self) -> Table:
        fin = self.spec.financial
        assert fin is not None and fin.budget_by_year  # the clause's 'when' guarantees it
        rows = tuple((period.period, format_money(period.amount, fin.currency)) for period in fin.budget_by_year)
        amounts = [period.amount for period in fin.budget_by_year]
        total = UNKNOWN_TOTAL if any(is_placeholder(a) for a in amounts) else format_money(sum(amounts, Decimal(0)),
                                                                                           fin.currency)
        return Table(
            "budget_by_year", ("Budget period", "Budget"), rows, (("Total", total),),
            widths=(70, 30), numeric=frozenset({1}),
        )

    def _ladder(self) -> Table:
        cr = self.spec.conflict_resolution
        assert cr is not None
        rows = []
        for i, step in enumerate(cr.steps, start=1):
            name, text = _STEP[step.kind]
            # Where mediation and arbitration take place is said once, under the table; a suit's court is in its row.
            text = text.format(
                negotiators="liaisons" if self.spec.communication and self.spec.communication.liaisons
                else "representatives",
                any_party=capfirst(self.context["doc"]["any_party"]),
                in_venue=f" in the courts of {cr.venue}" if cr.venue else "",
            )
            when = format_days(step.days) if step.days else ""
            if step.description:
                # The spec's words replace the standard text, except a suit's venue, which only that text states.
                text = f"{step.description} {text}" if step.kind == "courts" and cr.venue else step.description
            rows.append((f"{i}. {name}", text, when))
        return Table("ladder", ("Step", "Process", "Time allowed"), tuple(rows), widths=(18, 62, 20))

    def _liaisons(self) -> Table:
        comm = self.spec.communication
        assert comm is not None
        # A liaison who is also one of the party's contacts is listed here only, with what the contact adds.
        contact = {(p.id, c.name): c for p in self.spec.parties for c in p.contacts}
        rows = []
        for li in comm.liaisons:
            c = contact.get((li.party, li.name))
            title, email, phone = li.title or (c and c.title), li.email or (c and c.email), li.phone or (c and c.phone)
            rows.append((self.names[li.party], _person(li.name, title), email or "", phone or ""))
        return Table("liaisons", ("Party", "Liaison", "E-mail", "Telephone"), tuple(rows), widths=(16, 32, 34, 18))

    def _metrics(self) -> Table:
        mon = self.spec.monitoring
        assert mon is not None
        rows = tuple((m.name, m.baseline or "", m.target, m.source or "") for m in mon.metrics)
        return Table("metrics", ("Metric", "Baseline", "Target", "Source"), rows, widths=(46, 14, 14, 26))

    def _insurance(self) -> Table:
        liability = self.spec.liability
        assert liability is not None
        default = self.context["currency"]

        def coverage(i: Any) -> str:
            # The type's name, with the spec's own words as detail ("Cyber liability (network security)").
            if i.type in (None, "other"):
                return str(i.coverage)
            name = _INSURANCE_TYPES[i.type]
            return f"{name} ({i.coverage})" if i.coverage else name

        if not any(i.aggregate is not None for i in liability.insurance):
            rows = tuple(
                (self.names[i.party], coverage(i), format_money(i.amount, i.currency or default))
                for i in liability.insurance
            )
            return Table("insurance", ("Party", "Coverage", "Minimum limit"), rows, widths=(25, 50, 25),
                         numeric=frozenset({2}))
        rows = tuple(
            (self.names[i.party], coverage(i), format_money(i.amount, i.currency or default),
             format_money(i.aggregate, i.currency or default) if i.aggregate is not None else "")
            for i in liability.insurance
        )
        return Table("insurance", ("Party", "Coverage", "Per occurrence", "Aggregate"), rows,
                     widths=(22, 40, 19, 19), numeric=frozenset({2, 3}))

    def _signatures(self) -> Signatures:
        names = {p.id: p.legal_name for p in self.spec.parties}
        return Signatures(tuple(
            SignatureBlock(names[s.party], s.name, s.title, s.authority, format_date(s.date) if s.date else None)
            for s in self.spec.signatories
        ))


def _person(name: str, title: str | None) -> str:
    # Name and title in one cell, so that four columns leave an e-mail address room on one line.
    return f"{name}\n{title}" if title else name


def _definition(terms: list[str]) -> str:
    """Defined terms as a parenthetical's contents: 'the "District" or "SFUSD"'."""
    quoted = []
    for term in terms:
        article, word = _split_article(term)
        quoted.append(f'{article}"{word}"')
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _plain(name: str) -> str:
    """A name without its leading article, case-folded: 'the Council' and 'Council' are one name."""
    return _split_article(name.strip())[1].casefold()


#: How the table of bodies describes each kind (a committee's row says whether it exists already).
_BODY_KIND = {
    "funder": "Funder", "committee": "Committee", "researcher": "Researcher", "third_party": "Third party",
    "regulator": "Regulator", "other": "",
}


def _split_article(short_name: str) -> tuple[str, str]:
    """'the Library' -> ('the ', 'Library'): the article stays outside the quotation marks."""
    first, _, rest = short_name.partition(" ")
    if first.lower() == "the" and rest:
        return first + " ", rest
    return "", short_name


def _drop_empty_columns(block: Block) -> Block:
    """Leave out optional columns nobody filled in (say, Telephone), so tables stay readable."""
    if not isinstance(block, Table) or not block.rows:
        return block
    keep = [i for i in range(len(block.header)) if i == 0 or any(row[i] for row in (*block.rows, *block.totals))]
    if len(keep) == len(block.header):
        return block
    pick = lambda row: tuple(row[i] for i in keep)  # noqa: E731
    return Table(
        block.name, pick(block.header), tuple(pick(r) for r in block.rows), tuple(pick(r) for r in block.totals),
        tuple(block.widths[i] for i in keep) if block.widths else (),
        frozenset(keep.index(i) for i in block.numeric if i in keep),
    )


#: How the insurance table names each policy type of the spec.
_INSURANCE_TYPES = {
    "general_liability": "Commercial general liability", "professional": "Professional liability",
    "cyber": "Cyber liability", "auto": "Automobile liability", "workers_compensation": "Workers' compensation",
    "abuse_molestation": "Abuse and molestation liability",
}

_TABLES = {
    "parties", "bodies", "notices", "contacts", "raci", "contributions", "instalments", "budget_by_year", "ladder",
    "liaisons", "metrics", "insurance", "signatures",
}

