"""Starter specs: what ``mou-build init`` writes, and the bundled examples.

:func:`starter_text` turns the answers of the ``init`` interview
(:class:`Answers`) into a commented YAML spec. What the answers settle is
written as real values; every other section the chosen profile requires is
written as a commented-out stub naming the fields it needs, with ``<...>``
where the user's words go. Which stubs are needed is not decided here but by
the completeness check itself, run on the real values, so a starter always
asks for exactly what ``mou-build check`` would report. Nothing here prints
or prompts: the interview lives in the command line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from mou_builder.spec.reference import model_schema
from mou_builder.resources import examples_dir

#: The schema file ``init`` writes beside a spec; the spec's first line points at it.
SCHEMA_FILE = "mou-spec.schema.json"
SCHEMA_HEADER = "# yaml-language-server: $schema="

#: The title a new agreement of each kind starts with.
KIND_TITLES = {
    "memorandum_of_understanding": "Memorandum of Understanding",
    "partnership_agreement": "Partnership Agreement",
    "data_sharing_agreement": "Data Sharing Agreement",
}


@dataclass(frozen=True)
class PartyAnswer:
    """A party as the interview gives it."""

    id: str
    legal_name: str
    short_name: str
    role: str = "partner"


@dataclass(frozen=True)
class MoneyAnswer:
    """One cash contribution: who pays whom, how much, for what."""

    payer: str
    payee: str
    amount: Decimal
    description: str


@dataclass(frozen=True)
class Answers:
    """Everything the ``init`` interview asks. ``end`` None means evergreen (no end date)."""

    title: str
    parties: tuple[PartyAnswer, ...]
    document_date: date
    kind: str = "memorandum_of_understanding"
    profile: str = "general"
    money: MoneyAnswer | None = None
    data_mode: str = "none"
    data_provider: str | None = None
    data_recipient: str | None = None
    end: date | None = None


def one_year_later(day: date) -> date:
    """The day before the same date next year: the last day of a one-year term."""
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        anniversary = day.replace(year=day.year + 1, day=28)
    return date.fromordinal(anniversary.toordinal() - 1)


def default_answers(today: date, *, kind: str | None = None, profile: str | None = None) -> Answers:
    """The answers ``init --no-input`` uses: two parties whose legal names are placeholders ([PARTY A LEGAL NAME]),
    no money, no personal data, one year."""
    kind = kind or "memorandum_of_understanding"
    profile = profile or "general"
    parties = (
        PartyAnswer("party_a", "[PARTY A LEGAL NAME]", "Party A", "lead"),
        PartyAnswer("party_b", "[PARTY B LEGAL NAME]", "Party B", "partner"),
    )
    personal = profile in ("student_data", "health_data")  # the records are personal data (the profile requires it)
    return Answers(
        KIND_TITLES[kind], parties, today, kind, profile,
        data_mode="personal" if personal else "none",
        data_provider="party_a" if personal else None, data_recipient="party_b" if personal else None,
        end=one_year_later(today),
    )


def party_id(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A spec id for a party called ``name`` ('the City of Lakeport' -> 'city_of_lakeport'), not in ``taken``."""
    words = re.sub(r"^the\s+", "", name.strip().lower())
    base = re.sub(r"[^a-z0-9]+", "_", words).strip("_")[:30]
    if not base or not base[0].isalpha() or base in _SPECIAL_WORDS:
        # An id must start with a letter, and 'null' or 'no' would be read (by the loader or an editor) as no text.
        base = f"party_{base}".rstrip("_")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


# ---------------------------------------------------------------- writing YAML


