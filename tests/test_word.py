"""The Word output: structure, escaping, provenance, determinism, templates."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from lxml import etree

from conftest import DATA, EXAMPLES, ROOT

# By name: a new example must not change which one a test reads.
HEAD_START = ROOT / "docs" / "examples" / "head-start-coordination.yaml"
LIBRARY = ROOT / "docs" / "examples" / "library-literacy.yaml"
from docx_reading import W, as_word_shows, header_text, part, word_paragraphs
from mou_builder.assembly import assemble
from mou_builder.errors import IncompleteSpecError, TemplateError
from mou_builder.document import ListBlock
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render.text import document_paragraphs
from mou_builder.render.word import REQUIRED_STYLES, bookmark_name, build_docx, render_docx
from spec_strings import text_values

LIBRARY = next(p for p in EXAMPLES if p.name == "library-literacy.yaml")  # a non-binding MOU with no data sharing

MINIMAL = DATA / "valid" / "minimal.yaml"


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return {p.stem: build_docx(p) for p in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_word_text_equals_the_text_rendering(path: Path, built: dict[str, bytes]) -> None:
    expected = as_word_shows(document_paragraphs(assemble(load_spec(path))))
    assert word_paragraphs(built[path.stem]) == expected


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_text_value_of_the_spec_is_in_the_document(path: Path, built: dict[str, bytes]) -> None:
    text = "\n".join(word_paragraphs(built[path.stem]))
    missing = [(p, v) for p, v in text_values(load_spec(path)) if v not in text]
    assert missing == []


def test_builds_are_byte_identical() -> None:
    assert build_docx(EXAMPLES[0]) == build_docx(EXAMPLES[0])


def test_builds_are_byte_identical_across_processes_clocks_and_hash_seeds(tmp_path: Path) -> None:
    """Separate processes, more than a second apart, with other hash seeds and time zones: the same bytes.

    Anything taken from the clock (``datetime.now()`` in the core properties), the process
    (``id()``, set order) or the time zone would differ between these builds.
    """
    import time

    digests = {}
    for i, (seed, tz) in enumerate((("0", "UTC"), ("1", "America/Los_Angeles"), ("12345", "Asia/Kolkata"))):
        if i:
            time.sleep(1.1)  # a clock read with one-second precision changes in between
        out = tmp_path / f"{seed}.docx"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": tz}
        subprocess.run([sys.executable, "-m", "mou_builder", str(HEAD_START), "-o", str(out)],
                       check=True, env=env, capture_output=True)
        digests[seed] = hashlib.sha256(out.read_bytes()).hexdigest()
    assert len(set(digests.values())) == 1, digests
    core = zipfile.ZipFile(tmp_path / "0.docx").read("docProps/core.xml").decode()
    date = load_spec(HEAD_START).agreement.document_date.isoformat()
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{date}T00:00:00Z</dcterms:created>' in core
    assert f'<dcterms:modified xsi:type="dcterms:W3CDTF">{date}T00:00:00Z</dcterms:modified>' in core


def test_zip_entries_have_fixed_dates_and_order(built: dict[str, bytes]) -> None:
    infos = zipfile.ZipFile(io.BytesIO(built["city-data-grant"])).infolist()
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    names = [i.filename for i in infos]
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"] and names[2:] == sorted(names[2:])


def test_core_properties_come_from_the_spec(built: dict[str, bytes]) -> None:
    core = open_docx(io.BytesIO(built["head-start-coordination"])).core_properties
    assert core.title == load_spec(HEAD_START).agreement.title
    assert core.created.isoformat() == core.modified.isoformat() == "2026-08-03T00:00:00+00:00"
    assert core.identifier == "HS-SUSD-2026-01" and core.version == "Draft 3"


def test_custom_properties_carry_the_manifest(built: dict[str, bytes]) -> None:
    props = part(built["city-data-grant"], "docProps/custom.xml")
    values = {p.get("name"): p[0].text for p in props}
    doc = assemble(load_spec(EXAMPLES[0]))
    assert values["mou.spec_sha256"] == doc.spec_sha256
    assert values["mou.generator"].startswith("mou-builder ")
    assert values["mou.clause_count"] == str(len(doc.manifest))
    listed = [values[f"mou.clause.{i:03d}"] for i in range(1, len(doc.manifest) + 1)]
    assert listed == [f"{e.ref} {e.sha256}" for e in doc.manifest]
    assert len({p.get("pid") for p in props}) == len(props)


def test_each_clause_is_wrapped_in_a_bookmark_named_after_it(built: dict[str, bytes]) -> None:
    body = part(built["city-data-grant"], "word/document.xml")
    starts = body.findall(f".//{W}bookmarkStart")
    ends = body.findall(f".//{W}bookmarkEnd")
    ids = [b.get(f"{W}id") for b in starts]
    assert len(ids) == len(set(ids)) and sorted(ids) == sorted(e.get(f"{W}id") for e in ends)
    names = {b.get(f"{W}name") for b in starts}
    for entry in assemble(load_spec(EXAMPLES[0])).manifest:
        assert bookmark_name(entry.id) in names
    assert all(len(n) <= 40 for n in names)


def test_references_are_ref_fields_showing_the_number(built: dict[str, bytes]) -> None:
    body = part(built["city-data-grant"], "word/document.xml")
    instructions = [t.text for t in body.iter(f"{W}instrText")]
    assert instructions and all(i.startswith(" REF _Ref_mou_") and i.endswith(" \\r \\h ") for i in instructions)
    targets = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    assert {i.split()[1] for i in instructions} <= targets
    assert "as set out in Section 9.7 (Return or Destruction)." in "\n".join(word_paragraphs(built["city-data-grant"]))


def test_table_header_rows_repeat_and_rows_do_not_split(built: dict[str, bytes]) -> None:
    body = part(built["head-start-coordination"], "word/document.xml")
    tables = body.findall(f".//{W}tbl")
    assert len(tables) >= 6
    for table in tables:
        rows = table.findall(f"{W}tr")
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    styled = [t for t in tables if t.find(f"{W}tblPr/{W}tblStyle") is not None]
    assert all(t.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None for t in styled)


def test_each_numbered_list_restarts(built: dict[str, bytes]) -> None:
    data = built["city-data-grant"]
    numbering = part(data, "word/numbering.xml")
    overrides = {n.get(f"{W}numId") for n in numbering.findall(f"{W}num")
                 if n.find(f"{W}lvlOverride/{W}startOverride") is not None}
    body = part(data, "word/document.xml")
    style_id = "ListNumber"
    lists = [p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") for p in body.iter(f"{W}p")
             if p.find(f"{W}pPr/{W}pStyle") is not None and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == style_id]
    doc = assemble(load_spec(EXAMPLES[0]))
    expected = [b for s in doc.sections for c in s.clauses for b in c.blocks if isinstance(b, ListBlock) and b.ordered]
    # recitals, activities and each party's lettered duties: one restarting num each
    assert set(lists) <= overrides and len(set(lists)) == len(expected) == 4


def test_every_xml_part_parses_strictly(built: dict[str, bytes]) -> None:
    parser = etree.XMLParser(recover=False)
    archive = zipfile.ZipFile(io.BytesIO(built["library-literacy"]))
    for name in archive.namelist():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(archive.read(name), parser)


HOSTILE = "Acme & Sons <Ltd> \"Q\" 'q' {{ 7*7 }} {%p if x %} 😀 مرحبا ]]> &amp;"


def test_hostile_strings_reach_the_document_verbatim() -> None:
    data, _ = read_spec_data(LIBRARY)
    data["agreement"]["title"] = HOSTILE  # title block, header, core properties
    data["parties"][1]["legal_name"] = HOSTILE  # parties table, signature block
    data["parties"][1]["short_name"] = HOSTILE  # clause variables
    data["monitoring"]["metrics"][0]["name"] = HOSTILE  # another table cell
    docx = build_docx(validate_spec(data))
    paragraphs = word_paragraphs(docx)
    assert paragraphs[0] == HOSTILE
    assert f'{HOSTILE}\nTax ID: 95-4412876' in paragraphs  # the parties table cell (a name equal to its short name defines nothing)
    assert f"{HOSTILE} will:" in paragraphs  # a non-binding MOU: "will"
    assert HOSTILE in header_text(docx)
    assert open_docx(io.BytesIO(docx)).core_properties.title == HOSTILE
    assert "49" not in "\n".join(paragraphs)


def test_missing_sections_get_a_highlighted_placeholder_and_header_marker() -> None:
    docx = build_docx(MINIMAL)
    paragraphs = word_paragraphs(docx)
    assert "MISSING: Conflict Resolution — no conflict-resolution process is defined in the spec" in paragraphs
    body = part(docx, "word/document.xml")
    placeholder = [p for p in body.iter(f"{W}p") if "MISSING: Conflict" in "".join(t.text or "" for t in p.iter(f"{W}t"))]
    assert placeholder[0].find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "MOUMissing"
    assert "DRAFT — INCOMPLETE (Draft 1)" in header_text(docx)


def test_complete_spec_has_no_incomplete_marker(built: dict[str, bytes]) -> None:
    assert "INCOMPLETE" not in header_text(built["library-literacy"])


def test_strict_build_refuses_an_incomplete_spec() -> None:
    with pytest.raises(IncompleteSpecError, match="missing-section: conflict_resolution"):
        build_docx(MINIMAL, strict=True)


# ---------------------------------------------------------------- custom templates


def _template_with(tmp_path: Path, *, drop_style: str | None = None, body: str = "{{ body }}",
                   extra: str | None = None) -> Path:
    doc = open_docx(str(ROOT / "templates" / "default.docx"))
    if drop_style:
        element = doc.styles[drop_style].element
        element.getparent().remove(element)
    last = doc.paragraphs[-1]
    last.text = body
    if extra:
        doc.add_paragraph(extra)
    path = tmp_path / "letterhead.docx"
    doc.save(str(path))
    return path


def test_custom_template_is_used(tmp_path: Path) -> None:
    template = _template_with(tmp_path, extra="Printed on recycled paper.")
    paragraphs = word_paragraphs(build_docx(LIBRARY, template=template))
    assert paragraphs[-1] == "Printed on recycled paper."


def test_template_without_a_style_names_it(tmp_path: Path) -> None:
    template = _template_with(tmp_path, drop_style="MOU Table")
    with pytest.raises(TemplateError, match=r"letterhead.docx: the template lacks these styles: MOU Table \(table\)"):
        build_docx(LIBRARY, template=template)


def test_template_without_body_placeholder(tmp_path: Path) -> None:
    template = _template_with(tmp_path, body="Body goes here")
    with pytest.raises(TemplateError, match=r"the template has no \{\{ body \}\} placeholder"):
        build_docx(LIBRARY, template=template)


def test_template_with_unknown_placeholder(tmp_path: Path) -> None:
    template = _template_with(tmp_path, extra="{{ logo }}")
    with pytest.raises(TemplateError, match=r"the template uses \{\{ logo \}\}, which mou-builder does not provide"):
        build_docx(LIBRARY, template=template)


def test_template_that_is_not_a_docx(tmp_path: Path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("not a zip")
    with pytest.raises(TemplateError, match=r"fake.docx: not a Word .docx file \(it is not a zip package\)"):
        build_docx(LIBRARY, template=fake)


def test_required_styles_are_all_in_the_default_template() -> None:
    names = {s.name for s in open_docx(str(ROOT / "templates" / "default.docx")).styles}
    assert set(REQUIRED_STYLES) <= names


def test_default_template_is_what_the_script_builds() -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_default_template
    finally:
        sys.path.pop(0)
    assert build_default_template.build() == (ROOT / "templates" / "default.docx").read_bytes()


def test_the_signature_blocks_are_a_borderless_fixed_table_of_two_equal_columns(built: dict[str, bytes]) -> None:
    root = part(built[HEAD_START.stem], "word/document.xml")
    signature_tables = [t for t in root.iter(f"{W}tbl")
                        if any("Signature" in (s.get(f"{W}val") or "") for s in t.iter(f"{W}pStyle"))]
    assert len(signature_tables) == 1
    [table] = signature_tables
    props = table.find(f"{W}tblPr")
    assert props.find(f"{W}tblLayout").get(f"{W}type") == "fixed"  # Word may not widen a column for a long name
    assert {b.get(f"{W}val") for b in props.find(f"{W}tblBorders")} == {"nil"}
    grid = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
    assert len(grid) == 2 and abs(grid[0] - grid[1]) <= 1 and int(props.find(f"{W}tblW").get(f"{W}w")) == sum(grid)
    for row in table.findall(f"{W}tr"):
        assert row.find(f"{W}trPr/{W}cantSplit") is not None
        assert [int(c.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for c in row.findall(f"{W}tc")] == grid


def test_each_reference_field_is_begin_instruction_separate_number_end_each_in_a_run(built: dict[str, bytes]) -> None:
    body = part(built["city-data-grant"], "word/document.xml")
    fields = 0
    for instruction in body.iter(f"{W}instrText"):
        run = instruction.getparent()
        assert run.tag == f"{W}r"
        before = run.getprevious()
        after = [run.getnext()]
        while after[-1].find(f"{W}fldChar") is None or after[-1].find(f"{W}fldChar").get(f"{W}fldCharType") != "end":
            after.append(after[-1].getnext())
        assert before.tag == f"{W}r" and before.find(f"{W}fldChar").get(f"{W}fldCharType") == "begin"
        assert after[0].find(f"{W}fldChar").get(f"{W}fldCharType") == "separate"
        number = "".join(t.text for r in after[1:-1] for t in r.iter(f"{W}t"))
        assert number and number[0].isdigit()  # the cached result: the number the field would show
        fields += 1
    assert fields >= 3


def test_the_list_definitions_are_complete_and_each_has_an_id_of_its_own(built: dict[str, bytes]) -> None:
    numbering = part(built["city-data-grant"], "word/numbering.xml")
    abstracts = numbering.findall(f"{W}abstractNum")
    ids = [a.get(f"{W}abstractNumId") for a in abstracts]
    assert None not in ids and len(ids) == len(set(ids))
    assert {n.find(f"{W}abstractNumId").get(f"{W}val") for n in numbering.findall(f"{W}num")} <= set(ids)
    levels = {(lvl.find(f"{W}numFmt").get(f"{W}val"), lvl.find(f"{W}lvlText").get(f"{W}val")): lvl
              for a in abstracts for lvl in a.findall(f"{W}lvl") if lvl.get(f"{W}ilvl") == "0"}
    for key in (("decimal", "%1."), ("bullet", "\u2022"), ("lowerLetter", "(%1)")):
        lvl = levels[key]  # the numbered, bulleted and lettered lists: number at the margin, text half an inch in
        assert lvl.find(f"{W}lvlJc").get(f"{W}val") == "left"
        tab = lvl.find(f"{W}pPr/{W}tabs/{W}tab")
        assert (tab.get(f"{W}val"), tab.get(f"{W}pos")) == ("num", "720")
        ind = lvl.find(f"{W}pPr/{W}ind")
        assert (ind.get(f"{W}left"), ind.get(f"{W}hanging")) == ("720", "360")


def test_a_body_placeholder_with_spaces_in_runs_of_their_own_is_still_the_body(tmp_path: Path) -> None:
    # Word often splits a paragraph into runs: a space typed before and after the placeholder is a run each
    doc = open_docx(str(ROOT / "templates" / "default.docx"))
    last = doc.paragraphs[-1]
    last.text = " "
    last.add_run("{{ body }}")
    last.add_run("  ")
    path = tmp_path / "spaced.docx"
    doc.save(str(path))
    paragraphs = word_paragraphs(build_docx(LIBRARY, template=path))
    assert paragraphs == word_paragraphs(build_docx(LIBRARY))


def test_a_list_that_restarts_starts_again_at_one_at_its_first_level(built: dict[str, bytes]) -> None:
    numbering = part(built["city-data-grant"], "word/numbering.xml")
    overrides = [o for n in numbering.findall(f"{W}num") for o in n.findall(f"{W}lvlOverride")]
    assert len(overrides) >= 4
    assert {(o.get(f"{W}ilvl"), o.find(f"{W}startOverride").get(f"{W}val")) for o in overrides} == {("0", "1")}


def test_each_signature_block_names_its_party_in_bold_with_room_above_its_signature_and_date_lines() -> None:
    # built here, not taken from the shared fixture, so that mutation testing sees which test writes it
    root = part(build_docx(HEAD_START), "word/document.xml")
    [table] = [t for t in root.iter(f"{W}tbl")
               if any("Signature" in (s.get(f"{W}val") or "") for s in t.iter(f"{W}pStyle"))]
    for cell in (c for row in table.findall(f"{W}tr") for c in row.findall(f"{W}tc")):
        lines = [p for p in cell.findall(f"{W}p") if "".join(t.text or "" for t in p.iter(f"{W}t")).strip()]
        if not lines:
            continue  # the empty half of a last row
        party, signature, date = lines[0], lines[1], lines[-1]
        assert all(r.find(f"{W}rPr/{W}b") is not None for r in party.findall(f"{W}r"))
        assert all(r.find(f"{W}rPr/{W}b") is None for p in lines[1:] for r in p.findall(f"{W}r"))
        assert signature.find(f"{W}pPr/{W}spacing").get(f"{W}before") == "480"  # room to sign
        assert date.find(f"{W}pPr/{W}spacing").get(f"{W}before") == "240"  # room to write the date


def test_clause_headings_are_numbered_at_the_second_level_of_the_section_headings_list(built: dict[str, bytes]) -> None:
    root = part(built[HEAD_START.stem], "word/document.xml")
    numbering = {}
    for p in root.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") in ("Heading1", "Heading2"):
            num = p.find(f"{W}pPr/{W}numPr")
            numbering.setdefault(style.get(f"{W}val"), set()).add(
                (num.find(f"{W}ilvl").get(f"{W}val"), num.find(f"{W}numId").get(f"{W}val")))
    [(level1, list1)], [(level2, list2)] = numbering["Heading1"], numbering["Heading2"]
    assert (level1, level2) == ("0", "1") and list1 == list2  # one list: 1, 1.1, 1.2, 2, 2.1, ...


def _liaisons_table(data: bytes) -> etree._Element:
    root = part(data, "word/document.xml")
    return next(t for t in root.iter(f"{W}tbl")
                if [x.text for x in t.find(f"{W}tr").iter(f"{W}t")][:2] == ["Party", "Liaison"])


def test_a_data_table_is_fixed_and_as_wide_as_the_text_with_a_width_for_each_column(built: dict[str, bytes]) -> None:
    table = _liaisons_table(built["city-data-grant"])
    props = table.find(f"{W}tblPr")
    assert props.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
    grid = [int(c.get(f"{W}w")) for c in table.find(f"{W}tblGrid").findall(f"{W}gridCol")]
    assert len(grid) == len(table.find(f"{W}tr").findall(f"{W}tc")) == 4
    width = props.find(f"{W}tblW")
    assert (width.get(f"{W}w"), width.get(f"{W}type")) == (str(sum(grid)), "dxa")


def test_a_column_narrower_than_its_longest_word_is_widened_so_the_word_never_breaks() -> None:
    from mou_builder.render.word import render_docx

    data, _ = read_spec_data(EXAMPLES[0].parent / "city-data-grant.yaml")
    plain = _liaisons_table(render_docx(assemble(validate_spec(data))))
    data["communication"]["liaisons"][1]["email"] = "housing.navigation.coordinator@hopehousefamilyservices.example"
    wide = _liaisons_table(render_docx(assemble(validate_spec(data))))
    before, after = ([int(c.get(f"{W}w")) for c in t.iter(f"{W}gridCol")] for t in (plain, wide))
    assert sum(before) == sum(after)  # still the text width
    assert after[2] > before[2] and after[2] > sum(after) * 34 // 100  # the e-mail column took room from others


def test_paragraph_properties_keep_the_schema_order_style_first_then_keep_with_next() -> None:
    # built here (not the shared fixture), so that mutation testing sees this test write the document
    root = part(build_docx(HEAD_START), "word/document.xml")
    kept = 0
    for ppr in root.iter(f"{W}pPr"):
        names = [etree.QName(c).localname for c in ppr]
        if "pStyle" in names:
            assert names[0] == "pStyle", names
        if "keepNext" in names:
            kept += 1
            assert names.index("keepNext") == (1 if "pStyle" in names else 0), names
    assert kept > 10  # headings, signature blocks and table rows keep with the next paragraph


def test_the_core_properties_date_the_file_at_midnight_utc_of_the_agreement_s_date() -> None:
    core = part(build_docx(HEAD_START), "docProps/core.xml")
    date = load_spec(HEAD_START).agreement.document_date.isoformat()
    stamps = {etree.QName(e).localname: e.text for e in core if etree.QName(e).localname in ("created", "modified")}
    assert stamps == {"created": f"{date}T00:00:00Z", "modified": f"{date}T00:00:00Z"}


def test_signature_padding_stands_for_its_paragraphs_and_its_wrapped_lines() -> None:
    """Padding for 2 paragraphs and 3 wrapped lines is 5 empty paragraphs; a wrapped line adds no spacing.

    (Two blocks side by side are levelled with it: one with a paragraph more,
    the other with lines that wrap more, needs both kinds at once.)
    """
    from mou_builder.render import word
    from mou_builder.resources import default_template_path

    tpl, styles = word._render_template(default_template_path(), assemble(load_spec(EXAMPLES[0])))
    writer = word._BodyWriter(tpl.docx, styles)

    def after(p: etree._Element) -> str | None:
        spacing = p.find(f"{W}pPr/{W}spacing")
        return None if spacing is None else spacing.get(f"{W}after")

    before = writer.paragraph("MOU Signature", [])
    out = writer._signature_padding(before, paragraphs=2, lines=3)
    assert len(out) == 5 and not any(p.find(f"{W}r") is not None for p in out)
    # the paragraph padding's last one and the first wrapped lines have no spacing after; the last keeps its own
    assert [after(p) for p in out] == [None, "0", "0", "0", None]
    assert after(before) is None
    # with no paragraph to pad, the paragraph before the wrapped lines gives up its spacing after
    alone = writer._signature_padding(before, paragraphs=0, lines=2)
    assert len(alone) == 2 and after(before) == "0" and [after(p) for p in alone] == ["0", None]
    assert len(writer._signature_padding(before, paragraphs=3, lines=0)) == 3
