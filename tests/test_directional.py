"""One-sided and directional terms (issue 12, sections 2 and 3): what the draft says, what diff shows, what check warns."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import DATA
from docx_reading import as_word_shows
from docx_revisions import W, accept_all, body, reject_all
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.completeness import check
from mou_builder.document import Table
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render.text import document_paragraphs, render_plain
from mou_builder.review.tracked_changes import render_redline

THREE = DATA / "valid" / "directional-terms.yaml"
TWO = DATA / "valid" / "directional-two-parties.yaml"


def _text(path: Path) -> str:
    return render_plain(assemble(load_spec(path)))


def _section(text: str, heading: str) -> str:
    """The text under a clause heading, up to the next heading line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(heading))
    out = []
    for line in lines[start + 1:]:
        if line[:1].isdigit() and " " in line and line.split(" ", 1)[0].rstrip(".").replace(".", "").isdigit():
            break
        out.append(line)
    return " ".join(x for x in out if x.strip())


# ---------------------------------------------------------------- termination


def test_each_party_terminates_for_convenience_on_its_own_notice() -> None:
    text = _section(_text(THREE), "Termination for Convenience")
    assert text == (
        "The District may terminate this MOU for any reason by giving the other Parties at least thirty (30) days' "
        "written notice. The Tutors may terminate this MOU for any reason by giving the other Parties at least "
        "ninety (90) days' written notice."
    )
    assert _section(_text(TWO), "Termination for Convenience").startswith(
        "Either Party may terminate this MOU for any reason by giving the other Party at least sixty (60) days'")


def test_each_trigger_names_who_may_terminate_on_what_event_and_with_what_notice() -> None:
    three = _section(_text(THREE), "Termination on Specified Events")
    assert ("The District may terminate this MOU by giving the other Parties at least fifteen (15) days' written "
            "notice if the funding needed to carry out its obligations under this MOU is withdrawn") in three
    assert ("Any Party other than the Tutors may terminate this MOU immediately by written notice if a license, "
            "accreditation or approval needed to carry out the Tutors' obligations") in three
    assert "started by or against the Tutors." in three
    assert "Any Party may terminate this MOU immediately by written notice if a change in law" in three
    assert "The Library may terminate this MOU immediately by written notice if the State ends the summer reading grant." in three
    # two parties: 'any' with the County affected is the other party, by name
    two = _section(_text(TWO), "Termination on Specified Events")
    assert two.startswith("The Partners may terminate this MOU by giving the other Party at least thirty (30) days' "
                          "written notice if the funding needed to carry out the County's commitments")


def test_consequences_follow_only_their_kind_of_termination() -> None:
    text = _section(_text(THREE), "Effect of Termination")
    # each list names the clause it follows, not a kind of termination a trigger could also be read as
    assert ("If this MOU is terminated under Section 13.2 (Termination for Cause), the following also apply: "
            "- The Tutors shall purge all shared data within ten (10) days after termination.") in text
    assert ("If this MOU is terminated under Section 13.1 (Termination for Convenience), the following also apply: "
            "- The District shall pay for tutoring sessions already given.") in text


# ---------------------------------------------------------------- liability


def test_directed_indemnities_name_indemnitor_indemnitees_and_scope() -> None:
    text = _section(_text(THREE), "Indemnities")
    assert text.startswith(
        "To the extent the law allows, the Tutors shall indemnify, defend and hold harmless the District and the "
        "Library from any third-party claim, and any resulting loss or liability, arising from the negligent or "
        "wrongful acts or omissions of the Tutors in carrying out this MOU or unauthorized access to or disclosure "
        "of data in the custody of the Tutors under this MOU."
    )
    assert "the Library shall indemnify and hold harmless the District from" in text
    assert "arising from a breach of this MOU by the Library." in text


def test_an_indemnity_beside_the_mutual_one_keeps_both() -> None:
    text = _text(TWO)
    assert "Mutual Indemnification" in text and "Indemnities" in text
    assert "the Partners shall indemnify and hold harmless the County from" in text


def test_carve_outs_the_disclaimer_and_the_procedure() -> None:
    text = _text(THREE)
    # 'indemnity' is not a carve-out, yet the exclusion must not strip the indemnities of the third-party claims
    assert ("This exclusion does not apply to liability for a breach of confidentiality or for willful "
            "misconduct, or to amounts payable to a third party under an indemnity in this MOU.") in _section(
        text, "Exclusion of Consequential Damages")
    assert ("This limit does not apply to liability under an indemnity in this MOU, for unauthorized access to or "
            "disclosure of shared data or for gross negligence.") in _section(text, "Limit of Liability")
    assert _section(text, "Disclaimer of Warranties").startswith("Except as expressly stated in this MOU, no Party")
    procedure = _section(text, "Indemnification Procedure")
    assert "within ten (10) days after receiving it" in procedure
    assert "The indemnifying Party controls the defense" in procedure and "without that Party's written consent" in procedure
    two = _section(_text(TWO), "Indemnification Procedure")
    assert "promptly after receiving it" in two and "The indemnified Party controls" in two and "settle" not in two


def test_representations_per_party_agree_with_its_name() -> None:
    text = _section(_text(THREE), "Representations")
    assert text.startswith("Each Party represents that it: (a) has the authority to enter into and carry out this MOU;")
    assert "The Tutors represent that they: (a) have the right to share the data they provide" in text
    assert _section(_text(TWO), "Representations") == (
        "The Partners represent that they are not debarred, suspended or otherwise excluded from receiving public funds."
    )


