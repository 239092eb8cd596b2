"""Completeness: every required section of every profile, when removed, gives exactly its finding."""

from __future__ import annotations

import re

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import DATA, EXAMPLES, ROOT
from golden import assert_golden
from mou_builder.cli import main
from mou_builder.library.completeness import check, load_profile
from mou_builder.errors import ProfileError
from mou_builder.spec.loader import load_spec, load_spec_text, read_spec_data

HEAD_START = ROOT / "docs" / "examples" / "head-start-coordination.yaml"


def _without(path: Path, dotted: str, tmp_path: Path) -> Path:
    """A copy of the spec file at ``path`` with the key at ``dotted`` removed, as YAML."""
    data, _ = read_spec_data(path)
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    del node[last]
    out = tmp_path / path.name
    out.write_text(yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return out


def _plain(value):  # Decimals and dates back to YAML-safe text
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (int, bool, str)) or value is None:
        return value
    return str(value)


def _required_cases() -> list[tuple[Path, str, str]]:
    cases = []
    for example in EXAMPLES:
        profile = load_profile(load_spec(example).agreement.profile)
        for section in profile.required_sections:
            if section != "parties":  # the model itself requires parties
                cases.append((example, profile.id, section))
    return cases


@pytest.mark.parametrize(("example", "profile", "section"), _required_cases(), ids=lambda v: getattr(v, "stem", v))
def test_removing_a_required_section_gives_exactly_its_finding(
    example: Path, profile: str, section: str, tmp_path: Path
) -> None:
    from mou_builder.library.clauses import load_library

    source = load_library().section(section).source
    before = {(f.code, f.path) for f in problems(load_spec(example))}
    spec = load_spec(_without(example, source, tmp_path))
    findings = problems(spec)
    added = [f for f in findings if (f.code, f.path) not in before]
    assert [(f.code, f.severity, f.section, f.path) for f in added] == [("missing-section", "error", section, source)]
    # located where the section would go: at the key of its neighbour in the file, which the hint names
    side, neighbour = re.search(rf"^add '{source}:' (before|after) '(\w+):'", added[0].hint).groups()
    lines = (tmp_path / example.name).read_text().splitlines()
    assert added[0].source == str(tmp_path / example.name)
    assert lines[added[0].line - 1].startswith(f"{neighbour}:") and added[0].column == 1


@pytest.mark.parametrize("section", ["data_sharing", "legal_status"])
def test_student_data_profile_requires_its_sections(section: str, tmp_path: Path) -> None:
    example = ROOT / "docs" / "examples" / "city-data-grant.yaml"
    from mou_builder.library.clauses import load_library

    source = load_library().section(section).source
    spec = load_spec(_without(example, source, tmp_path))
    findings = problems(spec, "student_data")
    assert ("missing-section", source) in {(f.code, f.path) for f in findings}


def problems(spec, profile=None):  # noqa: ANN001, ANN201 - the errors and warnings; named defaults are tested apart
    return [f for f in check(spec, profile) if f.severity != "info"]


TOPICS = [
    "educational_activities", "public_information", "selection_priorities", "service_areas", "staff_training",
    "technical_assistance", "working_parents", "transition_to_kindergarten", "facilities_transportation",
    "other_elements",
]


@pytest.mark.parametrize("topic", TOPICS)
def test_head_start_profile_flags_each_topic(topic: str, tmp_path: Path) -> None:
    spec = load_spec(_without(HEAD_START, f"head_start.{topic}", tmp_path))
    findings = problems(spec)
    assert [(f.code, f.path) for f in findings] == [("head-start-topic", f"head_start.{topic}")]
    assert findings[0].line is not None  # located at the head_start: mapping


def test_head_start_profile_lists_ten_topics() -> None:
    topics = [r.path for r in load_profile("head_start").required_fields if r.code == "head-start-topic"]
    assert topics == [f"head_start.{t}" for t in TOPICS]


def test_examples_are_complete() -> None:
    for example in EXAMPLES:
        assert [str(f) for f in problems(load_spec(example))] == []


def _spec(extra: str) -> str:
    return (DATA / "valid" / "minimal.yaml").read_text() + extra


def test_guides_checks_signatory_per_party_and_title() -> None:
    spec = load_spec_text(_spec("signatories:\n  - party: a\n    name: Pat Lee\n"), source="s.yaml")
    found = {(f.code, f.path, f.message) for f in problems(spec)}
    assert ("missing-signatory", "signatories", "no one signs for Beta (b)") in found
    assert ("signatory-without-title", "signatories[0]", "Pat Lee signs without a title") in found


def test_guides_checks_budget_and_funding_plan() -> None:
    extra = (
        "financial:\n  budget_total: 1000.00\n  contributions:\n"
        "    - {payer: a, payee: b, description: Grant, amount: 600.00}\n"
        "    - {payer: b, payee: a, description: Space, kind: in_kind, amount: 300.00}\n"
    )
    all_findings = problems(load_spec_text(_spec(extra), source="s.yaml"))
    findings = {f.code: f for f in all_findings}
    assert findings["budget-mismatch"].message == "contributions add up to $900.00 but the budget is $1,000.00"
    assert findings["budget-mismatch"].location == "s.yaml:12:17"
    assert findings["no-funding-plan"].severity == "error"
    assert findings["no-cost-allocation"].severity == "warning"
    # money moves, so monitoring becomes a required section
    assert ("missing-section", "monitoring") in {(f.code, f.path) for f in all_findings}


