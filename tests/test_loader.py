"""Loading specs: every valid example loads; every invalid one gives its exact, located message."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, INVALID, VALID
from mou_builder.cli import main
from mou_builder.errors import SpecError
from mou_builder.spec.loader import load_spec, load_spec_text, loads_spec, validate_spec


@pytest.mark.parametrize("path", VALID + EXAMPLES, ids=lambda p: p.name)
def test_valid_specs_load(path: Path) -> None:
    import yaml

    spec = load_spec(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))  # a reader that knows nothing of the model
    assert spec.agreement.title == raw["agreement"]["title"].strip() != ""
    assert spec.agreement.document_date == raw["agreement"]["document_date"]
    # (short names are left out: YAML 1.1 reads an unquoted NO as false, the loader as the text "NO")
    assert [(p.id, p.legal_name) for p in spec.parties] == [(p["id"], p["legal_name"]) for p in raw["parties"]]


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


def _yaml_positions(text: str) -> tuple[dict, dict]:
    from mou_builder.spec.loader import _Builder, _compose

    found = _Builder("s.json").build(_compose(text.replace("\t", " "), "s.json"))[1]
    return found.values, found.keys


@pytest.mark.parametrize("layout", [{"indent": 2}, {"indent": None}, {"indent": "\t"},
                                    {"indent": 1, "separators": (",", ":")}, {"indent": 4, "ensure_ascii": False}])
def test_json_positions_are_where_the_yaml_reader_finds_them(layout: dict) -> None:
    """The JSON scanner's positions, for every value and key, equal those composing the JSON as YAML gives."""
    from mou_builder.spec.loader import _json_positions

    import yaml

    for path in [*EXAMPLES, *VALID]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["extra"] = {"empty": {}, "none": [], "nested": [[], [{}], {"a": [1, -2.5e3, True, None]}],
                         'quote "and" back\\slash': "caf\u00e9 \u00e9t\u00e9 \\ \"x\"", "é": ["ü", {"ß": 1}]}
        text = json.dumps(data, default=str, **layout)
        scanned = _json_positions(text, "s.json")
        assert scanned is not None
        assert (scanned.values, scanned.keys) == _yaml_positions(text), path.name


def test_json_positions_leave_duplicates_and_deep_nesting_to_the_yaml_reader() -> None:
    from mou_builder.spec.loader import MAX_DEPTH, _json_positions

    assert _json_positions('{"a": 1, "b": {"c": 2, "c": 3}}', "s.json") is None
    assert _json_positions('{"a": ' + "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH + "}", "s.json") is None
    assert _json_positions('{"a": ' + "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1) + "}", "s.json") is not None


def test_a_json_key_given_twice_is_refused_at_its_line_though_json_would_keep_the_last() -> None:
    text = '{\n  "agreement": {"title": "A"},\n  "parties": [],\n  "agreement": {"title": "B"}\n}\n'
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, source="d.json")
    assert str(caught.value) == "d.json:4:3: agreement: duplicate key 'agreement' (first given at line 2)"


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


# -------------------------------------------------------------- floats and digit bounds

MINIMAL = Path(__file__).parent / "data/valid/minimal.yaml"


def _with_money(amount: object, key: str = "amount", **extra: object) -> dict:
    """The minimal spec as ``yaml.safe_load`` gives it, with one cash contribution."""
    import yaml

    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    contribution = {"payer": "a", "payee": "b", "description": "Grant", "amount": "100.00", key: amount, **extra}
    data["financial"] = {"contributions": [contribution]}
    return data


@pytest.mark.parametrize(("amount", "exact"), [
    (96000.0, "96000.0"), (1500.25, "1500.25"), (0.05, "0.05"), (96000, "96000"),
    (999999999999999.0, "999999999999999.0"), (Decimal("1E+5"), "100000"),
])
def test_web_form_amounts_are_taken_as_typed(amount: object, exact: str) -> None:
    """json.loads and yaml.safe_load give floats; each is the decimal it shows, exactly."""
    spec = validate_spec(_with_money(amount))
    value = spec.financial.contributions[0].amount
    assert isinstance(value, Decimal) and str(value) == exact


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_parsed_with_floats_validate_to_the_same_amounts(path: Path) -> None:
    """What a web form sends: yaml.safe_load's or json.loads' floats give the amounts the loader reads exactly."""
    import json

    import yaml

    from_yaml = yaml.safe_load(path.read_text(encoding="utf-8"))
    from_json = json.loads(json.dumps(from_yaml, default=str))
    exact = load_spec(path).model_dump()
    for data in (from_yaml, from_json):
        assert validate_spec(data).model_dump() == exact


