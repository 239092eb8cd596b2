"""A Word redline: the new draft, with tracked changes against the old one.

Both drafts are rendered by the same Word writer; their paragraphs and tables
are aligned by text, and what differs is written as Word revisions that a
reviewer can accept or reject: ``w:ins`` and ``w:del`` (deleted text in
``w:delText``) word by word inside a changed paragraph or table cell, whole
paragraphs and table rows inserted or deleted (their paragraph marks and rows
marked too). Heading numbers are Word's own, so numbering that only shifted
is never shown as an edit.

Not yet: moves (a moved clause shows as deleted and inserted), and
formatting-only changes (a run whose text is unchanged keeps the new format).
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from mou_builder.document import Document
from mou_builder.render_word import (
    _BodyWriter, _el, _find_anchor, _package, _render_template, _text_el, w,
)
from mou_builder.resources import default_template_path

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def render_redline(
    old: Document,
    new: Document,
    *,
    author: str = "mou-builder",
    when: date | None = None,
    template: str | Path | None = None,
) -> bytes:
    """The ``new`` draft as .docx bytes, with tracked changes against ``old``.

    ``when`` (the revisions' date) defaults to the new draft's date, so the
    same drafts always give the same bytes.
    """
    path = Path(template) if template else default_template_path()
    tpl_new, styles = _render_template(path, new)
    tpl_old, _ = _render_template(path, old)
    word = tpl_new.docx
    writer = _BodyWriter(word, styles, marks=False)
    new_body, anchor = word.element.body, _find_anchor(word.element.body, path)
    old_anchor = _find_anchor(tpl_old.docx.element.body, path)
    # The title block (from the template) is compared like the rest.
    new_front = _front(new_body, anchor)
    old_front = _front(tpl_old.docx.element.body, old_anchor)
    for element in new_front:
        new_body.remove(element)
    stamp = (when.isoformat() if when else new.title.iso_date) + "T00:00:00Z"
    marker = _Reviser(author, stamp)
    merged = marker.merge([*old_front, *writer.document(old)], [*new_front, *writer.document(new)])
    for element in merged:
        anchor.addprevious(element)
    anchor.getparent().remove(anchor)
    return _package(word, new)


def _front(body: etree._Element, anchor: etree._Element) -> list[etree._Element]:
    out = []
    for child in body:
        if child is anchor:
            break
        out.append(child)
    return out


def _text(element: etree._Element) -> str:
    parts = []
    for node in element.iter(w("t"), w("delText"), w("br"), w("tab")):
        if node.tag == w("br"):
            parts.append("\n")
        elif node.tag == w("tab"):
            parts.append("\t")
        else:
            parts.append(node.text or "")
    return "".join(parts)


def _style(p: etree._Element) -> str | None:
    style = p.find(f"{w('pPr')}/{w('pStyle')}")
    return style.get(w("val")) if style is not None else None


def _key(element: etree._Element) -> str:
    return f"{etree.QName(element).localname}|{_style(element) if element.tag == w('p') else ''}|{_text(element)}"


class _Reviser:
    """Writes revisions, numbering them from 1 in document order."""

    def __init__(self, author: str, stamp: str) -> None:
        self.author = author
        self.stamp = stamp
        self.next_id = 0

    def _mark(self, kind: str) -> etree._Element:
        self.next_id += 1
        return _el(kind, {"id": str(self.next_id), "author": self.author, "date": self.stamp})

    # -- sequences of block elements

    def merge(self, old: Sequence[etree._Element], new: Sequence[etree._Element]) -> list[etree._Element]:
        out: list[etree._Element] = []
        matcher = difflib.SequenceMatcher(a=[_key(e) for e in old], b=[_key(e) for e in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(new[j1:j2])
                continue
            olds, news = list(old[i1:i2]), list(new[j1:j2])
            pairs = self._pair(olds, news)
            for o, n in pairs:
                if o is not None and n is not None:
                    out.append(self.changed(o, n))
                elif o is not None:
                    out.append(self.deleted(o))
                else:
                    out.append(self.inserted(n))  # type: ignore[arg-type]
        return out

    def _pair(self, olds: list[etree._Element], news: list[etree._Element]) -> list[tuple[Any, Any]]:
        """Pair elements of a changed run one to one where they are alike; the rest are deleted, then inserted."""
        pairs: list[tuple[Any, Any]] = []
        start = 0
        for o in olds:
            match = None
            for j in range(start, len(news)):
                if _alike(o, news[j]):
                    match = j
                    break
            if match is None:
                pairs.append((o, None))
                continue
            pairs.extend((None, n) for n in news[start:match])
            pairs.append((o, news[match]))
            start = match + 1
        pairs.extend((None, n) for n in news[start:])
        return pairs

    # -- whole elements

    def inserted(self, element: etree._Element) -> etree._Element:
        return self._whole(element, "ins")

    def deleted(self, element: etree._Element) -> etree._Element:
        return self._whole(copy.deepcopy(element), "del")

    def _whole(self, element: etree._Element, kind: str) -> etree._Element:
        if element.tag == w("tbl"):
            for row in element.findall(w("tr")):
                self._row(row, kind)
        elif element.tag == w("p"):
            self._paragraph(element, kind)
        return element

    def _row(self, row: etree._Element, kind: str) -> None:
        trpr = row.find(w("trPr"))
        if trpr is None:
            trpr = _el("trPr")
            row.insert(0, trpr)
        trpr.append(self._mark(kind))
        for p in row.iter(w("p")):
            self._paragraph(p, kind)

    def _paragraph(self, p: etree._Element, kind: str) -> None:
        runs = [child for child in p if child.tag == w("r")]
        if runs:
            wrapper = self._mark(kind)
            runs[0].addprevious(wrapper)
            for run in runs:
                if kind == "del":
                    _to_deleted(run)
                wrapper.append(run)
        self._mark_paragraph(p, kind)

    def _mark_paragraph(self, p: etree._Element, kind: str) -> None:
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = _el("pPr")
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = _el("rPr")
            ppr.append(rpr)  # rPr comes after every other child our paragraphs use
        rpr.append(self._mark(kind))

    # -- changed elements

    def changed(self, old: etree._Element, new: etree._Element) -> etree._Element:
        if new.tag == w("p"):
            return self._changed_paragraph(old, new)
        return self._changed_table(old, new)

    def _changed_paragraph(self, old: etree._Element, new: etree._Element) -> etree._Element:
        old_tokens, new_tokens = list(_tokens(old)), list(_tokens(new))
        for run in [child for child in new if child.tag == w("r")]:
            new.remove(run)
        matcher = difflib.SequenceMatcher(
            a=[t[0] for t in old_tokens], b=[t[0] for t in new_tokens], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                new.extend(_build_runs(new_tokens[j1:j2], deleted=False))
                continue
            if i2 > i1:
                wrapper = self._mark("del")
                wrapper.extend(_build_runs(old_tokens[i1:i2], deleted=True))
                new.append(wrapper)
            if j2 > j1:
                wrapper = self._mark("ins")
                wrapper.extend(_build_runs(new_tokens[j1:j2], deleted=False))
                new.append(wrapper)
        return new

    def _changed_table(self, old: etree._Element, new: etree._Element) -> etree._Element:
        old_rows, new_rows = old.findall(w("tr")), new.findall(w("tr"))
        for row in new_rows:
            new.remove(row)
        matcher = difflib.SequenceMatcher(a=[_text(r) for r in old_rows], b=[_text(r) for r in new_rows],
                                          autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                new.extend(new_rows[j1:j2])
                continue
            pairs = self._pair(old_rows[i1:i2], new_rows[j1:j2])
            for o, n in pairs:
                if o is not None and n is not None:
                    for old_cell, new_cell in zip(o.findall(w("tc")), n.findall(w("tc"))):
                        for old_p, new_p in zip(old_cell.findall(w("p")), new_cell.findall(w("p"))):
                            if _text(old_p) != _text(new_p):
                                self._changed_paragraph(old_p, new_p)
                    new.append(n)
                elif o is not None:
                    row = copy.deepcopy(o)
                    self._row(row, "del")
                    new.append(row)
                else:
                    self._row(n, "ins")
                    new.append(n)
        return new


def _alike(old: etree._Element, new: etree._Element) -> bool:
    """Can ``old`` be shown as edited into ``new`` (rather than deleted and inserted)?"""
    if old.tag != new.tag:
        return False
    if old.tag == w("p"):
        if _style(old) != _style(new):
            return False
        return difflib.SequenceMatcher(a=_text(old), b=_text(new), autojunk=False).ratio() >= 0.5
    if old.tag == w("tr"):
        return len(old.findall(w("tc"))) == len(new.findall(w("tc"))) and all(
            len(a.findall(w("p"))) == len(b.findall(w("p"))) for a, b in zip(old.findall(w("tc")), new.findall(w("tc")))
        )
    if old.tag == w("tbl"):
        grid = lambda t: len(t.findall(f"{w('tblGrid')}/{w('gridCol')}"))  # noqa: E731
        return grid(old) == grid(new)
    return False


def _tokens(p: etree._Element) -> Iterator[tuple[str, bytes | None, str]]:
    """(text, run properties, kind) for each word, space, break and tab of a paragraph."""
    for run in p.iter(w("r")):
        rpr = run.find(w("rPr"))
        props = etree.tostring(rpr) if rpr is not None else None
        for child in run:
            if child.tag in (w("t"), w("delText")):
                for token in _TOKEN.findall(child.text or ""):
                    yield token, props, "t"
            elif child.tag == w("br"):
                yield "\n", props, "br"
            elif child.tag == w("tab"):
                yield "\t", props, "tab"


def _build_runs(tokens: Sequence[tuple[str, bytes | None, str]], *, deleted: bool) -> list[etree._Element]:
    """Runs for consecutive tokens, one run per stretch of the same run properties."""
    runs: list[etree._Element] = []
    current_props: Any = object()
    run = None
    for text, props, kind in tokens:
        if run is None or props != current_props:
            run = _el("r")
            if props is not None:
                run.append(etree.fromstring(props))
            runs.append(run)
            current_props = props
        if kind == "br":
            run.append(_el("br"))
        elif kind == "tab":
            run.append(_el("tab"))
        else:
            last = run[-1] if len(run) else None
            tag = "delText" if deleted else "t"
            if last is not None and last.tag == w(tag):
                last.text = (last.text or "") + text
            else:
                run.append(_text_el(tag, text))
    return runs


def _to_deleted(run: etree._Element) -> None:
    for t in run.findall(w("t")):
        t.tag = w("delText")

