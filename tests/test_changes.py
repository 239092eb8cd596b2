"""Reviewer workflow: change summaries and text diffs between two drafts (tests/data/drafts/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLES
from golden import assert_golden
from mou_builder.cli import main

PAIRS = sorted(p for p in (DATA / "drafts").iterdir() if p.is_dir())


def _diff(pair: Path, *extra: str) -> object:
    return CliRunner().invoke(main, ["diff", str(pair / "old.yaml"), str(pair / "new.yaml"), *extra])


def test_there_are_eight_realistic_pairs() -> None:
    assert len(PAIRS) >= 8


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_change_summary_matches_golden(pair: Path) -> None:
    result = _diff(pair)
    assert result.exit_code == 0, result.output
    assert_golden(f"drafts/{pair.name}.txt", result.stdout)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.name)
def test_json_summary_is_stable(pair: Path) -> None:
    report = json.loads(_diff(pair, "--format", "json").stdout)
    assert list(report) == ["summary_version", "fields", "clauses", "findings", "text", "old_complete",
                            "new_complete", "notes", "headers_footers", "footnotes"]
    assert report["summary_version"] == 4
    assert report["notes"] == []  # two spec files: everything is compared
    assert report["fields"][0]["path"] == FIRST_FIELD[pair.name] and report["clauses"]
    assert _diff(pair, "--format", "json").stdout == _diff(pair, "--format", "json").stdout


#: The first changed field of each pair: what the pair was made to change.
FIRST_FIELD = {
    "alternate-switched": "termination.for_cause",
    "amount-changed": "financial.budget_total",
    "missing-section-completed": "conflict_resolution.steps[0].kind",
    "moved-and-edited": "agreement.draft_version",
    "party-added": "parties[2].id",
    "placeholders-filled": "agreement.document_date",
    "profile-reorders": "agreement.profile",
    "raci-cell-changed": "responsibilities[3].informed[0]",
    "signatory-replaced": "signatories[0].name",
    "special-text-edited": "parties[1].legal_name",
    "exhibit-edited": "exhibits[0].text",
}


def test_amount_change_is_reported_with_old_and_new_values() -> None:
    report = json.loads(_diff(DATA / "drafts" / "amount-changed", "--format", "json").stdout)
    assert {"path": "financial.contributions[0].amount", "kind": "changed", "old": "250000.00", "new": "275000.00",
            "section": "6 Financial Terms",
            "description": "Contribution 'CDBG grant funds for housing navigation staff and client assistance': "
                           "amount: $250,000.00 -> $275,000.00"} in report["fields"]
    assert {c["id"] for c in report["clauses"]} == {"financial.schedule", "financial.pass-through"}


def test_inserting_an_item_does_not_shift_the_others() -> None:
    report = json.loads(_diff(DATA / "drafts" / "party-added", "--format", "json").stdout)
    assert {f["path"].split(".")[0] for f in report["fields"]} == {"parties[2]", "signatories[0]"}
    assert all(f["kind"] == "added" for f in report["fields"])


def test_completing_a_section_resolves_its_finding() -> None:
    report = json.loads(_diff(DATA / "drafts" / "missing-section-completed", "--format", "json").stdout)
    assert report["findings"] == [{
        "code": "missing-section", "path": "conflict_resolution", "kind": "resolved",
        "message": "no conflict-resolution process is defined in the spec",
    }]
    assert (report["old_complete"], report["new_complete"]) == (False, True)


def test_markdown_summary() -> None:
    out = _diff(DATA / "drafts" / "signatory-replaced", "--format", "md").stdout
    assert out.startswith("# Changes between the drafts\n")
    assert "- **19 Signatures**: Signatory for the City: name: Sandra Whitfield -> Marcus Webb" in out


def test_the_summary_speaks_as_the_draft_does() -> None:
    """Section number and title, party short names, the activity's words, money as the draft writes it."""
    from mou_builder.review.changes import summary_text
    from mou_builder.review.drafts import summarize_changes

    pair = DATA / "drafts" / "raci-cell-changed"
    summary = summarize_changes(pair / "old.yaml", pair / "new.yaml")
    assert summary_text(summary).splitlines()[:3] == [
        "Changes to the terms (2):",
        "  5 Roles and Responsibilities: Responsibility 'Monitor program compliance with CDBG rules': "
        "Hope House added as Informed",
        "  5 Roles and Responsibilities: Responsibility 'Monitor program compliance with CDBG rules': "
        "Hope House no longer Consulted",
    ]
    # the spec paths stay behind paths=True, and in the JSON
    assert summary_text(summary, paths=True).splitlines()[:3] == [
        "Spec changes (2):",
        "  responsibilities[3].informed[0]: added hopehouse",
        "  responsibilities[3].consulted[0]: removed (was hopehouse)",
    ]
    report = json.loads(_diff(pair, "--format", "json").stdout)
    assert [f["path"] for f in report["fields"]] == ["responsibilities[3].informed[0]", "responsibilities[3].consulted[0]"]
    amounts = summarize_changes(DATA / "drafts" / "amount-changed" / "old.yaml", DATA / "drafts" / "amount-changed" / "new.yaml")
    assert amounts.fields[0].description == "budget total: $250,000.00 -> $275,000.00"
    assert amounts.fields[0].section == "6 Financial Terms"


