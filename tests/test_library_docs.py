"""Every Python snippet in docs/library.md runs as written.

Each ```python block runs on its own (a fresh namespace, so each imports
what it uses) in a folder holding the files the page names: agreement.yaml,
and two drafts of one agreement as specs and as .docx files.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT

PAGE = ROOT / "docs" / "library.md"
EXAMPLES = ROOT / "docs" / "examples"
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def _snippets() -> list[tuple[int, str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in _BLOCK.finditer(text)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files the page's snippets read."""
    from mou_builder import build_docx

    here = tmp_path_factory.mktemp("library-docs")
    shutil.copy(EXAMPLES / "city-data-grant.yaml", here / "agreement.yaml")
    for name in ("original.yaml", "second.yaml"):
        shutil.copy(EXAMPLES / "amendment" / name, here / name)
    draft2 = (EXAMPLES / "library-literacy.yaml").read_text(encoding="utf-8")
    draft3 = draft2.replace("monthly, in the week after each event", "every two weeks")
    assert draft3 != draft2
    for name, text in (("draft2", draft2), ("draft3", draft3)):
        (here / f"{name}.yaml").write_text(text, encoding="utf-8")
        (here / f"{name}.docx").write_bytes(build_docx(here / f"{name}.yaml"))
    return here


def test_the_page_has_its_snippets() -> None:
    assert len(_snippets()) >= 4


@pytest.mark.parametrize(("line", "code"), _snippets(), ids=lambda v: f"line-{v}" if isinstance(v, int) else "")
def test_snippet_runs_as_written(line: int, code: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, f"{PAGE}:{line}", "exec"), {"__name__": "__snippet__"})  # noqa: S102 - the docs' own code
    if "mou.amend(" in code:
        assert out.getvalue() == "Amendment No. 2 to Housing Navigation Partnership and Data Sharing Agreement\n"
    if "0.1 + 0.2" in code:  # the amounts snippet prints what it says it prints
        assert out.getvalue().splitlines() == [
            "96000.0",
            "financial.contributions[0].amount is the float 0.30000000000000004, which is not an exact amount "
            "(more than 15 significant digits): round it, or send the amount as text such as '1500.00'",
        ]
    if "summarize_changes" in code:
        assert "every two weeks" in out.getvalue()
