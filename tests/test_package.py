"""The built wheel carries its data folders and works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow

#: The environment of the commands run in the fresh venv: without PYTHONPATH, which would put the
#: checkout (or anything else) ahead of the installed wheel and so test the wrong copy.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


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
    assert {f"mou_builder/_data/examples/{p.name}" for p in EXAMPLES} <= names


def test_installed_wheel_runs_from_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # System site packages supply the dependencies (no network needed); the
    # venv's own site-packages come first, so mou_builder is the wheel's copy.
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True, env=CLEAN_ENV)
    where = subprocess.run(
        [python, "-c", "from mou_builder.resources import data_dir; print(data_dir('schemas'))"],
        check=True, capture_output=True, text=True, cwd=tmp_path, env=CLEAN_ENV,
    ).stdout.strip()
    assert Path(where).is_relative_to(env_dir), where
    example = ROOT / "docs" / "examples" / "library-literacy.yaml"
    result = subprocess.run(
        [env_dir / "bin" / "mou-build", "validate", str(example)], capture_output=True, text=True, cwd=tmp_path, env=CLEAN_ENV
    )
    assert result.returncode == 0, result.stderr
    schema = subprocess.run([env_dir / "bin" / "mou-build", "schema"], capture_output=True, text=True, cwd=tmp_path,
                            env=CLEAN_ENV)
    assert schema.stdout == (ROOT / "schemas" / "mou-spec.schema.json").read_text(encoding="utf-8")


def test_a_new_user_starts_from_the_installed_wheel_alone(wheel: Path, tmp_path: Path) -> None:
    """init, examples and reference work in an empty folder, from the wheel's files, not the repository's."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=True).create(env_dir)
    subprocess.run([env_dir / "bin" / "python", "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True,
                   env=CLEAN_ENV)
    work = tmp_path / "work"
    work.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([env_dir / "bin" / "mou-build", *args], capture_output=True, text=True, cwd=work,
                              env=CLEAN_ENV)

    listing = run("examples")
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [p.stem for p in EXAMPLES]
    copied = run("examples", "city-data-grant", "-o", "city.yaml")
    assert copied.returncode == 0, copied.stderr
    assert (work / "city.yaml").read_text().splitlines()[1:] == EXAMPLES[0].read_text().splitlines()[1:]

    started = run("init", "--no-input")
    assert started.returncode == 0, started.stderr
    assert (work / "my-mou.yaml").read_text().startswith("# yaml-language-server: $schema=mou-spec.schema.json\n")
    assert (work / "mou-spec.schema.json").read_bytes() == (ROOT / "schemas" / "mou-spec.schema.json").read_bytes()
    assert run("validate", "my-mou.yaml", "city.yaml").returncode == 0
    assert run("my-mou.yaml").returncode == 1  # builds the draft, with the sections still to write marked
    assert (work / "my-mou.docx").is_file()

    reference = run("reference")
    assert reference.returncode == 0
    from mou_builder.spec.reference import spec_reference

    assert reference.stdout == spec_reference(links=False)  # the page, without links to pages not installed
    assert "| `statement` | text | yes |" in run("reference", "purpose").stdout
    assert run("template", "export", "-o", "letterhead.docx").returncode == 0
    assert sorted(p.name for p in work.iterdir()) == [
        "city.yaml", "letterhead.docx", "mou-spec.schema.json", "my-mou.docx", "my-mou.yaml"]
