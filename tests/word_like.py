"""Save a .docx the way Microsoft Word does, for tests of reading returned drafts.

Word is not available here, so its saves are imitated from what Word writes
to a document it opened and saved without a change (see ECMA-376 Part 1 and
any Word-saved file): every paragraph gets revision-save ids (``w:rsidR``,
``w:rsidRDefault``, ``w:rsidP``) and ``w14:paraId``/``w14:textId``; runs
are split where the text was typed in different editing sessions, each piece
with its own ``w:rsidRPr``; spelling and grammar marks (``w:proofErr``) sit
between runs; ``w:lastRenderedPageBreak`` marks where the last layout broke
the page; bookmark ids are renumbered from 0; and a ``_GoBack`` bookmark
marks the last place edited. The text and formatting a reader sees are
unchanged, so a comparison must find nothing.
"""

from __future__ import annotations

import random

from lxml import etree

from mou_builder.render.ooxml import W_NS, w
from reviewer_edits import edited

W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _hex(rng: random.Random, digits: int = 8) -> str:
    return f"{rng.randrange(16 ** digits):0{digits}X}"


def _split_runs(p: etree._Element, rng: random.Random, session: str) -> None:
    """Split each text run at a word boundary into two runs with the same properties, as Word does."""
    for run in list(p.iterchildren(w("r"))):
        t = run.find(w("t"))
        if t is None or len(run) > 2 or not t.text or " " not in t.text.strip():
            continue
        words = t.text.split(" ")
        cut = rng.randrange(1, len(words))
        first, second = " ".join(words[:cut]) + " ", " ".join(words[cut:])
        twin = etree.fromstring(etree.tostring(run))
        t.text = first
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        twin.find(w("t")).text = second
        twin.find(w("t")).set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.set(w("rsidRPr"), session)
        twin.set(w("rsidRPr"), _hex(rng))
        run.addnext(twin)
        if rng.random() < 0.3:  # a word Word's speller flagged
            run.addnext(etree.fromstring(f'<w:proofErr xmlns:w="{W_NS}" w:type="spellStart"/>'))
            twin.addnext(etree.fromstring(f'<w:proofErr xmlns:w="{W_NS}" w:type="spellEnd"/>'))


def word_like_save(data: bytes, seed: int = 0) -> bytes:
    """``data`` (a .docx) as Word would write it after opening and saving it unchanged."""
    rng = random.Random(seed)

    def save(root: etree._Element, files: dict[str, bytes]) -> None:
        root.set(f"{{{MC_NS}}}Ignorable", " ".join(sorted({*root.get(f"{{{MC_NS}}}Ignorable", "").split(), "w14"})))
        session = _hex(rng)
        paragraphs = list(root.iter(w("p")))
        for p in paragraphs:
            p.set(f"{{{W14_NS}}}paraId", _hex(rng))
            p.set(f"{{{W14_NS}}}textId", _hex(rng))
            for name in ("rsidR", "rsidRDefault", "rsidP"):
                p.set(w(name), session)
            _split_runs(p, rng, session)
        # Where the last layout broke the page: inside the first run of every 25th paragraph.
        for p in paragraphs[25::25]:
            run = p.find(w("r"))
            if run is not None and run.find(w("t")) is not None:
                run.find(w("t")).addprevious(etree.Element(w("lastRenderedPageBreak")))
        _renumber_bookmarks(root)
        # The cursor's last place: an empty _GoBack bookmark in the last paragraph with text.
        last = next(p for p in reversed(paragraphs) if p.find(w("r")) is not None)
        count = sum(1 for _ in root.iter(w("bookmarkStart")))
        last.append(etree.fromstring(f'<w:bookmarkStart xmlns:w="{W_NS}" w:id="{count}" w:name="_GoBack"/>'))
        last.append(etree.fromstring(f'<w:bookmarkEnd xmlns:w="{W_NS}" w:id="{count}"/>'))

    return edited(data, save)


def _renumber_bookmarks(root: etree._Element) -> None:
    """Bookmark ids from 0 in document order, each end with its start; names kept."""
    ends: dict[str, list[etree._Element]] = {}
    for end in root.iter(w("bookmarkEnd")):
        ends.setdefault(end.get(w("id")), []).append(end)
    for number, mark in enumerate(list(root.iter(w("bookmarkStart")))):
        matching = ends.get(mark.get(w("id")), [])
        mark.set(w("id"), str(number))
        if matching:
            matching.pop(0).set(w("id"), str(number))
