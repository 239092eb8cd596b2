"""Comparing drafts in bounded work: word-level diffs, a bounded pairing, numbers as words.

No timing: the guard counts what difflib compares. Under the old
character-level comparison every pair of changed paragraphs went through
``SequenceMatcher.ratio()`` on its characters, so the count grew with the
square of the drafts' length.
"""

from __future__ import annotations

import difflib
import io
import random

import docx
import pytest
from hypothesis import given, strategies as st

from docx_revisions import W, accept_all, body, reject_all
from mou_builder.review.alignment import PAIR_WINDOW, Wording, matching_blocks, opcodes, pair_alike, similar
from mou_builder.review.drafts import redline, summarize_changes


def _docx(paragraphs: list[str]) -> bytes:
    d = docx.Document()
    for text in paragraphs:
        d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _prose(rng: random.Random, paragraphs: int, words: int = 80) -> list[str]:
    common = "the of and to a in shall be for or by party agreement".split()
    vocabulary = ["".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(3000)]
    return [" ".join(rng.choice(common) if rng.random() < 0.4 else rng.choice(vocabulary) for _ in range(words)) + "."
            for _ in range(paragraphs)]


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records len(a) * len(b) of every difflib.SequenceMatcher made while the test runs."""
    sizes: list[int] = []
    original = difflib.SequenceMatcher

    def counting(isjunk: object = None, a: object = "", b: object = "", autojunk: bool = True) -> difflib.SequenceMatcher:
        sizes.append(len(a) * len(b))  # type: ignore[arg-type]
        return original(isjunk, a, b, autojunk)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "SequenceMatcher", counting)
    return sizes


@pytest.mark.parametrize("paragraphs", [40, 80])
def test_comparing_different_drafts_is_not_quadratic(paragraphs: int, compared: list[int]) -> None:
    rng = random.Random(paragraphs)
    old, new = _docx(_prose(rng, paragraphs)), _docx(_prose(rng, paragraphs))
    summary = summarize_changes(old, new)
    assert (summary.text.changed, summary.text.added, summary.text.removed) == (0, paragraphs, paragraphs)
    data = redline(old, new)
    assert reject_all(data) == accept_all(old) and accept_all(data) == accept_all(new)
    characters = sum(len(p) for p in accept_all(old) + accept_all(new))
    # The old comparison made paragraphs^2 character ratios: 80 x 80 x 500 x 500 item pairs here.
    # Now only small stretches between anchors reach difflib, a bounded number per word.
    assert sum(compared) <= 20 * characters


def test_pairing_tries_a_bounded_window() -> None:
    calls, shapes = [], []
    items = list(range(500))
    pairs = pair_alike(items, items, lambda i: shapes.append(i) or i, lambda i, j: calls.append((i, j)) or False)
    assert len(calls) <= 500 * PAIR_WINDOW
    assert len(shapes) <= 500 + PAIR_WINDOW  # each old item's shape once, and the new items tried
    assert [p for p in pairs if p[0] is not None] == [(i, None) for i in range(500)]


def test_a_pathological_sequence_is_compared_in_bounded_work(compared: list[int]) -> None:
    a, b = list("ab" * 20_000), list("ba" * 20_000)  # no item occurs once: no anchor anywhere
    codes = opcodes(a, b)
    assert _apply(a, b, codes) == b
    assert sum(compared) <= 70 * (len(a) + len(b))


def _apply(a: list, b: list, codes: list) -> list:
    out = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
            out += a[i1:i2]
        else:
            out += b[j1:j2]
    return out


@given(st.lists(st.sampled_from("abcde"), max_size=60), st.lists(st.sampled_from("abcde"), max_size=60))
def test_opcodes_turn_one_sequence_into_the_other(a: list[str], b: list[str]) -> None:
    codes = opcodes(a, b)
    assert _apply(a, b, codes) == b
    # consecutive and covering both sequences, as difflib's
    assert [c[1] for c in codes[1:]] == [c[2] for c in codes[:-1]] and (codes[-1][2] if codes else 0) == len(a)
    assert [c[3] for c in codes[1:]] == [c[4] for c in codes[:-1]] and (codes[-1][4] if codes else 0) == len(b)


def test_matching_blocks_find_a_small_edit_in_a_long_text() -> None:
    words = Wording(" ".join(f"word{k}" for k in range(5000))).words
    edited = words[:2500] + ["new"] + words[2501:]
    blocks = matching_blocks(words, edited)
    assert sum(size for _, _, size in blocks) == len(words) - 1


def test_similar_means_mostly_the_same_words() -> None:
    text = "The City pays Hope House USD 1,725.50 each quarter, within 30 days of an invoice."
    assert similar(Wording(text), Wording(text.replace("1,725.50", "7,750.00").replace("30", "45")))
    assert not similar(Wording(text), Wording("Either party may end this agreement with notice in writing."))


def test_numbers_dates_and_amounts_are_one_word_in_the_redline() -> None:
    old = _docx(["The City pays USD 1,725.50 by 2026-11-02 at 10:30."])
    new = _docx(["The City pays USD 7,750.00 by 2026-12-01 at 10:30."])
    root = body(redline(old, new))
    deleted = ["".join(t.text for t in d.iter(f"{W}delText")) for d in root.iter(f"{W}del")]
    inserted = ["".join(t.text for t in i.iter(f"{W}t")) for i in root.iter(f"{W}ins")]
    assert deleted == ["1,725.50", "2026-11-02"] and inserted == ["7,750.00", "2026-12-01"]