# Characters YAML cannot hold raw (PyYAML's reader refuses them) or would read as line breaks.
_ESCAPE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Text written without quotes: it starts with a letter and holds nothing YAML or the loader reads specially.
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 .,'()&/-]*$")
_SPECIAL_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def scalar(value: object) -> str:
    """``value`` as a YAML scalar the loader reads back exactly (text stays text, amounts stay exact)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, date)):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text == text.strip() and text.lower() not in _SPECIAL_WORDS:
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _description(*path: str) -> str:
    """The schema's description of a top-level section or of a field of its type."""
    schema = model_schema()
    prop = schema["properties"][path[0]]
    refs = [prop, prop.get("items", {}), *prop.get("anyOf", [])]  # a section, a list of them, or optional
    ref = next((r["$ref"] for r in refs if "$ref" in r), "")
    definition = schema["$defs"][ref.rsplit("/", 1)[-1]] if ref else {}
    if len(path) == 1:
        return prop.get("description") or definition.get("description", "")
    return definition["properties"][path[1]].get("description", "")


# ---------------------------------------------------------------- stubs


def _ids(answers: Answers) -> list[str]:
    return [p.id for p in answers.parties]


def _per_party(answers: Answers, lines: Callable[[str], list[str]]) -> list[str]:
    return [line for pid in _ids(answers) for line in lines(pid)]


#: Whole sections the interview does not fill in, as YAML lines (uncommented), by top-level key.
_SECTION_STUBS: dict[str, Callable[[Answers], list[str]]] = {
    "purpose": lambda a: ["purpose:", "  statement: <why the parties work together, in one or two sentences>"],
    "scope": lambda a: [
        "scope:", "  summary: <what the partnership does, where and for whom>",
        "  activities:", "    - <an activity, e.g. Run eight family literacy evenings>",
    ],
    "responsibilities": lambda a: ["responsibilities:", *_per_party(a, lambda pid: [
        f"  - activity: <what {pid} does, as a verb phrase, e.g. Provide classroom space>",
        f"    accountable: {pid}", f"    responsible: [{pid}]",
    ])],
    "head_start": lambda a: ["head_start:", *(
        f"  {name}: <{_description('head_start', name).rstrip('.').lower()}>"
        for name in model_schema()["$defs"]["HeadStartCoordination"]["properties"]
    )],
    "financial": lambda a: ["financial:", "  no_cost: true  # or list the contributions: mou-build reference financial"],
    "communication": lambda a: ["communication:", "  meeting_cadence: <how often the partners meet, e.g. quarterly>",
                                "  liaisons:", *_per_party(a, lambda pid: [
                                    f"    - party: {pid}", "      name: <full name>", "      email: <e-mail address>",
                                ])],
    "monitoring": lambda a: [
        "monitoring:", "  report_cadence: <how often progress is reported, e.g. quarterly>",
        "  metrics:", "    - name: <what is measured>", "      target: <the value to reach>",
    ],
    "data_sharing": lambda a: ["data_sharing:", "  mode: none  # or de_identified, or personal"],
    "conflict_resolution": lambda a: [
        "conflict_resolution:", "  steps:  # in the order they are taken",
        "    - kind: negotiation", "      days: 30", "    - kind: mediation",
    ],
    "term": lambda a: ["term:", "  end: <last day, YYYY-MM-DD>  # or, for no end date: renewal: evergreen"],
    "amendment": lambda a: ["amendment:", "  in_writing: true",
                            "  review_cadence: <how often the parties review the agreement, e.g. annually>"],
    "termination": lambda a: ["termination:", "  convenience_days: 60  # days of written notice to end it without cause"],
    "legal": lambda a: [
        "legal:", "  binding: true  # false: a statement of intent with no financial obligation",
        "  governing_law: <e.g. the State of Ohio>",
        "  authority:", "    - <a statute, regulation or grant that authorises the agreement>",
    ],
    "signatories": lambda a: ["signatories:", *_per_party(a, lambda pid: [
        f"  - party: {pid}", "    name: <full name>", "    title: <title, e.g. Executive Director>",
    ])],
}