@pytest.mark.parametrize(("amount", "extra", "message"), [
    (0.1 + 0.2, {}, "is the float 0.30000000000000004, which is not an exact amount (more than 15 significant "
     "digits): round it, or send the amount as text such as '1500.00'"),
    (1234567890.123456, {}, "is the float 1234567890.123456, which is not an exact amount (more than 15 significant "
     "digits): round it, or send the amount as text such as '1500.00'"),
    (float("nan"), {}, "must be a finite amount, got nan"),
    (float("inf"), {}, "must be a finite amount, got inf"),
    (1e30, {}, "must have at most 15 digits before the decimal point, got 1000000000000000000000000000000 (31 digits)"),
    (1e-7, {}, "must have at most 6 decimal places, got 0.0000001 (7 places)"),
    (True, {}, "must be an amount such as 1500.00, got True"),
    (12.345, {}, "is the float 12.345, with 3 decimal places; USD amounts have 2: round it, or send the amount "
     "as text such as '12.35'"),
    (1500.5, {"currency": "JPY"}, "is the float 1500.5, with 1 decimal place; JPY amounts have 0: round it, or send "
     "the amount as text such as '1500'"),
    (10**16, {}, "must have at most 15 digits before the decimal point, got 10000000000000000 (17 digits)"),
    (10**5000, {}, "must have at most 15 digits before the decimal point, got 1000000000000000000000000000000000000000"
     "... (5,001 digits)"),
    ("1500.1234567", {}, "must have at most 6 decimal places, got 1500.1234567 (7 places)"),
], ids=["0.1+0.2", "17-digits", "nan", "inf", "1e30", "1e-7", "bool", "cents-of-cents", "yen-with-places",
        "16-digits", "5001-digit-int", "7-places-text"])
def test_bad_amounts_are_refused_with_the_reason(amount: object, extra: dict, message: str) -> None:
    with pytest.raises(SpecError) as info:
        validate_spec(_with_money(amount, **extra))
    assert [str(p) for p in info.value.problems] == [f"<spec>: financial.contributions[0].amount: {message}"]


def test_a_price_per_unit_may_be_finer_than_its_currency_a_sum_may_not() -> None:
    data = _with_money(None, basis="rate", rate={"amount": "0.015", "per": "page", "cap": "500.00"})
    del data["financial"]["contributions"][0]["amount"]
    assert str(validate_spec(data).financial.contributions[0].rate.amount) == "0.015"
    data["financial"]["contributions"][0]["rate"]["cap"] = "500.005"
    with pytest.raises(SpecError) as refused:
        validate_spec(data)
    assert [p.path for p in refused.value.problems] == ["financial.contributions[0].rate.cap"]


def test_three_place_currency_takes_three_places_from_a_float() -> None:
    spec = validate_spec(_with_money(12.345, currency="KWD"))
    assert str(spec.financial.contributions[0].amount) == "12.345"


def test_a_float_problem_and_a_model_problem_are_both_reported() -> None:
    data = _with_money(12.345)
    data["agreement"]["document_date"] = "2026-13-01"
    with pytest.raises(SpecError) as info:
        validate_spec(data)
    assert sorted(p.path for p in info.value.problems) == ["agreement.document_date", "financial.contributions[0].amount"]


@pytest.mark.parametrize(("percent", "message"), [
    (12.34567, "must have at most 4 decimal places, got 12.34567 (5 places)"),
    (Decimal("1E-31"), "must have at most 4 decimal places, got 0.0000000000000000000000000000001 (31 places)"),
    (100.5, "must be between 0 and 100, got 100.5"),
])
def test_bad_percentages_are_refused(percent: object, message: str) -> None:
    with pytest.raises(SpecError) as info:
        validate_spec(_with_money(percent, "reimbursement_percent", basis="reimbursement"))
    assert [str(p) for p in info.value.problems] == [
        f"<spec>: financial.contributions[0].reimbursement_percent: {message}"
    ]


