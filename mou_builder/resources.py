"""Locate the data folders shipped with mou-builder.

In a wheel the folders ``schemas/``, ``clause_library/``, ``templates/`` and
``docs/examples/`` are copied to ``mou_builder/_data/`` (see pyproject.toml);
in a source checkout (and an editable install, which points at the checkout)
they sit in the repository, where reviewers read and diff them. Both are
found the same way here.
"""

from __future__ import annotations

from pathlib import Path


def data_dir(name: str, checkout_path: str | None = None) -> Path:
    """Return the path of the shipped data folder ``name``.

    ``checkout_path`` is where the folder sits in a source checkout, relative
    to the repository's top, when that is not ``name`` itself.
    """
    packaged = package_dir() / "_data" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / (checkout_path or name)


def package_dir() -> Path:
    """The installed ``mou_builder`` package folder.

    This module's own folder: mou-builder is installed as files (its data
    folders are read as paths), and ``importlib.resources`` would add its
    import to every command's start-up for the same answer.
    """
    return Path(__file__).resolve().parent


def package_folders() -> list[Path]:
    """Every folder whose files belong to mou-builder: commands never write into these."""
    return [package_dir(), *(data_dir(name) for name in ("schemas", "clause_library", "templates")), examples_dir()]


def schema_path() -> Path:
    """The committed JSON Schema of a spec file."""
    return data_dir("schemas") / "mou-spec.schema.json"


def clause_library_dir() -> Path:
    """The built-in clause library."""
    return data_dir("clause_library")


def default_template_path() -> Path:
    """The default Word template."""
    return data_dir("templates") / "default.docx"


def examples_dir() -> Path:
    """The example specs (``docs/examples/`` in a checkout)."""
    return data_dir("examples", "docs/examples")