#: Fields the profile needs inside a section the interview did write, as YAML lines (uncommented, one level in).
_FIELD_STUBS: dict[str, list[str]] = {
    "financial.funding_plan": ["funding_plan: <where the money comes from, and what happens if it stops>"],
    "financial.cost_allocation": ["cost_allocation: <how shared costs are divided between the parties>"],
    "data_sharing.provider": ["provider: <id of the party that discloses the data>"],
    "data_sharing.recipient": ["recipient: <id of the party that receives the data>"],
    "data_sharing.legal_basis": ["legal_basis: <the law or consent the disclosure rests on>"],
    "data_sharing.elements": ["elements:", "  - <a data element shared, e.g. date of birth>"],
    "data_sharing.permitted_uses": ["permitted_uses:", "  - <the only use the recipient may make of the data>"],
    "data_sharing.security": ["security: <how the data is transferred and stored securely>"],
    "data_sharing.retention": ["retention: <how long the data is kept>"],
    "data_sharing.destruction_days": ["destruction_days: 30  # days after the end to destroy or return the data"],
}

#: How a commented-out stub is turned back on, said above each.
_UNCOMMENT = "Fill in each <...>, then delete the '# ' before each line"


# ---------------------------------------------------------------- the starter


def starter_text(answers: Answers, *, file_name: str = "my-mou.yaml", version: str = "") -> str:
    """The commented starter spec for ``answers``; it validates, and lists what the profile still needs.

    Raises :class:`~mou_builder.errors.SpecError` only if the answers
    themselves break the model (e.g. two parties with one id).
    """
    real = _real_sections(answers)
    missing_sections, missing_fields = _still_needed(answers, real)
    lines = _header(answers, file_name, version)
    for key in _section_order():
        if key in real:
            lines += ["", f"# {key}: {_description(key)}", *real[key]]
            needed = [path for path in missing_fields if path.split(".")[0] == key]
            if needed:
                lines.append(f"  # Still needed for profile {answers.profile}. {_UNCOMMENT}:")
                lines += [f"  # {line}" for path in needed for line in _FIELD_STUBS[path]]
        elif key in missing_sections:
            lines += ["", f"# {key}: {_description(key)}",
                      f"# Required by profile {answers.profile}; every field: mou-build reference {key}",
                      f"# {_UNCOMMENT}:"]
            lines += [f"# {line}" for line in _SECTION_STUBS[key](answers)]
    return "\n".join(lines) + "\n"


def _section_order() -> list[str]:
    """Top-level keys in the order the agreement's sections come (the clause library's order)."""
    from mou_builder.library.clauses import load_library

    order = ["agreement"]
    for section in load_library().sections:
        if section.source not in order:
            order.append(section.source)
    return order


def still_needed(text: str, profile: str) -> list[str]:
    """The sections a starter leaves to the user, as ``check`` reports them (for the command's summary)."""
    from mou_builder.library.completeness import check
    from mou_builder.spec.loader import load_spec_text

    return [f.path for f in check(load_spec_text(text), profile, defaults=False) if f.code == "missing-section"]


def _header(answers: Answers, file_name: str, version: str) -> list[str]:
    by = f"mou-build init{f' (mou-builder {version})' if version else ''}"
    # The answers stay out of comments: a comment holds its text raw, where some characters break the YAML.
    return [
        f"{SCHEMA_HEADER}{SCHEMA_FILE}",
        f"# A starter spec written by {by} on {answers.document_date.isoformat()};",
        f"# checked against profile {answers.profile}.",
        "#",
        "# Lines that start with '#' are comments. A section printed as comments is one",
        "# the profile requires that the interview could not fill in.",
        f"# {_UNCOMMENT}.",
        "# Then:",
        f"#   mou-build validate {file_name}   # does the spec fit the model?",
        f"#   mou-build check {file_name}      # what does the agreement still need?",
        f"#   mou-build {file_name}            # write the Word draft",
        "# Every section and field: mou-build reference (one section: mou-build reference purpose).",
    ]


