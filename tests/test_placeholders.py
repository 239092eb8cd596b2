"""Template mode: values left as placeholders ([DATE], [AMOUNT]) build highlighted, are listed by check,
and are refused by --strict and agreement.final: true."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from conftest import DATA, EXAMPLES, ROOT
from docx_reading import W, part
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.completeness import check
from mou_builder.errors import IncompleteSpecError, SpecError
from mou_builder.spec.loader import load_spec, validate_spec
from mou_builder.render.word import build_docx, render_docx
from mou_builder.render.text import render_markdown
from mou_builder.spec.types import Placeholder, find_placeholders, placeholders_in
from spec_strings import NOT_PRINTED, _is_text
from test_properties import specs

TEMPLATE = DATA / "valid" / "template-placeholders.yaml"
CITY = next(p for p in EXAMPLES if p.stem == "city-data-grant")
PAIR = DATA / "drafts" / "placeholders-filled"


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def _highlighted(docx: bytes, name: str = "word/document.xml") -> list[str]:
    """The text of every run Word shows with a yellow highlight, in document order."""
    return [
        "".join(t.text or "" for t in run.iter(f"{W}t"))
        for run in part(docx, name).iter(f"{W}r")
        if run.find(f"{W}rPr/{W}highlight[@{W}val='yellow']") is not None
    ]


def _city(**changes: Any) -> dict[str, Any]:
    """The city example's data with values replaced: ``{'term.end': '[END DATE]'}`` (dotted, with list indexes)."""
    data = yaml.safe_load(CITY.read_text(encoding="utf-8"))
    for path, value in changes.items():
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node = data
        for key in parents:
            node = node[key]
        node[last] = value
    return data


# ---------------------------------------------------------------- the grammar


def test_a_placeholder_is_a_bracketed_upper_case_token() -> None:
    text = "Pay [AMOUNT] by [DATE] to [PARTNER NAME] ([TBD]); [sic], [...], [a], [ X], [X ], [1ST] and [] are text"
    assert placeholders_in(text) == ["[AMOUNT]", "[DATE]", "[PARTNER NAME]", "[TBD]"]
    assert placeholders_in("[FY-2027/Q1] [A&B] [V2.1]") == ["[FY-2027/Q1]", "[A&B]", "[V2.1]"]
    assert placeholders_in("[" + "X" * 41 + "]") == []  # longer than 40 characters inside: text


# ---------------------------------------------------------------- typed fields

TYPED = {
    "agreement.document_date": "[DATE]",
    "scope.participants": "[NUMBER]",
    "financial.budget_total": "[BUDGET]",
    "financial.contributions.0.amount": "[AMOUNT]",
    "financial.contributions.0.cap": "[CAP]",
    "data_sharing.destruction_days": "[DAYS]",
    "data_sharing.breach_notice_days": "[BREACH DAYS]",
    "conflict_resolution.steps.0.days": "[STEP DAYS]",
    "term.start": "[START DATE]",
    "term.end": "[END DATE]",
    "termination.convenience_days": "[NOTICE DAYS]",
    "liability.insurance.0.amount": "[INSURANCE]",
}


def _typed_template() -> dict[str, Any]:
    data = _city(**TYPED)
    data["term"]["effective"] = "fixed_date"
    return data


def test_every_kind_of_typed_field_takes_a_placeholder_and_round_trips() -> None:
    spec = validate_spec(_typed_template())
    assert spec.agreement.document_date == "[DATE]" and isinstance(spec.agreement.document_date, Placeholder)
    assert isinstance(spec.financial.contributions[0].amount, Placeholder)
    assert isinstance(spec.termination.convenience_days, Placeholder)
    # every one is found where it was written, and nothing else is
    found = {".".join(map(str, loc)): token for loc, token in find_placeholders(spec)}
    assert found == TYPED
    # a dump validates again to the same spec, and JSON carries the placeholder as written
    assert validate_spec(spec.model_dump(mode="json")) == spec
    assert json.loads(spec.model_dump_json())["financial"]["contributions"][0]["amount"] == "[AMOUNT]"
    # the JSON Schema says the same as the model
    schema = json.loads((ROOT / "schemas" / "mou-spec.schema.json").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(spec.model_dump(mode="json")))


