"""Completeness checks: what a kind of agreement must cover before it is signed.

A *profile* (a YAML file in ``clause_library/profiles/`` or the user's own)
lists the required sections, sections required under a condition, required
fields, and named checks from the partnership guides (every party has a
signatory, contributions add up to the budget, ...). :func:`check` returns
findings; it never prints.
"""

from __future__ import annotations

import re

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mou_builder.library.clauses import ClauseLibrary, SectionDef, Selection, and_list, evaluate, format_money, load_library, load_yaml, select_clauses, spec_context
from mou_builder.cache import compiled
from mou_builder.document import Finding
from mou_builder.errors import ProfileError, yaml_problem
from mou_builder.files import read_bounded
from mou_builder.spec.model import Spec
from mou_builder.spec.money import maximum
from mou_builder.resources import clause_library_dir
from mou_builder.spec.types import find_placeholders, is_placeholder

Severity = Literal["error", "warning", "info"]

#: Every finding code mou-builder reports (documented in docs/findings.md).
FINDING_CODES = (
    "missing-section", "missing-field", "head-start-topic", "missing-signatory", "signatory-without-title",
    "party-without-responsibility", "no-funding-plan", "no-cost-allocation", "budget-mismatch", "open-ended-amount",
    "clause-missing-data", "default-term", "placeholder", "budget-unchecked",
    # `check NEW --amends ORIGINAL` (made by the command from mou_builder.amendment, not by a profile)
    "nothing-to-amend", "amendment-unsigned", "amendment-date",
    "title-names-parties",
)


class ConditionalSection(BaseModel):
    """A section required only when a condition holds."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    section: str
    when: str
    because: str


class RequiredField(BaseModel):
    """A spec field that must be filled (or equal a value)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    path: str
    when: str | None = None
    equals: Any = None
    code: str = "missing-field"
    severity: Severity = "error"
    message: str
    hint: str


class Profile(BaseModel):
    """A completeness profile."""

    # Built on first use, from the cache when it can be (mou_builder.cache).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    id: str
    title: str
    description: str = ""
    extends: str | None = None
    required_sections: tuple[str, ...] = ()
    conditional_sections: tuple[ConditionalSection, ...] = ()
    required_fields: tuple[RequiredField, ...] = ()
    checks: tuple[Literal[
        "signatories", "responsibilities_per_party", "funding_plan", "budget", "public_body_indemnity", "defined_names",
        "notice_addresses",
    ], ...] = ()
    #: Sections that follow each other in this order, starting where the first one is in sections.yaml.
    section_order: tuple[str, ...] = ()
    path: str | None = Field(None, exclude=True)

    @field_validator("section_order")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({key for key in value if value.count(key) > 1})
        if repeated:
            raise ValueError(f"section {repeated[0]!r} is listed twice")
        return value

    def ordered(self, sections: Sequence[SectionDef]) -> list[SectionDef]:
        """``sections`` (in the library's canonical order) in this profile's order.

        The sections named in ``section_order`` follow each other in that
        order, starting at the canonical place of the first one; all other
        sections keep their canonical order. A partial list stays valid when
        the library gains a section.
        """
        if not self.section_order:
            return list(sections)
        by_key = {s.key: s for s in sections}
        for key in self.section_order:
            if key not in by_key:
                raise ProfileError(f"{self.path or self.id}: section_order: unknown section {key!r}")
        head, *chained = self.section_order
        out: list[SectionDef] = []
        for section in sections:
            if section.key in chained:
                continue
            out.append(section)
            if section.key == head:
                out.extend(by_key[key] for key in chained)
        return out


def profiles_dir() -> Path:
    """Folder of the built-in profiles."""
    return clause_library_dir() / "profiles"


def builtin_profiles() -> list[str]:
    """Ids of the built-in profiles."""
    return sorted(p.stem for p in profiles_dir().glob("*.yaml"))


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by id, or a profile file by path. ``extends`` merges in the parent's lists."""
    text = str(name_or_path)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) or path.is_file()):
        path = profiles_dir() / f"{text}.yaml"
        if not path.is_file():
            raise ProfileError(
                f"unknown profile {text!r} (built-in: {', '.join(builtin_profiles())}); "
                "give the path of a profile file with --profile"
            )
    try:
        stat = path.stat()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror})") from None
    return _read_profile(path, stat.st_mtime_ns, stat.st_size)


