"""Templates that fit: an organisation's letterhead (another font, a header, wider margins) lays out cleanly.

Tables and signature blocks take the width of the template's section,
every style mou-builder uses takes its font from the template, signature
blocks are fixed-layout tables whose lines are drawn, and a table stays with
the sentence that introduces it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.shared import Inches
from lxml import etree

from conftest import EXAMPLES, ROOT
from docx_reading import W, part
from letterhead import LETTERHEAD_FONT, MARGIN, letterhead_template
from mou_builder.render.word import REQUIRED_STYLES, build_docx

@pytest.fixture(scope="module")
def letterhead(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return letterhead_template(tmp_path_factory.mktemp("letterhead"))


@pytest.fixture(scope="module")
def on_letterhead(letterhead: Path) -> dict[str, bytes]:
    return {p.stem: build_docx(p, template=letterhead) for p in EXAMPLES}


def _tables(data: bytes) -> list[etree._Element]:
    return part(data, "word/document.xml").findall(f"{W}body/{W}tbl")


def _width(table: etree._Element) -> tuple[int, int]:
    """A table's width twice: the sum of its grid columns, and its tblW."""
    grid = sum(int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol"))
    return grid, int(table.find(f"{W}tblPr/{W}tblW").get(f"{W}w"))


def _text_width(data: bytes) -> int:
    """Page width less left and right margins, of the body's (last) section, read from the output."""
    sect = part(data, "word/document.xml").find(f"{W}body/{W}sectPr")
    margins = sect.find(f"{W}pgMar")
    return int(sect.find(f"{W}pgSz").get(f"{W}w")) - int(margins.get(f"{W}left")) - int(margins.get(f"{W}right"))


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_tables_take_the_letterheads_text_width(name: str, on_letterhead: dict[str, bytes]) -> None:
    data = on_letterhead[name]
    assert _text_width(data) == 12240 - 2 * MARGIN == 8640
    tables = _tables(data)
    assert len(tables) >= 4
    for table in tables:  # data tables and signature blocks: as wide as the text, not wider
        assert _width(table) == (8640, 8640)
        assert all(int(c.get(f"{W}w")) > 0 for c in table.iter(f"{W}gridCol"))


def test_the_default_template_keeps_six_and_a_half_inches() -> None:
    data = build_docx(EXAMPLES[0])
    assert {_width(t) for t in _tables(data)} == {(9360, 9360)}


def test_tables_take_the_width_of_the_section_the_body_is_in(tmp_path: Path) -> None:
    """A template whose body sits in a first section with 1.5 in margins, followed by one with 0.5 in margins."""
    doc = open_docx(str(ROOT / "templates" / "default.docx"))
    first = doc.sections[0]
    first.left_margin = first.right_margin = Inches(1.5)
    last = doc.add_section()
    last.left_margin = last.right_margin = Inches(0.5)
    doc.add_paragraph("Annex: contact sheet.")
    path = tmp_path / "two-sections.docx"
    doc.save(str(path))
    tables = _tables(build_docx(EXAMPLES[0], template=path))
    assert tables and {_width(t) for t in tables} == {(12240 - 2 * 2160,) * 2}


# ---------------------------------------------------------------- fonts


def _styles(data: bytes) -> dict[str, etree._Element]:
    return {s.get(f"{W}styleId"): s for s in part(data, "word/styles.xml").iter(f"{W}style")}


def _font(styles: dict[str, etree._Element], style_id: str) -> str:
    """The font a paragraph style gives its text: named ("DejaVu Sans"), or the theme's ("theme:majorHAnsi")."""
    style = styles.get(style_id)
    while style is not None:
        fonts = style.find(f"{W}rPr/{W}rFonts")
        if fonts is not None and fonts.get(f"{W}asciiTheme"):
            return "theme:" + fonts.get(f"{W}asciiTheme")
        if fonts is not None and fonts.get(f"{W}ascii"):
            return fonts.get(f"{W}ascii")
        based = style.find(f"{W}basedOn")
        style = styles.get(based.get(f"{W}val")) if based is not None else None
    return "document default"


def test_every_style_in_use_takes_the_letterheads_font_or_the_themes(on_letterhead: dict[str, bytes]) -> None:
    data = on_letterhead["head-start-coordination"]
    styles = _styles(data)
    used = {p.get(f"{W}val") for p in part(data, "word/document.xml").iter(f"{W}pStyle")}
    assert {"ListNumber", "ListBullet", "MOUTableText", "MOUSignature", "Subtitle"} <= used
    fonts = {style: _font(styles, style) for style in used}
    assert {f for f in fonts.values() if not f.startswith("theme:")} == {LETTERHEAD_FONT}, fonts
    for text_style in ("Normal", "ListNumber", "ListBullet", "MOUTableText", "MOUSignature", "Subtitle"):
        assert fonts[text_style] == LETTERHEAD_FONT
    assert fonts["Heading1"] == fonts["Title"] == "theme:majorHAnsi"


def test_no_run_or_list_the_writer_adds_names_a_font(on_letterhead: dict[str, bytes]) -> None:
    data = on_letterhead["city-data-grant"]
    body = part(data, "word/document.xml")
    assert body.find(f".//{W}rFonts") is None
    numbering = part(data, "word/numbering.xml")
    used = {n.get(f"{W}val") for n in body.iter(f"{W}numId")}
    abstracts = {n.find(f"{W}abstractNumId").get(f"{W}val") for n in numbering.findall(f"{W}num")
                 if n.get(f"{W}numId") in used}
    written = [a for a in numbering.findall(f"{W}abstractNum") if a.get(f"{W}abstractNumId") in abstracts]
    # headings, numbered, bulleted and lettered lists
    assert len(written) == 4 and all(a.find(f".//{W}rFonts") is None for a in written)


def test_only_normal_names_a_font_in_the_default_template() -> None:
    styles = _styles((ROOT / "templates" / "default.docx").read_bytes())
    ids = {s.find(f"{W}name").get(f"{W}val").lower(): i for i, s in styles.items()}  # Word writes "heading 1"
    for name in [*REQUIRED_STYLES, "Header", "Footer"]:
        fonts = styles[ids[name.lower()]].find(f"{W}rPr/{W}rFonts")
        named = fonts is not None and any(fonts.get(f"{W}{a}") for a in ("ascii", "hAnsi", "cs", "eastAsia"))
        assert named == (name == "Normal"), name
    theme = zipfile.ZipFile(ROOT / "templates" / "default.docx").read("word/theme/theme1.xml").decode()
    assert re.search(r'<a:majorFont>\s*<a:latin typeface="Arial"/>', theme)  # the headings' font is the theme's


# ---------------------------------------------------------------- signature blocks


def _texts(element: etree._Element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in element.iter(f"{W}p")]


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_signature_blocks_are_a_fixed_table_that_cannot_wrap_or_split(name: str,
                                                                      on_letterhead: dict[str, bytes]) -> None:
    # the last table with signature lines (an exhibit after the signature page may hold tables of its own)
    table = next(t for t in reversed(_tables(on_letterhead[name])) if any(x.startswith("Signature:") for x in _texts(t)))
    assert table.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
    grid = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
    assert len(grid) == 2 and sum(grid) == 8640
    rows = table.findall(f"{W}tr")
    for i, row in enumerate(rows):
        assert row.find(f"{W}trPr/{W}cantSplit") is not None
        cells = row.findall(f"{W}tc")
        assert [int(c.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) for c in cells] == grid
        if i < len(rows) - 1:  # rows stay together: every paragraph keeps with the next
            assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in row.iter(f"{W}p"))
        texts = [_texts(c) for c in cells]
        # each block ends with its Date line (the padding that levels it with the other's is empty)
        assert texts[0][-1].startswith("Date:") and (texts[1][-1].startswith("Date:") or texts[1] == [""])
        assert [t for t in texts[0] if t][-1] == texts[0][-1]
        for cell in cells:
            for p in cell.iter(f"{W}p"):
                text = "".join(t.text or "" for t in p.iter(f"{W}t"))
                assert "__" not in text  # no typed line that could wrap
                if text in ("Signature:", "Date:"):  # the line to sign on is the paragraph's bottom border
                    assert p.find(f"{W}pPr/{W}pBdr/{W}bottom").get(f"{W}val") == "single"


