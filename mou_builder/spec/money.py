"""Sums of money the draft states: what a contribution comes to at most, and instalment schedules.

Everything here is exact Decimal arithmetic. A contribution may state its
money as a fixed amount, a ceiling ("up to $50,000"), an amount set by a
document, or a rate; :func:`maximum` says what each comes to at most (the
figure the budget check and the table totals use), or that it is open-ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from typing import Any

from mou_builder.spec.model import Contribution, Spec
from mou_builder.spec.types import Placeholder, is_placeholder

#: Each equal instalment of a total that is still a placeholder: to be filled in with it.
UNKNOWN_INSTALMENT = Placeholder("[INSTALMENT]")


@dataclass(frozen=True)
class Maximum:
    """The most a contribution comes to: ``amount`` (None when open-ended) and whether it is exact."""

    amount: Decimal | None
    #: True for a fixed sum; False for a ceiling (not_to_exceed, a cap of a rate or a cost-based payment).
    exact: bool
    #: Why the amount is open-ended, for a finding: "set by the approved budget", "a rate of $75.00 per hour".
    open_because: str = ""


def maximum(c: Contribution) -> Maximum:
    """The most ``c`` comes to, as the budget check counts it.

    A fixed amount counts as itself; a not-to-exceed amount, and a rate with
    a cap, count as their ceiling; an amount set by a document without a
    ceiling, and a rate without a cap, are open-ended (None).
    """
    if c.rate is not None:
        if c.rate.cap is not None:
            return Maximum(c.rate.cap, False)
        return Maximum(None, False, f"it is paid at a rate per {c.rate.per} with no cap")
    if c.not_to_exceed is not None:
        return Maximum(c.not_to_exceed, False)
    if c.amount_set_by is not None:
        return Maximum(None, False, f"its amount is set by {c.amount_set_by} with no ceiling")
    if c.amount is not None:
        return Maximum(c.amount, True)
    if c.cap is not None:
        return Maximum(c.cap, False)
    return Maximum(None, False, "it has no amount")


@lru_cache(maxsize=64)
def minor_places(currency: str) -> int:
    """Decimal places of the currency's smallest unit (2 for USD, 0 for JPY, 3 for KWD), from CLDR."""
    from babel.numbers import get_currency_precision  # imported on first use: Babel loads locale data

    return int(get_currency_precision(currency))


@dataclass(frozen=True)
class Instalment:
    """One instalment of a schedule."""

    number: int
    due: date | None
    amount: Decimal


@dataclass(frozen=True)
class Schedule:
    """A contribution's instalments, their total, and how a remainder was handled."""

    instalments: tuple[Instalment, ...]
    total: Decimal
    #: True when the spec gave no amounts and the total was divided equally.
    equal: bool
    #: True when equal instalments did not divide evenly and the last one absorbs the remainder.
    remainder_in_last: bool


def schedule(c: Contribution, currency: str) -> Schedule:
    """The instalments of ``c``: the spec's amounts, or the total divided equally.

    Equal instalments are rounded down to the currency's smallest unit (or to
    the places the total itself has, if more), and the last instalment takes
    what is left, so the instalments always add up to the total exactly.
    """
    plan = c.instalments
    assert plan is not None
    total = c.amount if c.amount is not None else c.not_to_exceed
    assert total is not None  # the model refuses instalments without a total
    count = plan.count if plan.count is not None else len(plan.dates)
    dates: list[date | None] = list(plan.dates) or [None] * count
    if plan.amounts:
        amounts = list(plan.amounts)
        return Schedule(_rows(dates, amounts), total, False, False)
    if is_placeholder(total):
        return Schedule(_rows(dates, [UNKNOWN_INSTALMENT] * count), total, True, False)
    _, _, exponent = total.as_tuple()
    assert isinstance(exponent, int)
    places = max(minor_places(currency), -exponent)
    unit = Decimal(1).scaleb(-places)
    each = (total / count).quantize(unit, rounding=ROUND_DOWN)
    last = total - each * (count - 1)
    amounts = [each] * (count - 1) + [last.quantize(unit)]
    return Schedule(_rows(dates, amounts), total, True, last != each)


def in_schedule_table(c: Contribution, plan: Schedule) -> bool:
    """Whether the payment schedule table lists ``c``'s instalments.

    Equal instalments at a cadence are said in full in the clause (the count,
    the amount of each, the cadence), so a table would only repeat them, with
    no date to give; instalments on dates, or of unequal amounts, are listed.
    """
    assert c.instalments is not None
    return bool(c.instalments.dates) or not plan.equal


def _rows(dates: list[date | None], amounts: list[Decimal]) -> tuple[Instalment, ...]:
    return tuple(Instalment(n, due, amount) for n, (due, amount) in enumerate(zip(dates, amounts), start=1))


def payment_plans(spec: Spec) -> list[dict[str, Any] | None]:
    """For each contribution, what a clause says of its instalments (None without instalments).

    ``count``, ``each`` (the amount of every equal instalment but the last),
    ``last``, ``total``, ``equal``, ``remainder_in_last`` and ``in_table``
    (:func:`in_schedule_table`), as plain data.
    """
    fin = spec.financial
    if fin is None:
        return []
    plans: list[dict[str, Any] | None] = []
    for c in fin.contributions:
        if c.instalments is None or (c.amount is None and c.not_to_exceed is None):
            plans.append(None)
            continue
        plan = schedule(c, c.currency or fin.currency)
        rows = plan.instalments
        plans.append({
            "count": len(rows), "each": rows[0].amount, "last": rows[-1].amount, "total": plan.total,
            "equal": plan.equal, "remainder_in_last": plan.remainder_in_last,
            "in_table": in_schedule_table(c, plan),
        })
    return plans
