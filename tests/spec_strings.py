"""Every piece of free text a spec holds, for "nothing the user wrote is dropped" tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from mou_builder.spec.model import EXHIBIT_REF_RE, exhibit_letter
from mou_builder.spec.types import _xml_safe

# Text fields that are choices about the document rather than its words.
# An exhibit's file is where its text is read from; its text is markup (tables), compared in test_exhibits.
NOT_PRINTED = {"clauses.pin", "clauses.exclude", "agreement.short_title", "exhibits.file", "exhibits.text"}


def _is_text(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return any(getattr(m, "func", None) is _xml_safe for m in get_args(annotation)[1:])
    return any(_is_text(arg) for arg in get_args(annotation))


def text_values(model: BaseModel, prefix: str = "", names: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """(path, text) for every free-text value in ``model``, a reference to an exhibit as the draft prints it."""
    if names is None:
        names = {ex.id: f"Exhibit {exhibit_letter(i)} ({ex.title})" for i, ex in enumerate(getattr(model, "exhibits", []))}
    for name, info in type(model).model_fields.items():
        path = f"{prefix}{name}"
        if path in NOT_PRINTED:
            continue
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                yield from text_values(item, f"{path}.", names)
            elif isinstance(item, str) and _is_text(info.annotation):
                yield path, EXHIBIT_REF_RE.sub(lambda m: names.get(m.group(1), m.group(0)), item)
