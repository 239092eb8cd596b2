"""Locate the data folders shipped with mou-builder.

In a wheel the folders ``schemas/``, ``clause_library/`` and ``templates/``
are copied to ``mou_builder/_data/``; in a source checkout (and an editable
install, which points at the checkout) they sit at the repository's top,
where reviewers read and diff them. Both are found the same way here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_dir(name: str) -> Path:
    """Return the path of the shipped data folder ``name``."""
    packaged = Path(str(files("mou_builder"))) / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / name


def schema_path() -> Path:
    """The committed JSON Schema of a spec file."""
    return data_dir("schemas") / "mou-spec.schema.json"


def clause_library_dir() -> Path:
    """The built-in clause library."""
    return data_dir("clause_library")


def default_template_path() -> Path:
    """The default Word template."""
    return data_dir("templates") / "default.docx"