def test_insurance_types_and_aggregates_make_a_four_column_table() -> None:
    def table(path: Path) -> Table:
        doc = assemble(load_spec(path))
        return next(b for c in doc.section_by_key("liability").clauses for b in c.blocks if isinstance(b, Table))

    four = table(THREE)
    assert four.header == ("Party", "Coverage", "Per occurrence", "Aggregate")
    assert four.rows == (
        ("The Tutors", "Commercial general liability", "$1,000,000.00", "$2,000,000.00"),
        ("The Tutors", "Cyber liability (network security and privacy)", "$500,000.00", ""),
        ("The Tutors", "Abuse and molestation liability", "$1,000,000.00", ""),
    )
    # without an aggregate the table keeps its three columns, as older specs have it
    data, _ = read_spec_data(THREE)
    del data["liability"]["insurance"][0]["aggregate"]
    doc = assemble(validate_spec(data))
    three = next(b for c in doc.section_by_key("liability").clauses for b in c.blocks if isinstance(b, Table))
    assert three.header == ("Party", "Coverage", "Minimum limit") and three.rows[0][1:] == (
        "Commercial general liability", "$1,000,000.00")


# ---------------------------------------------------------------- licences, assignment, breach notice


def test_one_party_licences() -> None:
    text = _section(_text(THREE), "Licenses")
    assert ("The Library hereby grants the Tutors a non-exclusive, royalty-free, revocable license to use the "
            "Riverside Reads logo solely to promote the summer reading program while this MOU is in effect.") in text
    assert ("The Tutors hereby grant the District and the Library a non-exclusive, royalty-free, irrevocable license "
            "to use the work product the Tutors own under this MOU in perpetuity.") in text
    # a non-binding instrument states the intention ('will grant'); exclusivity the spec leaves out is not stated
    assert _section(_text(TWO), "Licenses") == (
        "The County will grant the Partners a license to use the data the County provides under this MOU "
        "solely to plan pantry hours."
    )


def test_assignment_exceptions() -> None:
    assert _section(_text(THREE), "No Assignment").endswith(
        "except that: (a) the District may do so without that consent to a successor by merger, reorganization or "
        "operation of law; and (b) any Party may do so without that consent to the State Department of Education.")
    assert _section(_text(TWO), "No Assignment").endswith(
        "except that the County may do so without that consent to an entity that controls it, is controlled by it "
        "or is under common control with it.")


def test_the_breach_notice_goes_to_the_parties_named() -> None:
    assert _section(_text(THREE), "Breach Notification").startswith(
        "The Tutors shall notify the District and the Library of any unauthorized access")


# ---------------------------------------------------------------- diff and redline


CHANGES: list[tuple[str, Any]] = [
    ("termination.convenience[1].notice_days", 60),
    ("termination.triggers[0].notice_days", 45),
    ("termination.on_cause[0]", "The Tutors shall purge all shared data within five (5) days after termination."),
    ("termination.on_convenience[0]", "The District shall pay for every session already scheduled."),
    ("liability.indemnities[1].scope[0]", "willful_misconduct"),
    ("liability.indemnity_procedure.notice_days", 20),
    ("liability.cap_carve_outs[2]", "bodily_injury"),
    ("liability.exclude_consequential", False),
    ("liability.consequential_carve_outs[1]", "gross_negligence"),
    ("liability.warranty_disclaimer", False),
    ("liability.representations[1].subjects[1]", "compliance_with_law"),
    ("liability.insurance[0].aggregate", "3000000.00"),
    ("liability.insurance[1].type", "professional"),
    ("data_sharing.breach_notice_to", ["district"]),  # one party notified instead of two: [1] removed
    ("intellectual_property.licenses[0].purpose", "announce the reading program"),
    ("general_provisions.assignment_exceptions[0].to", "affiliate"),
]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    keys: list[str | int] = []
    for part in path.split("."):
        name, *indexes = part.replace("]", "").split("[")
        keys += [name, *(int(i) for i in indexes)]
    target: Any = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


@pytest.mark.parametrize(("path", "value"), CHANGES, ids=[c[0] for c in CHANGES])
def test_diff_names_the_field_and_the_redline_marks_it(path: str, value: Any, tmp_path: Path) -> None:
    old, _ = read_spec_data(THREE)
    new = copy.deepcopy(old)
    if path == "liability.exclude_consequential":
        new["liability"].pop("consequential_carve_outs")  # no exclusion: nothing to carve out of
    _set(new, path, value)
    if path == "data_sharing.breach_notice_to":
        path += "[1]"
    for name, data in (("old", old), ("new", new)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml"),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert path in [f["path"] for f in json.loads(result.stdout)["fields"]]
    before, after = assemble(validate_spec(old)), assemble(validate_spec(new))
    redline = render_redline(before, after)
    marks = [m for m in body(redline).iter(f"{W}ins", f"{W}del")]
    assert marks, "the redline marks no change"
    assert accept_all(redline) == as_word_shows(document_paragraphs(after))
    assert reject_all(redline) == as_word_shows(document_paragraphs(before))


# ---------------------------------------------------------------- public bodies


def test_the_public_body_check_warns_when_a_public_body_indemnifies(tmp_path: Path) -> None:
    profile = tmp_path / "strict.yaml"
    profile.write_text("id: strict\ntitle: Strict\nextends: general\nchecks: [public_body_indemnity]\n", encoding="utf-8")
    data, _ = read_spec_data(THREE)
    codes = [(f.code, f.path) for f in check(validate_spec(data), profile) if f.code == "public-body-indemnifies"]
    assert codes == [("public-body-indemnifies", "liability.indemnities[1].indemnitor")]  # the Library; the Tutors are not public
    data["parties"][1]["public_body"] = False
    assert [f for f in check(validate_spec(data), profile) if f.code == "public-body-indemnifies"] == []
    # the built-in profiles leave the check off: 'to the extent the law allows' already qualifies every indemnity
    assert [f for f in check(load_spec(THREE)) if f.code == "public-body-indemnifies"] == []
