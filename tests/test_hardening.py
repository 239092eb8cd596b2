"""Hostile inputs outside a spec's own values (issue 10, items 7 and 9): never the internal-error path."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from click.testing import CliRunner

from conftest import EXAMPLES
from mou_builder.cli import main


def test_a_file_name_with_a_control_character_is_shown_escaped_on_the_cover_page(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "we\x07ird.yaml"
    shutil.copyfile(EXAMPLES[0], old)
    shutil.copyfile(EXAMPLES[0], new)
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out), "--summary-page"])
    assert result.exit_code == 0, result.output
    assert "internal error" not in result.output
    body = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert "we\\x07ird.yaml" in body and "\x07" not in body


def test_an_author_with_a_control_character_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(EXAMPLES[0]), str(EXAMPLES[0]), "-o", str(out), "--author", "A\x01B"])
    assert result.exit_code == 1 and "internal error" not in result.output
    assert "author" in result.stderr.lower() and not out.exists()
