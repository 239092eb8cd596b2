"""Exhibits (Exhibit A, B, ... after the signature page) and documents incorporated by reference."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from lxml import etree

from conftest import DATA, ROOT
from docx_revisions import accept_all, reject_all
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.completeness import check
from mou_builder.document import ListBlock, Paragraph, Ref, Table
from mou_builder.errors import SpecError
from mou_builder.spec.loader import load_spec, validate_spec
from mou_builder.render.ooxml import w
from mou_builder.render.word import render_docx
from mou_builder.render.text import document_lines, render_markdown

EXAMPLES = ROOT / "docs" / "examples"
EXAMPLE = EXAMPLES / "research-data-use.yaml"
MINIMAL = yaml.safe_load((DATA / "valid" / "minimal.yaml").read_text(encoding="utf-8"))


def _spec(**extra: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(MINIMAL, default=str))
    data.update(extra)
    return data


def _write(folder: Path, data: dict[str, Any], name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


PLAN = {"id": "plan", "title": "Work Plan", "text": "The Parties meet monthly.\n\n| Task | Cost |\n|---|---|\n"
                                                    "| Kick-off | $1,200.00 |\n| See [[exhibit.budget]] | |"}
BUDGET = {"id": "budget", "title": "Budget", "text": "- Staff time\n- Supplies"}
SCHEDULE = {"id": "schedule", "title": "Schedule", "text": "| Task | Cost |\n|---|---|\n| Kick-off | $1,200.00 |"}


# ---------------------------------------------------------------- references and letters


def test_a_reference_names_the_exhibit_by_its_letter_and_title_wherever_text_is_printed() -> None:
    spec = validate_spec(_spec(
        scope={"summary": "The work set out in [[exhibit.budget]]."},
        responsibilities=[{"activity": "Follow [[exhibit.plan]]", "accountable": "a",
                           "details": "as [[exhibit.budget]] allows"}],
        clauses={"add": [{"id": "extra", "section": "general_provisions", "title": "Extra",
                          "text": "See [[exhibit.plan]]."}]},
        exhibits=[PLAN, BUDGET],
    ))
    doc = assemble(spec)
    scope = doc.section_by_key("scope").clauses[0].blocks[0]
    assert isinstance(scope, Paragraph)
    assert "The work set out in Exhibit B (Budget)." in scope.text
    assert [i for i in scope.inlines if isinstance(i, Ref)] == [Ref("exhibit.budget", "B", label="Exhibit")]
    duties = doc.section_by_key("responsibilities").clauses[0].blocks[0]
    assert duties.text == "Alpha shall follow Exhibit A (Work Plan), as follows: as Exhibit B (Budget) allows."
    assert doc.clause("general_provisions.extra").blocks[0].text == "See Exhibit A (Work Plan)."
    # in the exhibit's own table too, as words
    table = doc.exhibits[0].blocks[1]
    assert isinstance(table, Table) and table.rows[1][0] == "See Exhibit B (Budget)"


def test_letters_follow_the_order_of_the_list() -> None:
    first = assemble(validate_spec(_spec(exhibits=[PLAN, BUDGET])))
    second = assemble(validate_spec(_spec(exhibits=[BUDGET, PLAN])))
    assert [(e.letter, e.id) for e in first.exhibits] == [("A", "plan"), ("B", "budget")]
    assert [(e.letter, e.id) for e in second.exhibits] == [("A", "budget"), ("B", "plan")]
    assert second.exhibits[1].blocks[1].rows[1][0] == "See Exhibit A (Budget)"


def test_a_reference_in_a_table_cell_from_spec_data_is_resolved() -> None:
    spec = validate_spec(_spec(
        responsibilities=[{"activity": "Follow [[exhibit.plan]]", "accountable": "a"},
                          {"activity": "Keep the books", "accountable": "b"}],
        clauses={"pin": ["responsibilities.raci"]}, exhibits=[PLAN, BUDGET],
    ))
    raci = next(b for b in assemble(spec).section_by_key("responsibilities").clauses[0].blocks if isinstance(b, Table))
    assert raci.rows[0][0] == "Follow Exhibit A (Work Plan)"


def test_an_unknown_exhibit_is_a_located_error_listing_the_known_ids() -> None:
    with pytest.raises(SpecError) as caught:
        validate_spec(_spec(scope={"summary": "See [[exhibit.bugdet]]."}, exhibits=[PLAN, BUDGET]))
    [problem] = caught.value.problems
    assert problem.path == "scope.summary"
    assert problem.message == "refers to [[exhibit.bugdet]], but no exhibit has that id (exhibits: plan, budget)"


def test_an_exhibit_no_clause_refers_to_is_attached_and_listed() -> None:
    doc = assemble(validate_spec(_spec(exhibits=[BUDGET])))
    assert [e.heading for e in doc.exhibits] == ["Exhibit A"]
    listed = doc.clause("general_provisions.exhibits").blocks
    assert isinstance(listed[1], ListBlock) and "".join(i.text for i in listed[1].items[0]) == "Exhibit A (Budget)"


# ---------------------------------------------------------------- the clauses


def test_neither_exhibits_nor_documents_leaves_the_three_clauses_out() -> None:
    doc = assemble(validate_spec(_spec()))
    ids = {c.id for s in doc.sections for c in s.clauses}
    assert not ids & {"general_provisions.exhibits", "general_provisions.incorporated-documents",
                      "general_provisions.precedence"}
    assert doc.exhibits == ()


def test_incorporated_documents_are_listed_by_title_issuer_date_and_reference() -> None:
    spec = validate_spec(_spec(incorporated_documents=[
        {"title": "Grant Award Notice", "issuer": "the State Board", "date": "2026-07-01", "reference": "Award 26-42"},
        {"title": "Program Standards"},
    ]))
    doc = assemble(spec)
    blocks = doc.clause("general_provisions.incorporated-documents").blocks
    assert blocks[0].text == "The following documents are incorporated into this MOU by reference, as if set out in full:"
    assert ["".join(i.text for i in item) for item in blocks[1].items] == [
        "Grant Award Notice, issued by the State Board, dated July 1, 2026 (Award 26-42)", "Program Standards"]
    # no exhibits: the precedence clause names only the two parts there are, and no Exhibits clause
    precedence = doc.clause("general_provisions.precedence").blocks
    assert precedence[0].text == ("If the body of this MOU and the documents incorporated by reference conflict, "
                                  "they take precedence in the following order:")
    assert ["".join(i.text for i in item) for item in precedence[1].items] == [
        "the body of this MOU; and", "the documents incorporated by reference."]
    with pytest.raises(KeyError):
        doc.clause("general_provisions.exhibits")


def test_the_order_of_precedence_is_a_named_default_the_spec_can_change() -> None:
    data = _spec(exhibits=[BUDGET], incorporated_documents=[{"title": "Grant Award Notice"}])
    spec = validate_spec(data)
    infos = [f for f in check(spec) if f.code == "default-term" and f.path == "general_provisions.precedence"]
    assert len(infos) == 1 and "[agreement, exhibits, incorporated_documents]" in infos[0].message
    items = assemble(spec).clause("general_provisions.precedence").blocks[1].items
    assert ["".join(i.text for i in item) for item in items] == [
        "the body of this MOU;", "the Exhibit; and", "the document incorporated by reference."]

    data["general_provisions"] = {"precedence": ["incorporated_documents", "agreement", "exhibits"]}
    chosen = validate_spec(data)
    assert not [f for f in check(chosen) if f.path == "general_provisions.precedence"]
    items = assemble(chosen).clause("general_provisions.precedence").blocks[1].items
    assert ["".join(i.text for i in item) for item in items] == [
        "the document incorporated by reference;", "the body of this MOU; and", "the Exhibit."]


def test_without_exhibits_or_documents_the_precedence_default_is_not_reported() -> None:
    assert not [f for f in check(validate_spec(_spec())) if f.path == "general_provisions.precedence"]


# ---------------------------------------------------------------- files


def test_a_markdown_file_is_read_relative_to_the_spec_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "project" / "exhibits").mkdir(parents=True)
    (tmp_path / "project" / "exhibits" / "plan.md").write_text(
        "**Meetings.** Monthly, as [[exhibit.budget]] pays for.\n\n1. Kick-off\n2. Review\n", encoding="utf-8")
    spec = _write(tmp_path / "project", _spec(exhibits=[
        {"id": "plan", "title": "Work Plan", "file": "exhibits/plan.md"}, BUDGET]))
    monkeypatch.chdir(tmp_path)  # not the spec's folder
    doc = assemble(load_spec(spec))
    plan = doc.exhibits[0]
    assert plan.source == "exhibits/plan.md"
    assert plan.blocks[0].text == "Meetings. Monthly, as Exhibit B (Budget) pays for."
    assert plan.blocks[0].inlines[0].bold
    assert isinstance(plan.blocks[1], ListBlock) and plan.blocks[1].ordered


def _docx_exhibit(path: Path, *, picture: bool = False) -> None:
    import docx

    word = docx.Document()
    word.add_heading("Budget Narrative", 1)
    p = word.add_paragraph("The grant pays for ")
    p.add_run("staff time").bold = True
    p.add_run(" and supplies.")
    word.add_paragraph("First item", style="List Bullet")
    word.add_paragraph("Second item", style="List Bullet")
    word.add_paragraph("Step one", style="List Number")
    table = word.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Item", "Amount"), ("Staff", "$10,000.00"), ("Supplies", "$500.00")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    if picture:
        word.add_picture(io.BytesIO(_png()))
    word.save(str(path))


def _png() -> bytes:
    """A one-pixel PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(
        b"IEND", b"")