def test_typed_placeholders_reach_the_draft_as_written_and_highlighted() -> None:
    document = assemble(validate_spec(_typed_template()))
    markdown = render_markdown(document)
    for sentence in (
        "at least \\[NOTICE DAYS\\] days' written notice",  # never "thirty (30)": no number is made up
        "within \\[BREACH DAYS\\] business days after discovering it",
        "ends on \\[END DATE\\]",
        "| **Total** |  |  |  | **\\[TOTAL\\]** |",  # a sum over a placeholder is itself still to fill in
    ):
        assert sentence in markdown
    assert "250,000.00" not in markdown.split("Schedule of Contributions")[1].split("##")[0]
    docx = render_docx(document)
    assert set(_highlighted(docx)) == {*TYPED.values(), "[TOTAL]"}
    # an undated draft's file properties carry a fixed date, not a made-up one, so builds repeat
    created = part(docx, "docProps/core.xml").find("{http://purl.org/dc/terms/}created")
    assert created is not None and created.text == "1980-01-01T00:00:00Z"
    assert render_docx(assemble(validate_spec(_typed_template()))) == docx


def test_rules_that_compare_values_skip_a_placeholder() -> None:
    # amount above cap, end before start, two destruction deadlines: none can be judged on a placeholder
    data = _city(**{"financial.contributions.0.cap": "[CAP]", "term.end": "[END DATE]",
                    "data_sharing.destruction_days": "[DAYS]"})
    spec = validate_spec(data)
    assert spec.term.end == "[END DATE]"
    # ... while the same rules still hold between real values
    with pytest.raises(SpecError, match="is above the cap 1.00"):
        validate_spec(_city(**{"financial.contributions.0.cap": "1.00"}))


def test_a_budget_over_a_placeholder_cannot_be_checked_and_says_so() -> None:
    findings = check(validate_spec(_city(**{"financial.contributions.0.amount": "[AMOUNT]"})))
    unchecked = [f for f in findings if f.code == "budget-unchecked"]
    assert [(f.severity, f.path, f.message) for f in unchecked] == [(
        "warning", "financial.budget_total",
        "the contributions cannot be checked against the budget while [AMOUNT] is a placeholder",
    )]
    assert not [f for f in findings if f.code == "budget-mismatch"]
    # with real amounts the sum is checked again
    wrong = check(validate_spec(_city(**{"financial.contributions.0.amount": "1.00",
                                          "financial.contributions.0.cap": "1.00"})))
    assert [f.code for f in wrong if f.code.startswith("budget")] == ["budget-mismatch"]


# ---------------------------------------------------------------- text fields (property)


def _with_placeholders(model: BaseModel, data: dict[str, Any], tokens: list[str], prefix: str = "") -> None:
    """Append a new placeholder ``[P<n>]`` to every printed text value of ``data`` (the dump of ``model``)."""
    for name, info in type(model).model_fields.items():
        path = f"{prefix}{name}"
        value = getattr(model, name)
        if path in NOT_PRINTED or name not in data:
            continue
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            holder, key = (data[name], index) if index is not None else (data, name)
            if isinstance(item, BaseModel):
                _with_placeholders(item, holder[key], tokens, f"{path}.")
            elif isinstance(item, str) and _is_text(info.annotation):
                tokens.append(f"[P{len(tokens) + 1} MARK]")
                holder[key] = f"{item} {tokens[-1]}"


@settings(max_examples=10)
@given(specs())
def test_a_placeholder_in_any_text_field_reaches_the_docx_highlighted(data: dict[str, Any]) -> None:
    spec = validate_spec(data)
    # random text may hold a placeholder of its own ("[A]"): it counts as one too
    marked, tokens = spec.model_dump(mode="json", exclude_unset=True), [t for _, t in find_placeholders(spec)]
    _with_placeholders(spec, marked, tokens)
    template = validate_spec(marked)
    docx = render_docx(assemble(template))
    shown = _highlighted(docx) + _highlighted(docx, "word/header1.xml")
    assert sorted(set(tokens)) == sorted(set(shown) & set(tokens))
    assert set(shown) <= set(tokens) | {"[TOTAL]"}
    # check lists every one, at its field
    listed = [f.message.removeprefix("still the placeholder ") for f in check(template) if f.code == "placeholder"]
    assert sorted(listed) == sorted(tokens)


