"""The built wheel carries its data folders and works outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (found,) = out.glob("mou_builder-*.whl")
    return found


def test_wheel_contains_data_folders(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "mou_builder/_data/schemas/mou-spec.schema.json" in names
    assert "mou_builder/py.typed" in names
    assert any(n.startswith("mou_builder/_data/clause_library/") for n in names)
    assert any(n.startswith("mou_builder/_data/templates/") for n in names)


def test_installed_wheel_runs_from_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # System site packages supply the dependencies (no network needed); the
    # venv's own site-packages come first, so mou_builder is the wheel's copy.
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True)
    where = subprocess.run(
        [python, "-c", "from mou_builder.resources import data_dir; print(data_dir('schemas'))"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where
    example = ROOT / "docs" / "examples" / "library-literacy.yaml"
    result = subprocess.run(
        [env_dir / "bin" / "mou-build", "validate", str(example)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    schema = subprocess.run([env_dir / "bin" / "mou-build", "schema"], capture_output=True, text=True, cwd=tmp_path)
    assert schema.stdout == (ROOT / "schemas" / "mou-spec.schema.json").read_text(encoding="utf-8")
