"""Money without a fixed amount: ceilings, amounts set by a document, rates, instalments, fees, budgets by year.

What each field makes the draft say, that instalments always add up to the
total to the cent, and that a change to any of the fields is reported as
that field by ``mou-build diff`` and marked in the Word redline.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, strategies as st

from conftest import DATA, ROOT
from docx_reading import as_word_shows
from docx_revisions import W, accept_all, body, reject_all
from mou_builder.assembly import assemble
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.spec.model import Contribution
from mou_builder.spec.money import maximum, schedule
from mou_builder.review.drafts import summarize_changes
from mou_builder.render.text import document_paragraphs, render_markdown
from mou_builder.review.tracked_changes import render_redline

VALID = DATA / "valid"
FISCAL = ROOT / "docs" / "examples" / "fiscal-sponsorship.yaml"


def _markdown(path: Path) -> str:
    return render_markdown(assemble(load_spec(path)))


# ---------------------------------------------------------------- what the draft says


@pytest.mark.parametrize(("fixture", "sentences"), [
    ("money-not-to-exceed", [
        "Alpha shall pay Beta up to $50,000.00 for the following: program grant.",
        "which together do not exceed the total budget of $50,000.00",
        "| Alpha | Beta | Program grant | Cash | up to $50,000.00 |",
    ]),
    ("money-amount-set-by", [
        # the exhibit reference names the exhibit as the draft letters it
        "Alpha shall pay Beta the amount set by the budget in [Exhibit A](#exhibit-budget) (Approved Budget) approved by the Steering "
        "Committee, but not more than $80,000.00, for the following: program grant.",
    ]),
    ("money-rate", [
        "Alpha shall pay Beta $75.00 per hour, plus a fixed sum of $2,000.00, for the following: tutoring, up to a "
        "total of $20,000.00 including the fixed sum.",
        "Beta shall pay Alpha $120.00 per participant for the following: summer camp places.",
        "| Beta | Alpha | Summer camp places | Cash; $120.00 per participant | not fixed |",
    ]),
    ("money-instalments", [
        "Alpha shall pay it in three (3) instalments, on the first business day of each calendar quarter: "
        "$33,333.33 each, except the last, which is $33,333.34 and includes the remainder.",
        "Alpha shall pay it in two (2) instalments, on the dates and in the amounts shown in the payment schedule below.",
        "Alpha shall pay it in three (3) instalments, at the start of each school term, in the amounts shown in the "
        "payment schedule below.",
        "| Start-up grant | 1 of 2 | January 15, 2027 | $20,000.00 |",
        "| Equipment grant | 1 of 3 | At the start of each school term | $6,000.00 |",
        "| **Total: Equipment grant** |  |  | **$12,000.00** |",
    ]),
    ("money-admin-fee", [
        "Alpha may retain, as an administrative fee, 8% of the funds it receives for the following: grant "
        "funds for the project. The amounts stated in this MOU for that contribution are what Beta receives after "
        "that fee.",
        "| Cash; after an administrative fee of 8% kept by Alpha | up to $92,000.00 |",
    ]),
    ("money-budget-by-year", [
        "The total budget of $90,000.00 is divided among the budget periods as follows:",
        "| Year 2 (July 2027 to June 2028) | $40,000.00 |",
        "| **Total** | **$90,000.00** |",
    ]),
])
def test_each_way_of_stating_money_is_drafted(fixture: str, sentences: list[str]) -> None:
    text = _markdown(VALID / f"{fixture}.yaml")
    for sentence in sentences:
        assert sentence in text


def test_the_fiscal_sponsorship_schedule_is_generated_and_summed() -> None:
    text = _markdown(FISCAL)
    assert ("The Sponsor shall pay it in eight (8) instalments of up to $23,000.00 each, on the dates shown in the "
            "payment schedule below.") in text
    assert "| 8 of 8 | October 13, 2028 | up to $23,000.00 |" in text
    assert "| **Total** |  | **up to $184,000.00** |" in text


def test_without_a_budget_total_the_periods_are_stated_alone() -> None:
    data = read_spec_data(VALID / "money-budget-by-year.yaml")[0]
    data["financial"].pop("budget_total")
    text = render_markdown(assemble(validate_spec(data)))
    assert "The budget of each budget period is as follows:" in text
    assert "total budget" not in text


def test_a_separate_contract_makes_payments_expected_not_owed() -> None:
    data = read_spec_data(VALID / "money-rate.yaml")[0]
    data["financial"]["separate_contract"] = True
    text = render_markdown(assemble(validate_spec(data)))
    assert "Alpha expects to pay Beta $75.00 per hour" in text
    assert "shall pay" not in text


# ---------------------------------------------------------------- instalments add up, to the cent


def _contribution(total: Decimal, count: int, currency: str = "USD") -> Contribution:
    return Contribution.model_validate({"payer": "a", "payee": "b", "description": "x", "amount": total,
                                        "instalments": {"count": count, "cadence": "monthly"}})


@pytest.mark.parametrize(("total", "count", "currency", "each", "last"), [
    ("100000.00", 3, "USD", "33333.33", "33333.34"),
    ("100000.00", 4, "USD", "25000.00", "25000.00"),
    ("0.05", 4, "USD", "0.01", "0.02"),
    ("100000", 3, "JPY", "33333", "33334"),  # no minor unit
    ("10.000", 3, "KWD", "3.333", "3.334"),  # three decimal places
    ("100.005", 2, "USD", "50.002", "50.003"),  # the spec's own places are kept, never rounded away
])
def test_equal_instalments_leave_the_remainder_to_the_last(
    total: str, count: int, currency: str, each: str, last: str
) -> None:
    plan = schedule(_contribution(Decimal(total), count), currency)
    amounts = [row.amount for row in plan.instalments]
    assert [str(a) for a in amounts] == [each] * (count - 1) + [last]
    assert sum(amounts) == Decimal(total)
    assert plan.remainder_in_last is (each != last)


@given(st.decimals(min_value=Decimal("0.02"), max_value=Decimal("10000000"), places=2), st.integers(2, 120))
def test_instalments_always_sum_to_the_total(total: Decimal, count: int) -> None:
    plan = schedule(_contribution(total, count), "USD")
    amounts = [row.amount for row in plan.instalments]
    assert sum(amounts) == total and len(amounts) == count
    assert len(set(amounts[:-1])) == 1 and Decimal(0) <= amounts[-1] - amounts[0] < Decimal("0.01") * count


@pytest.mark.parametrize(("fields", "most", "exact"), [
    ({"amount": "10.00"}, "10.00", True),
    ({"not_to_exceed": "50.00"}, "50.00", False),
    ({"amount_set_by": "the budget", "not_to_exceed": "60.00"}, "60.00", False),
    ({"amount_set_by": "the budget"}, None, False),
    ({"basis": "rate", "amount": "5.00", "rate": {"amount": "1.00", "per": "hour", "cap": "70.00"}}, "70.00", False),
    ({"basis": "rate", "rate": {"amount": "1.00", "per": "hour"}}, None, False),
])
def test_what_each_kind_counts_as_at_most(fields: dict[str, Any], most: str | None, exact: bool) -> None:
    found = maximum(Contribution.model_validate({"payer": "a", "payee": "b", "description": "x", **fields}))
    assert (None if found.amount is None else str(found.amount), found.exact) == (most, exact)


# ---------------------------------------------------------------- diff and redline


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _rate_spec() -> dict[str, Any]:
    return yaml.safe_load((VALID / "money-rate.yaml").read_text(encoding="utf-8"))


def _fiscal() -> dict[str, Any]:
    return yaml.safe_load(FISCAL.read_text(encoding="utf-8"))


CHANGES = {
    "not_to_exceed": (_fiscal, ("financial", "contributions", 0, "not_to_exceed"), "176000.00",
                      "financial.contributions[0].not_to_exceed", "$184,000.00 -> $176,000.00", "176,000.00"),
    "amount_set_by": (_fiscal, ("financial", "contributions", 0, "amount_set_by"), "the revised project budget",
                      "financial.contributions[0].amount_set_by", "-> the revised project budget", "revised"),
    "admin_fee_percent": (_fiscal, ("financial", "contributions", 0, "admin_fee_percent"), "10",
                          "financial.contributions[0].admin_fee_percent", "8 -> 10", "10"),
    "instalments.dates": (_fiscal, ("financial", "contributions", 0, "instalments", "dates", 7), "2028-11-13",
                          "financial.contributions[0].instalments.dates[7]", "2028-10-13 -> 2028-11-13", "November"),
    "rate.amount": (_rate_spec, ("financial", "contributions", 0, "rate", "amount"), "80.00",
                    "financial.contributions[0].rate.amount", "$75.00 -> $80.00", "80.00"),
    "rate.per": (_rate_spec, ("financial", "contributions", 1, "rate", "per"), "camper",
                 "financial.contributions[1].rate.per", "participant -> camper", "camper"),
    "rate.cap": (_rate_spec, ("financial", "contributions", 0, "rate", "cap"), "25000.00",
                 "financial.contributions[0].rate.cap", "$20,000.00 -> $25,000.00", "25,000.00"),
    "budget_by_year": (_fiscal, ("financial", "budget_by_year", 0, "period"), "Calendar year 2027",
                       "financial.budget_by_year[0].period", "Budget period '2027': period: 2027 -> Calendar year 2027", "Calendar"),
}


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_a_change_shows_as_that_field_and_is_marked_in_the_redline(field: str, tmp_path: Path) -> None:
    base, where, value, path, said, inserted = CHANGES[field]
    old = base()
    new = copy.deepcopy(old)
    node: Any = new
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    old_path, new_path = _write(tmp_path, "old", old), _write(tmp_path, "new", new)
    summary = summarize_changes(old_path, new_path)
    assert [f.path for f in summary.fields] == [path]
    assert summary.fields[0].description.endswith(said)
    old_doc, new_doc = assemble(load_spec(old_path)), assemble(load_spec(new_path))
    redline = render_redline(old_doc, new_doc)
    assert accept_all(redline) == as_word_shows(document_paragraphs(new_doc))
    assert reject_all(redline) == as_word_shows(document_paragraphs(old_doc))
    marked = " ".join("".join(t.text or "" for t in i.iter(f"{W}t")) for i in body(redline).iter(f"{W}ins"))
    assert inserted in marked


# ---------------------------------------------------------------- text reaches the Word document verbatim

HOSTILE = 'Acme & Sons <Ltd> "Q" {{ 7*7 }} [[budget]] *x* 😀'


def test_money_texts_reach_the_word_document_verbatim() -> None:
    from docx_reading import word_paragraphs
    from mou_builder.render.word import build_docx

    data = yaml.safe_load((VALID / "money-instalments.yaml").read_text(encoding="utf-8"))
    data["financial"]["contributions"][0]["instalments"]["cadence"] = HOSTILE
    data["financial"]["contributions"].append({
        "payer": "a", "payee": "b", "description": "Tutoring", "basis": "rate",
        "rate": {"amount": "75.00", "per": HOSTILE, "cap": "900.00"}})
    data["financial"]["contributions"].append({
        "payer": "a", "payee": "b", "description": "Stipends", "amount_set_by": HOSTILE, "not_to_exceed": "100.00"})
    data["financial"]["budget_by_year"] = [{"period": HOSTILE, "amount": "131000.00"}]
    data["financial"]["budget_total"] = "131000.00"
    text = "\n".join(word_paragraphs(build_docx(validate_spec(data))))
    assert f"in three (3) instalments, {HOSTILE}: $33,333.33 each" in text
    assert f"$75.00 per {HOSTILE} for the following: tutoring" in text
    assert f"the amount set by {HOSTILE}, but not more than $100.00" in text
    assert HOSTILE in text.splitlines()  # the budget period's cell
    assert "49" not in text


# ---------------------------------------------------------------- the refusals, at their boundaries

def _spec_with(contribution: dict[str, Any], **financial: Any) -> dict[str, Any]:
    data = yaml.safe_load((VALID / "money-not-to-exceed.yaml").read_text(encoding="utf-8"))
    data["financial"].pop("budget_total")
    data["financial"]["contributions"] = [{"payer": "a", "payee": "b", "description": "Grant", **contribution}]
    data["financial"].update(financial)
    return data


def _refusal(data: dict[str, Any]) -> str | None:
    from mou_builder.errors import SpecError

    try:
        validate_spec(data)
    except SpecError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(("cap", "refused"), [("10000.00", False), ("9999.99", True), ("10000.01", False)])
def test_a_rate_cap_may_equal_the_fixed_part_but_not_fall_below_it(cap: str, refused: bool) -> None:
    problem = _refusal(_spec_with({"basis": "rate", "amount": "10000.00",
                                   "rate": {"amount": "75.00", "per": "hour", "cap": cap}}))
    assert (problem is not None) is refused
    if refused:
        assert f"cap {cap} is below the fixed part (amount 10000.00)" in problem


@pytest.mark.parametrize(("last", "refused"), [("40000.00", False), ("39999.99", True), ("40000.01", True)])
def test_explicit_instalments_must_add_up_to_the_cent(last: str, refused: bool) -> None:
    problem = _refusal(_spec_with({"amount": "100000.00", "instalments": {
        "dates": ["2027-01-15", "2027-04-15"], "amounts": ["60000.00", last]}}))
    assert (problem is not None) is refused
    if refused:
        added = Decimal("60000.00") + Decimal(last)
        assert f"the instalments add up to {added} but the contribution's amount is 100000.00" in problem


@pytest.mark.parametrize(("second", "refused"), [("400.00", False), ("399.99", True), ("400.01", True)])
def test_the_budget_by_year_must_add_up_to_the_total_to_the_cent(second: str, refused: bool) -> None:
    problem = _refusal(_spec_with({"amount": "1000.00"}, budget_total="1000.00", budget_by_year=[
        {"period": "2027", "amount": "600.00"}, {"period": "2028", "amount": second}]))
    assert (problem is not None) is refused
    if refused:
        assert f"the periods add up to {Decimal('600.00') + Decimal(second)} but budget_total is 1000.00" in problem


@pytest.mark.parametrize(("fee", "refused"), [("99.9999", False), ("100", True), ("0", False)])
def test_an_administrative_fee_stays_below_100_percent(fee: str, refused: bool) -> None:
    assert (_refusal(_spec_with({"amount": "1000.00", "admin_fee_percent": fee})) is not None) is refused


def test_fields_at_their_defaults_are_never_refused() -> None:
    """model_dump() writes every field out; the dump of a valid spec must load again."""
    spec = load_spec(FISCAL)
    again = validate_spec(spec.model_dump(mode="json"))
    assert again.model_dump() == spec.model_dump() and again.financial.contributions[0].instalments is not None
