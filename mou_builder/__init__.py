"""mou-builder: turn a partnership spec into a complete, reviewable Word agreement.

The public API is small; everything is imported lazily so that the command
line starts fast (``mou-build --help`` loads neither pydantic nor docx).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mou_builder._version import __version__

__all__ = [
    "__version__",
    "MouError",
    "SpecError",
    "Spec",
    "load_spec",
    "validate_spec",
    "spec_schema",
]

_LAZY = {
    "MouError": "mou_builder.errors",
    "SpecError": "mou_builder.errors",
    "Spec": "mou_builder.model",
    "load_spec": "mou_builder.loader",
    "validate_spec": "mou_builder.loader",
    "spec_schema": "mou_builder.schema",
}

if TYPE_CHECKING:  # pragma: no cover
    from mou_builder.errors import MouError, SpecError
    from mou_builder.loader import load_spec, validate_spec
    from mou_builder.model import Spec
    from mou_builder.schema import spec_schema


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mou_builder' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
