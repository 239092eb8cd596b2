"""Editing a built draft as a reviewer does in Word: typing over words, deleting a clause, a comment, a tracked insertion.

The tests of ``review-edits`` (tests/test_review_edits.py) and the page
images of docs/reviewing.md (tools/render_page_images.py) make their
returned drafts with these, so the pictures show what the tests check.
Each edit is a function of the main document's root and the package's
files (by name), applied by :func:`edited`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from lxml import etree

from mou_builder.render.ooxml import W_NS, w
from mou_builder.render.word import bookmark_name

#: The reviewer of the edits, and when they made them.
AUTHOR = "Dana Reviewer"
DATE = "2026-11-20T10:00:00Z"
#: An edit of a draft: changes the main document's root and the package's files in place.
Edit = Callable[[etree._Element, dict[str, bytes]], None]


def edited(data: bytes, change: Edit) -> bytes:
    """The .docx ``data`` with ``change`` made to it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(files["word/document.xml"])
    change(root, files)
    files["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in files.items():
            archive.writestr(name, blob)
    return out.getvalue()


def returned_draft(built: bytes) -> bytes:
    """The returned draft of docs/reviewing.md, from the city-data-grant example as built.

    Three things a reviewer did: typed "hold" into 6.3 with tracking off,
    commented on the payment days of 6.6, and inserted a repayment term into
    6.7 with tracking on.
    """
    data = edited(built, retype("administer and disburse", "administer, hold and disburse"))
    data = edited(data, comment_on("approved requests within thirty (30) days", "Can we make this 45 days?"))
    return edited(data, insert_tracked("revert to the City", " and are repaid within 60 days"))


def heading(root: etree._Element, clause_id: str) -> etree._Element:
    """The heading paragraph of a clause of a built draft (where its bookmark starts)."""
    mark = next(b for b in root.iter(w("bookmarkStart")) if b.get(w("name")) == bookmark_name(clause_id))
    return mark.getparent()


def is_heading(element: etree._Element) -> bool:
    """Whether ``element`` is a section or clause heading of a built draft."""
    style = element.find(f"{w('pPr')}/{w('pStyle')}")
    return style is not None and style.get(w("val")) in ("Heading1", "Heading2")


def delete_clause(clause_id: str) -> Edit:
    """Select the clause from its heading to the next heading and press Delete."""
    def change(root: etree._Element, files: dict[str, bytes]) -> None:
        first = heading(root, clause_id)
        doomed = [first]
        node = first.getnext()
        while node is not None and not is_heading(node) and node.tag != w("sectPr"):
            doomed.append(node)
            node = node.getnext()
        for element in doomed:
            element.getparent().remove(element)
    return change


def _run_with(root: etree._Element, text: str) -> etree._Element:
    return next(t.getparent() for t in root.iter(w("t")) if text in (t.text or ""))


def retype(old: str, new: str) -> Edit:
    """Type over words, with tracking off."""
    def change(root: etree._Element, files: dict[str, bytes]) -> None:
        t = _run_with(root, old).find(w("t"))
        t.text = t.text.replace(old, new, 1)
    return change


def _split_run(run: etree._Element, text: str) -> tuple[etree._Element, etree._Element]:
    """Split a run into before / ``text`` / after runs; returns the run holding ``text`` and the one after it."""
    t = run.find(w("t"))
    before, _, after = t.text.partition(text)
    runs = []
    for part in (before, text, after):
        copy = etree.fromstring(etree.tostring(run))
        copy.find(w("t")).text = part
        copy.find(w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        runs.append(copy)
    parent, index = run.getparent(), run.getparent().index(run)
    parent.remove(run)
    for offset, copy in enumerate(runs):
        parent.insert(index + offset, copy)
    return runs[1], runs[2]


def comment_on(text: str, comment: str) -> Edit:
    """Select ``text`` and add a comment, as Word writes it (a comments part, a range and a reference)."""
    def change(root: etree._Element, files: dict[str, bytes]) -> None:
        run, _ = _split_run(_run_with(root, text), text)
        run.addprevious(etree.fromstring(f'<w:commentRangeStart xmlns:w="{W_NS}" w:id="0"/>'))
        end = etree.fromstring(f'<w:commentRangeEnd xmlns:w="{W_NS}" w:id="0"/>')
        run.addnext(end)
        end.addnext(etree.fromstring(f'<w:r xmlns:w="{W_NS}"><w:commentReference w:id="0"/></w:r>'))
        files["word/comments.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:comments xmlns:w="{W_NS}">'
            f'<w:comment w:id="0" w:author="{AUTHOR}" w:date="{DATE}" w:initials="DR"><w:p><w:r><w:t>{comment}</w:t>'
            f'</w:r></w:p></w:comment></w:comments>').encode()
        _relate(files, "comments")
    return change


def insert_tracked(after: str, inserted: str) -> Edit:
    """Type ``inserted`` after ``after`` with Track Changes on."""
    def change(root: etree._Element, files: dict[str, bytes]) -> None:
        run, _ = _split_run(_run_with(root, after), after)
        ins = etree.fromstring(
            f'<w:ins xmlns:w="{W_NS}" w:id="901" w:author="{AUTHOR}" w:date="{DATE}"><w:r>'
            f'<w:t xml:space="preserve">{inserted}</w:t></w:r></w:ins>')
        run.addnext(ins)
    return change


def add_footnote(after: str, text: str) -> Edit:
    """Put the cursor after ``after`` and insert a footnote reading ``text`` (Track Changes off).

    Word writes a footnotes part with its two separators, a reference in the
    text and the note, which starts with its mark.
    """
    def change(root: etree._Element, files: dict[str, bytes]) -> None:
        run, _ = _split_run(_run_with(root, after), after)
        run.addnext(etree.fromstring(
            f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            '<w:footnoteReference w:id="1"/></w:r>'))
        separators = "".join(f'<w:footnote w:type="{kind}" w:id="{k}"><w:p><w:r><w:{kind}/></w:r></w:p></w:footnote>'
                             for k, kind in ((-1, "separator"), (0, "continuationSeparator")))
        files["word/footnotes.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W_NS}">{separators}'
            '<w:footnote w:id="1"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote></w:footnotes>').encode()
        _relate(files, "footnotes")
    return change


def _relate(files: dict[str, bytes], kind: str) -> None:
    """Relate the main document to its new part ``word/{kind}.xml`` (comments, footnotes) and declare its type."""
    rels = etree.fromstring(files["word/_rels/document.xml.rels"])
    etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
                     Id=f"rId{kind.capitalize()}", Target=f"{kind}.xml",
                     Type=f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}")
    files["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8")
    types = etree.fromstring(files["[Content_Types].xml"])
    etree.SubElement(types, "{http://schemas.openxmlformats.org/package/2006/content-types}Override",
                     PartName=f"/word/{kind}.xml",
                     ContentType=f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
    files["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8")