#: The largest profile file read (the built-in ones are a few KB).
MAX_PROFILE_FILE = 256 * 1024


@lru_cache(maxsize=64)
def _read_profile(path: Path, mtime_ns: int, size: int) -> Profile:
    """Read a profile file, once per version of it (mtime and size are part of the cache key)."""
    # a regular file of a profile's size: a FIFO would hang the command, /dev/zero fill the memory
    data = read_bounded(path, MAX_PROFILE_FILE, ProfileError,
                        not_regular="not a regular file; a profile is a YAML file",
                        too_large=f"larger than {MAX_PROFILE_FILE // 1024} KB, more than a profile holds")
    try:
        raw = load_yaml(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {yaml_problem(exc)}") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: a profile is a mapping (id:, title:, required_sections:, ...)")
    compiled(Profile)
    try:
        profile = Profile.model_validate({**raw, "path": str(path)})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ProfileError(f"{path}: {where}: {first['msg']}, got {first.get('input')!r}") from None
    if profile.extends:
        parent = load_profile(profile.extends)
        profile = profile.model_copy(
            update={
                "required_sections": tuple(dict.fromkeys(parent.required_sections + profile.required_sections)),
                "conditional_sections": parent.conditional_sections + profile.conditional_sections,
                # a child's rule for the same field and code replaces the parent's (one finding, not two)
                "required_fields": tuple(
                    rule for rule in parent.required_fields
                    if (rule.path, rule.code) not in {(r.path, r.code) for r in profile.required_fields}
                ) + profile.required_fields,
                "checks": tuple(dict.fromkeys(parent.checks + profile.checks)),
                "section_order": profile.section_order or parent.section_order,
            }
        )
    return profile


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted path in plain data, or None."""
    current = data
    for part in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def is_empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


@dataclass
class _Finder:
    spec: Spec
    library: ClauseLibrary

    def make(self, code: str, severity: Severity, section: str, path: str, message: str, hint: str) -> Finding:
        source_map = self.spec.source
        if source_map is None:
            return Finding(code, severity, section, path, message, hint)
        loc = tuple(int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".") if p)
        line, column = source_map.locate(loc)
        return Finding(code, severity, section, path, message, hint, source_map.source, line, column)

    def section_of(self, path: str) -> str:
        root = path.split(".")[0].split("[")[0]
        for section in self.library.sections:
            if section.source == root:
                return section.key
        return root


def covered_sections(spec: Spec, library: ClauseLibrary, selection: Selection, data: Mapping[str, Any]) -> set[str]:
    """Sections the spec fills: its source field is set and at least one clause applies, or the spec
    writes a clause for it (``clauses.add``), which then stands for the section."""
    covered = set()
    for s in library.sections:
        clauses = selection.by_section.get(s.key) or []
        if any(c.origin == "spec" for c in clauses) or (clauses and not is_empty(get_path(data, s.source))):
            covered.add(s.key)
    return covered


def check(
    spec: Spec,
    profile: str | Path | Profile | None = None,
    library: ClauseLibrary | None = None,
    *,
    selection: Selection | None = None,
    context: Mapping[str, Any] | None = None,
    defaults: bool = True,
) -> list[Finding]:
    """Check ``spec`` against a profile (by default the one the spec names).

    Returns the findings, in section order: errors, warnings and, with
    ``defaults``, an ``info`` finding (``default-term``) for each named
    default the draft uses because the spec leaves it out.
    """
    library = library or load_library()
    if not isinstance(profile, Profile):
        profile = load_profile(profile or spec.agreement.profile)
    context = context if context is not None else spec_context(spec)
    selection = selection or select_clauses(spec, library, context)
    finder = _Finder(spec, library)
    findings: list[Finding] = []
    covered = covered_sections(spec, library, selection, context)
    known = {s.key for s in library.sections}

    required = {key: "" for key in profile.required_sections}
    for conditional in profile.conditional_sections:
        if evaluate(conditional.when, context, f"profile {profile.id}"):
            required.setdefault(conditional.section, conditional.because)
    for key, because in required.items():
        if key not in known:
            raise ProfileError(f"{profile.path or profile.id}: unknown section {key!r}")
        if key not in covered:
            section = library.section(key)
            why = f" ({because})" if because else ""
            finding = finder.make(
                "missing-section", "error", key, section.source,
                f"{section.missing}{why}",
                f"add '{section.source}:'{_needs(section.source)} "
                f"(see: mou-build reference {section.source})",
            )
            findings.append(_at_place(finding, spec, library, profile, key))

    for rule in profile.required_fields:
        if rule.when and not evaluate(rule.when, context, f"profile {profile.id}"):
            continue
        value = get_path(context, rule.path)
        section = finder.section_of(rule.path)
        if section in required and section not in covered:
            continue  # the whole section is already reported missing
        failed = is_empty(value) if rule.equals is None else value != rule.equals
        if rule.equals is None and value is False:
            failed = True
        if failed:
            findings.append(finder.make(rule.code, rule.severity, section, rule.path, rule.message, rule.hint))

    for name in profile.checks:
        findings.extend(_CHECKS[name](spec, finder, context))

    for key, clauses in selection.by_section.items():
        for clause in clauses:
            for path in clause.header.requires:
                if is_empty(get_path(context, path)):
                    findings.append(finder.make(
                        "clause-missing-data", "error", key, path,
                        f"clause {clause.id} is used but {path} is not given",
                        f"add {path} to the spec, or exclude the clause",
                    ))
    if re.search(r"(?<!\w)between(?!\w)", spec.agreement.title, re.I):
        # A warning, not a refusal: many agreements are titled so; the draft still reads, only twice.
        findings.append(finder.make(
            "title-names-parties", "warning", "parties", "agreement.title",
            f"the title names the parties ({spec.agreement.title!r}), and the title block prints 'between' and "
            "their legal names under it, so the draft says it twice",
            "title the agreement by its subject (e.g. 'Memorandum of Understanding on Kindergarten Transition')",
        ))
    findings.extend(placeholder_findings(spec, finder))
    if defaults:
        findings.extend(named_defaults(spec, context, finder, covered))
    if spec.clauses.override:
        from mou_builder.review.overrides import override_findings

        findings.extend(override_findings(spec, library, profile, finder.make))
    order = {s.key: i for i, s in enumerate(library.sections)}
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order.get(f.section, 99), rank[f.severity], f.path, f.code))


def placeholder_findings(spec: Spec, finder: _Finder) -> list[Finding]:
    """A ``placeholder`` warning for each placeholder the spec still holds (``[DATE]``, ``[AMOUNT]``), where it is."""
    from mou_builder.spec.loader import format_path

    return [
        finder.make(
            "placeholder", "warning", finder.section_of(path), path,
            f"still the placeholder {token}",
            "fill in the real value before the agreement is signed (--strict and agreement.final: true refuse "
            "placeholders)",
        )
        for path, token in ((format_path(loc), token) for loc, token in find_placeholders(spec))
    ]


def strict_findings(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` as ``--strict`` reads them: a placeholder is an error, because the draft cannot be signed."""
    return [replace(f, severity="error") if f.code == "placeholder" else f for f in findings]


