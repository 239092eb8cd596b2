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


def _with_entity(path: Path) -> Path:
    """A .docx whose body declares an internal entity and uses it mid-paragraph (Word never writes one)."""
    from docx import Document

    Document().save(str(path))
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    declaration, rest = body.split("?>", 1)
    rest = rest.replace("<w:body>", "<w:body><w:p><w:r><w:t>Before &co; after the entity.</w:t></w:r></w:p>", 1)
    parts["word/document.xml"] = (declaration + '?><!DOCTYPE w:document [<!ENTITY co "Company">]>' + rest).encode()
    out = path.with_name("entity.docx")
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


def test_a_docx_with_entities_is_refused_rather_than_read_short(tmp_path: Path) -> None:
    draft = _with_entity(tmp_path / "plain.docx")
    result = CliRunner().invoke(main, ["show", str(draft)])
    assert result.exit_code == 1 and "Before" not in result.stdout
    assert result.stderr == (f"{draft}: word/document.xml declares a DOCTYPE with entities, which Word never writes; "
                             "open the file in Word or LibreOffice and save it again as .docx\n")