def test_party_without_responsibility_is_a_warning() -> None:
    spec = load_spec_text(_spec("responsibilities:\n  - {activity: Host, accountable: a}\n"))
    found = [f for f in problems(spec) if f.code == "party-without-responsibility"]
    assert [(f.severity, f.message) for f in found] == [
        ("warning", "Beta (b) is neither accountable nor responsible for any activity")
    ]


def test_user_profile_file(tmp_path: Path) -> None:
    profile = tmp_path / "tiny.yaml"
    profile.write_text("id: tiny\ntitle: Tiny\nrequired_sections: [purpose]\n")
    findings = problems(load_spec(DATA / "valid" / "minimal.yaml"), profile)
    assert [(f.code, f.path) for f in findings] == [("missing-section", "purpose")]


def test_unknown_profile_is_a_clear_error() -> None:
    with pytest.raises(ProfileError, match=r"unknown profile 'nope' \(built-in: general, head_start, health_data, student_data\)"):
        load_profile("nope")


def test_bad_profile_file_names_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: Bad\nrequired_section: [purpose]\n")
    with pytest.raises(ProfileError, match=r"bad.yaml: required_section: Extra inputs are not permitted"):
        load_profile(bad)


def test_check_cli_text_report_matches_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA / "valid")
    result = CliRunner().invoke(main, ["check", "minimal.yaml"])
    assert result.exit_code == 1
    assert_golden("minimal.check.txt", result.stdout)


def test_check_cli_json_report_is_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA / "valid")
    result = CliRunner().invoke(main, ["check", "minimal.yaml", "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert list(report) == ["report_version", "spec", "profile", "complete", "errors", "warnings", "defaults", "findings"]
    assert list(report["findings"][0]) == ["code", "severity", "section", "path", "message", "hint", "file", "line", "column"]
    assert_golden("minimal.check.json", result.stdout)


def test_check_cli_exit_0_when_complete() -> None:
    result = CliRunner().invoke(main, ["check", str(EXAMPLES[0])])
    assert result.exit_code == 0, result.output


def _section_keys(spec: Path, profile: str | Path) -> list[str]:
    from mou_builder.assembly import assemble

    return [s.key for s in assemble(load_spec(spec), profile=profile).sections]


def test_section_order_chains_the_named_sections(tmp_path: Path) -> None:
    spec = EXAMPLES[0]
    canonical = _section_keys(spec, "general")
    profile = tmp_path / "ordered.yaml"
    profile.write_text("id: ordered\ntitle: Ordered\nextends: general\nsection_order: [parties, financial, scope]\n")
    ordered = _section_keys(spec, profile)
    # financial and scope now follow parties, in that order; everything else keeps its order
    assert ordered[ordered.index("parties"):ordered.index("parties") + 3] == ["parties", "financial", "scope"]
    assert [k for k in ordered if k not in ("financial", "scope")] == [k for k in canonical if k not in ("financial", "scope")]
    assert sorted(ordered) == sorted(canonical)


def test_head_start_profile_puts_coordination_after_scope() -> None:
    keys = _section_keys(DATA / "drafts" / "profile-reorders" / "old.yaml", "head_start")
    assert keys[keys.index("scope") + 1] == "head_start"
    general = _section_keys(DATA / "drafts" / "profile-reorders" / "old.yaml", "general")
    assert general[general.index("scope") + 1] == "responsibilities"


def test_section_order_is_inherited_and_checked(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text("id: child\ntitle: Child\nextends: head_start\n")
    assert load_profile(child).section_order == ("scope", "head_start")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: Bad\nsection_order: [scope, budget]\n")
    with pytest.raises(ProfileError, match=r"bad.yaml: section_order: unknown section 'budget'"):
        _section_keys(EXAMPLES[0], bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("id: twice\ntitle: Twice\nsection_order: [scope, purpose, scope]\n")
    with pytest.raises(ProfileError, match=r"twice.yaml: section_order: Value error, section 'scope' is listed twice"):
        load_profile(twice)


def test_a_profile_that_extends_another_reports_a_field_once(tmp_path: Path) -> None:
    # student_data extends general; both ask for data_sharing.legal_basis, in their own words
    example = ROOT / "docs" / "examples" / "city-data-grant.yaml"
    text = example.read_text().replace("  profile: general\n", "  profile: student_data\n")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("  legal_basis:"))
    spec = load_spec_text(text, source="s.yaml")
    found = [f for f in check(spec) if f.path == "data_sharing.legal_basis" and f.code == "missing-field"]
    child = next(r for r in load_profile("student_data").required_fields if r.path == "data_sharing.legal_basis")
    assert [f.message for f in found] == [child.message]