@dataclass(frozen=True)
class NamedDefault:
    """A field whose default puts a term in the draft (see :func:`mou_builder.spec.model.named_default`)."""

    path: str  # "termination.cure_days"
    default: Any
    when: str | None  # the condition under which the draft uses it
    shows: str | None  # an expression for the value the draft uses, when it is derived


@lru_cache(maxsize=1)
def named_default_fields() -> tuple[NamedDefault, ...]:
    """Every named default of the spec model, in the order of the spec's sections."""
    from mou_builder.spec.loader import _unwrap

    out: list[NamedDefault] = []

    def walk(model: type[BaseModel], path: str) -> None:
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            full = f"{path}.{name}" if path else name
            if extra.get("x-named-default"):
                when, shows = extra.get("x-default-when"), extra.get("x-default-shows")
                default = info.get_default(call_default_factory=True)
                out.append(NamedDefault(full, default, str(when) if when else None, str(shows) if shows else None))
            inner = _unwrap(info.annotation)
            if inner is not None and "list[" not in str(info.annotation):  # list items carry no named defaults
                walk(inner, full)

    walk(Spec, "")
    return tuple(out)


def named_defaults(
    spec: Spec, context: Mapping[str, Any], finder: _Finder, covered: set[str] | None = None
) -> list[Finding]:
    """The named defaults in force: named-default fields the spec leaves out, in sections the
    draft has, whose condition holds."""
    out: list[Finding] = []
    for named in named_default_fields():
        parent, _, name = named.path.rpartition(".")
        model: Any = spec
        for part in parent.split("."):
            model = getattr(model, part, None)
        if model is None or name in model.model_fields_set:
            continue
        section = finder.section_of(named.path)
        if covered is not None and section not in covered and any(s.key == section for s in finder.library.sections):
            continue  # a section the draft does not have (agreement.* belongs to none, and always applies)
        if named.when and not evaluate(named.when, context, f"the default of {named.path}"):
            continue
        shown = _evaluate_value(named.shows, context) if named.shows else named.default
        does = BOOLEAN_DEFAULT_SAYS[named.path][bool(shown)] if isinstance(shown, bool) else None
        out.append(finder.make(
            "default-term", "info", finder.section_of(named.path), named.path,
            f"not set in the spec (default {_display(shown)}): {does}" if does
            else f"not set in the spec; the draft uses the default {_display(shown)}",
            f"set {named.path} to confirm this value or to choose another",
        ))
    if spec.legal is None:
        out.append(finder.make(
            "default-term", "info", "legal_status", "legal.binding",
            "not set in the spec; the draft is worded as a binding agreement (\"shall\")",
            "set legal.binding: true to confirm, or false for a statement of intent worded with \"will\"",
        ))
    return out


