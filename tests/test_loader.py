"""Loading specs: every valid example loads; every invalid one gives its exact, located message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, INVALID, VALID
from mou_builder.cli import main
from mou_builder.errors import SpecError
from mou_builder.loader import load_spec, load_spec_text


@pytest.mark.parametrize("path", VALID + EXAMPLES, ids=lambda p: p.name)
def test_valid_specs_load(path: Path) -> None:
    spec = load_spec(path)
    assert spec.agreement.title
    assert len(spec.parties) >= 2


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_spec_gives_its_exact_message(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(path.parent)
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", path.name])
    assert (result.exit_code, result.stderr) == (1, expected)
    out = tmp_path / "agreement.docx"
    built = CliRunner().invoke(main, [path.name, "-o", str(out)])
    assert (built.exit_code, built.stderr) == (1, expected)
    assert "Traceback" not in result.output + built.output
    assert list(tmp_path.iterdir()) == []  # no output file, not even a partial one


def test_the_catalogue_is_large() -> None:
    assert len(INVALID) >= 60


def test_money_is_exact_decimal() -> None:
    spec = load_spec(Path(__file__).parent.parent / "docs/examples/city-data-grant.yaml")
    amount = spec.financial.contributions[0].amount
    assert isinstance(amount, Decimal) and str(amount) == "250000.00"


def test_yaml_look_alikes_stay_text() -> None:
    spec = load_spec(Path(__file__).parent / "data/valid/yaml-features.yaml")
    assert spec.agreement.title == "NO"
    assert spec.agreement.number == "0777"
    assert spec.agreement.draft_version == "1:30"
    assert spec.parties[0].short_name == "NO"
    assert spec.parties[0].legal_form == "yes"
    # the merge key copied the anchor's fields, the mapping's own keys win
    assert spec.parties[1].legal_name == "Norway AS" and spec.parties[1].short_name == "1:30"


def test_json_spec_gets_lines(tmp_path: Path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text('{\n  "agreement": {\n    "title": "T",\n    "document_date": "2026-13-01"\n  },\n  "parties": []\n}\n')
    with pytest.raises(SpecError) as info:
        load_spec(bad)
    messages = [str(p) for p in info.value.problems]
    assert messages[0] == f"{bad}:4:22: agreement.document_date: is not a real calendar date: '2026-13-01'"


def test_file_over_size_bound_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("recitals:\n" + "  - " + "x" * 1_100_000 + "\n")
    with pytest.raises(SpecError, match=r"big.yaml: the file is 1,100,015 bytes; a spec may be at most 1,000,000 bytes"):
        load_spec(big)


def test_bom_is_accepted(tmp_path: Path) -> None:
    text = (Path(__file__).parent / "data/valid/minimal.yaml").read_bytes()
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + text)
    assert load_spec(path).agreement.title == "Minimal MOU"


def test_every_problem_is_reported_in_file_order() -> None:
    text = "agreement:\n  title: T\n  document_date: nope\nparties:\n  - id: A\n    legal_name: x\n    short_name: y\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(text, source="s.yaml")
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)
    assert [p.path for p in info.value.problems] == ["agreement.document_date", "parties[0].id"]


def test_model_refuses_float_money_from_python() -> None:
    from mou_builder.model import Contribution

    with pytest.raises(Exception, match="not float 0.1"):
        Contribution(payer="a", payee="b", description="x", amount=0.1)


@pytest.mark.parametrize("text", [
    "a: " + "[" * 200_000 + "]" * 200_000,
    "a: " + "{x: " * 100_000 + "1" + "}" * 100_000,
    "".join(" " * i + "- \n" for i in range(0, 1200, 2)),
], ids=["brackets", "mappings", "indented-lists"])
def test_very_deep_nesting_is_refused_not_crashed(tmp_path: Path, text: str) -> None:
    """libyaml's composer crashes on deep nesting; such files must get a message instead."""
    import subprocess
    import sys

    spec = tmp_path / "deep.yaml"
    spec.write_text(text)
    result = subprocess.run([sys.executable, "-m", "mou_builder", "validate", str(spec)], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr[-300:]
    assert "nested too deeply" in result.stderr or "invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr
