"""`python -m mou_builder` in this process, and where the data folders are found in a wheel."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from mou_builder import _version, resources


def test_python_dash_m_runs_the_mou_build_command(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["mou_builder", "--version"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("mou_builder", run_name="__main__", alter_sys=True)
    assert exited.value.code in (0, None)
    assert _version.__version__ in capsys.readouterr().out


def test_in_a_wheel_the_data_folders_are_the_packaged_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_data" / "templates").mkdir(parents=True)
    monkeypatch.setattr(resources, "package_dir", lambda: tmp_path)
    assert resources.data_dir("templates") == tmp_path / "_data" / "templates"
    # a folder the wheel does not carry is looked for in the checkout
    assert resources.data_dir("schemas") == Path(resources.__file__).resolve().parent.parent / "schemas"
