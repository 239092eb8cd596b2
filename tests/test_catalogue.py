"""The catalogue of bad input that is not a spec (tests/data/cli-cases.yaml).

Each case gives its exact message and exit status; none may print a
traceback or leave an output file behind.
"""

from __future__ import annotations

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


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_case(case: dict, tmp_path: Path) -> None:
    _templates(tmp_path / "templates")
    before = set(tmp_path.rglob("*"))

    def fill(text: str) -> str:
        return text.replace("{data}", str(DATA)).replace("{examples}", str(ROOT / "docs" / "examples")).replace(
            "{tmp}", str(tmp_path)
        )

    result = CliRunner().invoke(main, [fill(a) for a in case["args"]])
    assert result.exit_code == case["exit"], result.output
    if "stderr" in case:
        assert result.stderr == fill(case["stderr"])
    else:
        assert result.stderr.rstrip().splitlines()[-1] == fill(case["last_line"])
    assert "Traceback" not in result.output
    assert set(tmp_path.rglob("*")) == before, "an output file was left behind"


def test_catalogue_size() -> None:
    spec_cases = [p for p in (DATA / "invalid").iterdir() if p.suffix in (".yaml", ".json")]
    assert len(spec_cases) + len(CASES) >= 60 + 25
