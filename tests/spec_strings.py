"""Every piece of free text a spec holds, for "nothing the user wrote is dropped" tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from mou_builder.types import _xml_safe

# Text fields that are choices about the document rather than its words.
NOT_PRINTED = {"clauses.pin", "clauses.exclude", "agreement.short_title"}


def _is_text(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return any(getattr(m, "func", None) is _xml_safe for m in get_args(annotation)[1:])
    return any(_is_text(arg) for arg in get_args(annotation))


def text_values(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every free-text value in ``model``."""
    for name, info in type(model).model_fields.items():
        path = f"{prefix}{name}"
        if path in NOT_PRINTED:
            continue
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                yield from text_values(item, f"{path}.")
            elif isinstance(item, str) and _is_text(info.annotation):
                yield path, item