def test_unified_diff_of_the_agreement_text() -> None:
    pair = DATA / "drafts" / "special-text-edited"
    out = _diff(pair, "--format", "unified").stdout
    assert out.startswith(f"--- {pair / 'old.yaml'}\n+++ {pair / 'new.yaml'}\n")
    assert '+| Readers \\& Writers \\<Collective\\> "RWC", Inc. 📚 (the "Collective")' in out


def test_no_changes() -> None:
    result = CliRunner().invoke(main, ["diff", str(EXAMPLES[0]), str(EXAMPLES[0])])
    assert (result.exit_code, result.stdout) == (0, "no changes\nDraft: complete -> complete\n")


def test_moved_paragraphs_are_counted_as_moved() -> None:
    report = json.loads(_diff(DATA / "drafts" / "profile-reorders", "--format", "json").stdout)
    assert report["text"]["moved"] > 0
    assert (report["text"]["added"], report["text"]["removed"]) == (0, 0)
    assert {c["kind"] for c in report["clauses"]} == {"moved"}


def test_words_edited_in_a_moved_clause_are_changed_not_added_and_removed() -> None:
    report = json.loads(_diff(DATA / "drafts" / "moved-and-edited", "--format", "json").stdout)
    assert report["text"] == {"changed": 2, "added": 0, "removed": 0, "moved": 8, "formatted": 0}


def test_show_prints_the_markdown_and_exits_0_even_when_incomplete() -> None:
    from mou_builder.assembly import assemble
    from mou_builder.spec.loader import load_spec
    from mou_builder.render.text import render_markdown

    minimal = DATA / "valid" / "minimal.yaml"
    result = CliRunner().invoke(main, ["show", str(minimal)])
    assert result.exit_code == 0
    assert result.stdout == render_markdown(assemble(load_spec(minimal)))


def test_git_diff_driver_shows_the_agreement_text(tmp_path: Path) -> None:
    """The set-up in docs/reviewing.md, in a real git repository."""
    import shutil
    import subprocess
    import sys

    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    mou_build = str(Path(sys.executable).with_name("mou-build"))
    pair = DATA / "drafts" / "signatory-replaced"
    spec = tmp_path / "city.mou.yaml"

    def run(*args: str) -> str:
        return subprocess.run([git, *args], cwd=tmp_path, check=True, capture_output=True, text=True).stdout

    run("init", "-q")
    run("config", "user.email", "t@example.invalid")
    run("config", "user.name", "t")
    run("config", "diff.mou.textconv", f"{mou_build} show")
    (tmp_path / ".gitattributes").write_text("*.mou.yaml diff=mou\n")
    spec.write_text((pair / "old.yaml").read_text())
    run("add", ".")
    run("commit", "-qm", "draft 1")
    spec.write_text((pair / "new.yaml").read_text())
    out = run("diff")
    assert "-Name: Sandra Whitfield" in out and "+Name: Marcus Webb" in out
    assert "+Title: City Manager" in out


def test_an_item_added_whole_reads_as_one_change_and_new_fields_of_an_item_do_not() -> None:
    from mou_builder.review.changes import FieldChange, _whole_items

    new_party = [FieldChange("parties[2].id", "added", new="schools"),
                 FieldChange("parties[2].legal_name", "added", new="Riverside USD")]
    new_fields = [FieldChange("responsibilities[1].due", "added", new="2026-12-01"),
                  FieldChange("responsibilities[1].details", "added", new="At each branch")]
    assert list(_whole_items([*new_party, *new_fields])) == [(0, 2)]
    out = _diff(DATA / "drafts" / "party-added").stdout
    assert "  1 Parties: Party 'the District' added: legal name Riverside Unified School District;" in out
    assert json.loads(_diff(DATA / "drafts" / "party-added", "--format", "json").stdout)["fields"][1]["path"] == \
        "parties[2].legal_name"  # the JSON keeps every field


def test_paths_flag_names_changes_by_spec_path_and_the_default_in_the_readers_words() -> None:
    pair = DATA / "drafts" / "raci-cell-changed"
    readers = _diff(pair).stdout
    paths = _diff(pair, "--paths").stdout
    assert "Responsibility 'Monitor program compliance with CDBG rules': Hope House added as Informed" in readers
    assert "responsibilities[3].informed[0]: added hopehouse" in paths
    assert "responsibilities[3]" not in readers and "Hope House added as Informed" not in paths
