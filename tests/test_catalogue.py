"""The catalogue of bad input that is not a spec (tests/data/cli-cases.yaml).

Each case gives its exact message and exit status; none may print a
traceback, leave an output file behind, or change a byte of any file it
was given or found (nothing lost).
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from conftest import DATA, ROOT
from mou_builder.cli import main

CASES = yaml.safe_load((DATA / "cli-cases.yaml").read_text(encoding="utf-8"))


def _templates(folder: Path) -> None:
    folder.mkdir()
    (folder / "not-a-docx.docx").write_text("this is text")
    with zipfile.ZipFile(folder / "plain-zip.docx", "w") as z:
        z.writestr("hello.txt", "hello")
    default = ROOT / "templates" / "default.docx"
    doc = Document(str(default))
    for name in ("MOU Missing", "MOU Table"):
        element = doc.styles[name].element
        element.getparent().remove(element)
    doc.save(str(folder / "no-styles.docx"))
    doc = Document(str(default))
    doc.paragraphs[-1].text = "The agreement goes here."
    doc.save(str(folder / "no-body.docx"))


def _inputs(folder: Path) -> None:
    """Files an output must never replace: a spec, a template, a profile, clauses, a draft, links to them."""
    folder.mkdir()
    spec = folder / "spec.yaml"
    shutil.copyfile(ROOT / "docs" / "examples" / "city-data-grant.yaml", spec)
    shutil.copyfile(spec, folder / "billing.yaml")
    shutil.copyfile(ROOT / "templates" / "default.docx", folder / "template.docx")
    shutil.copyfile(ROOT / "templates" / "default.docx", folder / "spec.docx")
    shutil.copyfile(ROOT / "templates" / "default.docx", folder / "new.docx")
    shutil.copyfile(ROOT / "clause_library" / "profiles" / "general.yaml", folder / "profile.yaml")
    (folder / "clauses").mkdir()
    shutil.copyfile(ROOT / "clause_library" / "clauses" / "financial" / "billing.md", folder / "clauses" / "billing.md")
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 a real report that must survive\n%%EOF\n")
    os.link(spec, folder / "hardlink.docx")
    shutil.copyfile(spec, folder / "linked.yaml")
    os.link(folder / "linked.yaml", folder / "linked.pdf")  # where --pdf would write the PDF of linked.yaml
    (folder / "symlink.docx").symlink_to(spec)
    os.mkfifo(folder / "fifo.docx")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "zero.yaml").symlink_to("/dev/zero")
    # nesting past Python's recursion limit: generated, not committed
    (folder / "deep.json").write_text("[" * 1000 + "]" * 1000)
    (folder / "deep-object.json").write_text('{"a":' * 3000 + "1" + "}" * 3000)
    # a clause file past the 256 KB limit (a 200 MB one takes the same path, and would be read by each case here)
    (folder / "big-clause").mkdir()
    header = "---\nid: purpose.statement\nversion: 9.0.0\ntitle: Purpose\nsection: purpose\n---\n"
    (folder / "big-clause" / "statement.md").write_text(header + "The Parties agree. " * 16_000)


def _contents(paths: list[Path]) -> dict[Path, bytes]:
    """The bytes of each regular file (a FIFO is never opened: that would block)."""
    return {p: p.read_bytes() for p in paths if p.is_file() and stat.S_ISREG(p.stat().st_mode)}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_case(case: dict, tmp_path: Path) -> None:
    _templates(tmp_path / "templates")
    _inputs(tmp_path / "work")
    before = set(tmp_path.rglob("*"))

    def fill(text: str) -> str:
        return text.replace("{data}", str(DATA)).replace("{examples}", str(ROOT / "docs" / "examples")).replace(
            "{tmp}", str(tmp_path)
        )

    args = [fill(a) for a in case["args"]]
    given = [Path(a) for a in args if Path(a).is_file()]
    kept = _contents([*before, *given])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == case["exit"], result.output
    if "stderr" in case:
        assert result.stderr == fill(case["stderr"])
    else:
        assert result.stderr.rstrip().splitlines()[-1] == fill(case["last_line"])
    assert "Traceback" not in result.output
    assert set(tmp_path.rglob("*")) == before, "an output file was left behind"
    assert _contents(list(kept)) == kept, "an input was changed"
    assert stat.S_ISFIFO((tmp_path / "work" / "fifo.docx").lstat().st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_catalogue_size() -> None:
    spec_cases = [p for p in (DATA / "invalid").iterdir() if p.suffix in (".yaml", ".json")]
    assert len(spec_cases) + len(CASES) >= 60 + 25
