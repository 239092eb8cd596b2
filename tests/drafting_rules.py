"""The drafting lint: the rules of shared/DRAFTING.md as checks on an assembled draft.

``lint(document, spec)`` returns one message per defect, naming the clause
and quoting the offending words; an empty list means the draft passes.
Rules about wording the clause library chose (mechanisms, voice, words
counsel strikes) look only at the library's own words: every text value of
the spec is masked first, so a spec that says "arbitration" in its own
recitals is not a defect of the library.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from mou_builder.library.clauses import looks_plural
from mou_builder.document import Clause, Document
from mou_builder.spec.model import EXHIBIT_REF_RE, Spec, exhibit_letter
from mou_builder.render.text import block_paragraphs


@dataclass(frozen=True)
class Unit:
    """One piece of text of the draft, with where it is."""

    where: str  # "9.2 Permitted Uses" or "title block"
    text: str
    clause: Clause | None = None
    section: str | None = None
    is_heading: bool = False


def units(doc: Document) -> Iterator[Unit]:
    """Every piece of text the draft shows, in order."""
    t = doc.title
    for value in (t.title, *t.parties, t.number, t.program, t.funding_source):
        if value:
            yield Unit("title block", value)
    for section in doc.sections:
        yield Unit(f"{section.number} {section.title}", section.title, None, section.key, True)
        for clause in section.clauses:
            where = f"{clause.number} {clause.title}"
            yield Unit(where, clause.title, clause, section.key, True)
            for block in clause.blocks:
                for text in block_paragraphs(block):
                    yield Unit(where, text, clause, section.key)
    for exhibit in doc.exhibits:
        yield Unit(exhibit.heading, exhibit.title, None, "exhibits", True)
        for block in exhibit.blocks:
            for text in block_paragraphs(block):
                yield Unit(exhibit.heading, text, None, "exhibits")


def spec_strings(spec: Spec) -> tuple[list[str], set[str]]:
    """Every text value of the spec (ids and enumerated choices excluded: they are not printed as such),
    and those of them a draft rightly prints more than once."""
    out: list[str] = []
    repeatable: set[str] = set()

    def walk(value: object, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key not in _NOT_PRINTED:
            value = EXHIBIT_REF_RE.sub(lambda m: names.get(m.group(1), m.group(0)), value)
            out.append(value)
            if key in _REPEATED:
                repeatable.add(value)

    # an override's record of what it was made against (versions, hashes, the file) is not printed;
    # a reference to an exhibit is printed as the exhibit's name; an exhibit's own text is markup (tables).
    names = {ex.id: f"Exhibit {exhibit_letter(i)} ({ex.title})" for i, ex in enumerate(spec.exhibits)}
    not_printed = {"pin": True, "exclude": True, "override": {"__all__": {"based_on": True, "source": True}}}
    walk(spec.model_dump(mode="json", exclude={"clauses": not_printed, "exhibits": {"__all__": {"text"}}}))
    return out, repeatable


# Fields holding ids, choices or dates: they reach the draft through a clause, not as their own text.
_NOT_PRINTED = {
    "id", "payer", "payee", "party", "accountable", "responsible", "consulted", "informed", "fiscal_agent",
    "provider", "recipient", "indemnitor", "indemnitee", "owner", "report_recipients", "kind", "mode", "role",
    "basis", "currency", "costs", "effective", "renewal", "for_cause", "ownership", "profile", "notice_methods",
    "section", "document_date", "due", "start", "end", "date", "amount", "cap", "budget_total",
    "reimbursement_percent", "draft_version",
    "not_to_exceed", "admin_fee_percent", "dates", "amounts",  # money and dates, printed formatted
    "short_title",  # printed as the defined term ("Agreement"), not as written
    "short_name",  # printed as a defined term, whose use rule 8 checks
    "binding_sections",
    # the directional terms' ids and choices (termination triggers, indemnities, licences, carve-outs, ...)
    "event", "affects", "indemnitees", "scope", "licensor", "licensees", "subject", "term", "type", "control", "to",
    "subjects", "cap_carve_outs", "consequential_carve_outs", "breach_notice_to", "aggregate",
    "performance_start", "performance_end", "members", "notice_copies",
    "aliases",  # printed as defined terms, whose definition and use rule 8 checks
    "retention_basis", "disposition", "onward_transfer", "by", "covered_entity", "business_associate",
    "precedence", "file",  # the order of the clause's enumeration; where an exhibit's text is read from
}

# Names and labels that a draft rightly repeats: a party's legal name heads the parties table and its
# signature block, a contribution is a row of the schedule and the subject of its clause.
_REPEATED = {"legal_name", "title", "program", "funding_source", "description", "governance_body", "name",
             # an office address that is also the notice address is listed again in the notices clause
             "address",
             # a contribution's terms: in its row of the schedule and in the clause that states them
             "amount_set_by", "per"}


def masked(text: str, strings: list[str]) -> str:
    """``text`` with every spec string replaced by a neutral word, keeping a closing parenthesis it ends with."""
    for value in sorted(set(strings), key=len, reverse=True):
        for variant in {value, value[:1].lower() + value[1:], value.rstrip(".")}:
            if len(variant) > 1:
                text = text.replace(variant, "Xval" + (")" if variant.endswith(")") else ""))
    return text


_MECHANISMS: list[tuple[str, str, object]] = [
    # (pattern in the library's words, what the spec lacks, predicate on the spec)
    (r"\barbitrat", "an arbitration step", lambda s: _steps(s) & {"arbitration"}),
    (r"\bmediat", "a mediation step", lambda s: _steps(s) & {"mediation"}),
    (r"\bexecutives\b", "an escalation step", lambda s: _steps(s) & {"executives"}),
    (r"\brenew", "renewal", lambda s: s.term and s.term.renewal in ("mutual_writing", "automatic")),
    (r"\bends on\b|\bend date\b", "an end date", lambda s: s.term and s.term.end),
    (r"\bin[- ]kind\b", "in-kind contributions",
     lambda s: s.financial and any(c.kind == "in_kind" for c in s.financial.contributions)),
    (r"\bliaisons?\b", "liaisons", lambda s: s.communication and s.communication.liaisons),
    (r"(?:'s|their|its) address|^Address$", "addresses", lambda s: any(p.address for p in s.parties)),
    (r"\bEffective Date\b", "a term section", lambda s: s.term),
    (r"\bfiscal agent\b", "a fiscal agent", lambda s: s.financial and s.financial.fiscal_agent),
    (r"\binsurance\b", "insurance minimums", lambda s: s.liability and s.liability.insurance),
    (r"\bgrant funds\b", "a pass-through contribution",
     lambda s: s.financial and any(c.basis == "pass_through" for c in s.financial.contributions)),
]

_STRUCK = [r"\band/or\b", r"\bherein\b", r"\bhereinafter\b", r"\bin the event that\b", r"\bprior to\b",
           r"\butili[sz]e\b", r"\bnull and void\b", r"\bany and all\b", r"\bsaid (?:Party|Parties|data|Agreement)\b"]

# Auxiliaries only: "Hope House grant funds" has a noun after the name, "Hope House have" a verb.
_SINGULAR_VERBS = "is|has|was|does"
_PLURAL_VERBS = "are|have|were|do"

_STOP = {"and", "or", "of", "the", "by", "for", "to", "in", "a", "an", "use", "each", "under", "on", "its"}


def _steps(spec: Spec) -> set[str]:
    return {s.kind for s in spec.conflict_resolution.steps} if spec.conflict_resolution else set()


def _stem(word: str) -> str:
    word = word.lower().rstrip("s")
    return word[:5] if len(word) > 5 else word


def lint(doc: Document, spec: Spec) -> list[str]:
    """Every breach of the drafting rules in ``doc``, built from ``spec``."""
    problems: list[str] = []
    strings, repeatable = spec_strings(spec)
    all_units = list(units(doc))
    body = [u for u in all_units if not u.is_heading]
    full_text = "\n".join(u.text for u in all_units)
    binding = spec.legal.binding if spec.legal is not None else True
    # in a non-binding instrument, the sections that bind all the same say "shall"
    binding_sections = set(spec.legal.binding_sections) if spec.legal is not None else set()

    by_clause: dict[str, list[Unit]] = {}
    for u in body:
        if u.clause is not None:
            by_clause.setdefault(u.clause.id, []).append(u)

    for u in body:
        own = masked(u.text, strings)
        # 1. periods before a noun take the possessive: "thirty (30) days' written notice"
        for m in re.finditer(r"\(\d+\) (?:days?|months?|weeks?|years?) (?:written |prior )?notice\b", own):
            problems.append(f"{u.where}: possessive missing in {m.group(0)!r} (days' / day's notice)")
        # 2. no double parentheticals
        for m in re.finditer(r"\)\s+\(", own):  # "642(e)(5)(A)" is a citation, not two parentheticals
            problems.append(f"{u.where}: two parentheticals in a row near {own[max(0, m.start() - 30):m.end() + 10]!r}")
        # 3. mechanisms the spec does not have
        for pattern, lacking, present in _MECHANISMS:
            if re.search(pattern, own) and not present(spec):
                problems.append(f"{u.where}: mentions {re.search(pattern, own).group(0)!r} but the spec has no {lacking}")
        # 4. words counsel strikes
        for pattern in _STRUCK:
            if m := re.search(pattern, own, re.I):
                problems.append(f"{u.where}: {m.group(0)!r} is a word counsel strikes")
        # 5. the voice follows legal.binding; data-protection terms bind even in a non-binding MOU
        binds = binding or u.section in binding_sections
        if not binds and re.search(r"\bshall\b", own):
            problems.append(f"{u.where}: 'shall' in a non-binding instrument")
        if binds and u.section is not None and re.search(r"\bwill\b", own):
            problems.append(f"{u.where}: 'will' in a {'binding instrument' if binding else 'binding section'}")

    # 6. "shall" is said of a party, never of a thing ("Any notice shall be ...")
    names = {p.short_name for p in spec.parties}
    subjects = {n.lower() for n in names} | {"party", "parties"}
    others = [s for s in strings if s not in names]
    for u in body:
        own = masked(u.text, others)  # the library's words, party names kept as subjects
        for m in re.finditer(r"\b(shall|will)\b", own):
            # the subject is in the words since the last clause break: "each Party named below shall"
            before = re.split(r"[,;:.]", own[:m.start()])[-1].lower()
            if not any(re.search(rf"(?<!\w){re.escape(s)}(?!\w)", before) for s in subjects):
                problems.append(f"{u.where}: {m.group(1)!r} not said of a party: {own[max(0, m.start() - 40):m.end()]!r}")

    # 7. verbs agree with party names
    for party in spec.parties:
        plural = looks_plural(party.short_name) if party.plural is None else party.plural
        wrong = _SINGULAR_VERBS if plural else _PLURAL_VERBS
        for name in {party.short_name, party.short_name[:1].upper() + party.short_name[1:]}:
            for m in re.finditer(rf"(?<!\w){re.escape(name)} ({wrong})\b", full_text):
                problems.append(f"verb does not agree with {name!r}: {m.group(0)!r}")

    # 8. defined terms: defined once, never as themselves, and used
    definitions = [
        (u, m) for u in body
        # an alias is defined beside the short name: (the "District" or "SUSD")
        for m in re.finditer(r'(?:\(|each a |together the |(?<=") or |(?<="), )(?:the )?"([^"]+)"\)?', u.text)
    ]
    seen: dict[str, str] = {}
    for u, m in definitions:
        term = m.group(1)
        # the name being defined: the cell or sentence up to the definition, less "This" / "the"
        name = re.sub(r"^(?:this|the)\s+", "", u.text[:m.start()].strip(), flags=re.I)
        if name.lower() == term.lower():
            problems.append(f"{u.where}: {term!r} is defined as itself")
        if term in seen:
            problems.append(f"{u.where}: {term!r} is defined again (first in {seen[term]})")
        seen.setdefault(term, u.where)
        # "District" inside "Lakeport Unified School District" is not a use of the defined term
        outside_names = masked(full_text, [p.legal_name for p in spec.parties])
        uses = len(re.findall(rf"(?<![\w\"]){re.escape(term)}(?![\w\"])", outside_names))
        if uses < 1:  # the definition itself is quoted, so every match is a use
            problems.append(f"{u.where}: {term!r} is defined but never used")

    # 9. headings name what the clause says: each part of "A and B" / "A or B" appears in its text
    for clause_id, clause_units in by_clause.items():
        clause = clause_units[0].clause
        assert clause is not None
        if clause.entry.source == "spec":
            continue
        text = " ".join(u.text for u in clause_units).lower()
        parts = re.split(r",| and | or ", clause.title)
        for part in parts if len(parts) > 1 else ():
            words = [w for w in re.findall(r"[A-Za-z-]+", part) if w.lower() not in _STOP]
            if words and not any(_stem(w) in text for w in words):
                problems.append(f"{clause.number} {clause.title}: the heading says {part.strip()!r}, the text does not")

    # 10a. no phrase printed twice in a row ("issue library cards at each event, at each event")
    for u in body:
        for m in re.finditer(r"(?<!\w)(\w+(?: \w+)+),? \1(?!\w)", u.text, re.I):
            problems.append(f"{u.where}: {m.group(1)!r} printed twice in a row")
        # a sentence ends with one full stop, also after a name that ends in one ("Services, Inc.")
        for m in re.finditer(r"(?<!\.)\.\.(?!\.)", u.text):
            problems.append(f"{u.where}: two full stops in {u.text[max(0, m.start() - 30):m.end()]!r}")

    # 10. every spec text and every added clause reaches the draft, and none is printed twice
    haystack = full_text.lower()
    for value in set(strings):
        needle = value.rstrip(".").lower()
        # a value may rightly appear inside another (a population named in a recital)
        expected = sum(v.lower().count(needle) for v in strings)
        if needle not in haystack:
            problems.append(f"spec text missing from the draft: {value[:60]!r}")
        elif len(value.split()) >= 4 and value not in repeatable and haystack.count(needle) > expected:
            problems.append(f"spec text printed {haystack.count(needle)} times: {value[:60]!r}")
    return problems

