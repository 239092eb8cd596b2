"""One test per completeness rule: each fires, stays quiet, and is held at its boundary.

Every case starts from an example spec that the rule's profile finds complete,
changes one thing, and compares the rule's findings exactly, so that a rule
that is switched off, or moved one step either side of its boundary, fails here.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT
from mou_builder.library.clauses import load_library
from mou_builder.library.completeness import check, load_profile, named_default_fields
from mou_builder.errors import SpecError
from mou_builder.spec.loader import read_spec_data, validate_spec

EXAMPLES = ROOT / "docs" / "examples"
CITY = EXAMPLES / "city-data-grant.yaml"  # money moves, a public body, personal data
HEAD_START = EXAMPLES / "head-start-coordination.yaml"
LIBRARY = EXAMPLES / "library-literacy.yaml"  # no cost
HOSPITAL = EXAMPLES / "hospital-food-bank.yaml"  # protected health information under HIPAA


def _data(path: Path) -> dict[str, Any]:
    return copy.deepcopy(read_spec_data(path)[0])


def _student_data() -> dict[str, Any]:
    data = _data(CITY)
    data["agreement"]["profile"] = "student_data"
    data["data_sharing"]["redisclosure_prohibited"] = True
    # records used for a study: the research rules apply, and are met
    data["data_sharing"].update(publication_review_days=30, retention_basis="no_longer_needed",
                                research={"aggregate_only": True})
    return data


def _health_data() -> dict[str, Any]:
    data = _data(HOSPITAL)
    # the recipient as business associate, so the business-associate rules apply
    data["data_sharing"]["hipaa"].update(business_associate="foodbank", subcontractors=True)
    # a county hospital: a public body, so the conditional legal-status rules apply too
    data["parties"][0]["public_body"] = True
    data["legal"]["authority"] = ["Ohio Revised Code 339.06 (county hospitals)"]
    return data


BASES = {"general": lambda: _data(CITY), "head_start": lambda: _data(HEAD_START), "student_data": _student_data,
         "health_data": _health_data}

#: Required fields that default to true: only false leaves them out.
_TRUE_BY_DEFAULT = {"data_sharing.redisclosure_prohibited", "data_sharing.research.aggregate_only",
                    "data_sharing.hipaa.minimum_necessary", "data_sharing.hipaa.subcontractors"}
#: Required fields with a default number: only null leaves them out.
_NULL_LEAVES_OUT = {"data_sharing.breach_notice_days"}


def _set(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    if value is _DELETE:
        data.pop(last, None)
    else:
        data[last] = value


_DELETE = object()


def found(data: dict[str, Any], code: str | None = None, profile: str | None = None) -> list[tuple[str, str]]:
    """(code, path) of every finding (of ``code``) for the spec ``data``."""
    return [(f.code, f.path) for f in check(validate_spec(data), profile) if code is None or f.code == code]


def whole(data: dict[str, Any], code: str) -> list[tuple[str, str, str, str, str, str]]:
    """Every field of each finding of ``code``: code, severity, section, path, message, hint."""
    return [(f.code, f.severity, f.section, f.path, f.message, f.hint) for f in check(validate_spec(data)) if f.code == code]


def problems(data: dict[str, Any], profile: str | None = None) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in check(validate_spec(data), profile, defaults=False)]


@pytest.mark.parametrize("profile", sorted(BASES))
def test_each_base_is_complete_for_its_profile(profile: str) -> None:
    assert problems(BASES[profile](), profile) == []


# ------------------------------------------------------------ missing-section


def _section_cases() -> list[tuple[str, str]]:
    cases = []
    for profile in sorted(BASES):
        loaded = load_profile(profile)
        keys = [*loaded.required_sections, *(c.section for c in loaded.conditional_sections)]
        cases += [(profile, key) for key in dict.fromkeys(keys) if key != "parties"]  # the model requires parties
    return cases


@pytest.mark.parametrize(("profile", "section"), _section_cases())
def test_missing_section_fires_for_each_required_section(profile: str, section: str) -> None:
    source = load_library().section(section).source
    data = BASES[profile]()
    assert ("missing-section", source) not in problems(data, profile)
    _set(data, source, _DELETE)
    assert found(data, "missing-section", profile) == [("missing-section", source)]
    [finding] = [f for f in check(validate_spec(data), profile) if f.code == "missing-section"]
    because = {c.section: c.because for c in load_profile(profile).conditional_sections}
    why = f" ({because[section]})" if section in because and section not in load_profile(profile).required_sections else ""
    assert (finding.severity, finding.section, finding.message) == (
        "error", section, load_library().section(section).missing + why,
    )
    # the hint names the section, the fields it needs, and the command that documents it
    assert finding.hint.startswith(f"add '{source}:'") and finding.hint.endswith(f"(see: mou-build reference {source})")


@pytest.mark.parametrize(
    ("change", "required"),
    [
        ({"kind": "in_kind"}, False),  # no cash: no money moves
        ({"kind": "cash"}, True),
    ],
)
def test_monitoring_is_required_exactly_when_money_moves(change: dict[str, str], required: bool) -> None:
    data = _data(CITY)
    data["financial"]["contributions"][0].update(change)
    data.pop("monitoring")
    assert (("missing-section", "monitoring") in problems(data)) is required


def test_no_cost_agreement_does_not_require_monitoring() -> None:
    data = _data(LIBRARY)
    data.pop("monitoring")
    assert ("missing-section", "monitoring") not in problems(data)
    data["financial"]["no_cost"] = False
    data["financial"]["contributions"][0]["kind"] = "cash"
    data["financial"]["contributions"][0]["amount"] = "1.00"
    assert ("missing-section", "monitoring") in problems(data)


@pytest.mark.parametrize(("public", "required"), [(None, False), (False, False), (True, True)])
def test_legal_status_is_required_exactly_when_a_party_is_public(public: bool | None, required: bool) -> None:
    data = _data(CITY)
    for party in data["parties"]:
        party.pop("public_body", None)
    if public is not None:
        data["parties"][1]["public_body"] = public
    data.pop("legal")
    assert (("missing-section", "legal") in problems(data)) is required


# ------------------------------------------------------------ missing-field and head-start-topic


def _field_cases() -> list[tuple[str, str, str]]:
    cases = []
    for profile in sorted(BASES):
        for rule in load_profile(profile).required_fields:
            # scope.participants depends on the program name and data_sharing.mode on a value: tested below
            if rule.path not in ("scope.participants", "data_sharing.mode"):
                cases.append((profile, rule.path, rule.code))
    return sorted(set(cases))


@pytest.mark.parametrize(("profile", "path", "code"), _field_cases())
def test_each_required_field_fires_when_left_out(profile: str, path: str, code: str) -> None:
    data = BASES[profile]()
    assert (code, path) not in problems(data, profile)
    if path in _TRUE_BY_DEFAULT:
        _set(data, path, False)
    elif path in _NULL_LEAVES_OUT:
        _set(data, path, None)
    elif path == "data_sharing.destruction_days":  # the fields that say how the data ends need a deadline
        for name in ("destruction_days", "retention_basis", "disposition", "certificate_days"):
            data["data_sharing"].pop(name, None)
    else:
        _set(data, path, _DELETE)
    # the rule's own finding(s), and nothing else about that path but the clause that needs the data
    reported = [p for p in problems(data, profile) if p[1] == path and p[0] != "clause-missing-data"]
    assert reported and set(reported) == {(code, path)}
    messages = {f.message for f in check(validate_spec(data), profile) if (f.code, f.path) == (code, path)}
    assert messages == {r.message for r in load_profile(profile).required_fields if r.path == path}


@pytest.mark.parametrize("path", ["data_sharing.legal_basis", "data_sharing.security", "data_sharing.destruction_days"])
def test_personal_data_fields_are_not_asked_for_de_identified_data(path: str) -> None:
    data = _data(CITY)
    _set(data, path, _DELETE)
    assert ("missing-field", path) in problems(data)
    data["data_sharing"]["mode"] = "de_identified"
    assert ("missing-field", path) not in problems(data)


def test_legal_authority_is_asked_for_only_when_a_party_is_public() -> None:
    data = _data(CITY)
    data["legal"].pop("authority")
    assert ("missing-field", "legal.authority") in problems(data)
    for party in data["parties"]:
        party["public_body"] = False
    assert ("missing-field", "legal.authority") not in problems(data)


@pytest.mark.parametrize(("value", "fires"), [(False, True), (True, False)])
def test_redisclosure_must_be_prohibited_true_not_false(value: bool, fires: bool) -> None:
    data = _student_data()
    data["data_sharing"]["redisclosure_prohibited"] = value
    assert (("missing-field", "data_sharing.redisclosure_prohibited") in problems(data, "student_data")) is fires


@pytest.mark.parametrize(("mode", "fires"), [("personal", False), ("de_identified", True)])
def test_student_data_mode_must_equal_personal(mode: str, fires: bool) -> None:
    data = _student_data()
    data["data_sharing"]["mode"] = mode
    assert (("missing-field", "data_sharing.mode") in problems(data, "student_data")) is fires


@pytest.mark.parametrize(
    ("program", "fires"),
    [("Early Head Start", True), ("EARLY Head Start partnership", True), ("Head Start", False), (None, False)],
)
def test_early_head_start_must_count_participants(program: str | None, fires: bool) -> None:
    data = _data(HEAD_START)
    data["scope"].pop("participants", None)
    _set(data, "agreement.program", _DELETE if program is None else program)
    assert (("missing-field", "scope.participants") in problems(data)) is fires


def test_a_head_start_topic_written_as_none_counts_as_covered() -> None:
    data = _data(HEAD_START)
    data["head_start"]["other_elements"] = "None."
    assert problems(data) == []
    data["head_start"].pop("other_elements")
    assert problems(data) == [("head-start-topic", "head_start.other_elements")]


# ------------------------------------------------------------ signatories


def test_missing_signatory_fires_per_unsigned_party() -> None:
    data = _data(CITY)
    assert found(data, "missing-signatory") == []
    data["signatories"] = data["signatories"][:1]
    assert found(data, "missing-signatory") == [("missing-signatory", "signatories")]
    assert whole(data, "missing-signatory") == [(
        "missing-signatory", "error", "signatures", "signatories", "no one signs for Hope House (hopehouse)",
        "add a signatory with party: hopehouse, name and title",
    )]


def test_no_signatories_at_all_is_a_missing_section_not_a_missing_signatory() -> None:
    data = _data(CITY)
    data.pop("signatories")
    assert problems(data) == [("missing-section", "signatories")]


def test_two_signatories_for_one_party_still_leave_the_other_unsigned() -> None:
    data = _data(CITY)
    data["signatories"][1] = {**data["signatories"][0], "name": "Second Signer"}
    assert found(data, "missing-signatory") == [("missing-signatory", "signatories")]


@pytest.mark.parametrize("index", [0, 1])
def test_signatory_without_title_names_the_signatory(index: int) -> None:
    data = _data(CITY)
    assert found(data, "signatory-without-title") == []
    data["signatories"][index].pop("title")
    name = data["signatories"][index]["name"]
    assert whole(data, "signatory-without-title") == [(
        "signatory-without-title", "warning", "signatures", f"signatories[{index}]", f"{name} signs without a title",
        "add the signer's title, which shows the authority to sign",
    )]


# ------------------------------------------------------------ responsibilities


@pytest.mark.parametrize(
    ("role", "fires"),
    [("accountable", False), ("responsible", False), ("consulted", True), ("informed", True), (None, True)],
)
def test_party_without_responsibility_counts_only_accountable_and_responsible(role: str | None, fires: bool) -> None:
    data = _data(LIBRARY)
    lead = "library"
    data["responsibilities"] = [{"activity": "Run the events", "accountable": lead, "responsible": [lead]}]
    if role == "accountable":
        data["responsibilities"].append({"activity": "Train tutors", "accountable": "readers"})
    elif role is not None:
        data["responsibilities"][0][role] = ["readers"]
    expected = [(
        "party-without-responsibility", "warning", "responsibilities", "responsibilities",
        "the Collective (readers) is neither accountable nor responsible for any activity",
        "give readers at least one activity, or say why it is a party",
    )] if fires else []
    assert whole(data, "party-without-responsibility") == expected


# ------------------------------------------------------------ money


@pytest.mark.parametrize(("field", "code"), [("funding_plan", "no-funding-plan"), ("cost_allocation", "no-cost-allocation")])
def test_money_plans_are_asked_for_only_when_money_moves(field: str, code: str) -> None:
    data = _data(CITY)
    assert found(data, code) == []
    data["financial"].pop(field)
    [finding] = whole(data, code)
    assert finding[:4] == (code, "error" if field == "funding_plan" else "warning", "financial", f"financial.{field}")
    assert finding[4:] == {
        "funding_plan": ("money moves between the parties but there is no funding plan",
                         "add financial.funding_plan: where the money comes from and what happens if it stops"),
        "cost_allocation": ("money moves between the parties but there is no cost allocation plan",
                            "add financial.cost_allocation: how shared costs are divided"),
    }[field]
    data["financial"]["contributions"][0]["kind"] = "in_kind"
    assert found(data, code) == []


@pytest.mark.parametrize(
    ("amount", "fires"),
    [("250000.00", False), ("249999.99", True), ("250000.01", True), ("250000", False)],
)
def test_budget_mismatch_at_one_cent(amount: str, fires: bool) -> None:
    data = _data(CITY)
    data["financial"]["contributions"][0]["amount"] = amount
    data["financial"]["contributions"][0]["cap"] = "300000.00"
    assert found(data, "budget-mismatch") == ([("budget-mismatch", "financial.budget_total")] if fires else [])


def test_budget_total_sums_every_contribution_in_the_budget_currency() -> None:
    data = _data(CITY)
    first = data["financial"]["contributions"][0]
    first.update(amount="200000.00", cap=None)
    first.pop("cap")
    second = {"payer": "hopehouse", "payee": "city", "kind": "in_kind", "description": "Office space", "amount": "50000.00"}
    data["financial"]["contributions"].append(second)
    assert found(data, "budget-mismatch") == []
    second["currency"] = "EUR"  # another currency does not count toward the budget
    assert found(data, "budget-mismatch") == [("budget-mismatch", "financial.budget_total")]
    assert whole(data, "budget-mismatch") == [(
        "budget-mismatch", "error", "financial", "financial.budget_total",
        "contributions add up to $200,000.00 but the budget is $250,000.00",
        "correct the amounts or the budget_total so that they agree",
    )]


def test_no_budget_total_means_no_budget_check() -> None:
    data = _data(CITY)
    data["financial"].pop("budget_total")
    data["financial"]["contributions"][0]["amount"] = "1.00"
    assert found(data, "budget-mismatch") == []


@pytest.mark.parametrize(("amount", "valid"), [("250000.00", True), ("249999.99", True), ("250000.01", False)])
def test_amount_may_equal_the_cap_but_not_exceed_it(amount: str, valid: bool) -> None:
    data = _data(CITY)
    data["financial"]["contributions"][0]["amount"] = amount
    data["financial"].pop("budget_total")
    if valid:
        validate_spec(data)
    else:
        with pytest.raises(SpecError, match=r"amount 250000\.01 is above the cap 250000\.00"):
            validate_spec(data)


# ------------------------------------------------------------ clause-missing-data


def test_clause_missing_data_fires_for_a_clause_whose_data_is_absent() -> None:
    data = _data(CITY)
    data["clauses"] = {"pin": ["termination.convenience"]}
    data["termination"].pop("convenience_days", None)
    assert found(data, "clause-missing-data") == [("clause-missing-data", "termination.convenience_days")]
    data["termination"]["convenience_days"] = 30
    assert found(data, "clause-missing-data") == []


# ------------------------------------------------------------ default-term


def _default_cases() -> list[str]:
    data = _data(CITY)
    spec = validate_spec(data)
    cases = []
    for named in named_default_fields():
        parent, _, name = named.path.rpartition(".")
        model = spec
        for part in parent.split("."):
            model = getattr(model, part, None)
        if model is not None and name in model.model_fields_set and not named.when:
            cases.append(named.path)
    # leaving these out alone makes the spec invalid (indemnitor, start) or is not a section (agreement)
    return [c for c in cases if c not in ("agreement.kind", "liability.mode", "term.effective")]
    return cases


@pytest.mark.parametrize("path", _default_cases())
def test_default_term_fires_when_a_named_default_is_left_out(path: str) -> None:
    data = _data(CITY)
    assert ("default-term", path) not in found(data, "default-term")
    _set(data, path, _DELETE)
    assert ("default-term", path) in found(data, "default-term")


@pytest.mark.parametrize(("renewal", "fires"), [("automatic", True), ("none", False)])
def test_default_term_respects_its_condition(renewal: str, fires: bool) -> None:
    data = _data(CITY)
    data["term"]["renewal"] = renewal
    data["term"].pop("nonrenewal_notice_days", None)
    assert (("default-term", "term.nonrenewal_notice_days") in found(data, "default-term")) is fires


def test_default_term_is_not_reported_for_a_section_the_draft_lacks() -> None:
    data = _data(CITY)
    data["intellectual_property"].pop("ownership")
    assert ("default-term", "intellectual_property.ownership") in found(data, "default-term")
    data.pop("intellectual_property")
    assert not [p for p in found(data, "default-term") if p[1].startswith("intellectual_property.")]


def test_legal_binding_default_fires_only_without_a_legal_section() -> None:
    data = _data(CITY)
    assert ("default-term", "legal.binding") not in found(data, "default-term")
    data.pop("legal")
    assert ("default-term", "legal.binding") in found(data, "default-term")


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("liability.defend", "false"),  # a boolean, as YAML writes it
        ("conflict_resolution.injunctive_relief", "true"),
        ("communication.notice_methods", "[email, mail]"),  # a list, as a flow sequence
        ("intellectual_property.ownership", "each_own"),
        ("term.renewal", "none"),
    ],
)
def test_default_term_message_shows_the_default_as_the_spec_would_write_it(path: str, shown: str) -> None:
    data = _data(CITY)
    _set(data, path, _DELETE)
    [finding] = [f for f in check(validate_spec(data)) if (f.code, f.path) == ("default-term", path)]
    from mou_builder.library.completeness import BOOLEAN_DEFAULT_SAYS

    # a true/false default says what the draft does with it besides the value
    message = (f"not set in the spec (default {shown}): {BOOLEAN_DEFAULT_SAYS[path][shown == 'true']}"
               if shown in ("true", "false") else f"not set in the spec; the draft uses the default {shown}")
    assert (finding.severity, finding.section, finding.message, finding.hint) == (
        "info", path.split(".")[0], message, f"set {path} to confirm this value or to choose another",
    )


def test_a_spec_made_without_the_loader_gets_the_same_findings_unlocated() -> None:
    from mou_builder.spec.model import Spec

    data = _data(CITY)
    data["signatories"][1].pop("title")
    located = check(validate_spec(copy.deepcopy(data)))
    bare = check(Spec.model_validate(data))
    key = [(f.code, f.severity, f.section, f.path, f.message, f.hint) for f in located]
    assert [(f.code, f.severity, f.section, f.path, f.message, f.hint) for f in bare] == key
    assert ("signatory-without-title", "warning", "signatures", "signatories[1]") in [k[:4] for k in key]
    assert {(f.source, f.line, f.column) for f in bare} == {(None, None, None)}


def test_a_finding_on_a_list_item_is_located_at_that_item() -> None:
    from mou_builder.spec.loader import load_spec_text

    text = CITY.read_text(encoding="utf-8").replace("    title: Chief Executive Officer\n", "")
    [finding] = [f for f in check(load_spec_text(text, source="city.yaml")) if f.code == "signatory-without-title"]
    line = text.splitlines().index("  - party: hopehouse") + 1
    assert (finding.path, finding.source, finding.line, finding.column) == ("signatories[1]", "city.yaml", line, 5)


# ---------------------------------------------------------------- money not fixed in advance

FISCAL = EXAMPLES / "fiscal-sponsorship.yaml"  # a ceiling set by a budget, instalments, a fee, a budget by year


def _fiscal_cash() -> tuple[dict[str, Any], dict[str, Any]]:
    """The fiscal sponsorship spec and its cash contribution (ceiling 184,000.00 + in kind 2,400.00 = budget)."""
    data = _data(FISCAL)
    return data, data["financial"]["contributions"][0]


@pytest.mark.parametrize(
    ("ceiling", "fires"),
    [("184000.00", False), ("183999.99", True), ("184000.01", True), ("184000", False)],
)
def test_a_not_to_exceed_amount_counts_as_its_ceiling_at_one_cent(ceiling: str, fires: bool) -> None:
    data, cash = _fiscal_cash()
    cash["not_to_exceed"] = ceiling
    assert found(data, "budget-mismatch") == ([("budget-mismatch", "financial.budget_total")] if fires else [])
    if fires:
        # a ceiling is "at most": the message does not claim the contributions come to that sum
        assert whole(data, "budget-mismatch")[0][4].startswith("contributions add up to at most $")


@pytest.mark.parametrize(("cap", "fires"), [("184000.00", False), ("183999.99", True), ("184000.01", True)])
def test_a_rate_with_a_cap_counts_as_its_cap_at_one_cent(cap: str, fires: bool) -> None:
    data, cash = _fiscal_cash()
    for name in ("not_to_exceed", "amount_set_by", "instalments"):
        cash.pop(name)
    cash.update(basis="rate", amount="1000.00", rate={"amount": "45.00", "per": "hour", "cap": cap})
    assert found(data, "budget-mismatch") == ([("budget-mismatch", "financial.budget_total")] if fires else [])
    assert found(data, "open-ended-amount") == []


@pytest.mark.parametrize("change", [
    {"not_to_exceed": _DELETE, "instalments": _DELETE},  # set by the approved budget, with no ceiling
    {"not_to_exceed": _DELETE, "amount_set_by": _DELETE, "instalments": _DELETE, "basis": "rate",
     "rate": {"amount": "45.00", "per": "hour"}},  # a rate with no cap
])
def test_an_open_ended_amount_is_a_warning_and_the_budget_is_not_checked(change: dict[str, Any]) -> None:
    data, cash = _fiscal_cash()
    for key, value in change.items():
        _set(cash, key, value)
    data["financial"]["budget_total"] = "1.00"  # would mismatch, were the sum known
    data["financial"].pop("budget_by_year")
    findings = [f for f in check(validate_spec(data)) if f.severity != "info"]
    assert [(f.code, f.severity, f.path) for f in findings] == [
        ("open-ended-amount", "warning", "financial.contributions[0]")]
    because = "set by the project budget approved by the Greenway Foundation with no ceiling" if "rate" not in change \
        else "paid at a rate per hour with no cap"
    assert because in findings[0].message
    # the hint names the field that would bound it: a cap for a rate, a ceiling otherwise
    field = "rate.cap" if "rate" in change else "not_to_exceed"
    assert findings[0].hint == f"add {field} so that the draft states the most the payer owes"


def test_a_fixed_amount_is_never_open_ended() -> None:
    data, cash = _fiscal_cash()
    for name in ("not_to_exceed", "amount_set_by"):
        cash.pop(name)
    cash["amount"] = "184000.00"
    assert found(data, "open-ended-amount") == [] and found(data, "budget-mismatch") == []


@pytest.mark.parametrize(("second_year", "fires"), [("93200.00", False), ("93199.99", True), ("93200.01", True)])
def test_without_a_total_the_budget_by_year_is_the_budget(second_year: str, fires: bool) -> None:
    data, _ = _fiscal_cash()
    data["financial"].pop("budget_total")
    data["financial"]["budget_by_year"][1]["amount"] = second_year
    assert found(data, "budget-mismatch") == ([("budget-mismatch", "financial.budget_by_year")] if fires else [])
    if fires:
        assert "but the budget periods add up to" in whole(data, "budget-mismatch")[0][4]


@pytest.mark.parametrize("cash", [
    {"not_to_exceed": "5000.00"},
    {"amount_set_by": "the approved budget", "not_to_exceed": "5000.00"},
    {"basis": "rate", "rate": {"amount": "10.00", "per": "participant", "cap": "5000.00"}},
    {"amount": "5000.00", "instalments": {"count": 2, "cadence": "each June"}},
    {"amount": "5000.00", "admin_fee_percent": "8"},
])
def test_every_kind_of_cash_needs_monitoring_and_a_funding_plan(cash: dict[str, Any]) -> None:
    data = _data(LIBRARY)  # no cost: neither monitoring nor a funding plan is asked for
    data.pop("monitoring")
    assert ("missing-section", "monitoring") not in problems(data)
    data["financial"]["no_cost"] = False
    data["financial"]["contributions"] = [{"payer": data["parties"][0]["id"], "payee": data["parties"][1]["id"],
                                           "description": "Program grant", **cash}]
    assert {("missing-section", "monitoring"), ("no-funding-plan", "financial.funding_plan")} <= set(problems(data))



@pytest.fixture
def public_indemnity_profile(tmp_path: Path) -> Path:
    """The general profile with the opt-in check of public bodies that indemnify."""
    profile = tmp_path / "strict.yaml"
    profile.write_text("id: strict\ntitle: Strict\nextends: general\nchecks: [public_body_indemnity]\n",
                       encoding="utf-8")
    return profile


def _public_indemnities(data: dict[str, Any], profile: Path) -> list[tuple[str, str, str, str, str, str]]:
    return [(f.code, f.severity, f.section, f.path, f.message, f.hint) for f in check(validate_spec(data), profile)
            if f.code == "public-body-indemnifies"]


def test_a_public_body_that_indemnifies_one_way_is_warned_about_and_a_private_one_is_not(
    public_indemnity_profile: Path,
) -> None:
    data = _data(CITY)  # the City (public) is indemnified by Hope House (private): nothing to say
    assert _public_indemnities(data, public_indemnity_profile) == []
    data["liability"].update(indemnitor="city", indemnitee="hopehouse")
    assert _public_indemnities(data, public_indemnity_profile) == [(
        "public-body-indemnifies", "warning", "liability", "liability.indemnitor",
        "the City is a public body and indemnifies another party; many public bodies may not indemnify by law",
        "confirm with its counsel that it may, or rely on each party answering for its own acts (mode own_acts)")]


def test_mutual_indemnity_warns_once_for_each_public_party(public_indemnity_profile: Path) -> None:
    data = _data(CITY)
    data["liability"] = {"mode": "mutual_indemnity"}
    assert [(f[3], f[4].split(" is ")[0]) for f in _public_indemnities(data, public_indemnity_profile)] == [
        ("liability.mode", "the City")]
    data["parties"][1]["public_body"] = True
    assert [(f[3], f[4].split(" is ")[0]) for f in _public_indemnities(data, public_indemnity_profile)] == [
        ("liability.mode", "the City"), ("liability.mode", "Hope House")]


def test_an_open_ended_rate_is_told_to_add_a_cap() -> None:
    data = _data(ROOT / "tests" / "data" / "valid" / "money-rate.yaml")
    hints = {f.path: f.hint for f in check(validate_spec(data)) if f.code == "open-ended-amount"}
    assert hints == {"financial.contributions[1]": "add rate.cap so that the draft states the most the payer owes"}


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_a_profile_file_that_is_not_there_is_reported_by_its_path_not_looked_up_as_a_built_in(
    tmp_path: Path, suffix: str
) -> None:
    from mou_builder.library.completeness import ProfileError

    path = tmp_path / f"strict{suffix}"
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert str(refused.value) == f"{path}: cannot be read (No such file or directory)"


def test_a_profile_file_changed_to_the_same_size_is_read_again(tmp_path: Path) -> None:
    import os

    path = tmp_path / "strict.yaml"
    path.write_text("id: strict\ntitle: Strict\nextends: general\n", encoding="utf-8")
    assert load_profile(path).title == "Strict"
    path.write_text("id: strict\ntitle: Stern!\nextends: general\n", encoding="utf-8")  # the same number of bytes
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later edit, as a clock would say
    assert load_profile(path).title == "Stern!"


def test_a_missing_list_section_is_told_to_be_added_with_nothing_more_required(tmp_path: Path) -> None:
    profile = tmp_path / "background.yaml"
    profile.write_text("id: background\ntitle: Background\nextends: general\nrequired_sections: [recitals]\n",
                       encoding="utf-8")
    data = _data(CITY)
    del data["recitals"]
    [finding] = [f for f in check(validate_spec(data), profile) if (f.code, f.path) == ("missing-section", "recitals")]
    assert finding.hint == "add 'recitals:' (see: mou-build reference recitals)"  # a list of text: no fields to name