def test_a_docx_file_gives_its_paragraphs_lists_and_tables_in_our_styles(tmp_path: Path) -> None:
    _docx_exhibit(tmp_path / "budget.docx")
    spec = load_spec(_write(tmp_path, _spec(exhibits=[{"id": "budget", "title": "Budget", "file": "budget.docx"}])))
    blocks = assemble(spec).exhibits[0].blocks
    assert [type(b).__name__ for b in blocks] == ["Paragraph", "Paragraph", "ListBlock", "ListBlock", "Table"]
    assert blocks[0].text == "Budget Narrative" and blocks[0].inlines[0].bold  # a heading reads as bold
    assert [(s.text, s.bold) for s in blocks[1].inlines] == [
        ("The grant pays for ", False), ("staff time", True), (" and supplies.", False)]
    assert not blocks[2].ordered and len(blocks[2].items) == 2 and blocks[3].ordered
    assert blocks[4].header == ("Item", "Amount") and blocks[4].rows[0] == ("Staff", "$10,000.00")
    assert blocks[4].numeric == frozenset({1})


def test_a_docx_file_with_a_picture_is_refused_with_the_reason(tmp_path: Path) -> None:
    _docx_exhibit(tmp_path / "budget.docx", picture=True)
    spec = load_spec(_write(tmp_path, _spec(exhibits=[{"id": "budget", "title": "Budget", "file": "budget.docx"}])))
    with pytest.raises(SpecError) as caught:
        assemble(spec)
    [problem] = caught.value.problems
    assert (problem.source, problem.line, problem.path) == (str(tmp_path / "spec.yaml"), 14, "exhibits[0].file")
    assert "holds a picture or chart, which an exhibit cannot carry into the agreement" in problem.message


