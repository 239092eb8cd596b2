"""Bodies that are not parties, party aliases, notices, and the period of performance (issue 12, sections 6-8)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import DATA
from docx_reading import as_word_shows
from docx_revisions import W, accept_all, body
from drafting_rules import lint
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.completeness import check
from mou_builder.errors import SpecError
from mou_builder.spec.loader import read_spec_data, validate_spec
from mou_builder.render.text import document_paragraphs, render_plain
from mou_builder.review.tracked_changes import render_redline

FIXTURE = DATA / "valid" / "bodies-and-notices.yaml"


def _data() -> dict[str, Any]:
    return copy.deepcopy(read_spec_data(FIXTURE)[0])


def _text(data: dict[str, Any]) -> str:
    """The draft's paragraphs and table cells, one a line (a table cell is never wrapped)."""
    return "\n".join(document_paragraphs(assemble(validate_spec(data))))


def _problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(SpecError) as caught:
        validate_spec(data)
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


# ---------------------------------------------------------------- what the draft says


def test_the_fixture_reads_as_counsel_expects() -> None:
    text = _text(_data())
    # the alias is defined once, with the short name, in the parties table
    assert 'San Francisco Unified School District (the "District" or' in text and '"SFUSD")' in text
    assert "which are not Parties to it, do not sign it and take on no obligation under it" in text
    assert 'Funder. Funds the study under grant BALF-2026-7.' in text
    assert "Committee established by this MOU" in text
    # a committee the agreement establishes, with its members
    assert ("The Parties shall establish the Committee to oversee the work under this MOU, with representatives of "
            "the District and the Library as its members.") in text
    # bodies consulted and informed, and reports to a body
    assert "after consulting the Committee, keeping the University Research Team informed" in text
    assert "The District and the Library shall report progress to the Fund each semester." in text
    # notices: methods, copies, deemed receipt, and the notice address apart from the office address
    assert ("by e-mail with confirmation of receipt, certified mail with return receipt requested or hand delivery"
            in text)
    assert "and the Party giving it shall send a copy to the Fund at the same time" in text
    assert ("except that a notice by certified mail takes effect five (5) business days after it is mailed, and a "
            "notice by e-mail with confirmation of receipt takes effect when the sender receives the confirmation"
            in text)
    assert "Legal Department, Room 301" in text and "General Counsel" in text and "legal@sfusd.example" in text
    assert "Copy to the Fund" in text and "Program Officer" in text
    # the Effective Date and the period of performance are two dates
    assert "as of September 15, 2026 (the \"Effective Date\")" in text
    assert "runs from October 1, 2026 through June 30, 2027." in text


def test_the_fixture_passes_the_drafting_lint_and_check_has_no_unused_name() -> None:
    spec = validate_spec(_data())
    assert lint(assemble(spec), spec) == []
    assert not [f for f in check(spec) if f.code in ("unused-name", "no-notice-address")]


def test_an_existing_committee_is_reported_to_not_established() -> None:
    data = _data()
    data["bodies"][1]["existing"] = True
    text = _text(data)
    assert "establish the Committee" not in text
    assert ("The Parties shall report on the work under this MOU to the Committee, which exists independently of "
            "this MOU; its members include representatives of the District and the Library.") in text
    assert "Existing committee" in text


def test_a_body_consulted_gets_its_own_raci_column_and_a_body_never_consulted_none() -> None:
    data = _data()
    data["clauses"] = {"pin": ["responsibilities.raci"]}
    doc = assemble(validate_spec(data))
    table = next(b for s in doc.sections for c in s.clauses for b in c.blocks if getattr(b, "name", "") == "raci")
    # a column per party, then per body consulted or informed, in the order of bodies:
    assert table.header == ("Activity", "The District", "The Library", "The Fund", "The Committee",
                            "The University Research Team")
    assert [row[1:6] for row in table.rows] == [("A", "", "", "C", "I"), ("", "A", "I", "", "")]


def test_without_new_methods_the_notices_clause_is_unchanged() -> None:
    data = _data()
    data["communication"] = {"notice_methods": ["email", "mail"]}
    for party in data["parties"]:
        for key in ("notice_address", "notice_attention", "notice_email"):
            party.pop(key, None)
    for b in data["bodies"]:
        b.pop("address", None)
        b.pop("attention", None)
    text = _text(data)
    assert ("To be effective, a notice under this MOU must be in writing and given to the receiving Party by e-mail "
            "or first-class mail. A notice by first-class mail is delivered to the receiving Party's address in "
            "Section 1.1 (The Parties). A notice takes effect when received.") in text
    assert "Notice address" not in text


def test_the_default_deemed_receipt_is_a_reported_named_default() -> None:
    data = _data()
    del data["communication"]["mail_receipt_days"]
    spec = validate_spec(data)
    assert "three (3) business days after it is mailed" in render_plain(assemble(spec))
    assert [f.message for f in check(spec) if f.path == "communication.mail_receipt_days"] == [
        "not set in the spec; the draft uses the default 3"]


