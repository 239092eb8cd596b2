"""Value types of the spec model: text, identifiers, money, dates, currencies.

Each type refuses what would later be lost or changed silently: characters
that XML cannot hold, binary floats for money, dates that are not ISO dates,
and YAML's "yes"/"no" or "0777" where a boolean or number is meant (the
loader keeps those as text, and the strict types here refuse text).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, PlainValidator, StrictBool, StrictInt
from pydantic import WithJsonSchema
from pydantic_core import PydanticCustomError

from mou_builder.currencies import ISO_4217

# Characters XML 1.0 cannot carry. python-docx raises on them, docxtpl
# silently drops them: either way the agreement would not say what the
# spec says, so they are refused up front.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TEXT_PATTERN = "^(?=[\\s\\S]*\\S)[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]*$"


def _xml_safe(value: str) -> str:
    bad = _XML_INVALID.search(value)
    if bad:
        raise PydanticCustomError(
            "xml_invalid_char",
            "contains the character U+{code} at position {pos}, which a Word file cannot hold",
            {"code": f"{ord(bad.group()):04X}", "pos": bad.start() + 1},
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_text", "must not be empty")
    return value


#: Longest text value, in characters: a long clause is a few thousand.
MAX_TEXT = 20_000


def _tidy(value: object) -> object:
    """One kind of line break, and no surrounding white space (YAML strips plain values the same way)."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


#: Free text that reaches the agreement verbatim (less surrounding white space).
Text = Annotated[
    str,
    BeforeValidator(_tidy),
    AfterValidator(_xml_safe),
    AfterValidator(_not_blank),
    Field(min_length=1, max_length=MAX_TEXT, json_schema_extra={"pattern": TEXT_PATTERN}),
]

#: A short identifier that other parts of the spec refer to.
Identifier = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$", min_length=1, max_length=40),
]

Flag = StrictBool
Count = Annotated[StrictInt, Field(ge=0)]
Days = Annotated[StrictInt, Field(ge=1, le=3650)]
Months = Annotated[StrictInt, Field(ge=1, le=120)]

_MONEY_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:40] + f"... ({len(text):,} characters)"


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise PydanticCustomError(
            "money_float",
            "must be an exact decimal such as 1500.00, not {kind} {value}",
            {"kind": type(value).__name__, "value": _short(value)},
        )
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        if not _MONEY_TEXT.match(value):
            raise PydanticCustomError(
                "money_text", "must be a non-negative decimal such as 1500.00, got {value}", {"value": _short(value)}
            )
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise PydanticCustomError(
            "money_type", "must be an amount such as 1500.00, got {value}", {"value": _short(value)}
        )
    if not value.is_finite():
        raise PydanticCustomError("money_finite", "must be a finite amount, got {value}", {"value": str(value)})
    if value < 0:
        raise PydanticCustomError(
            "money_negative", "must not be negative, got {value}", {"value": str(value)}
        )
    return value


#: An exact, non-negative amount of money. Floats are refused: 0.1 + 0.2
#: must never reach a signed agreement as 0.30000000000000004.
# In JSON, amounts are written as exact strings ("1500.00"), never floats.
_EXACT_JSON = PlainSerializer(str, return_type=str, when_used="json")

Money = Annotated[
    Decimal,
    PlainValidator(_money),
    _EXACT_JSON,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _MONEY_TEXT.pattern},
            ],
            "description": "An exact amount, e.g. 1500.00 (a number or a quoted string).",
        }
    ),
]


def _percent(value: Any) -> Decimal:
    amount = _money(value)
    if amount > 100:
        raise PydanticCustomError("percent_range", "must be between 0 and 100, got {value}", {"value": str(amount)})
    return amount


Percent = Annotated[
    Decimal,
    PlainValidator(_percent),
    _EXACT_JSON,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": r"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)$"},
            ]
        }
    ),
]

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_invalid", "is not a real calendar date: {value}", {"value": _short(value)}
            ) from None
    raise PydanticCustomError(
        "date_format", "must be a date written YYYY-MM-DD, got {value}", {"value": _short(value)}
    )


#: A calendar date written ``YYYY-MM-DD``. Numbers are never taken as
#: timestamps, which pydantic would otherwise do.
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DATE.pattern}),
]


def _currency(value: Any) -> str:
    if not isinstance(value, str) or value not in ISO_4217:
        raise PydanticCustomError(
            "currency", "must be an ISO 4217 currency code such as USD, got {value}", {"value": _short(value)}
        )
    return value


Currency = Annotated[
    str,
    PlainValidator(_currency),
    WithJsonSchema({"type": "string", "enum": sorted(ISO_4217)}),
]
