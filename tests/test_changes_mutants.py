"""Properties of `mou-build diff` (review/changes.py) that mutation testing found unguarded.

Each test states one property of the comparison; it is here, and not in test_changes.py, so that
this file and the comparison's source can change on different branches without conflict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA
from mou_builder.review.changes import compare, summary_groups, summary_markdown, summary_text
from mou_builder.review.drafts import load_draft


def _summary(pair: str):  # noqa: ANN202 - a ChangeSummary
    folder = DATA / "drafts" / pair
    return compare(load_draft(folder / "old.yaml").facts(), load_draft(folder / "new.yaml").facts())


#: `mou-build diff --paths`: spec paths with old -> new values, clause ids with what happened to them.
WITH_PATHS = {
    "alternate-switched": [
        "Spec changes (1):",
        "  termination.for_cause: immediate -> cure",
        "Clause changes (2):",
        "  termination.cause-cure: added as 16.2",
        "  termination.cause-immediate: removed (was 16.2)",
        "Text: 0 lines changed, 1 added, 1 removed",
        "Draft: complete -> complete",
    ],
    "moved-and-edited": [
        "Spec changes (4):",
        "  agreement.draft_version: 3 -> 4",
        "  agreement.profile: head_start -> general",
        "  responsibilities[2].activity: Hold two joint professional development days -> Hold three joint "
        "professional development days, one in the summer",
        "  responsibilities[2].cadence: October and February -> October, February and July",
        "Clause changes (2):",
        "  responsibilities.duties: moved from 6.1 to 5.1",
        "  responsibilities.duties: wording changed (5.1)",
        "Text: 2 lines changed, 0 added, 0 removed, 8 moved",
        "Draft: complete -> complete",
    ],
}


@pytest.mark.parametrize("pair", sorted(WITH_PATHS))
def test_with_paths_the_summary_names_spec_paths_and_clause_ids(pair: str) -> None:
    assert summary_text(_summary(pair), paths=True).splitlines() == WITH_PATHS[pair]


def test_the_last_group_is_the_draft_overall() -> None:
    groups = summary_groups(_summary("amount-changed"))
    assert [title for title, _ in groups] == ["Changes to the terms", "Clause changes", "Overall"]
    assert groups[-1][1] == [("Text", "4 lines changed, 0 added, 0 removed"), ("Draft", "complete -> complete")]


def test_two_identical_drafts_say_no_changes() -> None:
    folder = DATA / "drafts" / "amount-changed"
    same = compare(load_draft(folder / "old.yaml").facts(), load_draft(folder / "old.yaml").facts())
    assert summary_text(same).splitlines() == ["no changes", "Draft: complete -> complete"]
    assert summary_markdown(same) == "# Changes between the drafts\n\nNo changes.\n\nDraft: complete -> complete  \n"


def test_an_exhibit_s_changed_lines_say_none_for_a_side_that_has_no_line_of_its_own() -> None:
    from mou_builder.review.changes import _changed_lines

    assert _changed_lines("a\nb\nc", "a\nc") == ("b", "none")
    assert _changed_lines("a\nc", "a\nb\nc") == ("none", "b")
    assert _changed_lines("a\nb\nc", "a\nB\nc\nd") == ("b", "B / d")


def test_a_term_set_to_null_reads_none_for_the_reader_and_null_with_paths() -> None:
    import copy

    from conftest import EXAMPLES
    from mou_builder.spec.loader import read_spec_data, validate_spec

    old, _ = read_spec_data(EXAMPLES[0].parent / "city-data-grant.yaml")
    new = copy.deepcopy(old)
    old["data_sharing"]["breach_notice_days"] = 3
    new["data_sharing"]["breach_notice_days"] = None  # no breach-notice clause at all
    summary = compare(load_draft(validate_spec(old)).facts(), load_draft(validate_spec(new)).facts())
    assert summary_text(summary).splitlines()[:4] == [
        "Changes to the terms (1):", "  9 Data Sharing: breach notice days: 3 -> none",
        "Clause changes (1):", "  9.8 Breach Notification: removed (breach)"]
    assert summary_text(summary, paths=True).splitlines()[:4] == [
        "Spec changes (1):", "  data_sharing.breach_notice_days: 3 -> null",
        "Clause changes (1):", "  data_sharing.breach: removed (was 9.8)"]


def test_a_responsibility_added_whole_reads_as_one_line_naming_each_party_in_its_role() -> None:
    import copy

    from conftest import EXAMPLES
    from mou_builder.spec.loader import read_spec_data, validate_spec

    old, _ = read_spec_data(EXAMPLES[0].parent / "city-data-grant.yaml")
    new = copy.deepcopy(old)
    new["responsibilities"].append({"activity": "Publish a yearly report", "accountable": "city",
                                    "responsible": ["city"], "consulted": ["hopehouse"], "cadence": "each June"})
    summary = compare(load_draft(validate_spec(old)).facts(), load_draft(validate_spec(new)).facts())
    assert summary_text(summary).splitlines()[:2] == [
        "Changes to the terms (1):",
        "  5 Roles and Responsibilities: Responsibility 'Publish a yearly report' added: Accountable the City; "
        "Responsible the City; Consulted Hope House; cadence each June"]


def _city_change(edit) -> list[str]:  # noqa: ANN001 - a function changing the spec data in place
    import copy

    from conftest import EXAMPLES
    from mou_builder.spec.loader import read_spec_data, validate_spec

    old, _ = read_spec_data(EXAMPLES[0].parent / "city-data-grant.yaml")
    new = copy.deepcopy(old)
    edit(new)
    summary = compare(load_draft(validate_spec(old)).facts(), load_draft(validate_spec(new)).facts())
    return summary_text(summary).splitlines() + ["--paths"] + summary_text(summary, paths=True).splitlines()


def test_a_default_the_new_spec_changes_shows_the_default_it_replaces() -> None:
    lines = _city_change(lambda data: data["data_sharing"].update(breach_notice_days=10))
    assert "  9 Data Sharing: breach notice days: 5 -> 10" in lines
    assert "  data_sharing.breach_notice_days: 5 -> 10" in lines


def test_a_responsibility_removed_whole_reads_as_one_removed_line() -> None:
    lines = _city_change(lambda data: data["responsibilities"].pop(0))
    assert lines[:2] == [
        "Changes to the terms (1):",
        "  5 Roles and Responsibilities: Responsibility 'Refer eligible households through coordinated entry' removed: "
        "Accountable the City; Responsible the City; Informed Hope House; cadence weekly"]
    assert "  responsibilities[0].activity: removed (was Refer eligible households through coordinated entry)" in lines


def test_a_block_given_empty_is_a_change_that_brings_its_defaults_and_their_clauses() -> None:
    lines = _city_change(lambda data: data["data_sharing"].update(research={}))
    assert lines[:2] == ["Changes to the terms (1):", "  9 Data Sharing: research added: {}"]
    assert "  data_sharing.research: added {}" in lines
    assert "  data_sharing.aggregate-results: added as 9.10" in lines


def test_a_header_only_one_word_file_has_is_reported_added_or_removed() -> None:
    from generic_docx import _plain, _saved

    with_header = _saved(_plain(["One.", "Two."], header="City of Lakeport · Draft", day=1))
    without = _saved(_plain(["One.", "Two."], day=2))

    def margins(old: bytes, new: bytes) -> list[str]:
        summary = compare(load_draft(old, name="old.docx").facts(), load_draft(new, name="new.docx").facts())
        lines = summary_text(summary).splitlines()
        return lines[lines.index("Headers and footers (1):") + 1:][:1]

    assert margins(with_header, without) == ["  header: removed (was City of Lakeport · Draft)"]
    assert margins(without, with_header) == ["  header: added City of Lakeport · Draft"]
