"""The first commands: validate, schema, --version, usage errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from conftest import EXAMPLES
from mou_builder import __version__
from mou_builder.cli import main


def test_validate_examples_exit_0() -> None:
    result = CliRunner().invoke(main, ["validate", *map(str, EXAMPLES)])
    assert result.exit_code == 0
    assert result.stdout.count(": valid") == len(EXAMPLES)


def test_validate_missing_file_exits_1_with_name(tmp_path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: no such file\n"


def test_usage_error_exits_2() -> None:
    assert CliRunner().invoke(main, ["validate"]).exit_code == 2
    assert CliRunner().invoke(main, ["validate", "--bogus", "x.yaml"]).exit_code == 2


def test_schema_prints_the_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "mou-builder agreement spec"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.stdout.strip() == f"mou-build {__version__}"


def test_help_imports_neither_docx_nor_pydantic() -> None:
    """`mou-build --help` stays fast: heavy modules load only inside the commands."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom mou_builder.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('docx', 'docxtpl', 'pydantic', 'jinja2', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