def _real_sections(answers: Answers) -> dict[str, list[str]]:
    """The sections the answers settle, as YAML lines, by top-level key."""
    real: dict[str, list[str]] = {
        "agreement": [
            "agreement:", f"  title: {scalar(answers.title)}", f"  kind: {answers.kind}",
            f"  profile: {answers.profile}",
            f"  document_date: {answers.document_date.isoformat()}  # the date of this draft (YYYY-MM-DD)",
        ],
        "parties": ["parties:  # the rest of the spec refers to each party by its id"],
    }
    for party in answers.parties:
        real["parties"] += [f"  - id: {party.id}", f"    legal_name: {scalar(party.legal_name)}",
                            f"    short_name: {scalar(party.short_name)}  # the name used in the text",
                            f"    role: {party.role}"]
    if answers.money is None:
        real["financial"] = ["financial:", "  no_cost: true  # no money moves between the parties"]
    else:
        money = answers.money
        real["financial"] = [
            "financial:", "  currency: USD", "  contributions:", f"    - payer: {money.payer}",
            f"      payee: {money.payee}", "      kind: cash", f"      description: {scalar(money.description)}",
            f"      amount: {money.amount}  # exact, never rounded",
        ]
    real["data_sharing"] = ["data_sharing:", f"  mode: {answers.data_mode}"]
    if answers.data_mode != "none":
        real["data_sharing"] += [f"  provider: {answers.data_provider}  # discloses the data",
                                 f"  recipient: {answers.data_recipient}  # receives it"]
    if answers.end is None:
        real["term"] = ["term:", "  renewal: evergreen  # no end date"]
    else:
        real["term"] = ["term:", f"  end: {answers.end.isoformat()}  # the last day of the agreement"]
    return real


def _still_needed(answers: Answers, real: dict[str, list[str]]) -> tuple[set[str], list[str]]:
    """(sections, field paths) the completeness check reports missing for the real values alone."""
    from mou_builder.library.completeness import check
    from mou_builder.spec.loader import load_spec_text

    text = "\n".join(line for key in real for line in real[key]) + "\n"
    findings = check(load_spec_text(text, source="the starter"), answers.profile, defaults=False)
    sections = {f.path for f in findings if f.code == "missing-section"}
    reported = {f.path for f in findings if f.severity != "info"}
    return sections, [path for path in _FIELD_STUBS if path in reported]


# ---------------------------------------------------------------- examples


def example_names() -> list[str]:
    """The bundled examples, by name (file name without .yaml)."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))


def example_path(name: str) -> Path:
    """The file of the example ``name`` (with or without .yaml). Raises KeyError for an unknown name."""
    stem = name.removesuffix(".yaml")
    if stem not in example_names():
        raise KeyError(name)
    return examples_dir() / f"{stem}.yaml"


def example_description(name: str) -> str:
    """The comment at the top of an example, as one line."""
    words = []
    for line in example_path(name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith(SCHEMA_HEADER):
            words.append(line.lstrip("#").strip())
    return " ".join(w for w in words if w)


def example_files(name: str) -> list[tuple[str, bytes]]:
    """The exhibit files an example reads, as (path relative to the spec, content): copied beside a copy of it."""
    import yaml

    data = yaml.safe_load(example_path(name).read_text(encoding="utf-8")) or {}
    files = [ex["file"] for ex in data.get("exhibits") or [] if isinstance(ex, dict) and ex.get("file")]
    return [(rel, (examples_dir() / rel).read_bytes()) for rel in files]


def example_text(name: str) -> str:
    """The example's text, its schema line pointing at a schema file beside it (see :data:`SCHEMA_FILE`).

    In the repository the examples point at ``../../schemas/``, which an
    installed user does not have.
    """
    lines = example_path(name).read_text(encoding="utf-8").splitlines(keepends=True)
    if lines and lines[0].startswith(SCHEMA_HEADER):
        lines[0] = f"{SCHEMA_HEADER}{SCHEMA_FILE}\n"
    return "".join(lines)
