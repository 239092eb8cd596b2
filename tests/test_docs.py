"""The docs stay true: generated pages are current, every command and finding is documented, links resolve."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import pytest

from conftest import ROOT
from mou_builder.cli import main
from mou_builder.library.completeness import FINDING_CODES, builtin_profiles

DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT / "tools"))
import build_docs  # noqa: E402

sys.path.pop(0)


@pytest.mark.parametrize("page", sorted(build_docs.PAGES))
def test_generated_page_is_current(page: str) -> None:
    assert (DOCS / page).read_text(encoding="utf-8") == build_docs.PAGES[page](), "run: python tools/build_docs.py"


def _all_commands(group: click.Command, path: tuple[str, ...] = ()):
    yield path, group
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from _all_commands(command, (*path, name))


def test_every_command_has_help_and_is_in_the_reference() -> None:
    reference = (DOCS / "cli.md").read_text(encoding="utf-8")
    for path, command in _all_commands(main):
        assert command.help, f"{path} has no help text"
        assert f"## {' '.join(('mou-build', *path))}\n" in reference


def test_every_finding_code_is_documented() -> None:
    findings = (DOCS / "findings.md").read_text(encoding="utf-8")
    for code in FINDING_CODES:
        assert f"| `{code}` |" in findings


def test_every_builtin_profile_is_documented() -> None:
    profiles = (DOCS / "profiles.md").read_text(encoding="utf-8")
    for profile in builtin_profiles():
        assert f"| `{profile}` |" in profiles


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")) + ["../README.md"])
def test_relative_links_resolve(page: str) -> None:
    path = (DOCS / page).resolve()
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (path.parent / target).exists(), f"{page}: broken link {target}"


def test_index_lists_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, f"{page.name} is not listed in docs/index.md"


def test_readme_has_exactly_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", readme, re.S)
    assert blocks[:2] == [
        "pip install . && mou-build docs/examples/library-literacy.yaml -o library-literacy.docx\n",
        "pip install -e '.[test]' && python -m pytest\n",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -e '.[test]' && python -m pytest" in ci