@pytest.mark.parametrize("name, content, message", [
    ("plan.md", None, "no such file"),
    ("plan.docx", b"not a zip", "not a Word .docx file"),
    ("plan.md", b"\xff\xfe bad", "not UTF-8 text (byte 1)"),
    ("plan.md", b"", "the exhibit has no text"),
])
def test_an_exhibit_file_that_cannot_be_used_is_a_located_error(tmp_path: Path, name: str, content: bytes | None,
                                                                  message: str) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    spec_path = _write(tmp_path, _spec(exhibits=[{"id": "plan", "title": "Plan", "file": name}]))
    result = CliRunner().invoke(main, ["build", str(spec_path), "-o", str(tmp_path / "out.docx")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{spec_path}:14:9: exhibits[0].file: {tmp_path / name}: ") and message in (
        result.stderr)
    assert "Traceback" not in result.output and not (tmp_path / "out.docx").exists()


# ---------------------------------------------------------------- renderers


def _example_docx() -> etree._Element:
    data = render_docx(assemble(load_spec(EXAMPLE)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def test_in_word_each_exhibit_starts_a_new_page_after_the_signature_blocks() -> None:
    body = _example_docx().find(w("body"))
    children = list(body)
    texts = ["".join(t.text or "" for t in c.iter(w("t"))) for c in children]
    first = texts.index("Exhibit A")
    signatures = max(i for i, c in enumerate(children) if c.tag == w("tbl") and "Signature" in texts[i])
    assert signatures < first
    for heading in ("Exhibit A", "Exhibit B"):
        p = children[texts.index(heading)]
        assert p.find(f"{w('pPr')}/{w('pageBreakBefore')}") is not None
    assert texts[first + 1] == "Data Elements" and texts[texts.index("Exhibit B") + 1] == "Data Security Plan"
    # Exhibit A's table follows its introduction, as a Word table
    assert children[first + 3].tag == w("tbl") and texts[first + 3].startswith("ElementSourceYears")


def test_markdown_and_the_comparison_lines_carry_the_exhibits() -> None:
    doc = assemble(load_spec(EXAMPLE))
    md = render_markdown(doc)
    signature_at = md.index("Signature: ")
    assert signature_at < md.index("## Exhibit A: Data Elements {#exhibit-data-elements}") < md.index(
        "## Exhibit B: Data Security Plan {#exhibit-security-plan}")
    assert "[Exhibit B](#exhibit-security-plan) (Data Security Plan)" in md
    assert "| Multi-factor authentication | University policy IS-3 | At each sign-in |" in md
    lines = document_lines(doc)
    assert lines[lines.index("Exhibit B") + 1] == "Data Security Plan"


# ---------------------------------------------------------------- comparing drafts


def _pair(tmp_path: Path, new_plan: str, new_date: str = "2026-10-02") -> tuple[Path, Path]:
    for side in ("old", "new"):
        (tmp_path / side / "research-data-use").mkdir(parents=True)
        shutil.copyfile(EXAMPLE, tmp_path / side / "spec.yaml")
        shutil.copyfile(EXAMPLES / "research-data-use" / "security-plan.md",
                        tmp_path / side / "research-data-use" / "security-plan.md")
    plan = tmp_path / "new" / "research-data-use" / "security-plan.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("each month.", new_plan), encoding="utf-8")
    new = tmp_path / "new" / "spec.yaml"
    new.write_text(new.read_text(encoding="utf-8").replace("date: 2026-10-02", f"date: {new_date}"), encoding="utf-8")
    return tmp_path / "old" / "spec.yaml", new


def test_diff_shows_an_incorporated_document_change_as_that_field_and_the_redline_marks_it(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, "each month.", new_date="2026-10-09")
    report = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).stdout)
    assert [(f["path"], f["old"], f["new"]) for f in report["fields"]] == [
        ("incorporated_documents[0].date", "2026-10-02", "2026-10-09")]
    out = tmp_path / "redline.docx"
    assert CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out)]).exit_code == 0
    line = "IRB Approval Letter, issued by the University of California, Davis Institutional Review Board, dated {}"
    assert any(p.startswith(line.format("October 9, 2026")) for p in accept_all(out.read_bytes()))
    assert any(p.startswith(line.format("October 2, 2026")) for p in reject_all(out.read_bytes()))