#: What the draft does under each value of a true/false named default, for its ``default-term`` finding:
#: "the default true" alone does not tell a reader whether the term is a right or a prohibition
#: (general_provisions.assignment true is the no-assignment clause). Every boolean named default has an
#: entry (a test holds it to that): (what the draft does when false, when true).
BOOLEAN_DEFAULT_SAYS: dict[str, tuple[str, str]] = {
    "data_sharing.research.aggregate_only": (
        "the draft lets results be published record by record",
        "the draft includes clause Aggregate Results Only (results published only in aggregate form)"),
    "data_sharing.research.no_contact": (
        "the draft does not forbid the recipient to contact the individuals the data describes",
        "the draft includes clause No Contact with Individuals (the recipient may not contact them)"),
    "data_sharing.research.provider_named": (
        "the draft says a publication does not name the provider as the source without its written consent",
        "the draft includes clause Naming the Source of the Data (the recipient may name the provider)"),
    "data_sharing.redisclosure_prohibited": (
        "the draft does not forbid the recipient to re-disclose the data",
        "the draft includes clause No Re-disclosure (the recipient may not re-disclose the data)"),
    "data_sharing.hipaa.minimum_necessary": (
        "the draft leaves out clause Minimum Necessary",
        "the draft includes clause Minimum Necessary (only the minimum information necessary is used)"),
    "data_sharing.hipaa.subcontractors": (
        "the draft does not require the business associate to bind its subcontractors to the same terms",
        "the draft requires the business associate to bind each subcontractor to the same terms"),
    "data_sharing.reidentification_prohibited": (
        "the draft does not forbid re-identifying the data",
        "the draft includes clause No Re-identification (no one may re-identify the data)"),
    "liability.defend": (
        "an indemnifying party indemnifies and holds harmless, but does not defend (pay for the defence)",
        "an indemnifying party also defends the other (pays for the defence)"),
    "liability.indemnity_procedure.settlement_consent": (
        "the draft is silent on settling a claim",
        "the draft says no party settles a claim that admits another's fault or binds it without its written "
        "consent"),
    "conflict_resolution.injunctive_relief": (
        "the draft leaves out clause Urgent Relief",
        "the draft includes clause Urgent Relief (a party may seek an injunction to stop irreparable harm)"),
    "conflict_resolution.continue_performance": (
        "the draft does not say the parties keep performing while a dispute is resolved",
        "the draft says the parties keep performing their obligations while a dispute is being resolved"),
    "amendment.in_writing": (
        "the draft does not require amendments to be in writing",
        "the draft includes clause Amendment (amendments must be in writing and signed by all parties)"),
    "termination.mutual": (
        "the draft leaves out clause Termination by Mutual Agreement",
        "the draft includes clause Termination by Mutual Agreement"),
    "general_provisions.entire_agreement": (
        "the draft leaves out clause Entire Agreement",
        "the draft includes clause Entire Agreement"),
    "general_provisions.severability": (
        "the draft leaves out clause Severability",
        "the draft includes clause Severability"),
    "general_provisions.waiver": (
        "the draft leaves out clause No Waiver",
        "the draft includes clause No Waiver"),
    "general_provisions.assignment": (
        "the draft leaves out clause No Assignment, so it does not restrict assignment",
        "the draft includes clause No Assignment (no Party may assign without the others' written consent)"),
    "general_provisions.counterparts": (
        "the draft leaves out clause Counterparts",
        "the draft includes clause Counterparts"),
    "general_provisions.electronic_signatures": (
        "the draft leaves out clause Electronic Signatures",
        "the draft includes clause Electronic Signatures"),
    "general_provisions.independent_parties": (
        "the draft leaves out clause Independent Parties",
        "the draft includes clause Independent Parties"),
}