# ---------------------------------------------------------------- check, --strict, final


def test_check_lists_each_placeholder_with_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TEMPLATE.parent)
    result = _run("check", TEMPLATE.name, "--format", "json")
    report = json.loads(result.stdout)
    found = [(f["line"], f["path"], f["message"]) for f in report["findings"] if f["code"] == "placeholder"]
    assert sorted(found) == [
        (6, "agreement.document_date", "still the placeholder [DATE]"),
        (12, "parties[1].legal_name", "still the placeholder [PARTNER LEGAL NAME]"),
        (15, "purpose.statement", "still the placeholder [NUMBER]"),
        (15, "purpose.statement", "still the placeholder [SERVICE AREA]"),
        (18, "scope.participants", "still the placeholder [NUMBER OF CHILDREN]"),
        (20, "financial.budget_total", "still the placeholder [BUDGET]"),
        (25, "financial.contributions[0].amount", "still the placeholder [AMOUNT]"),
        (29, "term.start", "still the placeholder [START DATE]"),
        (32, "termination.convenience_days", "still the placeholder [DAYS]"),
    ]
    assert {f["severity"] for f in report["findings"] if f["code"] == "placeholder"} == {"warning"}
    text = _run("check", TEMPLATE.name).stdout
    assert ("template-placeholders.yaml:6:18: warning placeholder: agreement.document_date: still the placeholder "
            "[DATE]; fill in the real value") in text


def test_a_complete_spec_with_placeholders_passes_check_but_not_check_strict(tmp_path: Path) -> None:
    spec = tmp_path / "city.yaml"
    spec.write_text(yaml.safe_dump(_city(**{"term.end": "[END DATE]"}), sort_keys=False), encoding="utf-8")
    assert _run("check", str(spec)).exit_code == 0
    strict = _run("check", str(spec), "--strict")
    assert strict.exit_code == 1
    assert "error placeholder: term.end: still the placeholder [END DATE]" in strict.stdout
    assert strict.stdout.rstrip().endswith("incomplete: 1 error, 0 warnings, 16 defaults (profile general)")


def test_build_strict_writes_nothing_and_locates_each_placeholder(tmp_path: Path) -> None:
    spec = tmp_path / "city.yaml"
    spec.write_text(yaml.safe_dump(_city(**{"term.end": "[END DATE]"}), sort_keys=False), encoding="utf-8")
    out = tmp_path / "city.docx"
    assert _run(str(spec), "-o", str(out)).exit_code == 0 and out.exists()  # without --strict: built
    out.unlink()
    result = _run(str(spec), "-o", str(out), "--strict")
    assert result.exit_code == 1 and not out.exists()
    line = next(n for n, text in enumerate(spec.read_text().splitlines(), 1) if "[END DATE]" in text)
    assert f"{spec}:{line}:" in result.stderr and "error placeholder: term.end: still the placeholder [END DATE]" \
        in result.stderr
    assert result.stderr.rstrip().endswith("not written: incomplete: 1 error, 0 warnings (--strict)")
    with pytest.raises(IncompleteSpecError, match=r"term\.end: still the placeholder \[END DATE\]"):
        build_docx(spec, strict=True)


