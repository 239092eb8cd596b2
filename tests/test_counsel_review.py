"""Defects counsel found in the generated agreements: each test builds the case that printed the defect."""

from __future__ import annotations

from pathlib import Path

from mou_builder.assembly import assemble
from mou_builder.render.text import render_markdown
from mou_builder.spec.loader import read_spec_data, validate_spec

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


def _data(name: str) -> dict:
    """An example's data, read with our loader (exact decimals), ready to be changed."""
    return read_spec_data(EXAMPLES / name)[0]


def _markdown(data: dict) -> str:
    return render_markdown(assemble(validate_spec(data)))


def _line(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line and not line.startswith("#"))


def test_a_fiscal_agent_that_only_pays_is_not_said_to_receive_the_funds() -> None:
    # The City is the grantor: it pays Hope House and receives nothing.
    line = _line(_markdown(_data("city-data-grant.yaml")), "act as fiscal agent")
    assert "receive" not in line
    assert "The City shall act as fiscal agent and, as fiscal agent, administer and disburse the funds it pays" in line


def test_a_fiscal_agent_that_receives_and_pays_is_said_to_do_both() -> None:
    data = _data("city-data-grant.yaml")
    data["financial"]["contributions"].append(
        {"payer": "hopehouse", "payee": "city", "kind": "cash", "description": "Match", "amount": "1000.00"}
    )
    data["financial"]["budget_total"] = "251000.00"
    line = _line(_markdown(data), "act as fiscal agent")
    assert "receive the funds paid to it under this Agreement and disburse the funds it pays under" in line


def test_a_fiscal_agent_that_only_receives_is_not_said_to_disburse() -> None:
    data = _data("city-data-grant.yaml")
    data["financial"]["fiscal_agent"] = "hopehouse"
    line = _line(_markdown(data), "act as fiscal agent")
    assert "disburse" not in line
    assert "receive and account for the funds paid to it" in line


def test_a_fiscal_agent_with_no_cash_to_handle_is_given_no_funds_to_handle() -> None:
    data = _data("head-start-coordination.yaml")
    data["financial"]["fiscal_agent"] = "susd"
    data["financial"]["contributions"] = [c for c in data["financial"]["contributions"] if c["kind"] != "cash"]
    data["financial"]["budget_total"] = "36000.00"
    line = _line(_markdown(data), "act as fiscal agent")
    assert "funds" not in line
    assert line.endswith("act as fiscal agent for this MOU.")


def test_a_cadence_follows_its_activity_as_part_of_the_verb_phrase() -> None:
    text = _markdown(_data("head-start-coordination.yaml"))
    assert "hold two joint professional development days in October and February, with the assistance of" in text
    assert "Elementary each school day, after consulting the Agency" in text


def test_a_party_doing_the_work_is_not_also_consulted_in_the_example() -> None:
    text = _markdown(_data("library-literacy.yaml"))
    assert "with the assistance of the Library, after consulting the Library" not in text
    assert "at each event, at each event" not in text


def test_the_retention_clause_gives_way_to_the_destruction_clause() -> None:
    data = _data("head-start-coordination.yaml")
    text = _markdown(data)
    retention = _line(text, data["data_sharing"]["retention"])
    assert retention.endswith("Nothing in this Section extends the time within which the data is to be destroyed or "
                              "returned under [Section 10.6](#data_sharing-destruction) (Return or Destruction).")
    data["clauses"] = {"exclude": ["data_sharing.destruction"]}
    retention = _line(_markdown(data), data["data_sharing"]["retention"])
    assert retention == data["data_sharing"]["retention"]  # no destruction clause in the draft to give way to


def test_the_city_example_s_unspent_funds_date_is_the_end_of_its_term() -> None:
    data = _data("city-data-grant.yaml")
    end = validate_spec(data).term.end
    assert f"by {end:%B} {end.day}, {end.year} revert to the City" in data["financial"]["unspent_funds"]


def test_a_title_that_names_the_parties_is_a_warning_of_check_not_a_refusal(tmp_path: Path) -> None:
    # The title block prints "between" and the legal names under the title: such a title says it twice.
    # Many agreements are titled so, so the spec is still valid and builds; check says it.
    from click.testing import CliRunner

    from mou_builder.cli import main

    spec = tmp_path / "spec.yaml"
    spec.write_text((EXAMPLES / "library-literacy.yaml").read_text(encoding="utf-8").replace(
        "title: ", "title: Memorandum of Understanding between the Library and the Collective on ", 1),
        encoding="utf-8")
    assert CliRunner().invoke(main, ["validate", str(spec)]).exit_code == 0
    report = CliRunner().invoke(main, ["check", str(spec)]).output
    assert "warning title-names-parties: agreement.title: the title names the parties" in report
    untouched = CliRunner().invoke(main, ["check", str((EXAMPLES / "library-literacy.yaml"))]).output
    assert "title-names-parties" not in untouched