def _evaluate_value(expression: str, context: Mapping[str, Any]) -> Any:
    from mou_builder.library.clauses import CONDITION_ENV

    return CONDITION_ENV.compile_expression(expression)(**context)


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "none" if value is None else str(value)


# ---------------------------------------------------------------- named checks


def _needs(source: str) -> str:
    """', with statement and ...' — the fields the section's model requires, if any."""
    from mou_builder.spec.loader import _unwrap

    info = Spec.model_fields.get(source)
    inner = _unwrap(info.annotation) if info is not None else None
    if inner is None:
        return ""
    required = [name for name, field in inner.model_fields.items() if field.is_required()]
    if not required:
        return ""
    each = "each with " if "list[" in str(info.annotation) else "with "
    return f", {each}" + and_list(required)


def _neighbour(spec: Spec, library: ClauseLibrary, profile: Profile, key: str) -> tuple[str, str] | None:
    """Where a missing section goes in the spec file: before the next section the file has
    (in the draft's order), else after the last one before it: ``('scope', 'before')``."""
    if spec.source is None:
        return None
    order = profile.ordered(library.sections)
    index = [s.key for s in order].index(key)
    present = lambda s: (s.source,) in spec.source.keys  # noqa: E731
    later = next((s.source for s in order[index + 1:] if present(s)), None)
    if later is not None:
        return later, "before"
    earlier = next((s.source for s in reversed(order[:index]) if present(s)), None)
    return (earlier, "after") if earlier is not None else None


def _at_place(finding: Finding, spec: Spec, library: ClauseLibrary, profile: Profile, key: str) -> Finding:
    """Locate a missing section where it would go, at the key of its neighbour in the file."""
    neighbour = _neighbour(spec, library, profile, key)
    if neighbour is None or spec.source is None:
        return finding
    other, side = neighbour
    line, column = spec.source.locate((other,), key=True)
    # right after the key it names: "add 'communication:' before 'data_sharing:', with ..." (no comma before
    # "before", which would cut the place off from the key it places)
    key_said = f"add '{finding.path}:'"
    hint = (finding.hint.replace(key_said, f"{key_said} {side} '{other}:'", 1) if finding.hint.startswith(key_said)
            else finding.hint.replace(" (see:", f", {side} '{other}:' (see:", 1))
    return replace(finding, hint=hint, line=line, column=column)