def test_totals_stay_exact_at_the_digit_bounds() -> None:
    """15 integer digits and the most places a currency has (4, the Chilean UF): a sum of many amounts fits
    the default 28-digit context exactly. (6 places, the bound of any amount, are a price per unit's.)"""
    top = Decimal("999999999999999.9999")
    data = _with_money(str(top), currency="CLF")
    data["financial"]["contributions"] *= 1000
    spec = validate_spec(data)
    total = sum(c.amount for c in spec.financial.contributions)
    assert total == top * 1000 and str(total) == "999999999999999999.9000"
    with pytest.raises(SpecError, match="a CLF amount has at most 4 decimal places, got 999999999999999.99999"):
        validate_spec(_with_money("999999999999999.99999", currency="CLF"))


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize(("key", "message"), [
    ("amount", "must have at most 15 digits before the decimal point, got 9999999999999999999999999999999999999999"
     "... (5,000 digits)"),
    ("description", "must be text, got 9999999999999999999999999999999999999999... (5,000 digits) (put it in quotes)"),
    ("cap", "must have at most 15 digits before the decimal point, got 9999999999999999999999999999999999999999"
     "... (5,000 digits)"),
])
def test_integers_past_pythons_4300_digits_get_a_located_message(
    tmp_path: Path, fmt: str, key: str, message: str
) -> None:
    """int() refuses more than 4,300 digits; the loader keeps such a number exact and the model locates it."""
    import json

    data = _with_money("100.00")
    data["agreement"]["document_date"] = "2026-01-15"
    data["financial"]["contributions"][0][key] = "@@"
    text = json.dumps(data, indent=1) if fmt == "json" else yaml_dump(data)
    text = text.replace('"@@"' if fmt == "json" else "'@@'", "9" * 5000)
    at = text.index("9" * 5000)
    line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    path = tmp_path / f"big.{fmt}"
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert [str(p) for p in info.value.problems] == [f"{path}:{line}:{column}: financial.contributions[0].{key}: {message}"]
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert (result.exit_code, result.stderr) == (1, str(info.value) + "\n")


def test_a_huge_whole_number_where_a_count_is_meant_is_located() -> None:
    text = MINIMAL.read_text() + "term:\n  renewal_months: " + "9" * 5000 + "\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(text, source="s.yaml")
    assert str(info.value) == (
        "s.yaml:12:19: term.renewal_months: is too large a number, got 9999999999999999999999999999999999999999"
        "... (5,000 digits)"
    )


def yaml_dump(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, width=10**6)


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


def test_a_folder_or_a_missing_file_is_named(tmp_path: Path) -> None:
    from mou_builder.spec.loader import read_spec_data

    (tmp_path / "folder.yaml").mkdir()
    for name, problem in (("folder.yaml", "is a folder, not a spec file"), ("nope.yaml", "no such file")):
        with pytest.raises(SpecError) as caught:
            read_spec_data(tmp_path / name)
        assert str(caught.value) == f"{tmp_path / name}: {problem}"


class _Stream:
    """A file-like object whose read() returns or raises what the test says."""

    def __init__(self, result: object, name: object = None) -> None:
        self.result, self.name = result, name

    def read(self, size: int) -> object:
        assert size == 1_000_001  # one byte more than a spec may be, so that too much is seen
        if isinstance(self.result, BaseException):
            raise self.result
        return self.result


@pytest.mark.parametrize(("stream", "message"), [
    (_Stream(b"\xff\xfe"), "<stream>:1:1: the file is not UTF-8 text (byte 0xff); save it as UTF-8"),
    (_Stream(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "in.yaml"),
     "in.yaml: the file is not UTF-8 text (invalid start byte); save it as UTF-8, or open it in binary mode"),
    (_Stream(OSError(5, "Input/output error"), 3), "<stream>: cannot be read (Input/output error)"),
    (_Stream("a: 1\n" + "#" * 999_996), "<stream>: the spec is more than 1,000,000 bytes, the most a spec may be"),
])
def test_a_stream_that_cannot_be_a_spec_is_a_located_spec_error(stream: _Stream, message: str) -> None:
    from mou_builder.spec.loader import read_spec_stream

    with pytest.raises(SpecError) as caught:
        read_spec_stream(stream)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)


def test_a_stream_of_exactly_the_limit_is_read() -> None:
    from mou_builder.spec.loader import read_spec_stream

    data, _ = read_spec_stream(_Stream("a: 1\n" + "#" * 999_995))  # type: ignore[arg-type]
    assert data == {"a": 1}