def test_diff_shows_a_new_order_of_precedence_as_that_field_and_the_redline_marks_it(tmp_path: Path) -> None:
    data = _spec(exhibits=[BUDGET], incorporated_documents=[{"title": "Grant Award Notice"}])
    old = _write(tmp_path, data, "old.yaml")
    data["general_provisions"] = {"precedence": ["incorporated_documents", "agreement", "exhibits"]}
    new = _write(tmp_path, data, "new.yaml")
    report = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).stdout)
    assert {f["path"] for f in report["fields"]} == {f"general_provisions.precedence[{i}]" for i in range(3)}
    out = tmp_path / "redline.docx"
    assert CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out)]).exit_code == 0
    accepted, rejected = accept_all(out.read_bytes()), reject_all(out.read_bytes())
    assert accepted.index("the document incorporated by reference;") < accepted.index("the Exhibit.")
    assert rejected.index("the body of this MOU;") < rejected.index("the document incorporated by reference.")


def test_two_word_drafts_compare_their_exhibits_too(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, "each week.")
    for spec in (old, new):
        assert CliRunner().invoke(main, ["build", str(spec), "-o", str(spec.with_suffix(".docx"))]).exit_code == 0
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(old.with_suffix(".docx")), str(new.with_suffix(".docx")), "-o",
                                       str(out)])
    assert result.exit_code == 0, result.output
    assert any(p.endswith("reviews it each week.") for p in accept_all(out.read_bytes()))
    assert any(p.endswith("reviews it each month.") for p in reject_all(out.read_bytes()))