@pytest.mark.parametrize(("start", "end", "says"), [
    ("2026-10-01", None, "The period of performance, in which the Parties carry out the work under this MOU, begins "
                         "on October 1, 2026."),
    (None, "2027-06-30", "runs from the Effective Date through June 30, 2027."),
])
def test_a_period_of_performance_with_one_end(start: str | None, end: str | None, says: str) -> None:
    data = _data()
    data["term"]["performance_start"], data["term"]["performance_end"] = start, end
    assert says in _text(data)


def test_performance_may_end_on_the_last_day_of_the_term_but_not_after() -> None:
    data = _data()
    data["term"]["performance_end"] = "2027-12-31"
    assert "through December 31, 2027" in _text(data)
    data["term"]["performance_end"] = "2028-01-01"
    assert _problems(data) == [
        "term.performance_end: performance_end 2028-01-01 is after the agreement ends on 2027-12-31 (term.end): the "
        "work cannot go on after the agreement ends"]


# ---------------------------------------------------------------- what is refused, and why


def test_a_body_may_be_consulted_informed_and_sent_reports_but_never_bound() -> None:
    bound = ("'fund' is a body, not a party: a body does not sign the agreement and cannot be bound by it here; "
             "name a party (parties: sfusd, lib), or consult or inform the body")
    data = _data()
    data["responsibilities"][0]["accountable"] = "fund"
    assert _problems(data) == [f"responsibilities[0].accountable: {bound}"]
    data = _data()
    data["financial"] = {"no_cost": True, "fiscal_agent": "fund"}
    assert _problems(data) == [f"financial.fiscal_agent: {bound}"]
    data = _data()
    data["signatories"][1]["party"] = "fund"
    assert _problems(data) == [f"signatories[1].party: {bound}"]


def test_an_unknown_id_lists_parties_and_bodies_where_both_may_be_named_and_parties_elsewhere() -> None:
    data = _data()
    data["responsibilities"][0]["consulted"] = ["comittee"]
    data["responsibilities"][0]["accountable"] = "distrct"
    assert _problems(data) == [
        "responsibilities[0].accountable: no party has the id 'distrct' (parties: sfusd, lib)",
        "responsibilities[0].consulted[0]: no party or body has the id 'comittee' (parties: sfusd, lib; bodies: "
        "fund, steering, uc)",
    ]


def test_a_short_name_clash_between_an_alias_and_a_body_is_refused() -> None:
    data = _data()
    data["parties"][1]["aliases"] = ["the Fund"]
    assert _problems(data) == [
        "parties[1].aliases[0]: alias 'the Fund' is already the name of 'fund': one name cannot stand for two"]


def test_an_alias_that_repeats_the_partys_own_name_is_refused() -> None:
    data = _data()
    data["parties"][0]["aliases"] = ["SFUSD", "District"]
    assert _problems(data) == [
        "parties[0].aliases[1]: alias 'District' repeats a name party 'sfusd' already has: each name is defined once"]


def test_a_body_id_that_is_also_a_body_id_is_refused() -> None:
    data = _data()
    data["bodies"][2]["id"] = "fund"
    assert "bodies[2].id: duplicate body id 'fund': each body needs its own id" in _problems(data)


def test_removing_communication_leaves_notice_fields_to_the_missing_section_finding() -> None:
    data = _data()
    del data["communication"]
    spec = validate_spec(data)  # notice fields are not refused: the notices clause is missing, and reported
    assert "communication" in {f.section for f in check(spec) if f.code == "missing-section"}


# ---------------------------------------------------------------- check


def test_check_warns_of_an_alias_or_body_name_nobody_uses() -> None:
    data = _data()
    data["recitals"] = ["The District serves about 50,000 students."]
    data["bodies"][2]["short_name"] = "the Team"
    data["responsibilities"][0]["informed"] = []
    found = {f.path: f.message for f in check(validate_spec(data)) if f.code == "unused-name"}
    assert found == {
        "parties[0].aliases[0]": "alias 'SFUSD' of the District is defined in the parties table but no text of the "
                                 "spec uses it",
        "bodies[2].short_name": "'the Team' is defined for the University Research Team but nothing in the draft "
                                "refers to 'uc'",
    }


def test_check_warns_of_a_party_without_any_address_for_mailed_notices() -> None:
    data = _data()
    del data["parties"][1]["address"]
    found = [(f.path, f.message) for f in check(validate_spec(data)) if f.code == "no-notice-address"]
    assert found == [("parties[1]", "notices may be sent by certified_mail, hand, but the Library (lib) has no "
                                    "address to send them to")]
    data["communication"] = {"notice_methods": ["email_with_confirmation"]}
    data["parties"][0].pop("notice_address")
    data["bodies"][0].pop("address")
    data["bodies"][0].pop("attention")
    assert not [f for f in check(validate_spec(data)) if f.code == "no-notice-address"]


# ---------------------------------------------------------------- diff and redline