def test_a_stream_that_reads_neither_text_nor_bytes_is_a_programming_error() -> None:
    from mou_builder.spec.loader import read_spec_stream

    with pytest.raises(TypeError, match=r"^r\.yaml: read\(\) returned int, not text or bytes$"):
        read_spec_stream(_Stream(5, "r.yaml"))  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "source", "message"), [
    # json.loads' RecursionError (reached when the caller's stack is already deep, as under pytest or in a
    # web app) is the depth limit's message too, located where the limit is passed (as past libyaml's own limit)
    ("[" * 1001 + "]" * 1001, "d.json", "d.json:1:42: values are nested too deeply (at most 40 levels)"),
    ("a: " + "[" * 41 + "]" * 41, "d.yaml", "d.yaml:1:44: values are nested too deeply (at most 40 levels)"),
    ("a: " + "[" * 1001 + "]" * 1001, "d.yaml", "d.yaml:1:44: values are nested too deeply (at most 40 levels)"),
    ("{" * 5 + "[" * 1001, "d.yaml", "d.yaml:1:42: values are nested too deeply (at most 40 levels)"),
])
def test_deep_nesting_in_json_or_yaml_is_refused(text: str, source: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, source=source)
    assert str(caught.value) == message


def test_forty_levels_of_yaml_are_not_too_deep() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text("a: " + "[" * 40 + "]" * 40, source="d.yaml")
    assert "nested too deeply" not in str(caught.value) and "d.yaml:1:1: agreement: required field is missing" in str(
        caught.value)


def test_json_nested_past_the_limit_is_refused_at_its_place_as_yaml_is() -> None:
    with pytest.raises(SpecError) as caught:
        load_spec_text('{"a": ' + "[" * 41 + "]" * 41 + "}", source="d.json")
    assert str(caught.value) == "d.json:1:47: values are nested too deeply (at most 40 levels)"


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a": ', "}"), ("- ", "")],
                         ids=["json-lists", "json-mappings", "yaml-lists"])
def test_the_fast_parser_is_kept_from_text_nested_past_a_thousand_levels(opening: str, closing: str) -> None:
    # libyaml's composer would crash the process: deeper text goes to PyYAML's parser instead.
    from mou_builder.spec.loader import _too_deep

    def nested(depth: int) -> str:
        if opening == "- ":
            return "".join("  " * i + "-\n" for i in range(depth - 1)) + "  " * (depth - 1) + "- 1\n"
        return opening * depth + ("1" if opening == '{"a": ' else "") + closing * depth

    # (block levels: the libyaml of PyYAML 6.0.4's wheels itself refuses 1,000, which counts as too deep)
    assert _too_deep(nested(1001)) and not _too_deep(nested(1000 if opening != "- " else 999))


def test_a_json_decimal_is_a_number_as_in_yaml_and_an_exponent_form_stays_text() -> None:
    text = ('{"agreement": {"title": TITLE, "document_date": "2026-01-15"}, "parties": ['
            '{"id": "a", "legal_name": "Alpha", "short_name": "A"}, {"id": "b", "legal_name": "Beta", "short_name": "B"}]}')
    with pytest.raises(SpecError) as refused:
        loads_spec(text.replace("TITLE", "1.50"), source="s.json")
    assert str(refused.value) == "s.json:1:25: agreement.title: must be text, got 1.50 (put it in quotes: '1.50')"
    assert loads_spec(text.replace("TITLE", "1.5e3"), source="s.json").agreement.title == "1.5e3"


def test_json_text_is_measured_on_the_json_parser_against_any_limit() -> None:
    # (at the real limit Python's JSON parser gives up first, and the YAML events measure instead)
    from mou_builder.spec.loader import _too_deep

    assert _too_deep('{"a": [[{"b": [1]}]]}', limit=4) and not _too_deep('{"a": [[{"b": [1]}]]}', limit=5)
    assert _too_deep("[[[[[]]]]]", limit=4) and not _too_deep("[[[[[]]]]]", limit=5)


def test_a_device_given_as_the_spec_is_refused_as_not_a_regular_file() -> None:
    with pytest.raises(SpecError) as refused:
        load_spec(Path("/dev/null"))
    assert str(refused.value) == ("/dev/null: is not a regular file (a device, a pipe or a socket); "
                                  "a spec is a YAML or JSON file")


def test_a_format_other_than_yaml_or_json_is_a_programming_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"^fmt must be 'yaml' or 'json', not 'toml'$"):
        loads_spec("agreement: {}", fmt="toml")  # type: ignore[arg-type]
