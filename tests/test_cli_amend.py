"""`mou-build amend` in this process (test_amendments.py runs it as a child process, which coverage does not see).

Each usage error is refused with its own message and exit 2, before anything is read or written;
the printing, checking and writing paths each give what they say.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from mou_builder.cli import main

EXAMPLE = ROOT / "docs" / "examples" / "amendment"
ORIGINAL, SECOND = EXAMPLE / "original.yaml", EXAMPLE / "second.yaml"


def _amend(*args: str):  # noqa: ANN202 - click's Result
    return CliRunner().invoke(main, ["amend", str(ORIGINAL), str(SECOND), *args])


@pytest.mark.parametrize(("args", "message"), [
    (["--restated", "--number", "2", "--effective", "2027-01-01"],
     "--number and --effective belong to an amendment; a restated agreement is the whole of NEW"),
    (["--restated", "--number", "2"], "--number belongs to an amendment; a restated agreement is the whole of NEW"),
    (["--restated", "--format", "json"], "--format json gives an amendment's items; leave out --restated"),
    (["--check", "--format", "md"], "--check writes nothing; leave out -o, --format, --restated and --conformed"),
    (["--conformed", "c.docx"], "--conformed goes with -o (the amendment it applies), not with --restated"),
    (["-o", "a.md", "--format", "md"], "--format is for printing; with -o the format follows the extension"),
    (["--template", str(ROOT / "templates" / "default.docx")], "--template applies to .docx output only"),
], ids=["restated-number-effective", "restated-number", "restated-json", "check-format", "conformed-alone",
        "format-and-output", "template-for-markdown"])
def test_a_usage_error_is_refused_with_its_reason_and_nothing_written(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _amend(*args)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_docx_as_the_new_version_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["amend", str(ORIGINAL), str(tmp_path / "new.docx")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'new.docx'}: give the new version's spec (YAML or JSON)" in result.stderr


def test_check_counts_the_items_and_json_lists_them() -> None:
    checked = _amend("--check")
    assert checked.exit_code == 0
    assert checked.stdout == f"{SECOND}: amendment of {ORIGINAL}: 14 items; every party whose obligations change signs\n"
    items = json.loads(_amend("--format", "json").stdout)
    assert (items["number"], items["effective"], len(items["items"])) == (2, "2027-09-15", 14)
    assert _amend("--format", "txt", "--title", "Second Amendment").stdout.startswith("SECOND AMENDMENT\n")


def test_the_amendment_and_its_conformed_copy_are_written_and_named(tmp_path: Path) -> None:
    out, conformed = tmp_path / "amendment-2.md", tmp_path / "conformed.md"
    result = _amend("--number", "2", "-o", str(out), "--conformed", str(conformed))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out} (14 items)\nwrote {conformed} (conformed copy)\n"
    assert "Conformed copy through Amendment No. 2" in conformed.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8").startswith(
        "# Amendment No. 2 to Housing Navigation Partnership and Data Sharing Agreement\n")
    restated = tmp_path / "restated.txt"
    result = _amend("--restated", "-o", str(restated))
    assert result.stdout == f"wrote {restated} (amended and restated)\n"
    assert restated.read_text(encoding="utf-8").strip()