def test_a_changed_exhibit_file_shows_in_the_summary_and_is_marked_in_the_redline(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, "each week.")
    report = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).stdout)
    assert report["fields"] == [] and report["text"]["changed"] == 1
    out = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    accepted, rejected = accept_all(data), reject_all(data)
    assert any(p.endswith("reviews it each week.") for p in accepted)
    assert any(p.endswith("reviews it each month.") for p in rejected)
    assert not any(p.endswith("each month.") for p in accepted)


def test_diff_of_exhibit_text_names_the_exhibit_and_the_changed_lines(tmp_path: Path) -> None:
    old = _write(tmp_path, _spec(exhibits=[SCHEDULE]), "old.yaml")
    edited = dict(SCHEDULE, text=SCHEDULE["text"].replace("$1,200.00", "$1,500.00"))
    new = _write(tmp_path, _spec(exhibits=[edited]), "new.yaml")
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert "Exhibit A (Schedule): text, changed lines: | Kick-off | $1,200.00 | -> | Kick-off | $1,500.00 |" in (
        result.stdout)
    report = json.loads(CliRunner().invoke(main, ["diff", str(old), str(new), "--format", "json"]).stdout)
    assert [f["path"] for f in report["fields"]] == ["exhibits[0].text"]
    out = tmp_path / "r.docx"
    assert CliRunner().invoke(main, ["diff", str(old), str(new), "-o", str(out)]).exit_code == 0
    accepted, rejected = accept_all(out.read_bytes()), reject_all(out.read_bytes())
    assert "$1,500.00" in accepted and "$1,200.00" not in accepted
    assert "$1,200.00" in rejected and "$1,500.00" not in rejected


# ---------------------------------------------------------------- examples and batches


def test_copying_the_example_copies_its_exhibit_file_and_the_copy_builds(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["examples", "research-data-use"])
    assert result.exit_code == 0, result.output
    copied = tmp_path / "research-data-use" / "security-plan.md"
    assert copied.read_bytes() == (EXAMPLES / "research-data-use" / "security-plan.md").read_bytes()
    built = CliRunner().invoke(main, ["build", "research-data-use.yaml", "-o", "out.md"])
    assert built.exit_code == 0, built.output
    assert "## Exhibit B: Data Security Plan" in (tmp_path / "out.md").read_text(encoding="utf-8")


def test_a_batch_build_reads_each_specs_exhibits_from_its_own_folder(tmp_path: Path) -> None:
    specs = []
    for name, words in (("one", "First plan."), ("two", "Second plan.")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "plan.md").write_text(words, encoding="utf-8")
        specs.append(str(_write(tmp_path / name, _spec(exhibits=[{"id": "plan", "title": "Plan", "file": "plan.md"}]),
                                f"{name}.yaml")))
    result = CliRunner().invoke(main, ["build", *specs, "-o", str(tmp_path / "out") + "/", "--format", "md", "-j", "1"])
    assert "exhibits[0].file" not in result.output, result.output
    assert "First plan." in (tmp_path / "out" / "one.md").read_text(encoding="utf-8")
    assert "Second plan." in (tmp_path / "out" / "two.md").read_text(encoding="utf-8")


def test_the_word_file_records_each_exhibits_content_hash_and_source(tmp_path: Path) -> None:
    import hashlib

    from mou_builder.render.word import custom_properties

    (tmp_path / "plan.md").write_text("Monthly meetings.", encoding="utf-8")
    spec = load_spec(_write(tmp_path, _spec(exhibits=[BUDGET, {"id": "plan", "title": "Plan", "file": "plan.md"}])))
    props = dict(custom_properties(assemble(spec)))
    digest = hashlib.sha256(b"Monthly meetings.").hexdigest()
    assert props["mou.exhibit.002"] == f"B plan {digest} plan.md"
    assert props["mou.exhibit.001"].startswith("A budget ") and props["mou.exhibit.001"].endswith(" spec")
    (tmp_path / "plan.md").write_text("Weekly meetings.", encoding="utf-8")
    assert dict(custom_properties(assemble(spec)))["mou.exhibit.002"] != props["mou.exhibit.002"]
