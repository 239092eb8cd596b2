"""Exhibit files that cannot be used, and how a .docx exhibit's runs are read (mou_builder/exhibits.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.oxml import parse_xml

from conftest import DATA
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.document import Paragraph
from mou_builder.exhibits import MAX_MARKDOWN_BYTES
from mou_builder.spec.loader import load_spec

MINIMAL = yaml.safe_load((DATA / "valid" / "minimal.yaml").read_text(encoding="utf-8"))
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _spec_file(folder: Path, exhibit: dict[str, Any]) -> Path:
    data = json.loads(json.dumps(MINIMAL, default=str))
    data["exhibits"] = [exhibit]
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _empty_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("plan.md", "folder", "a folder, not a file"),
    ("plan.md", b"x" * (MAX_MARKDOWN_BYTES + 1), "larger than 1,024 KB, more than an exhibit needs"),
    ("plan.md", b"Meet \x01 monthly.", "contains the control character U+0001, which a Word document cannot hold"),
    ("plan.md", b"As [[exhibit.Work Plan]] says.", "'[[exhibit.Work Plan]]' is not a reference to an exhibit, which is "
                                                    "written [[exhibit.ID]] with the exhibit's id"),
    ("plan.docx", _empty_docx(), "has no text in its body"),
], ids=["folder", "too-large", "control-character", "malformed-reference", "docx-without-text"])
def test_an_exhibit_file_that_cannot_be_used_says_why_at_the_spec_s_file_line(
    tmp_path: Path, name: str, content: bytes | str, message: str
) -> None:
    if content == "folder":
        (tmp_path / name).mkdir()
    else:
        (tmp_path / name).write_bytes(content)  # type: ignore[arg-type]
    spec_path = _spec_file(tmp_path, {"id": "plan", "title": "Plan", "file": name})
    result = CliRunner().invoke(main, ["build", str(spec_path), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{spec_path}:14:9: exhibits[0].file: {tmp_path / name}: "), result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out.docx").exists()


def test_a_docx_exhibit_keeps_tabs_breaks_and_no_break_hyphens_and_joins_runs_of_one_format(tmp_path: Path) -> None:
    word = docx.Document()
    p = word.add_paragraph("  Fees")
    p.add_run(" due").bold = False
    p.add_run().add_tab()
    p.add_run("on the first")
    p._p.append(parse_xml(f'<w:r {_W}><w:br/><w:t xml:space="preserve">day of each </w:t><w:noBreakHyphen/>'
                          '<w:t>month  </w:t></w:r>'))
    bold = p.add_run(", in full")
    bold.bold = True
    word.add_paragraph("")  # an empty paragraph is left out
    word.save(str(tmp_path / "fees.docx"))
    spec = load_spec(_spec_file(tmp_path, {"id": "fees", "title": "Fees", "file": "fees.docx"}))
    [exhibit] = assemble(spec).exhibits
    paragraphs = [b for b in exhibit.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) == 1
    spans = [(s.text, s.bold) for s in paragraphs[0].inlines]
    # runs of one format are one span; the paragraph's outer spaces are trimmed
    assert spans == [("Fees due\ton the first\nday of each \u2011month  ", False), (", in full", True)]
