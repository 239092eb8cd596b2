"""Named defaults: the terms a draft states though the spec did not, reported by `check`."""

from __future__ import annotations

import copy
import json
from typing import Any, get_args

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.completeness import check, named_default_fields
from mou_builder.spec.loader import read_spec_data, validate_spec
from mou_builder.spec.model import Spec
from mou_builder.render.text import render_plain

CITY = next(p for p in EXAMPLES if p.name == "city-data-grant.yaml")


def _city() -> dict[str, Any]:
    return read_spec_data(CITY)[0]


def _defaults(data: dict[str, Any]) -> dict[str, str]:
    return {f.path: f.message for f in check(validate_spec(data)) if f.code == "default-term"}


def test_check_reports_a_named_default_in_force_with_its_value() -> None:
    found = _defaults(_city())
    assert found["data_sharing.breach_notice_days"] == "not set in the spec; the draft uses the default 5"
    assert found["conflict_resolution.continue_performance"] == (
        "not set in the spec (default true): the draft says the parties keep performing their obligations while a "
        "dispute is being resolved")


def test_a_true_false_default_says_what_the_draft_does_not_just_the_value() -> None:
    # "the default true" for assignment read as "assignment allowed"; true is the no-assignment clause
    found = _defaults(_city())
    assert found["general_provisions.assignment"] == (
        "not set in the spec (default true): the draft includes clause No Assignment (no Party may assign without "
        "the others' written consent)")


def test_every_true_false_named_default_has_its_wording() -> None:
    from mou_builder.library.completeness import BOOLEAN_DEFAULT_SAYS, named_default_fields

    flags = {n.path for n in named_default_fields() if isinstance(n.default, bool)}
    assert flags == set(BOOLEAN_DEFAULT_SAYS)


def test_setting_the_field_confirms_it_and_changes_the_draft() -> None:
    data = _city()
    data["data_sharing"]["breach_notice_days"] = 3
    assert "data_sharing.breach_notice_days" not in _defaults(data)
    text = render_plain(assemble(validate_spec(data)))
    assert "within three (3) business days after discovering it" in text


def test_a_default_is_reported_only_where_the_draft_uses_it() -> None:
    data = _city()  # for_cause: immediate, so no cure period is printed or reported
    assert data["termination"]["for_cause"] == "immediate"
    assert "termination.cure_days" not in _defaults(data)
    data["termination"]["for_cause"] = "cure"
    assert _defaults(data)["termination.cure_days"] == "not set in the spec; the draft uses the default 30"
    del data["termination"]  # a section the draft does not have reports no defaults
    assert not [p for p in _defaults(data) if p.startswith("termination.")]


def test_a_derived_default_shows_the_party_it_picks() -> None:
    data = _city()
    data["intellectual_property"] = {"ownership": "lead_owns"}
    data["parties"][0]["role"] = "lead"
    assert _defaults(data)["intellectual_property.owner"] == "not set in the spec; the draft uses the default the City"
    assert "The City owns the work product created under this Agreement." in render_plain(assemble(validate_spec(data)))


def test_without_legal_the_voice_is_a_reported_default() -> None:
    data = _city()
    del data["legal"]
    assert "legal.binding" in _defaults(data)
    assert "Hope House shall report progress" in render_plain(assemble(validate_spec(data)))
    data["legal"] = {"binding": False}
    assert "legal.binding" not in _defaults(data)
    assert "Hope House will report progress" in render_plain(assemble(validate_spec(data)))


def test_builds_do_not_carry_defaults_but_check_json_does(tmp_path) -> None:  # noqa: ANN001
    assert not [f for f in assemble(validate_spec(_city())).findings if f.severity == "info"]
    result = CliRunner().invoke(main, ["check", str(CITY), "--format", "json"])
    report = json.loads(result.stdout)
    infos = [f for f in report["findings"] if f["severity"] == "info"]
    assert report["defaults"] == len(infos) > 0 and report["complete"] is True and result.exit_code == 0
    assert {"code": "default-term", "path": "data_sharing.breach_notice_days"}.items() <= infos[
        [f["path"] for f in infos].index("data_sharing.breach_notice_days")].items()