# ---------------------------------------------------------------- tables keep with their introduction


def _style(p: etree._Element) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val") if style is not None else None


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_a_table_keeps_with_its_introduction_and_is_followed_by_space(name: str) -> None:
    data = build_docx(ROOT / "docs" / "examples" / f"{name}.yaml")
    styles = _styles(data)
    tables = _tables(data)
    assert tables
    for table in tables:
        before = table.getprevious()
        assert before.tag == f"{W}p" and before.find(f"{W}pPr/{W}keepNext") is not None
        rows = table.findall(f"{W}tr")
        for row in rows[:-1]:
            assert all(p.find(f"{W}pPr/{W}keepNext") is not None for p in row.iter(f"{W}p"))
        after = table.getnext()
        while after.tag == f"{W}bookmarkEnd":
            after = after.getnext()
        if after.tag == f"{W}p":  # space above the next paragraph: its own, or its style's (a heading)
            own = after.find(f"{W}pPr/{W}spacing")
            style_spacing = styles[_style(after)].find(f"{W}pPr/{W}spacing")
            space = own if own is not None and own.get(f"{W}before") else style_spacing
            assert space is not None and int(space.get(f"{W}before", "0")) >= 120, _texts(after)
        else:
            assert after.tag == f"{W}sectPr"


def test_data_tables_repeat_their_header_and_rows_do_not_split() -> None:
    data = build_docx(EXAMPLES[0])
    styled = [t for t in _tables(data) if t.find(f"{W}tblPr/{W}tblStyle") is not None]
    assert len(styled) >= 5
    for table in styled:
        rows = table.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)


def test_a_column_is_as_wide_as_its_longest_address() -> None:
    """The e-mail column of the liaisons table holds the longest address (its share, 34%, or more)."""
    data = build_docx(ROOT / "docs" / "examples" / "library-literacy.yaml")
    contacts = next(t for t in _tables(data) if _texts(t)[:4] == ["Party", "Liaison", "E-mail", "Telephone"])
    grid = [int(c.get(f"{W}w")) for c in contacts.iter(f"{W}gridCol")]
    assert sum(grid) == 9360 and grid[2] >= 9360 * 34 // 100 and grid[2] == max(grid)


def test_the_letterhead_template_is_what_the_test_made(letterhead: Path) -> None:
    """The fixture really is a letterhead: another font, a header line and 1.25 in margins."""
    doc = open_docx(io.BytesIO(letterhead.read_bytes()))
    assert doc.styles["Normal"].font.name == LETTERHEAD_FONT
    assert doc.sections[0].left_margin == Inches(1.25)
    assert "Riverside Community Action" in doc.sections[0].header.paragraphs[0].text
