"""Accepting or rejecting every tracked change, read straight from the XML (independent of the writer).

Accept: inserted and moved-to content stays, deleted and moved-from content goes.
Reject: the opposite. Rows and paragraph marks follow the same rule: a
paragraph whose mark goes joins the paragraph after it (a tracked merge).
"""

from __future__ import annotations

import copy
import io
import zipfile

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
RANGES = [f"{W}{kind}Range{end}" for kind in ("moveFrom", "moveTo") for end in ("Start", "End")]


def _resolve(root: etree._Element, keep: tuple[str, ...], drop: tuple[str, ...]) -> etree._Element:
    root = copy.deepcopy(root)
    # rows inserted (to reject) or deleted (to accept) go with their content
    for row in list(root.iter(f"{W}tr")):
        if any(row.find(f"{W}trPr/{W}{kind}") is not None for kind in drop):
            row.getparent().remove(row)
    for p in list(root.iter(f"{W}p")):
        mark_dropped = any(p.find(f"{W}pPr/{W}rPr/{W}{kind}") is not None for kind in drop)
        for kind in drop:
            for wrapper in p.findall(f"{W}{kind}"):
                p.remove(wrapper)
        for kind in keep:
            for wrapper in p.findall(f"{W}{kind}"):
                for deleted in wrapper.iter(f"{W}delText"):
                    deleted.tag = f"{W}t"
                index = list(p).index(wrapper)
                for offset, run in enumerate(list(wrapper)):
                    p.insert(index + offset, run)  # moving the runs out of the revision
                p.remove(wrapper)
        if mark_dropped:
            # the paragraph joins the next one (a merge), keeping the next one's properties
            following = p.getnext()
            if paragraph_text(p):
                assert following is not None and following.tag == f"{W}p", "a merged paragraph needs a paragraph after it"
                ppr = following.find(f"{W}pPr")
                at = 0 if ppr is None else list(following).index(ppr) + 1
                for offset, child in enumerate(c for c in list(p) if c.tag != f"{W}pPr"):
                    following.insert(at + offset, child)
            p.getparent().remove(p)
    for marker in list(root.iter(*(f"{W}{kind}" for kind in keep), *RANGES)):  # paragraph-mark, row and range markers
        marker.getparent().remove(marker)
    return root


def paragraph_text(p: etree._Element) -> str:
    parts = []
    for node in p.iter(f"{W}t", f"{W}delText", f"{W}br", f"{W}tab"):
        parts.append({f"{W}br": "\n", f"{W}tab": "\t"}.get(node.tag, node.text or ""))
    return "".join(parts)


def body(data: bytes, part: str = "word/document.xml") -> etree._Element:
    """The root of a part of a .docx (the main document unless ``part`` names another, e.g. a header)."""
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))


def paragraphs(root: etree._Element) -> list[str]:
    return [t for t in (paragraph_text(p) for p in root.iter(f"{W}p")) if t]


def accept_all(data: bytes, part: str = "word/document.xml") -> list[str]:
    return paragraphs(_resolve(body(data, part), keep=("ins", "moveTo"), drop=("del", "moveFrom")))


def reject_all(data: bytes, part: str = "word/document.xml") -> list[str]:
    return paragraphs(_resolve(body(data, part), keep=("del", "moveFrom"), drop=("ins", "moveTo")))


def _notes(data: bytes, keep: tuple[str, ...], drop: tuple[str, ...]) -> list[str]:
    text = _resolve(body(data), keep, drop)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    out = []
    for kind in ("footnote", "endnote"):
        if f"word/{kind}s.xml" not in names:
            continue
        notes = {n.get(f"{W}id"): n for n in _resolve(body(data, f"word/{kind}s.xml"), keep, drop).iter(f"{W}{kind}")}
        out += [f"{kind} " + " / ".join(paragraphs(notes[ref.get(f"{W}id")]))
                for ref in text.iter(f"{W}{kind}Reference")]
    return out


def notes_accepted(data: bytes) -> list[str]:
    """The text of each footnote (then endnote) the body refers to, in order, every change accepted."""
    return _notes(data, keep=("ins", "moveTo"), drop=("del", "moveFrom"))


def notes_rejected(data: bytes) -> list[str]:
    """The same with every change rejected."""
    return _notes(data, keep=("del", "moveFrom"), drop=("ins", "moveTo"))