# The section (replaced whole) in which the default is used and the other value is valid.
PRECONDITIONS: dict[str, dict[str, Any]] = {
    "legal.binding_sections": {"legal": {"binding": False}},
    "liability.mode": {"liability": {}},
    "term.effective": {"term": {"end": "2027-10-31"}},
    "data_sharing.reidentification_prohibited": {"data_sharing": {"mode": "de_identified"}},
    "intellectual_property.owner": {"intellectual_property": {"ownership": "lead_owns", "owner": "city"}},
    "term.nonrenewal_notice_days": {"term": {"end": "2027-10-31", "renewal": "automatic"}},
    "termination.cure_days": {"termination": {"for_cause": "cure"}},
    "liability.indemnity_procedure.settlement_consent": {
        "liability": {"mode": "mutual_indemnity", "indemnity_procedure": {"control": "indemnitor"}}},
    "communication.mail_receipt_days": {"communication": {"notice_methods": ["certified_mail"]}},
    "general_provisions.precedence": {"incorporated_documents": [{"title": "Grant Award Notice"}]},
}

# For a default inside a block of a section: the block, added to the city's section.
BLOCKS: dict[str, dict[str, Any]] = {
    "data_sharing.research": {},
    "data_sharing.audit": {"by": ["city"]},
    "data_sharing.hipaa": {"covered_entity": "city", "business_associate": "hopehouse"},
}


def _other_value(path: str, default: Any) -> Any:
    """A valid value other than the default."""
    if isinstance(default, bool):
        return not default
    if isinstance(default, int):
        return default + 7
    if path == "communication.notice_methods":
        return ["hand"]
    if path == "financial.currency":
        return "EUR"
    if path == "legal.binding_sections":
        return ["data_sharing"]
    if path == "general_provisions.precedence":
        return ["incorporated_documents", "agreement", "exhibits"]
    *parents, name = path.split(".")
    model: Any = Spec
    for part in parents:
        inner = model.model_fields[part].annotation
        model = inner if isinstance(inner, type) else next(a for a in get_args(inner) if a is not type(None))
    field_type = model.model_fields[name].annotation
    return next(v for v in get_args(field_type) if v != default and v not in ("shared", "one_way", "attribution"))


# intellectual_property.owner is derived from the lead party: test_a_derived_default_shows_the_party_it_picks
@pytest.mark.parametrize("named", [n for n in named_default_fields() if n.shows is None], ids=lambda n: n.path)
def test_every_named_default_decides_what_the_draft_says(named) -> None:  # noqa: ANN001
    """Changing the field away from its default changes the draft's text: no default is dead."""
    data = _city()
    data["intellectual_property"] = {"ownership": "each_own"}
    data.update(copy.deepcopy(PRECONDITIONS.get(named.path, {})))
    *parents, name = named.path.split(".")
    holder = data
    for depth, part in enumerate(parents):
        holder = holder.setdefault(part, copy.deepcopy(BLOCKS.get(".".join(parents[:depth + 1]), {})))
    holder.pop(name, None)  # the default in force
    before = render_plain(assemble(validate_spec(copy.deepcopy(data))))
    holder[name] = _other_value(named.path, named.default)
    after = render_plain(assemble(validate_spec(data)))
    assert before != after, f"{named.path}: the draft is the same with {holder[name]!r}"


def test_every_named_default_is_documented() -> None:
    clauses_md = (ROOT / "docs" / "clauses.md").read_text(encoding="utf-8")
    reference = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    for named in named_default_fields():
        section = named.path.split(".")[0]
        listed = f"`{named.path}`" in clauses_md or (section == "general_provisions" and "`general_provisions.*`" in clauses_md)
        assert listed, f"{named.path} is not in docs/clauses.md#named-defaults"
    assert reference.count("[named default](clauses.md#named-defaults)") == len(named_default_fields())


def test_a_default_outside_any_section_is_reported_too() -> None:
    data = _city()
    del data["agreement"]["kind"]
    assert _defaults(data)["agreement.kind"] == "not set in the spec; the draft uses the default memorandum_of_understanding"
