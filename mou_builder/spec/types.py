"""Value types of the spec model: text, identifiers, money, dates, currencies.

Each type refuses what would later be lost or changed silently: characters
that XML cannot hold, amounts with more digits than a total can keep exact,
floats that are not the decimal someone typed (``0.1 + 0.2``), dates that
are not ISO dates, and YAML's "yes"/"no" or "0777" where a boolean or number
is meant (the loader keeps those as text, and the strict types here refuse text).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic import PlainSerializer, StrictBool, StrictInt, WithJsonSchema
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from mou_builder.spec.currencies import ISO_4217

# Characters XML 1.0 cannot carry. python-docx raises on them, docxtpl
# silently drops them: either way the agreement would not say what the
# spec says, so they are refused up front. DEL and the C1 controls
# (U+007F-U+009F) are refused too: XML carries them but they print as
# nothing, and YAML cannot hold them, so a JSON spec may not either.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
TEXT_PATTERN = "^(?=[\\s\\S]*\\S)[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ud800-\\udfff\\ufffe\\uffff]*$"


# ---------------------------------------------------------------- placeholders (template mode)

#: A placeholder: a value still to be filled in, written as a bracketed upper-case token such as
#: ``[DATE]``, ``[AMOUNT]``, ``[PARTNER NAME]`` or ``[TBD]``: a capital letter, then capitals,
#: digits and single spaces, ``_``, ``-``, ``.``, ``/`` or ``&`` between them, at most 40 characters
#: inside the brackets. Lower case (``[sic]``) and an ellipsis (``[...]``) are ordinary text.
PLACEHOLDER_TOKEN = r"[A-Z][A-Z0-9]*(?:[ _./&-][A-Z0-9]+)*"
PLACEHOLDER = re.compile(rf"\[(?={PLACEHOLDER_TOKEN}\])[A-Z0-9 _./&-]{{1,40}}\]")
_BARE_TOKEN = re.compile(rf"^{PLACEHOLDER_TOKEN}$")
_WHOLE = re.compile(f"^{PLACEHOLDER.pattern}$")
#: The JSON Schema of a value that is a placeholder and nothing else.
PLACEHOLDER_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": _WHOLE.pattern,
    "description": "A placeholder still to be filled in, e.g. '[DATE]' or '[AMOUNT]'.",
}
#: The date a draft whose ``document_date`` is a placeholder gives its file properties (created,
#: modified) and its redline marks: builds stay repeatable, and no real date is asserted.
UNDATED = date(1980, 1, 1)


class Placeholder(str):
    """A typed value (a date, an amount, a number of days) left as a placeholder such as ``[DATE]``.

    It is a ``str``, so it prints verbatim wherever the value is shown; code
    that computes with the value (sums, date order, day counts in words) tests
    :func:`is_placeholder` first and skips it.
    """

    __slots__ = ()


def is_placeholder(value: object) -> bool:
    """True when ``value`` is a typed field's placeholder (``[DATE]`` where a date goes)."""
    return isinstance(value, Placeholder)


def placeholders_in(text: str) -> list[str]:
    """Every placeholder in ``text``, in order: ``'pay [AMOUNT] by [DATE]'`` -> ``['[AMOUNT]', '[DATE]']``."""
    return PLACEHOLDER.findall(text)


def as_placeholder(value: object) -> Placeholder | None:
    """``value`` as a placeholder (``'[DATE]'``, surrounding white space aside), or None."""
    if isinstance(value, str) and _WHOLE.match(value.strip()):
        return Placeholder(value.strip())
    return None


def unquoted_placeholder(value: object) -> str | None:
    """``'[DATE]'`` for ``['DATE']``: what YAML reads from an unquoted ``[DATE]`` (a list of one word).

    A spec must quote its placeholders (``document_date: "[DATE]"``); the
    loader uses this to say so when it finds the list instead.
    """
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and _BARE_TOKEN.match(value[0]):
        return f"[{value[0]}]"
    return None


