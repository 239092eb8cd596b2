"""`mou-build review-edits`: a returned draft read against the draft it came from, clause by clause.

The drafts are built from a bundled example and edited here as a reviewer
would in Word (an untracked edit, a comment, a pending tracked insertion, a
clause deleted), then, for the real-client tests, saved by LibreOffice,
which renumbers, duplicates and drops bookmarks.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import EXAMPLES, ROOT
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.spec.loader import load_spec
from mou_builder.render.ooxml import w
from mou_builder.render.word import bookmark_name, render_docx
from mou_builder.review.edits import base_from_embedded, review_edits, word_edits
from mou_builder.review.word_input import clause_bookmark, outline, read_docx
from realclients import libreoffice_round_trip
from reviewer_edits import (
    AUTHOR, DATE, add_footnote, comment_on, delete_clause, edited, returned_draft, retype,
)
from reviewer_edits import heading as heading_of

CITY = next(p for p in EXAMPLES if p.stem == "city-data-grant")


@pytest.fixture(scope="module")
def built() -> bytes:
    return render_docx(assemble(load_spec(CITY)))


# ---------------------------------------------------------------- editing a .docx as a reviewer does (tools/reviewer_edits.py)


def _review(data: bytes, name: str = "returned.docx"):
    draft = read_docx(data, name)
    return review_edits(draft, base_from_embedded(draft))


# ---------------------------------------------------------------- the tests


def test_the_clause_bookmark_name_is_the_writers() -> None:
    for clause_id in ("financial.pass-through", "a" * 60 + ".x", "signatures.blocks"):
        assert clause_bookmark(clause_id) == bookmark_name(clause_id)


def test_the_build_carries_its_spec_and_a_draft_as_built_reads_as_notedited(built: bytes) -> None:
    draft = read_docx(built, "built.docx")
    assert json.loads(draft.spec_json)["agreement"]["title"] == load_spec(CITY).agreement.title
    report = _review(built)
    assert report.noted == () and len(report.clauses) == len(draft.manifest)


def test_an_edit_a_comment_and_a_tracked_insertion_are_listed_and_nothing_else(built: bytes) -> None:
    data = returned_draft(built)
    report = _review(data)
    noted = {c.id: c for c in report.noted}
    assert set(noted) == {"financial.fiscal-agent", "financial.billing", "financial.unspent-funds"}
    fiscal = noted["financial.fiscal-agent"]
    assert (fiscal.status, fiscal.number, fiscal.title) == ("edited", "6.3", "Fiscal Agent")
    assert [(e.old, e.new) for e in fiscal.edits] == [("administer", "administer, hold")]
    billing = noted["financial.billing"]
    assert billing.status == "unchanged" and billing.edits == () and billing.tracked == ()
    assert [(n.author, n.date, n.anchor, n.text) for n in billing.comments] == [
        (AUTHOR, DATE, "approved requests within thirty (30) days", "Can we make this 45 days?")]
    unspent = noted["financial.unspent-funds"]
    # a pending tracked change is listed as such, not as an edit of the text
    assert unspent.status == "unchanged" and unspent.edits == ()
    assert [(t.kind, t.author, t.date, t.text) for t in unspent.tracked] == [
        ("insertion", AUTHOR, DATE, " and are repaid within 60 days")]
    assert unspent.accepted_text[-1].endswith("revert to the City and are repaid within 60 days.")


def test_a_footnote_the_reviewer_added_is_listed_with_its_clause(built: bytes) -> None:
    from mou_builder.review.edits import report_json, report_text

    data = edited(built, add_footnote("approved requests within thirty (30) days",
                                      "From receipt of a complete request."))
    report = _review(data)
    assert [(c.id, c.status, [(f.note, f.text) for f in c.footnotes]) for c in report.noted] == [
        ("financial.billing", "unchanged", [("Footnote 1", "From receipt of a complete request.")])]
    text = report_text(report)
    assert "; 0 comments; 1 footnote added" in text
    assert '6.6 Billing (financial.billing): not edited\n  Footnote 1 added: "From receipt of a complete request."' in text
    data = json.loads(report_json(report))
    assert data["review_version"] == 2
    assert data["clauses"][0]["footnotes"] == [{"note": "Footnote 1", "text": "From receipt of a complete request."}]


def test_one_deleted_clause_reads_as_one_deleted_clause(built: bytes) -> None:
    data = edited(built, delete_clause("financial.cost-allocation"))
    report = _review(data)
    assert [(c.id, c.status, c.base_number) for c in report.noted] == [("financial.cost-allocation", "deleted", "6.5")]
    # the clauses after it kept their ids (they are numbered one less now, and not edited)
    billing = next(c for c in report.clauses if c.id == "financial.billing")
    assert (billing.number, billing.base_number, billing.status) == ("6.5", "6.6", "unchanged")


def test_the_change_summary_of_a_clause_deleted_by_hand_is_one_clause_removed(built: bytes) -> None:
    from mou_builder.review.changes import summary_text
    from mou_builder.review.drafts import summarize_changes

    summary = summarize_changes(built, edited(built, delete_clause("financial.cost-allocation")))
    assert [(c.id, c.kind) for c in summary.clauses] == [("financial.cost-allocation", "removed")]
    assert "6.5 Cost Allocation: removed (cost-allocation)" in summary_text(summary)


def test_a_clause_whose_bookmark_was_lost_keeps_its_id_between_its_neighbours(built: bytes) -> None:
    def drop_bookmarks(root: etree._Element, files: dict[str, bytes]) -> None:
        for mark in list(root.iter(w("bookmarkStart"))):
            if mark.get(w("name")) in (bookmark_name("financial.billing"), bookmark_name("financial.funding-plan")):
                mark.getparent().remove(mark)

    data = edited(built, drop_bookmarks)
    data = edited(data, delete_clause("financial.cost-allocation"))
    draft = read_docx(data, "x.docx")
    ids = [c.id for c in outline(draft)]
    assert "financial.billing" in ids and "financial.funding-plan" in ids and "financial.cost-allocation" not in ids
    assert [(c.id, c.status) for c in _review(data).noted] == [("financial.cost-allocation", "deleted")]


def test_a_clause_the_reviewer_typed_is_added(built: bytes) -> None:
    def add_clause(root: etree._Element, files: dict[str, bytes]) -> None:
        heading = heading_of(root, "financial.billing")
        body = heading.getnext()
        new_heading = etree.fromstring(etree.tostring(heading))
        for mark in list(new_heading.iter(w("bookmarkStart"))):
            new_heading.remove(mark)
        new_heading.findall(f".//{w('t')}")[0].text = "Audit"
        for t in new_heading.findall(f".//{w('t')}")[1:]:
            t.text = ""
        new_body = etree.fromstring(etree.tostring(body))
        new_body.findall(f".//{w('t')}")[0].text = "The City may audit the program's records once a year."
        for t in new_body.findall(f".//{w('t')}")[1:]:
            t.text = ""
        body.addnext(new_heading)
        new_heading.addnext(new_body)

    report = _review(edited(built, add_clause))
    assert [(c.id, c.status, c.number) for c in report.noted] == [("added:Audit", "added", "6.7")]


def test_word_edits_read_as_the_text_does() -> None:
    assert [(e.old, e.new) for e in word_edits(["within thirty (30) days"], ["within sixty (60) days"])] == [
        ("thirty (30)", "sixty (60)")]
    # an insertion or a deletion is quoted with the word before it
    assert [(e.old, e.new) for e in word_edits(["a b c"], ["a c"])] == [("a b", "a")]
    assert [(e.old, e.new) for e in word_edits(["start here"], ["new start here"])] == [("start", "new start")]
    # paragraphs are kept apart
    assert [(e.old, e.new) for e in word_edits(["One.", "Two."], ["One.", "Two and three."])] == [
        ("Two", "Two and three")]
    assert word_edits(["same"], ["same"]) == ()


def test_the_command_prints_text_json_and_markdown(built: bytes, tmp_path: Path) -> None:
    path = tmp_path / "returned.docx"
    path.write_bytes(edited(built, comment_on("approved requests within thirty (30) days", "Can we make this 45 days?")))
    runner = CliRunner()
    text = runner.invoke(main, ["review-edits", str(path)])
    assert text.exit_code == 0, text.output
    assert text.output.splitlines()[1:] == [
        "Clauses: 0 edited, 0 deleted, 0 added; 0 tracked changes pending; 1 comment",
        "6.6 Billing (financial.billing): not edited",
        f'  comment by {AUTHOR} on 2026-11-20 on "approved requests within thirty (30) days": Can we make this 45 days?',
    ]
    data = json.loads(runner.invoke(main, ["review-edits", str(path), "--format", "json"]).output)
    assert data["clauses"][0]["comments"] == [
        {"author": AUTHOR, "date": DATE, "anchor": "approved requests within thirty (30) days", "text": "Can we make this 45 days?"}]
    md = runner.invoke(main, ["review-edits", str(path), "--format", "md", "--base", str(CITY)]).output
    assert "## 6.6 Billing (financial.billing): not edited" in md


def test_a_draft_without_a_spec_asks_for_the_base(built: bytes, tmp_path: Path) -> None:
    def drop_spec(root: etree._Element, files: dict[str, bytes]) -> None:
        for name in [n for n in files if n.startswith("customXml/")]:
            if b"urn:mou-builder:spec" in files[name]:
                files[name] = b'<?xml version="1.0"?><other/>'

    path = tmp_path / "old.docx"
    path.write_bytes(edited(built, drop_spec))
    result = CliRunner().invoke(main, ["review-edits", str(path)])
    assert result.exit_code == 1
    assert "carries no spec" in result.output and "--base" in result.output
    with_base = CliRunner().invoke(main, ["review-edits", str(path), "--base", str(CITY)])
    assert with_base.exit_code == 0 and "no edits, tracked changes or comments" in with_base.output


@pytest.mark.slow
def test_a_libreoffice_round_trip_reads_as_no_change(built: bytes, tmp_path: Path) -> None:
    from mou_builder.review.drafts import summarize_changes

    saved = libreoffice_round_trip(built, tmp_path)
    assert _review(saved).noted == ()
    # no change at all, formatting included: LibreOffice writes the header rows' table-style bold and colour,
    # and its styles' defaults, into the runs themselves, which is what a reader saw already
    summary = summarize_changes(built, saved)
    assert summary.empty, summary
    from mou_builder.review.drafts import redline

    marked = etree.fromstring(zipfile.ZipFile(io.BytesIO(redline(built, saved))).read("word/document.xml"))
    assert next(marked.iter(w("rPrChange"), w("ins"), w("del")), None) is None


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_saved_again_by_libreoffice_is_no_change(example: Path, tmp_path: Path) -> None:
    """Exhibits included: LibreOffice writes a "page break before" as a page break at the end of the paragraph before."""
    from mou_builder.review.drafts import redline, summarize_changes

    built = render_docx(assemble(load_spec(example)))
    saved = libreoffice_round_trip(built, tmp_path)
    assert summarize_changes(built, saved).empty
    marked = etree.fromstring(zipfile.ZipFile(io.BytesIO(redline(built, saved))).read("word/document.xml"))
    assert next(marked.iter(w("rPrChange"), w("ins"), w("del")), None) is None


@pytest.mark.slow
def test_a_clause_deleted_then_saved_by_libreoffice_reads_as_one_deleted_clause(built: bytes, tmp_path: Path) -> None:
    from mou_builder.review.drafts import summarize_changes

    saved = libreoffice_round_trip(edited(built, delete_clause("financial.cost-allocation")), tmp_path)
    assert [(c.id, c.status) for c in _review(saved).noted] == [("financial.cost-allocation", "deleted")]
    assert [(c.id, c.kind) for c in summarize_changes(built, saved).clauses] == [
        ("financial.cost-allocation", "removed")]


# ---------------------------------------------------------------- adopting the edits (clauses.override)


def _check(spec: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["check", str(spec), *extra])
    return result.output


def test_the_round_trip_build_edit_review_adopt_rebuild_and_stale(tmp_path: Path) -> None:
    import yaml

    from mou_builder.render.text import render_markdown

    spec_path = tmp_path / "city.yaml"
    spec_path.write_text(CITY.read_text(encoding="utf-8"), encoding="utf-8")
    built = render_docx(assemble(load_spec(spec_path)))
    returned = returned_draft(built)
    returned_path = tmp_path / "returned.docx"
    returned_path.write_bytes(returned)

    # review-edits lists exactly the edit, the comment and the tracked insertion
    listed = CliRunner().invoke(main, ["review-edits", str(returned_path), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    clauses = json.loads(listed.stdout)["clauses"]
    assert [(c["id"], c["status"], len(c["edits"]), len(c["tracked"]), len(c["comments"])) for c in clauses] == [
        ("financial.fiscal-agent", "edited", 1, 0, 0),
        ("financial.billing", "unchanged", 0, 0, 1),
        ("financial.unspent-funds", "unchanged", 0, 1, 0),
    ]

    adopted = CliRunner().invoke(main, ["review-edits", str(returned_path), "--adopt", str(spec_path)])
    assert adopted.exit_code == 0, adopted.output
    assert "adopted 2 clauses" in adopted.stderr
    overrides = yaml.safe_load(spec_path.read_text(encoding="utf-8"))["clauses"]["override"]
    assert [(o["id"], o["based_on"]["version"], o["source"]) for o in overrides] == [
        ("financial.fiscal-agent", "3.0.0", "returned.docx"), ("financial.unspent-funds", "1.0.0", "returned.docx")]
    # the rest of the file is as it was (comments included)
    assert spec_path.read_text(encoding="utf-8").startswith(CITY.read_text(encoding="utf-8").rstrip("\n"))
    assert "override-stale" not in _check(spec_path)

    # another change to the spec: the next build keeps the reviewer's words, and nothing is stale
    text = spec_path.read_text(encoding="utf-8").replace('draft_version: "1"', 'draft_version: "2"')
    assert text != spec_path.read_text(encoding="utf-8")
    spec_path.write_text(text, encoding="utf-8")
    markdown = render_markdown(assemble(load_spec(spec_path)))
    assert "administer, hold and disburse the funds" in markdown
    assert "revert to the City and are repaid within 60 days." in markdown
    assert "override-stale" not in _check(spec_path)
    # ... and the next returned draft (the build as it is) reads as not edited
    rebuilt = render_docx(assemble(load_spec(spec_path)))
    assert _review(rebuilt).noted == ()

    # a spec value the library clause shows changes: the override is stale, and still used
    changed = text.replace("unspent_funds: Grant funds not requested by October 31, 2027 revert to the City.",
                           "unspent_funds: Grant funds not requested by October 31, 2028 revert to the City.")
    assert changed != text
    spec_path.write_text(changed, encoding="utf-8")
    report = _check(spec_path)
    assert ("warning override-stale: clauses.override[1]: the spec's values changed what clause "
            "financial.unspent-funds says since the override was made; from the override's words to the library's "
            'text now: "2027" -> "2028", "City and are repaid within 60 days" -> "City"; '
            "the draft still uses the override's words") in report
    assert report.count("override-stale") == 1
    assert "October 31, 2027 revert to the City and are repaid" in render_markdown(assemble(load_spec(spec_path)))

    # the library clause changes (a folder of one's own clauses with a new version): stale too
    folder = tmp_path / "clauses"
    folder.mkdir()
    library_text = (Path(__file__).parents[1] / "clause_library/clauses/financial/fiscal-agent.md").read_text()
    (folder / "fiscal-agent.md").write_text(
        library_text.replace("version: 3.0.0", "version: 3.1.0").replace("administer and disburse", "hold and disburse"))
    stale = _check(spec_path, "--clauses", str(folder))
    assert ("the library clause financial.fiscal-agent changed since the override was made (3.0.0 -> 3.1.0); "
            'from the override\'s words to the library\'s text now: "agent, administer," -> "agent,"') in stale


@pytest.mark.parametrize("old, new, note", [
    # a number of days the spec gives: the spec would still say 60 while the draft says 90
    ("sixty (60) days' written notice", "ninety (90) days' written notice",
     "16.1 Termination for Convenience (termination.convenience): the reviewer's words no longer say 60, which the "
     "spec's termination.convenience_days gives"),
    # a text the spec gives (the number inside it is not named again)
    ("agree a reduced scope within thirty (30) days", "agree a reduced scope within ninety (90) days",
     "(financial.funding-plan): the reviewer's words no longer say \"The program is funded by the City's 2026 CDBG "
     "allocation....\", which the spec's financial.funding_plan gives"),
    # words no spec value gives: nothing to say
    ("for any reason", "for any reason or for none", None),
])
def test_adopting_an_edit_of_a_value_the_spec_holds_says_so(
    built: bytes, tmp_path: Path, old: str, new: str, note: str | None,
) -> None:
    spec_path = tmp_path / "city.yaml"
    spec_path.write_text(CITY.read_text(encoding="utf-8"), encoding="utf-8")
    returned_path = tmp_path / "returned.docx"
    returned_path.write_bytes(edited(built, retype(old, new)))
    result = CliRunner().invoke(main, ["review-edits", str(returned_path), "--adopt", str(spec_path)])
    assert result.exit_code == 0, result.output
    assert "adopted 1 clause" in result.stderr
    notes = [line for line in result.stderr.splitlines() if "no longer say" in line]
    if note is None:
        assert notes == []
    else:
        assert len(notes) == 1 and note in notes[0], notes
        assert notes[0].endswith("the override keeps their words, and the spec still says it: if the parties agreed "
                                 "to the change, change the spec instead (and remove the override)")


def test_an_override_of_a_clause_the_library_lacks_is_refused(tmp_path: Path) -> None:
    spec_path = tmp_path / "s.yaml"
    spec_path.write_text(CITY.read_text(encoding="utf-8") + (
        "clauses:\n  override:\n    - id: financial.nothing\n      text: Words.\n"
        "      based_on: {version: 1.0.0, sha256: x, text_sha256: y}\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(spec_path)])
    assert result.exit_code == 1
    assert "clauses.override[0].id: no clause 'financial.nothing' in the library to override" in result.output


def test_a_table_clause_is_not_adopted_and_says_why(built: bytes, tmp_path: Path) -> None:
    spec_path = tmp_path / "city.yaml"
    spec_path.write_text(CITY.read_text(encoding="utf-8"), encoding="utf-8")
    returned_path = tmp_path / "returned.docx"
    returned_path.write_bytes(edited(built, retype("together make up the total budget", "make up the budget")))
    result = CliRunner().invoke(main, ["review-edits", str(returned_path), "--adopt", str(spec_path)])
    assert result.exit_code == 0, result.output
    assert "not adopted: 6.1 Schedule of Contributions (financial.schedule): holds a table" in result.stderr
    assert "nothing to adopt" in result.stderr
    assert spec_path.read_text(encoding="utf-8") == CITY.read_text(encoding="utf-8")


def test_diff_shows_an_override_as_its_fields_and_the_redline_marks_its_words(tmp_path: Path) -> None:
    from mou_builder.review.changes import summary_text
    from mou_builder.review.drafts import redline, summarize_changes
    from mou_builder.review.word_input import text_of

    old = load_spec(CITY)
    clause = next(c for c in outline(read_docx(render_docx(assemble(old)), "x")) if c.id == "financial.fiscal-agent")
    data = old.model_dump(mode="json", exclude_none=True)
    data["clauses"]["override"] = [{
        "id": "financial.fiscal-agent", "text": "The City shall hold the funds.",
        "based_on": {"version": "3.0.0", "sha256": "a", "text_sha256": "b"}}]
    from mou_builder.spec.loader import validate_spec

    new = validate_spec(data)
    summary = summarize_changes(old, new)
    assert {c.path for c in summary.fields} == {
        "clauses.override[0].id", "clauses.override[0].text", "clauses.override[0].based_on.version",
        "clauses.override[0].based_on.sha256", "clauses.override[0].based_on.text_sha256"}
    assert "Clauses: Override of financial.fiscal-agent added: text The City shall hold the funds." in summary_text(summary)
    assert [(c.id, c.kind) for c in summary.clauses] == [("financial.fiscal-agent", "re-worded")]
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(redline(old, new))).read("word/document.xml"))
    assert "hold the funds" in "".join(text_of(e) for e in root.iter(w("ins")))
    assert clause.paragraphs[1].split(" as fiscal agent,")[0] not in "".join(text_of(e) for e in root.iter(w("ins")))


def test_comments_are_carried_onto_the_same_clause_of_the_next_draft(built: bytes, tmp_path: Path) -> None:
    returned = tmp_path / "returned.docx"
    returned.write_bytes(edited(built, comment_on("approved requests within thirty (30) days", "Can we make this 45 days?")))
    spec = load_spec(CITY)
    data = spec.model_dump(mode="json", exclude_none=True)
    data["agreement"]["draft_version"] = "2"
    data["clauses"]["exclude"] = ["financial.cost-allocation"]  # the next draft numbers Billing 6.5
    from mou_builder.spec.loader import validate_spec

    next_path = tmp_path / "next.docx"
    next_path.write_bytes(render_docx(assemble(validate_spec(data))))
    out = tmp_path / "next-commented.docx"
    result = CliRunner().invoke(main, ["review-edits", str(returned), "--carry-comments", str(next_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out} with 1 comment" in result.stderr
    report = _review(out.read_bytes(), "next-commented.docx")
    assert [(c.id, c.number, [(n.author, n.date, n.text) for n in c.comments]) for c in report.noted] == [
        ("financial.billing", "6.5", [(AUTHOR, DATE, "Can we make this 45 days?")])]
    # on the paragraph that holds the words it was on
    assert "approved requests within thirty (30) days" in report.noted[0].comments[0].anchor
    usage = CliRunner().invoke(main, ["review-edits", str(returned), "--carry-comments", str(next_path)])
    assert usage.exit_code == 2 and "go together" in usage.output


def test_a_library_changed_since_the_build_is_noted(tmp_path: Path) -> None:
    from mou_builder.library.clauses import load_library

    folder = tmp_path / "clauses"
    folder.mkdir()
    library_text = (Path(__file__).parents[1] / "clause_library/clauses/financial/fiscal-agent.md").read_text()
    (folder / "fiscal-agent.md").write_text(
        library_text.replace("version: 3.0.0", "version: 3.1.0").replace("administer and disburse", "hold and disburse"))
    path = tmp_path / "built.docx"
    path.write_bytes(render_docx(assemble(load_spec(CITY), load_library([folder]))))
    with_folder = CliRunner().invoke(main, ["review-edits", str(path), "--clauses", str(folder)])
    assert "no edits, tracked changes or comments" in with_folder.output and "Note:" not in with_folder.output
    without = CliRunner().invoke(main, ["review-edits", str(path)])
    assert ("Note: the clause library changed since " + str(path) + " was built: the base text of "
            "financial.fiscal-agent (built with 3.1.0, now 3.0.0) is the library's text today") in without.output


def test_adopting_into_a_json_spec(built: bytes, tmp_path: Path) -> None:
    spec_path = tmp_path / "city.json"
    spec_path.write_text(json.dumps(load_spec(CITY).model_dump(mode="json", exclude_none=True)), encoding="utf-8")
    returned = tmp_path / "returned.docx"
    returned.write_bytes(edited(built, retype("administer and disburse", "administer, hold and disburse")))
    result = CliRunner().invoke(main, ["review-edits", str(returned), "--adopt", str(spec_path)])
    assert result.exit_code == 0, result.output
    overrides = json.loads(spec_path.read_text(encoding="utf-8"))["clauses"]["override"]
    assert [o["id"] for o in overrides] == ["financial.fiscal-agent"]
    assert "administer, hold and disburse" in overrides[0]["text"]
    # adopting the same review again replaces the override instead of adding a second one
    again = CliRunner().invoke(main, ["review-edits", str(returned), "--adopt", str(spec_path)])
    assert again.exit_code == 0, again.output
    assert len(json.loads(spec_path.read_text(encoding="utf-8"))["clauses"]["override"]) == 1


def test_a_clause_of_ones_own_missing_from_the_library_is_noted(tmp_path: Path) -> None:
    from mou_builder.library.clauses import load_library

    folder = tmp_path / "clauses"
    folder.mkdir()
    (folder / "notes.md").write_text("---\nid: general_provisions.notes\nversion: 1.0.0\ntitle: Notes\n"
                                     "section: general_provisions\norder: 95\n---\nThe Parties keep notes.\n")
    path = tmp_path / "built.docx"
    path.write_bytes(render_docx(assemble(load_spec(CITY), load_library([folder]))))
    assert "no edits" in CliRunner().invoke(main, ["review-edits", str(path), "--clauses", str(folder)]).output
    without = CliRunner().invoke(main, ["review-edits", str(path)]).output
    assert "general_provisions.notes was in the draft as built but not in the rebuilt one" in without
    assert "(general_provisions.notes): added" in without


def test_adopting_rewrites_only_the_clauses_block_of_a_yaml_spec() -> None:
    from mou_builder.review.overrides import adopted_spec_text

    text = ("# my spec\nagreement:\n  title: X  # the title\nclauses:\n  exclude:\n    - a.b\n  # why: see notes\n"
            "  pin: [c.d]\n\n# the parties\nparties: []\n")
    override = {"id": "e.f", "text": "Words.", "based_on": {"version": "1.0.0", "sha256": "s", "text_sha256": "t"}}
    out = adopted_spec_text(text, "yaml", [], [override])
    assert out.startswith("# my spec\nagreement:\n  title: X  # the title\nclauses:\n")
    assert out.endswith("\n\n# the parties\nparties: []\n")
    import yaml

    assert yaml.safe_load(out)["clauses"] == {"exclude": ["a.b"], "pin": ["c.d"], "override": [override]}
    # no clauses block yet: one is added at the end
    appended = adopted_spec_text("agreement:\n  title: X", "yaml", [], [override])
    assert appended.startswith("agreement:\n  title: X\nclauses:\n  override:\n")


@pytest.mark.slow
def test_the_page_images_of_the_round_trip_are_the_tools_and_the_docs_show_them(tmp_path: Path) -> None:
    """tools/render_page_images.py makes docs/reviewing.md's returned draft and next redline from the edits tested here."""
    import render_page_images

    out = tmp_path / "images"
    out.mkdir()
    render_page_images.render_review(out, tmp_path)
    made = sorted(p.name for p in out.glob("*.png"))
    assert [name.rsplit("-page-", 1)[0] for name in made] == ["next-redline", "returned-draft"]
    docs = (ROOT / "docs" / "reviewing.md").read_text(encoding="utf-8")
    assert all(f"(images/{name})" in docs and (ROOT / "docs" / "images" / name).exists() for name in made), made
    # the redline holds the adopted edits and the answered comment
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "draft2-redline.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout
    assert "hold" in pdf_text and "forty-five" in pdf_text and "and are repaid within 60 days" in pdf_text
