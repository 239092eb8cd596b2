"""The golden-file helper compares unless told exactly MOU_UPDATE_GOLDEN=1, and CI refuses the variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import golden
from conftest import ROOT


@pytest.fixture
def goldens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(golden, "GOLDEN", tmp_path)
    (tmp_path / "page.md").write_text("committed\n", encoding="utf-8")
    return tmp_path / "page.md"


def test_unset_compares_and_reports_the_difference(goldens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOU_UPDATE_GOLDEN", raising=False)
    golden.assert_golden("page.md", "committed\n")
    with pytest.raises(AssertionError, match=r"page\.md differs from its golden file(.|\n)*-committed\n\+changed"):
        golden.assert_golden("page.md", "changed\n")
    assert goldens.read_text(encoding="utf-8") == "committed\n"


@pytest.mark.parametrize("value", ["0", "false", "yes", " 1", "2"])
def test_any_value_but_1_fails_loudly_and_rewrites_nothing(
    goldens: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MOU_UPDATE_GOLDEN", value)
    with pytest.raises(AssertionError, match=f"MOU_UPDATE_GOLDEN={value!r}: set it to 1"):
        golden.assert_golden("page.md", "committed\n")  # even output that matches must not pass silently
    assert goldens.read_text(encoding="utf-8") == "committed\n"


def test_1_rewrites(goldens: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOU_UPDATE_GOLDEN", "1")
    golden.assert_golden("page.md", "changed\n")
    assert goldens.read_text(encoding="utf-8") == "changed\n"


@pytest.mark.parametrize("value", ["", "0", "1"])
def test_ci_refuses_to_run_with_the_variable_set(tmp_path: Path, value: str) -> None:
    # An empty PATH: the refusal uses shell builtins only, and should it ever be missing,
    # the script stops at its first command instead of installing anything.
    result = subprocess.run(["/bin/bash", str(ROOT / ".ci" / "run")], capture_output=True, text=True, timeout=30,
                            env={"PATH": str(tmp_path), "MOU_UPDATE_GOLDEN": value})
    assert result.returncode == 1
    assert result.stderr == (f".ci/run: MOU_UPDATE_GOLDEN is set (to '{value}'); CI never rewrites golden files: "
                             "unset it\n")