def texts_in(value: object, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """``(location, text)`` for every string in a spec (or any part of one), in field order."""
    # A stack rather than recursion: a long agreement has tens of thousands of values.
    out: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[object, tuple[str | int, ...]]] = [(value, loc)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            out.append((where, item))
        elif isinstance(item, BaseModel):
            stack += [(getattr(item, name), (*where, name)) for name in reversed(type(item).model_fields)]
        elif isinstance(item, (list, tuple)):
            stack += [(item[i], (*where, i)) for i in range(len(item) - 1, -1, -1)]
    return out


def find_placeholders(value: object, loc: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """``(location, placeholder)`` for every placeholder in a spec (or any part of one), in field order.

    A text that holds two placeholders gives two entries at the same location.
    """
    return [(where, token) for where, text in texts_in(value, loc)
            for token in ([str(text)] if is_placeholder(text) else placeholders_in(text))]


def _placeholder_or(value: Any, handler: Any) -> Any:
    token = as_placeholder(value)
    return token if token is not None else handler(value)


def _serialize_placeholder(value: Any, handler: Any, info: Any) -> Any:
    if is_placeholder(value):
        return str(value) if info.mode_is_json() else value
    return handler(value)


class _OrPlaceholder:
    """Annotation: the typed value, or a placeholder standing for it (``[DATE]``, ``[AMOUNT]``, ``[DAYS]``)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        inner = handler(source)
        return core_schema.no_info_wrap_validator_function(
            _placeholder_or,
            inner,
            serialization=core_schema.wrap_serializer_function_ser_schema(
                _serialize_placeholder, schema=inner, info_arg=True
            ),
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {"anyOf": [handler(schema["schema"]), PLACEHOLDER_SCHEMA]}  # type: ignore[typeddict-item]


def _as_inner(value: Any, handler: Any) -> Any:
    return handler(value)


class _Plain:
    """Annotation: validate with ``func`` alone, serialize as the annotated type (pydantic's ``PlainValidator``).

    Pydantic's own puts a lambda in the core schema, which cannot be
    pickled; the compiled spec validator is kept between runs (see
    :mod:`mou_builder.cache`), so every function in it is a module's.
    """

    def __init__(self, func: Any) -> None:
        self.func = func

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            self.func, serialization=core_schema.wrap_serializer_function_ser_schema(_as_inner, schema=handler(source)),
        )


#: Add to a typed field's ``Annotated`` to let it hold a placeholder (see :class:`Placeholder`).
OR_PLACEHOLDER = _OrPlaceholder()


def _xml_safe(value: str) -> str:
    bad = _XML_INVALID.search(value)
    if bad:
        raise PydanticCustomError(
            "xml_invalid_char",
            "contains the character U+{code} at position {pos}, a control character a spec may not hold",
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
Count = Annotated[StrictInt, Field(ge=0), OR_PLACEHOLDER]
Days = Annotated[StrictInt, Field(ge=1, le=3650), OR_PLACEHOLDER]
Months = Annotated[StrictInt, Field(ge=1, le=120), OR_PLACEHOLDER]
#: How many instalments a sum is paid in: two or more (one is the sum itself), at most ten years of months.
InstalmentCount = Annotated[StrictInt, Field(ge=2, le=120)]

_MONEY_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")

#: Most digits before the decimal point of an amount (a trillion dollars
#: has 13): any total of amounts then stays exact in Python's default
#: decimal context of 28 significant digits.
MAX_INTEGER_DIGITS = 15
#: Most decimal places of an amount (every currency has at most 4).
MAX_PLACES = 6
#: Most decimal places of a percentage.
MAX_PERCENT_PLACES = 4
#: Most significant digits a binary float carries exactly: a float with
#: more (``0.1 + 0.2`` is ``0.30000000000000004``) was computed, not typed.
FLOAT_DIGITS = 15


def short_value(value: Any) -> str:
    """The bad value as a message shows it: never more than about 60 characters."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number = Decimal(value)  # str(int) fails past 4,300 digits; Decimal does not
        text = f"{number:f}" if number.is_finite() else str(number)
        return text if len(text) <= 60 else text[:40] + f"... ({sum(c.isdigit() for c in text):,} digits)"
    text = repr(value)
    return text if len(text) <= 60 else text[:40] + f"... ({len(text):,} characters)"


def exact_float(value: float) -> Decimal:
    """The decimal a float was typed as: its shortest repr, when that is exact.

    ``96000.0`` (from ``json.loads`` or a web form) is ``Decimal('96000.0')``.
    A float that cannot have been typed as an amount is refused: nan and
    infinity, and one with more than :data:`FLOAT_DIGITS` significant digits
    (``0.30000000000000004``), whose decimal value is an accident of binary
    arithmetic.
    """
    if value != value or value in (float("inf"), float("-inf")):
        raise PydanticCustomError("money_finite", "must be a finite amount, got {value}", {"value": repr(value)})
    amount = Decimal(repr(value))
    if len(amount.normalize().as_tuple().digits) > FLOAT_DIGITS:
        raise PydanticCustomError(
            "money_float",
            "is the float {value}, which is not an exact amount (more than {digits} significant digits): "
            "round it, or send the amount as text such as '1500.00'",
            {"value": repr(value), "digits": FLOAT_DIGITS},
        )
    return amount


def _money(value: Any, places: int = MAX_PLACES) -> Decimal:
    if isinstance(value, bool):
        raise PydanticCustomError("money_type", "must be an amount such as 1500.00, got {value}", {"value": repr(value)})
    if isinstance(value, float):
        value = exact_float(value)
    elif isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        if not _MONEY_TEXT.match(value):
            raise PydanticCustomError(
                "money_text", "must be a non-negative decimal such as 1500.00, got {value}", {"value": short_value(value)}
            )
        value = Decimal(value)
    if not isinstance(value, Decimal):
        raise PydanticCustomError(
            "money_type", "must be an amount such as 1500.00, got {value}", {"value": short_value(value)}
        )
    if not value.is_finite():
        raise PydanticCustomError("money_finite", "must be a finite amount, got {value}", {"value": str(value)})
    if value < 0:
        raise PydanticCustomError(
            "money_negative", "must not be negative, got {value}", {"value": short_value(value)}
        )
    return _bounded(value, places)


def _counted(value: Decimal, count: str) -> str:
    """``123.4567891 (7 places)``; a value too long to show is shortened with its own count."""
    shown = short_value(value)
    return shown if "..." in shown else f"{shown} ({count})"


def _bounded(value: Decimal, places: int) -> Decimal:
    """``value`` when its digits are within bounds, written without an exponent."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    whole = max(len(digits) + exponent, 0) if value else 0
    if whole > MAX_INTEGER_DIGITS:
        raise PydanticCustomError(
            "number_too_large",
            "must have at most {most} digits before the decimal point, got {value}",
            {"most": MAX_INTEGER_DIGITS, "value": _counted(value, f"{whole:,} digits")},
        )
    if -exponent > places:
        raise PydanticCustomError(
            "number_places",
            "must have at most {most} decimal places, got {value}",
            {"most": places, "value": _counted(value, f"{-exponent:,} places")},
        )
    return value.quantize(Decimal(1)) if exponent > 0 else value


#: An exact, non-negative amount of money: at most 15 digits before the
#: decimal point and 6 after. A float is taken as the decimal it was typed
#: as (``96000.0``); one that is not exact (``0.1 + 0.2``) is refused, so
#: 0.30000000000000004 never reaches a signed agreement.
# In JSON, amounts are written as exact strings ("1500.00"), never floats.
_EXACT_JSON = PlainSerializer(str, return_type=str, when_used="json")

Money = Annotated[
    Decimal,
    _Plain(_money),
    _EXACT_JSON,
    WithJsonSchema(
        {
            "anyOf": [
                # Decimal places of a number are beyond JSON Schema (multipleOf is inexact on floats):
                # the pattern says it for text, the model for numbers.
                {"type": "number", "minimum": 0, "exclusiveMaximum": 10**MAX_INTEGER_DIGITS},
                {"type": "string", "pattern": rf"^[0-9]{{1,{MAX_INTEGER_DIGITS}}}(\.[0-9]{{1,{MAX_PLACES}}})?$"},
            ],
            "description": f"An exact amount, e.g. 1500.00 (a number or a quoted string), with at most "
            f"{MAX_INTEGER_DIGITS} digits before the decimal point and {MAX_PLACES} after.",
        }
    ),
    OR_PLACEHOLDER,
]


def _percent(value: Any) -> Decimal:
    amount = _money(value, MAX_PERCENT_PLACES)
    if amount > 100:
        raise PydanticCustomError("percent_range", "must be between 0 and 100, got {value}", {"value": str(amount)})
    return amount


#: A percentage from 0 to 100, with at most 4 decimal places.
Percent = Annotated[
    Decimal,
    _Plain(_percent),
    _EXACT_JSON,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": rf"^(100(\.0{{1,{MAX_PERCENT_PLACES}}})?|[0-9]{{1,2}}(\.[0-9]{{1,{MAX_PERCENT_PLACES}}})?)$"},
            ]
        }
    ),
    OR_PLACEHOLDER,
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
                "date_invalid", "is not a real calendar date: {value}", {"value": short_value(value)}
            ) from None
    raise PydanticCustomError(
        "date_format", "must be a date written YYYY-MM-DD, got {value}", {"value": short_value(value)}
    )


#: A calendar date written ``YYYY-MM-DD``. Numbers are never taken as
#: timestamps, which pydantic would otherwise do.
IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _ISO_DATE.pattern}),
    OR_PLACEHOLDER,
]


def _currency(value: Any) -> str:
    if not isinstance(value, str) or value not in ISO_4217:
        raise PydanticCustomError(
            "currency", "must be an ISO 4217 currency code such as USD, got {value}", {"value": short_value(value)}
        )
    return value


Currency = Annotated[
    str,
    _Plain(_currency),
    WithJsonSchema({"type": "string", "enum": sorted(ISO_4217)}),
]
