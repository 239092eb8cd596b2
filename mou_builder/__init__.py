"""mou-builder: turn a partnership spec into a complete, reviewable Word agreement.

The public API is small; everything is imported lazily so that the command
line starts fast (``mou-build --help`` loads neither pydantic nor docx).
No submodule is named like a public name: importing ``mou_builder.x`` sets
the package attribute ``x`` to the module, which would hide a function ``x``
(the Markdown renderer is ``render.text``, the function ``render_text``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mou_builder._version import __version__

__all__ = [
    "__version__",
    # errors
    "MouError",
    "SpecError",
    "ClauseError",
    "ProfileError",
    "TemplateError",
    "RenderError",
    "OutputError",
    "DraftError",
    "IncompleteSpecError",
    # the spec
    "Spec",
    "load_spec",
    "loads_spec",
    "validate_spec",
    "spec_schema",
    # clauses, profiles, assembly
    "load_library",
    "load_profile",
    "check",
    "assemble",
    "Document",
    "Finding",
    # renderers
    "render_text",
    "render_docx",
    "build_docx",
    # reviewing
    "summarize_changes",
    "ChangeSummary",
    "redline",
    # amendments
    "amend",
    "AmendmentError",
    "spec_from_docx",
    # building files
    "BuildOptions",
    "BuildResult",
    "build_file",
    "build_many",
]

_LAZY = {
    "MouError": "mou_builder.errors",
    "SpecError": "mou_builder.errors",
    "ClauseError": "mou_builder.errors",
    "ProfileError": "mou_builder.errors",
    "TemplateError": "mou_builder.errors",
    "RenderError": "mou_builder.errors",
    "OutputError": "mou_builder.errors",
    "DraftError": "mou_builder.errors",
    "IncompleteSpecError": "mou_builder.errors",
    "Spec": "mou_builder.spec.model",
    "load_spec": "mou_builder.spec.loader",
    "loads_spec": "mou_builder.spec.loader",
    "validate_spec": "mou_builder.spec.loader",
    "spec_schema": "mou_builder.spec.schema",
    "load_library": "mou_builder.library.clauses",
    "load_profile": "mou_builder.library.completeness",
    "check": "mou_builder.library.completeness",
    "assemble": "mou_builder.assembly",
    "Document": "mou_builder.document",
    "Finding": "mou_builder.document",
    "render_text": "mou_builder.render.text",
    "render_docx": "mou_builder.render.word",
    "build_docx": "mou_builder.render.word",
    "summarize_changes": "mou_builder.review.drafts",
    "ChangeSummary": "mou_builder.review.changes",
    "redline": "mou_builder.review.drafts",
    "amend": "mou_builder.amendment",
    "AmendmentError": "mou_builder.amendment",
    "spec_from_docx": "mou_builder.review.word_input",
    "BuildOptions": "mou_builder.batch",
    "BuildResult": "mou_builder.batch",
    "build_file": "mou_builder.batch",
    "build_many": "mou_builder.batch",
}

if TYPE_CHECKING:  # pragma: no cover
    from mou_builder.amendment import AmendmentError, amend
    from mou_builder.assembly import assemble
    from mou_builder.batch import BuildOptions, BuildResult, build_file, build_many
    from mou_builder.review.changes import ChangeSummary
    from mou_builder.review.drafts import redline, summarize_changes
    from mou_builder.library.clauses import load_library
    from mou_builder.library.completeness import check, load_profile
    from mou_builder.document import Document, Finding
    from mou_builder.errors import (
        ClauseError, DraftError, IncompleteSpecError, MouError, OutputError, ProfileError, RenderError, SpecError, TemplateError,
    )
    from mou_builder.spec.loader import load_spec, loads_spec, validate_spec
    from mou_builder.spec.model import Spec
    from mou_builder.render.text import render_text
    from mou_builder.review.word_input import spec_from_docx
    from mou_builder.render.word import build_docx, render_docx
    from mou_builder.spec.schema import spec_schema


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mou_builder' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
