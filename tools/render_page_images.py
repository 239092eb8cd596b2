"""Render page images of the example agreements into docs/images/ (needs LibreOffice and pdftoppm).

Run ``python tools/render_page_images.py`` after a change to the look of the
output, and commit the images: they show readers what mou-builder produces,
with the default template and with a sample letterhead made here from it.
``python tools/render_page_images.py review`` renders only the round trip of
docs/reviewing.md (a returned draft and the next redline).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mou_builder.render.pdf import convert_to_pdf  # noqa: E402
from mou_builder.render.word import build_docx  # noqa: E402

#: Pages to show: a number; "last", the signature page (before any exhibit); "exhibit", the page after it
#: (Exhibit A); or "find:TEXT", the first page whose text has TEXT (the file is named after its number then).
PAGES: dict[str, list[int | str]] = {
    "city-data-grant": [1, 3, "last"],
    "head-start-coordination": [4],
    "library-literacy": [1],
    "research-data-use": [1, "last", "exhibit"],
    "fiscal-sponsorship": ["find:Budget by Period"],
    "hospital-food-bank": [1, "find:Minimum Necessary"],
}
INCOMPLETE = ROOT / "tests" / "data" / "valid" / "minimal.yaml"
#: Pages shown of the example built on the sample letterhead: the first, a page of tables, the signatures.
LETTERHEAD_PAGES: list[int | str] = [1, 4, "last"]


def sample_letterhead(folder: Path) -> Path:
    """An organisation's letterhead, restyled from the default template as docs/word-output.md describes.

    Arial for the text (set on Normal only: every other text style follows),
    1.25 in side margins, and the organisation's name and address at the top
    of the header, above the title and draft marker.
    """
    from docx import Document
    from docx.shared import Inches, Pt, RGBColor

    doc = Document(str(ROOT / "templates" / "default.docx"))
    doc.styles["Normal"].font.name = "Arial"
    section = doc.sections[0]
    section.left_margin = section.right_margin = Inches(1.25)
    header = section.header
    top = header._element[0]  # the default header's table: title and draft marker
    for text, size, bold in (("City of Lakeport", 13, True), ("Office of the Mayor · 100 Civic Plaza · Lakeport", 8.5, False)):
        run = header.add_paragraph(style="Header").add_run(text)
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, RGBColor(0x1F, 0x2A, 0x44)
        top.addprevious(run._parent._p)
    path = folder / "letterhead.docx"
    doc.save(str(path))
    return path


def render(spec: Path, name: str, pages: list[int | str], out: Path, tmp: Path, template: Path | None = None) -> None:
    docx = tmp / f"{name}.docx"
    docx.write_bytes(build_docx(spec, template=template))
    _pages(docx, name, pages, out)


def _pages(docx: Path, name: str, pages: list[int | str], out: Path, *, comments: bool = False) -> None:
    pdf = _pdf_with_comments(docx) if comments else convert_to_pdf(docx)
    texts = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    for page in pages:
        signed = max((i for i, text in enumerate(texts, start=1) if "Signature:" in text), default=len(texts))
        if page == "last":  # the signature page: the last one that asks for a signature
            number = signed
        elif page == "exhibit":
            number = signed + 1
        elif str(page).startswith("find:"):
            wanted = str(page)[5:]
            number = next(i for i, text in enumerate(texts, start=1) if wanted.casefold() in text.casefold())
            page = number
        else:
            number = int(page)
        prefix = out / f"{name}-page-{page}"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(number), "-l", str(number),
                        str(pdf), str(prefix)], check=True)
        print(f"wrote {prefix}.png", file=sys.stderr)


def _pdf_with_comments(docx: Path) -> Path:
    """``docx`` as a PDF whose comments show as LibreOffice marks them (a note at the commented words)."""
    options = '{"ExportNotes":{"type":"boolean","value":"true"}}'
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                        "--convert-to", f"pdf:writer_pdf_Export:{options}", "--outdir", str(docx.parent), str(docx)],
                       check=True, capture_output=True, timeout=300)
    return docx.with_suffix(".pdf")


def render_document(document: object, name: str, pages: list[int | str], out: Path, tmp: Path) -> None:
    """Page images of an assembled document (an amendment, a conformed copy), as :func:`render` makes them."""
    from mou_builder.render.word import render_docx

    docx = tmp / f"{name}.docx"
    docx.write_bytes(render_docx(document))  # type: ignore[arg-type]
    _pages(docx, name, pages, out)


def render_amendment(out: Path, tmp: Path) -> None:
    """Amendment No. 2 of the amendment example (docs/amendments.md), and its conformed copy."""
    import datetime

    from mou_builder.amendment import amendment_document, amendment_items, conformed
    from mou_builder.spec.loader import load_spec

    folder = ROOT / "docs" / "examples" / "amendment"
    original, second = load_spec(folder / "original.yaml"), load_spec(folder / "second.yaml")
    items = amendment_items(original, second, number=2, effective=datetime.date(2027, 9, 15))
    render_document(amendment_document(items, original, second), "amendment-2", [1, "exhibit"], out, tmp)
    render_document(conformed(items, original, second), "amendment-2-conformed", ["find:Deleted by"], out, tmp)


def render_redline(pair: str, page: int, out: Path, tmp: Path, *, summary_page: bool = False) -> None:
    from mou_builder.review.drafts import redline

    folder = ROOT / "tests" / "data" / "drafts" / pair
    suffix = "-summary" if summary_page else ""
    docx = tmp / f"redline-{pair}{suffix}.docx"
    # names relative to the repository, as a reviewer would type them
    old, new = (str((folder / f"{side}.yaml").relative_to(ROOT)) for side in ("old", "new"))
    os.chdir(ROOT)
    docx.write_bytes(redline(old, new, summary_page=summary_page))
    pdf = convert_to_pdf(docx)
    prefix = out / f"redline-{pair}{suffix}-page-{page}"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(page), "-l", str(page),
                    str(pdf), str(prefix)], check=True)
    print(f"wrote {prefix}.png", file=sys.stderr)


def render_review(out: Path, tmp: Path) -> None:
    """The round trip of docs/reviewing.md: the returned draft, and the redline of the draft built after it.

    Draft 1 of the city-data-grant example is built and edited as the tests
    of ``review-edits`` edit it (tools/reviewer_edits.py: "hold" typed into
    6.3, a comment on 6.6, a tracked insertion in 6.7); its page with the
    edits is ``returned-draft-page-N.png``. Then, as docs/reviewing.md
    walks it, the edits are adopted into the spec (``review-edits --adopt``),
    the comment is answered in the spec (45 days) and draft 2 is built;
    the page of its redline against draft 1 that shows the edits is
    ``next-redline-page-N.png``.
    """
    from mou_builder.review.drafts import redline
    from reviewer_edits import returned_draft

    spec = tmp / "city.yaml"
    spec.write_text((ROOT / "docs" / "examples" / "city-data-grant.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    draft1 = tmp / "draft1.docx"
    draft1.write_bytes(build_docx(spec))
    returned = tmp / "draft1-returned.docx"
    returned.write_bytes(returned_draft(draft1.read_bytes()))
    _pages(returned, "returned-draft", ["find:administer, hold and disburse"], out, comments=True)
    subprocess.run([sys.executable, "-m", "mou_builder", "review-edits", str(returned), "--adopt", str(spec)],
                   check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    text = spec.read_text(encoding="utf-8")
    answered = text.replace("approved requests within thirty (30) days", "approved requests within forty-five (45) days")
    answered = answered.replace('draft_version: "1"', 'draft_version: "2"')
    assert answered.count("forty-five (45)") == 1 and 'draft_version: "2"' in answered, "the example changed"
    spec.write_text(answered, encoding="utf-8")
    draft2 = tmp / "draft2.docx"
    draft2.write_bytes(build_docx(spec))
    marked = tmp / "draft2-redline.docx"
    marked.write_bytes(redline(draft1, draft2, author="Grants Office"))
    _pages(marked, "next-redline", ["find:Fiscal Agent"], out)


def main() -> None:
    out = ROOT / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        render_review(out, Path(tmp))
        if sys.argv[1:] == ["review"]:
            return
        for name, pages in PAGES.items():
            render(ROOT / "docs" / "examples" / f"{name}.yaml", name, pages, out, Path(tmp))
        render(INCOMPLETE, "incomplete-draft", [1], out, Path(tmp))
        render(ROOT / "docs" / "examples" / "city-data-grant.yaml", "letterhead-city-data-grant", LETTERHEAD_PAGES,
               out, Path(tmp), template=sample_letterhead(Path(tmp)))
        render_amendment(out, Path(tmp))
        render_redline("amount-changed", 3, out, Path(tmp))
        render_redline("alternate-switched", 7, out, Path(tmp))
        render_redline("moved-and-edited", 3, out, Path(tmp))
        render_redline("moved-and-edited", 1, out, Path(tmp), summary_page=True)


if __name__ == "__main__":
    main()