CHANGES = [  # (spec path, new value, what the draft then says)
    ("parties.0.aliases", ["SFUSD", "the School District"], '"School District"'),
    ("parties.1.notice_address", "1 Notice Plaza", "1 Notice Plaza"),
    ("parties.1.notice_attention", "City Librarian", "City Librarian"),
    ("parties.0.notice_email", "notices@sfusd.example", "notices@sfusd.example"),
    ("bodies.0.name", "the Bay Area Reading Fund", "Bay Area Reading Fund"),
    ("bodies.0.short_name", "BARF", "BARF"),
    ("bodies.0.kind", "regulator", "Regulator"),
    ("bodies.0.description", "Audits the study.", "Audits the study."),
    ("bodies.0.address", "2 Market Street", "2 Market Street"),
    ("bodies.0.attention", "Grants Manager", "Grants Manager"),
    ("bodies.0.email", "grants@fund.example", "grants@fund.example"),
    ("bodies.1.existing", True, "Existing committee"),
    ("bodies.1.members", ["lib"], "with representatives of the Library as its members"),
    ("bodies.2.id", "ucsf", None),  # an id is not printed: the draft does not change
    ("responsibilities.1.informed", ["uc"], "host the class visits, keeping the University Research Team informed"),
    ("monitoring.report_recipients", ["uc"], "report progress to the University Research Team"),
    ("communication.notice_methods", ["registered_mail"], "by registered mail"),
    ("communication.mail_receipt_days", 2, "two (2) business days"),
    ("communication.notice_copies", [], "Section 1.1"),
    ("term.performance_start", "2026-11-01", "November 1, 2026"),
    ("term.performance_end", "2027-05-31", "May 31, 2027"),
]


def _changed(path: str, value: Any) -> dict[str, Any]:
    data = _data()
    *parents, last = path.split(".")
    target: Any = data
    for key in parents:
        target = target[int(key) if key.isdigit() else key]
    target[int(last) if last.isdigit() else last] = value
    if path == "bodies.2.id":  # every reference moves with the id
        data["responsibilities"][0]["informed"] = ["ucsf"]
    if path == "communication.notice_copies":  # a body no longer copied keeps no notice address
        for key in ("address", "attention", "email"):
            data["bodies"][0].pop(key, None)
        for party in data["parties"]:
            for key in ("notice_address", "notice_attention", "notice_email"):
                party.pop(key, None)
    if path == "communication.notice_methods":
        data["parties"][0].pop("notice_email")
    return data


@pytest.mark.parametrize(("path", "value", "says"), CHANGES, ids=[c[0] for c in CHANGES])
def test_each_new_field_shows_in_diff_as_itself_and_is_marked_in_the_redline(
    path: str, value: Any, says: str | None, tmp_path: Path
) -> None:
    new = _changed(path, value)
    old_file, new_file = tmp_path / "old.json", tmp_path / "new.json"
    old_file.write_text(json.dumps(_data()), encoding="utf-8")
    new_file.write_text(json.dumps(new), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(old_file), str(new_file), "--format", "json"])
    assert result.exit_code == 0, result.output
    dotted = path.split(".")
    spec_path = dotted[0] + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in dotted[1:])
    assert any(f["path"] == spec_path or f["path"].startswith(spec_path + "[") for f in
               json.loads(result.stdout)["fields"]), result.stdout
    # the draft says the new value, and the Word redline marks the change: accepting it gives the new draft
    old_doc, new_doc = assemble(validate_spec(_data())), assemble(validate_spec(new))
    redline = render_redline(old_doc, new_doc)
    marks = list(body(redline).iter(f"{W}ins", f"{W}del"))
    if says is None:
        assert marks == []
        return
    assert says in "\n".join(document_paragraphs(new_doc)) and says not in "\n".join(document_paragraphs(old_doc))
    assert marks and accept_all(redline) == as_word_shows(document_paragraphs(new_doc))


def test_a_body_named_like_a_party_is_refused() -> None:
    data = _data()
    data["bodies"][0]["short_name"] = "the Library"
    assert _problems(data) == [
        "bodies[0].short_name: 'the Library' is already the name of 'lib': one name cannot stand for two"]


def test_diff_names_a_body_as_the_draft_does(tmp_path: Path) -> None:
    old, new = _data(), _changed("bodies.0.description", "Audits the study.")
    new["responsibilities"][1]["consulted"] = ["steering"]
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    (tmp_path / "new.json").write_text(json.dumps(new), encoding="utf-8")
    out = CliRunner().invoke(main, ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json")]).stdout
    assert "  1 Parties: Body 'the Fund': description: Funds the study under grant BALF-2026-7. -> Audits the study." in out
    assert "5 Roles and Responsibilities: Responsibility 'Host the class visits': the Committee added as Consulted" in out


def test_the_drafting_lint_counts_an_alias_as_a_defined_term() -> None:
    data = _data()
    data["recitals"] = ["The District serves about 50,000 students."]  # SFUSD no longer used
    spec = validate_spec(data)
    assert lint(assemble(spec), spec) == ["1.1 The Parties: 'SFUSD' is defined but never used"]