def test_a_batch_under_strict_leaves_out_the_template_only(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(yaml.safe_dump(_city(**{"term.end": "[END DATE]"}), sort_keys=False), encoding="utf-8")
    outdir = tmp_path / "out"
    result = _run(str(template), str(CITY), "-o", f"{outdir}/", "--strict", "-j", "1")
    assert result.exit_code == 1
    assert sorted(p.name for p in outdir.iterdir()) == ["city-data-grant.docx"]
    assert f"{template}: not written: incomplete: 1 error, 0 warnings (--strict)" in result.stderr


@pytest.mark.parametrize("command", [["validate"], ["check"], ["build"]])
def test_final_refuses_placeholders_always(command: list[str], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.chdir(DATA / "invalid")
    expected = Path("placeholder-in-final.expected").read_text(encoding="utf-8")
    extra = ["-o", str(tmp_path / "x.docx")] if command == ["build"] else []
    result = _run(*command, "placeholder-in-final.yaml", *extra)
    assert result.exit_code == 1 and expected in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []
    assert "agreement.document_date: agreement.final is true (the execution copy), but this value still holds the " \
           "placeholder [DATE]" in expected


def test_final_spec_without_placeholders_is_fine() -> None:
    data = _city()
    data["agreement"]["final"] = True
    assert validate_spec(data).agreement.final is True


# ---------------------------------------------------------------- diff and redline


def test_diff_shows_each_placeholder_filled_in_as_its_field() -> None:
    result = _run("diff", str(PAIR / "old.yaml"), str(PAIR / "new.yaml"), "--format", "json")
    fields = {f["path"]: (f["old"], f["new"]) for f in json.loads(result.stdout)["fields"]}
    assert fields == {
        "agreement.document_date": ("[DATE]", "2026-10-05"),
        "agreement.funding_source": ("HUD Community Development Block Grant [GRANT NUMBER]",
                                     "HUD Community Development Block Grant B-26-MC-39-0012"),
        "parties[1].legal_name": ("[PARTNER NAME]", "Hope House Family Services"),
        "financial.contributions[0].amount": ("[AMOUNT]", "250000.00"),
        "data_sharing.destruction_days": ("[DAYS]", 30),
        "term.end": ("[END DATE]", "2027-10-31"),
        "termination.convenience_days": ("[NOTICE DAYS]", 60),
    }
    text = _run("diff", str(PAIR / "old.yaml"), str(PAIR / "new.yaml")).stdout
    assert "amount: [AMOUNT] -> $250,000.00" in text


def test_the_redline_deletes_the_placeholder_and_inserts_the_value(tmp_path: Path) -> None:
    out = tmp_path / "redline.docx"
    assert _run("diff", str(PAIR / "old.yaml"), str(PAIR / "new.yaml"), "-o", str(out)).exit_code == 0
    body = part(out.read_bytes(), "word/document.xml")
    # per paragraph: the words deleted, and the words inserted (a redline marks words, so "[NOTICE" and "DAYS]")
    changed = [(" ".join(t.text or "" for d in p.iter(f"{W}del") for t in d.iter(f"{W}delText")),
                " ".join(t.text or "" for i in p.iter(f"{W}ins") for t in i.iter(f"{W}t")))
               for p in body.iter(f"{W}p")]
    for old, new in [("[AMOUNT]", "$250,000.00"), ("[NOTICE DAYS]", "sixty (60)"), ("[GRANT NUMBER]", "B-26-MC-39-0012"),
                     ("[DATE]", "October 5, 2026")]:
        assert any(old in deleted for deleted, _ in changed), old
        assert any(new in inserted for _, inserted in changed), new
    # in running text the two stand in the same paragraph
    assert ("[NOTICE DAYS]", "sixty (60)") in changed


def test_the_pair_builds_the_same_agreement_once_filled() -> None:
    # the filled-in template is the example, word for word
    assert load_spec(PAIR / "new.yaml").model_dump() == load_spec(CITY).model_dump()
    assert load_spec(PAIR / "old.yaml").agreement.document_date == "[DATE]"
    assert load_spec(CITY).agreement.document_date == date(2026, 10, 5)
    assert load_spec(CITY).financial.contributions[0].amount == Decimal("250000.00")


def test_init_without_questions_writes_a_template_whose_blanks_check_lists(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run("init", "--no-input").exit_code == 0
    spec = load_spec(tmp_path / "my-mou.yaml")
    assert [p.legal_name for p in spec.parties] == ["[PARTY A LEGAL NAME]", "[PARTY B LEGAL NAME]"]
    listed = [f.path for f in check(spec) if f.code == "placeholder"]
    assert listed == ["parties[0].legal_name", "parties[1].legal_name"]


def test_a_placeholder_the_draft_would_never_print_is_refused() -> None:
    # with personal data, data_sharing.destruction_days governs; termination.data_return_days is not printed
    with pytest.raises(SpecError, match=r"termination\.data_return_days: data_sharing\.destruction_days governs .* "
                                        r"would never reach the draft; .*got \[RETURN DAYS\]"):
        validate_spec(_city(**{"termination.data_return_days": "[RETURN DAYS]"}))
    # while destruction_days may itself be the placeholder
    assert validate_spec(_city(**{"data_sharing.destruction_days": "[DAYS]"})).termination.data_return_days == 30
