"""Build templates/default.docx, the default Word template of mou-builder.

Run ``python tools/build_default_template.py`` after changing it, and commit
both this script and the .docx. The template holds the look (fonts, heading
and list styles, the table style, header and footer) and the docxtpl
placeholders of the title block; the body is written by the renderer.

Fonts: Times New Roman for text and Arial for headings. Word has both;
LibreOffice uses the metric-compatible Liberation fonts in their place, so
lines break in the same places everywhere. Only Normal names its font (the
body font); the headings, title, header, footer and the *MISSING* placeholder
take the theme's heading font (Arial, set in the theme), and every other
style (lists, subtitle, table text, signatures) inherits Normal's. So a
letterhead made from this template changes every text style by changing
Normal's font, and every heading by changing the theme's heading font.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt, RGBColor

BODY_FONT = "Times New Roman"
HEADING_FONT = "Arial"
INK = RGBColor(0x1F, 0x2A, 0x44)


#: rFonts attributes naming a font, and those pointing at the theme's heading (major) font.
_NAMED_FONTS = ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")
_HEADING_THEME_FONTS = {"w:asciiTheme": "majorHAnsi", "w:hAnsiTheme": "majorHAnsi",
                        "w:eastAsiaTheme": "majorEastAsia", "w:cstheme": "majorBidi"}


def set_font(style, size: float, *, font: str = "inherit", bold: bool | None = None, italic: bool | None = None,
             color: RGBColor | None = None) -> None:
    """Size, weight and colour of a style, and where its font comes from.

    ``font`` is "inherit" (no font of its own: Normal's, through the style it
    is based on), "heading" (the theme's heading font) or a font name (Normal
    only: the one style that names a font).
    """
    style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if color is not None:
        style.font.color.rgb = color
    rpr = style.element.get_or_add_rPr()
    for fonts in rpr.findall(qn("w:rFonts")):
        rpr.remove(fonts)
    if font == "inherit":
        return
    fonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
    rpr.insert(0, fonts)  # rFonts comes first in w:rPr
    # Every script's font, so that nothing falls back on the document defaults.
    attrs = _HEADING_THEME_FONTS if font == "heading" else {attr: font for attr in _NAMED_FONTS}
    for attr, value in attrs.items():
        fonts.set(qn(attr), value)


def set_theme_fonts(doc, *, heading: str, body: str) -> None:
    """The theme's heading (major) and body (minor) Latin fonts.

    Word's Design › Fonts changes these, and every style that points at the
    theme (here the headings) follows.
    """
    part = next(p for p in doc.part.package.iter_parts() if p.partname.endswith("/theme/theme1.xml"))
    xml = part.blob.decode("utf-8")
    for kind, name in (("major", heading), ("minor", body)):
        xml, count = re.subn(rf'(<a:{kind}Font>\s*<a:latin typeface=")[^"]*(")', rf"\g<1>{name}\g<2>", xml)
        assert count == 1, f"the theme has no {kind} Latin font"
    part._blob = xml.encode("utf-8")


def paragraph_format(style, *, before: float = 0, after: float = 6, line: float | None = 1.1,
                     keep_next: bool = False, align=None) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    fmt.keep_with_next = keep_next
    if align is not None:
        fmt.alignment = align


def _header_table(style_id: str):
    """A borderless two-cell table, 100% of the text width: the title, and the draft marker set right."""
    none = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))

    def cell(pct: int, text: str, align: str) -> str:
        jc = f'<w:jc w:val="{align}"/>' if align != "left" else ""
        return (f'<w:tc><w:tcPr><w:tcW w:w="{pct}" w:type="pct"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="{style_id}"/>'
                f'<w:spacing w:after="0"/>{jc}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>')

    return parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{none}</w:tblBorders>'
        '<w:tblLayout w:type="autofit"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        '</w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid><w:gridCol w:w="6552"/><w:gridCol w:w="2808"/></w:tblGrid>'
        f'<w:tr>{cell(3500, "{{ title }}", "left")}{cell(1500, "{{ header_marker }}", "right")}</w:tr></w:tbl>'
    )


def build() -> bytes:
    doc = Document()
    styles = doc.styles

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = section.right_margin = Inches(1)
    section.top_margin = Inches(1)
    section.bottom_margin = Inches(0.9)
    section.header_distance = section.footer_distance = Inches(0.45)

    set_theme_fonts(doc, heading=HEADING_FONT, body=BODY_FONT)
    normal = styles["Normal"]
    set_font(normal, 11, font=BODY_FONT)
    paragraph_format(normal, after=6, line=1.1)
    normal.paragraph_format.widow_control = True

    title = styles["Title"]
    set_font(title, 18, font="heading", bold=True, color=INK)
    paragraph_format(title, before=24, after=12, line=1.0, keep_next=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    # The python-docx default Title has a bottom border and expanded spacing; a plain title reads better.
    ppr = title.element.get_or_add_pPr()
    for child in ppr.findall(qn("w:pBdr")):
        ppr.remove(child)
    rpr = title.element.get_or_add_rPr()
    for tag in ("w:spacing", "w:kern"):
        for child in rpr.findall(qn(tag)):
            rpr.remove(child)

    subtitle = styles["Subtitle"]
    set_font(subtitle, 11.5, italic=False, color=INK)
    paragraph_format(subtitle, after=4, line=1.0, keep_next=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    srpr = subtitle.element.get_or_add_rPr()
    for child in srpr.findall(qn("w:spacing")):
        srpr.remove(child)

    for level, size, before, after in ((1, 12.5, 16, 6), (2, 11, 10, 4), (3, 11, 8, 3)):
        heading = styles[f"Heading {level}"]
        set_font(heading, size, font="heading", bold=True, italic=level == 3, color=INK)
        paragraph_format(heading, before=before, after=after, line=1.0, keep_next=True)
        heading.paragraph_format.keep_together = True
        if level == 1:
            heading.font.all_caps = True

    for name in ("List Number", "List Bullet"):
        lst = styles[name]
        set_font(lst, 11)
        paragraph_format(lst, after=3, line=1.1)
        # Numbering is applied per list by the renderer (so every list restarts at 1).
        ppr = lst.element.get_or_add_pPr()
        for child in ppr.findall(qn("w:numPr")):
            ppr.remove(child)

    for name in ("Header", "Footer"):
        set_font(styles[name], 8.5, font="heading", color=RGBColor(0x55, 0x5F, 0x6E))
        # No tab stops: a stop sits at a fixed distance, and would be past the
        # margin of a letterhead with wider margins (the header is a table instead).
        styles[name].paragraph_format.tab_stops.clear_all()

    missing = styles.add_style("MOU Missing", WD_STYLE_TYPE.PARAGRAPH)
    missing.base_style = normal
    set_font(missing, 10.5, font="heading", bold=True, color=RGBColor(0x9C, 0x00, 0x06))
    paragraph_format(missing, before=4, after=8, line=1.1)
    # Schema order inside w:pPr: ... pBdr, shd, ... spacing: insert before the spacing.
    spacing = missing.element.get_or_add_pPr().find(qn("w:spacing"))
    spacing.addprevious(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:left w:val="single" w:sz="24" w:space="6" w:color="9C0006"/></w:pBdr>'
    ))
    spacing.addprevious(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="FFEB9C"/>'))

    cell = styles.add_style("MOU Table Text", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    set_font(cell, 9.5)
    paragraph_format(cell, before=1, after=1, line=1.0)

    sign = styles.add_style("MOU Signature", WD_STYLE_TYPE.PARAGRAPH)
    sign.base_style = normal
    set_font(sign, 10.5)
    paragraph_format(sign, before=0, after=4, line=1.0, keep_next=True)

    table_style = styles.add_style("MOU Table", WD_STYLE_TYPE.TABLE)
    table_style.element.append(parse_xml(
        f"""<w:tblPr {nsdecls("w")}>
          <w:tblBorders>
            <w:top w:val="single" w:sz="6" w:space="0" w:color="1F2A44"/>
            <w:bottom w:val="single" w:sz="6" w:space="0" w:color="1F2A44"/>
            <w:insideH w:val="single" w:sz="4" w:space="0" w:color="B7BDC8"/>
            <w:insideV w:val="single" w:sz="4" w:space="0" w:color="B7BDC8"/>
          </w:tblBorders>
          <w:tblCellMar>
            <w:top w:w="40" w:type="dxa"/><w:left w:w="90" w:type="dxa"/>
            <w:bottom w:w="40" w:type="dxa"/><w:right w:w="90" w:type="dxa"/>
          </w:tblCellMar>
        </w:tblPr>"""
    ))
    table_style.element.append(parse_xml(
        f"""<w:tblStylePr {nsdecls("w")} w:type="firstRow">
          <w:rPr><w:b/><w:color w:val="1F2A44"/></w:rPr>
          <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E4E8EF"/></w:tcPr>
        </w:tblStylePr>"""
    ))

    # Header: title on the left, draft marker on the right, in a borderless table
    # as wide as the text whatever the margins (a right tab stop would not move
    # with them; LibreOffice does not lay out Word's margin-relative w:ptab).
    header = section.header.paragraphs[0]
    header._p.addprevious(_header_table(styles["Header"].style_id))
    # A header ends with a paragraph: keep it, 1 pt high.
    header.style = styles["Header"]
    header._p.get_or_add_pPr().append(parse_xml(
        f'<w:spacing {nsdecls("w")} w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'))
    footer = section.footer.paragraphs[0]
    footer.style = styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    footer.add_run(" of ")
    footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))

    # Title block (docxtpl placeholders; {%p %} tags drop their paragraph).
    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:
        body._p.getparent().remove(body._p)
    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{ parties_line }}", style="Subtitle")
    doc.add_paragraph("{%p if number_line %}")
    doc.add_paragraph("{{ number_line }}", style="Subtitle")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if program_line %}")
    doc.add_paragraph("{{ program_line }}", style="Subtitle")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ date }}", style="Subtitle")
    doc.add_paragraph("{%p if draft_label %}")
    doc.add_paragraph("{{ draft_label }}", style="Subtitle")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ body }}")

    core = doc.core_properties
    core.author = core.last_modified_by = core.title = core.subject = core.comments = core.keywords = ""
    core.category = ""
    core.revision = 1

    # python-docx's starting template defines a hundred table styles nobody uses here;
    # every build parses and writes them, so keep only what the template needs.
    keep = {"Normal Table", "Table Grid", "MOU Table"}
    for style in list(styles):
        if style.type == WD_STYLE_TYPE.TABLE and style.name not in keep:
            style.element.getparent().remove(style.element)

    # python-docx's starting package carries a thumbnail of a blank page, and
    # Word 2010's stylesWithEffects copy of the styles: drop both.
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rel_id]
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rel_id]

    out = io.BytesIO()
    doc.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """Fixed entry dates so that rebuilding the template gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    target = Path(__file__).resolve().parent.parent / "templates" / "default.docx"
    target.write_bytes(build())
    print(f"wrote {target}", file=sys.stderr)