def _check_signatories(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    if not spec.signatories:
        return []  # the missing section is reported on its own
    out = []
    signed = {s.party for s in spec.signatories}
    for party in spec.parties:
        if party.id not in signed:
            out.append(finder.make(
                "missing-signatory", "error", "signatures", "signatories",
                f"no one signs for {party.short_name} ({party.id})",
                f"add a signatory with party: {party.id}, name and title",
            ))
    for i, signatory in enumerate(spec.signatories):
        if signatory.title is None:
            out.append(finder.make(
                "signatory-without-title", "warning", "signatures", f"signatories[{i}]",
                f"{signatory.name} signs without a title",
                "add the signer's title, which shows the authority to sign",
            ))
    return out


def _check_responsibilities(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    if not spec.responsibilities:
        return []
    doing = {r.accountable for r in spec.responsibilities} | {p for r in spec.responsibilities for p in r.responsible}
    return [
        finder.make(
            "party-without-responsibility", "warning", "responsibilities", "responsibilities",
            f"{party.short_name} ({party.id}) is neither accountable nor responsible for any activity",
            f"give {party.id} at least one activity, or say why it is a party",
        )
        for party in spec.parties if party.id not in doing
    ]


def _check_funding_plan(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    if not context["money_moves"] or spec.financial is None:
        return []
    out = []
    if spec.financial.funding_plan is None:
        out.append(finder.make(
            "no-funding-plan", "error", "financial", "financial.funding_plan",
            "money moves between the parties but there is no funding plan",
            "add financial.funding_plan: where the money comes from and what happens if it stops",
        ))
    if spec.financial.cost_allocation is None:
        out.append(finder.make(
            "no-cost-allocation", "warning", "financial", "financial.cost_allocation",
            "money moves between the parties but there is no cost allocation plan",
            "add financial.cost_allocation: how shared costs are divided",
        ))
    return out


def _check_budget(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    """Contributions against the budget, each counted at its most (see :func:`mou_builder.spec.money.maximum`).

    A not-to-exceed amount and a capped rate count as their ceiling; an
    amount set by a document without a ceiling, or a rate without a cap, is
    open-ended: it is reported, and the budget cannot be checked against it.
    """
    fin = spec.financial
    if fin is None:
        return []
    out = []
    open_ended = False
    for i, c in enumerate(fin.contributions):
        most = maximum(c)
        if c.kind == "cash" and most.amount is None:
            open_ended = open_ended or (c.currency or fin.currency) == fin.currency
            out.append(finder.make(
                "open-ended-amount", "warning", "financial", f"financial.contributions[{i}]",
                f"the contribution '{c.description}' has no upper limit: {most.open_because}",
                f"add {'rate.cap' if c.rate is not None else 'not_to_exceed'} so that the draft states the most "
                "the payer owes",
            ))
    if fin.budget_total is not None:
        budget, path, what = fin.budget_total, "financial.budget_total", "the budget is"
    elif fin.budget_by_year:
        budget = sum((p.amount for p in fin.budget_by_year if not is_placeholder(p.amount)), Decimal(0))
        path, what = "financial.budget_by_year", "the budget periods add up to"
    else:
        return out
    if open_ended:
        return out  # the sum is unknown; the open-ended amount is the finding
    mine = [c for c in fin.contributions if (c.currency or fin.currency) == fin.currency]
    counted = [c.amount if c.kind == "in_kind" else maximum(c).amount for c in mine]
    budgets = [fin.budget_total] if fin.budget_total is not None else [p.amount for p in fin.budget_by_year]
    unknown = [str(a) for a in (*budgets, *counted) if is_placeholder(a)]
    if unknown:
        # A sum with a value still to be filled in cannot be checked: say so, rather than guess.
        out.append(finder.make(
            "budget-unchecked", "warning", "financial", path,
            f"the contributions cannot be checked against the budget while {and_list(dict.fromkeys(unknown))} "
            f"{'is a placeholder' if len(set(unknown)) == 1 else 'are placeholders'}",
            "fill in the amounts; check then adds them up against the budget",
        ))
        return out
    amounts = (c.amount if c.kind == "in_kind" else maximum(c).amount for c in mine)
    total = sum((a for a in amounts if a is not None), Decimal(0))
    if total == budget:
        return out
    at_most = "at most " if any(c.kind == "cash" and not maximum(c).exact for c in mine) else ""
    out.append(finder.make(
        "budget-mismatch", "error", "financial", path,
        f"contributions add up to {at_most}{format_money(total, fin.currency)} but {what} "
        f"{format_money(budget, fin.currency)}",
        "correct the amounts or the budget_total so that they agree",
    ))
    return out


def _check_public_indemnitor(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    """A public body that indemnifies: many cannot by law (the clause says 'to the extent the law allows')."""
    li = spec.liability
    if li is None:
        return []
    public = {p.id for p in spec.parties if p.public_body}
    givers: list[tuple[str, str]] = []  # (path, party id)
    if li.mode == "mutual_indemnity":
        givers += [("liability.mode", pid) for pid in sorted(public)]
    if li.mode == "one_way" and li.indemnitor in public:
        givers.append(("liability.indemnitor", li.indemnitor))
    givers += [(f"liability.indemnities[{i}].indemnitor", ind.indemnitor)
               for i, ind in enumerate(li.indemnities) if ind.indemnitor in public]
    return [finder.make(
        "public-body-indemnifies", "warning", "liability", path,
        f"{spec.party(pid).short_name} is a public body and indemnifies another party; many public bodies may not "
        "indemnify by law",
        "confirm with its counsel that it may, or rely on each party answering for its own acts (mode own_acts)",
    ) for path, pid in givers]


#: The most words of a name looked up among the text's runs of words (longer ones are searched for).
_RUN_WORDS = 8


def _check_defined_names(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    """A party alias or a body's short name that nothing in the draft uses: a defined term never used."""
    texts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    # Names are left out: "Team" inside "the University Research Team" is not a use of "the Team".
    walk(spec.model_dump(mode="json", exclude={"parties": {"__all__": {"aliases", "short_name", "legal_name"}},
                                               "bodies": {"__all__": {"short_name", "name"}}}))

    # Every run of as many words as a name has, once: each name is then one look-up, however many names and
    # however long the text (one search per name over all the text grew with their product). A name of more
    # than a few words (no real alias) is searched for in the text instead.
    names = [a for p in spec.parties for a in p.aliases] + [b.short_name for b in spec.bodies if b.short_name]
    sizes = {n for n in (len(re.findall(r"\w+", re.sub(r"^the\s+", "", name, flags=re.I))) for name in names)
             if 0 < n <= _RUN_WORDS}
    runs: set[tuple[str, ...]] = set()
    for text in texts if sizes else ():
        words = re.findall(r"\w+", text)
        for size in sizes:
            runs.update(tuple(words[k:k + size]) for k in range(len(words) - size + 1))

    def used(name: str) -> bool:
        word = re.sub(r"^the\s+", "", name, flags=re.I)
        words = tuple(re.findall(r"\w+", word))
        if len(words) > _RUN_WORDS:
            return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) for text in texts)
        return not words or words in runs

    out = []
    for i, party in enumerate(spec.parties):
        for j, alias in enumerate(party.aliases):
            if not used(alias):
                out.append(finder.make(
                    "unused-name", "warning", "parties", f"parties[{i}].aliases[{j}]",
                    f"alias {alias!r} of {party.short_name} is defined in the parties table but no text of the spec "
                    "uses it",
                    "use it in the spec's own text (activities, recitals, ...), or remove it: a defined term is used",
                ))
    # The library names a body when the spec refers to it: consulted, informed, reports, copies, a committee.
    comm, mon = spec.communication, spec.monitoring
    referred = {i for r in spec.responsibilities for i in (*r.consulted, *r.informed)}
    referred |= set(mon.report_recipients) if mon else set()
    referred |= set(comm.notice_copies) if comm else set()
    referred |= {b.id for b in spec.bodies if b.kind == "committee"} if comm else set()
    for i, body in enumerate(spec.bodies):
        if body.short_name and body.id not in referred and not used(body.short_name):
            out.append(finder.make(
                "unused-name", "warning", "parties", f"bodies[{i}].short_name",
                f"{body.short_name!r} is defined for {body.name} but nothing in the draft refers to {body.id!r}",
                f"refer to {body.id} (responsibilities consulted or informed, monitoring.report_recipients, "
                "communication.notice_copies) or use the name in the spec's text, or remove short_name",
            ))
    return out


def _check_notice_addresses(spec: Spec, finder: _Finder, context: Mapping[str, Any]) -> list[Finding]:
    """Notices may go by a method that needs an address, but a party has none."""
    comm = spec.communication
    if comm is None or not set(comm.notice_methods) - {"email", "email_with_confirmation"}:
        return []
    return [
        finder.make(
            "no-notice-address", "warning", "communication", f"parties[{i}]",
            f"notices may be sent by {', '.join(m for m in comm.notice_methods if 'email' not in m)}, but "
            f"{party.short_name} ({party.id}) has no address to send them to",
            f"add parties[{i}].notice_address (or address)",
        )
        for i, party in enumerate(spec.parties) if party.notice_address is None and party.address is None
    ]


_CHECKS = {
    "public_body_indemnity": _check_public_indemnitor,
    "signatories": _check_signatories,
    "responsibilities_per_party": _check_responsibilities,
    "funding_plan": _check_funding_plan,
    "budget": _check_budget,
    "defined_names": _check_defined_names,
    "notice_addresses": _check_notice_addresses,
}
