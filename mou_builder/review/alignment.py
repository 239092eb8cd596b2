"""Aligning two drafts: which items kept their order and which moved, and bounded diffs.

A clause that appears in both drafts either kept its place relative to the
others or moved. "Kept its place" means: it belongs to the largest set of
common items (by weight, e.g. length of text) that appear in the same order in
both drafts. Weighting keeps the big clauses still and calls the small ones
moved, as a reviewer would describe a swap of a long and a short clause.

Pure functions on keys; used by the change summary and the Word redline, so
both call the same clauses moved.

The same two use :func:`opcodes` (a patience diff with a work budget, in
place of difflib's quadratic matcher) to align paragraphs and the words in
them, and :func:`pair_alike` with :func:`similar` to decide which changed
paragraphs are edits of one another, trying each against a bounded window.

:func:`align` puts these together for paragraphs of any draft, so that the
summary and the redline agree: paragraphs found once in each draft anchor
the alignment, those outside the heaviest common order of the anchors
*moved*; the stretches between kept anchors are diffed, and what is left
deleted on one side and inserted on the other is paired once more, across
the whole draft, as *moved and edited* (each candidate found through the
rarest words it shares, a bounded number tried).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
S = TypeVar("S")


def moved_keys(
    old: Sequence[Hashable],
    new: Sequence[Hashable],
    weight: Callable[[Hashable], float] = lambda key: 1.0,
) -> set[Hashable]:
    """Keys present in both sequences that are outside the heaviest common order.

    Keys are expected to be unique within each sequence; a repeated key is
    considered only at its first place.
    """
    new_place: dict[Hashable, int] = {}
    for i, key in enumerate(new):
        new_place.setdefault(key, i)
    seen: set[Hashable] = set()
    common: list[Hashable] = []
    for key in old:
        if key in new_place and key not in seen:
            seen.add(key)
            common.append(key)
    kept = _heaviest_increasing([new_place[k] for k in common], [weight(k) for k in common])
    return {key for i, key in enumerate(common) if i not in kept}


def _heaviest_increasing(values: list[int], weights: list[float]) -> set[int]:
    """Indexes of the increasing subsequence of ``values`` with the largest total weight.

    O(n log n): a Fenwick tree over the values keeps, for every prefix of
    values, the heaviest subsequence ending below it.
    """
    if not values:
        return set()
    ranks = {v: r for r, v in enumerate(sorted(set(values)), start=1)}
    size = len(ranks)
    tree_best = [0.0] * (size + 1)
    tree_at = [-1] * (size + 1)
    best = [0.0] * len(values)
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        # heaviest chain ending at a value strictly below this one
        r = ranks[value] - 1
        top, top_at = 0.0, -1
        while r > 0:
            if tree_best[r] > top:
                top, top_at = tree_best[r], tree_at[r]
            r -= r & -r
        best[i] = top + weights[i]
        previous[i] = top_at
        r = ranks[value]
        while r <= size:
            if best[i] > tree_best[r]:
                tree_best[r], tree_at[r] = best[i], i
            r += r & -r
    end = max(range(len(values)), key=lambda i: (best[i], -i))
    chain: set[int] = set()
    while end != -1:
        chain.add(end)
        end = previous[end]
    return chain


# ---------------------------------------------------------------- bounded sequence comparison
#
# difflib.SequenceMatcher is quadratic (or worse) in the length of what it
# compares, and its ratio() was called on every pair of changed paragraphs:
# two 55 KB drafts with nothing in common took over a minute. What follows
# compares in time that grows with the length of the input: a patience diff
# anchored on items found once on each side, with difflib kept for the small
# stretches between anchors, and a work budget past which what is left is
# simply called different.

Opcode = tuple[str, int, int, int, int]

#: A stretch without anchors of at most this many item pairs (len(a) * len(b)) gets a full diff.
SMALL_STRETCH = 4096
#: Work allowed per item compared (plus a floor), counted in items looked at; past it, what is left differs.
WORK_PER_ITEM = 64
WORK_FLOOR = 20_000
#: How many new items each old item is tried against when pairing edited items (see :func:`pair_alike`).
PAIR_WINDOW = 40


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """``(i, j, size)`` runs of equal items, increasing in both sequences, ending with ``(len(a), len(b), 0)``.

    Like :meth:`difflib.SequenceMatcher.get_matching_blocks`, not always the
    longest possible match, but found in bounded time: common ends are
    trimmed, items that occur once in each side anchor the match (their
    longest increasing chain), and the stretches between anchors are
    compared the same way; stretches with no anchor are compared with
    difflib when small and left unmatched when large.
    """
    matches: list[tuple[int, int]] = []
    budget = WORK_PER_ITEM * (len(a) + len(b)) + WORK_FLOOR
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            matches.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            matches.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        pairs = (ahi - alo) * (bhi - blo)
        if pairs <= SMALL_STRETCH:
            budget -= pairs
            if budget >= 0:
                small = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
                matches += [(alo + i + k, blo + j + k) for i, j, size in small.get_matching_blocks() for k in range(size)]
            continue
        budget -= (ahi - alo) + (bhi - blo)
        if budget < 0:
            continue
        chain = _patience_anchors(a, alo, ahi, b, blo, bhi)
        i0, j0 = alo, blo
        for i, j in chain:
            stack.append((i0, i, j0, j))
            matches.append((i, j))
            i0, j0 = i + 1, j + 1
        if chain:
            stack.append((i0, ahi, j0, bhi))
    matches.sort()
    blocks: list[tuple[int, int, int]] = []
    for i, j in matches:
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            blocks[-1] = (blocks[-1][0], blocks[-1][1], blocks[-1][2] + 1)
        else:
            blocks.append((i, j, 1))
    blocks.append((len(a), len(b), 0))
    return blocks


def _patience_anchors(a: Sequence[Hashable], alo: int, ahi: int, b: Sequence[Hashable], blo: int,
                      bhi: int) -> list[tuple[int, int]]:
    """Items found exactly once in ``a[alo:ahi]`` and once in ``b[blo:bhi]``: the longest chain in order in both."""
    in_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        in_a[a[i]] = -1 if a[i] in in_a else i
    in_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        item = b[j]
        if in_a.get(item, -1) >= 0:
            in_b[item] = -1 if item in in_b else j
    common = sorted((in_a[item], j) for item, j in in_b.items() if j >= 0)
    chain = _heaviest_increasing([j for _, j in common], [1.0] * len(common))
    return [pair for k, pair in enumerate(common) if k in chain]


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[Opcode]:
    """How to turn ``a`` into ``b``, as :meth:`difflib.SequenceMatcher.get_opcodes` says it (bounded time)."""
    out: list[Opcode] = []
    i = j = 0
    for ai, bj, size in matching_blocks(a, b):
        tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert" if j < bj else ""
        if tag:
            out.append((tag, i, ai, j, bj))
        i, j = ai + size, bj + size
        if size:
            out.append(("equal", ai, i, bj, j))
    return out


#: Words, numbers (``1,725.50``, ``2026-11-02``, ``10:30`` as one word) and punctuation marks.
WORD = r"\d+(?:[.,/:\-]\d+)+|\w+|[^\w\s]"
_WORD = re.compile(WORD)


class Wording:
    """A text's words, ready for :func:`similar` (make one per text and reuse it)."""

    __slots__ = ("words", "counted")

    def __init__(self, text: str) -> None:
        self.words: list[str] = _WORD.findall(text)
        seen: dict[str, int] = {}
        counted = set()
        for word in self.words:
            seen[word] = seen.get(word, 0) + 1
            counted.add((word, seen[word]))
        #: each word with its occurrence number, so that a set intersection counts common words with repeats
        self.counted: frozenset[tuple[str, int]] = frozenset(counted)


def similar(old: Wording, new: Wording) -> bool:
    """Is ``new`` mostly ``old`` edited: do matching runs of words make at least half of both texts?

    Two cheap bounds come first (lengths, then the words the texts share,
    which no match can exceed); the word diff runs only when they pass.
    """
    total = len(old.words) + len(new.words)
    if total == 0:
        return True
    need = total / 4  # matched words m with 2m / total >= 0.5
    if min(len(old.words), len(new.words)) < need or len(old.counted & new.counted) < need:
        return False
    return sum(size for _, _, size in matching_blocks(old.words, new.words)) >= need


def pair_alike(olds: Sequence[T], news: Sequence[T], shape: Callable[[T], S], alike: Callable[[S, S], bool],
               window: int = PAIR_WINDOW) -> list[tuple[T | None, T | None]]:
    """Pair old items with new ones they are ``alike``, in order; the rest alone (an old item before the new ones it skipped).

    ``alike`` compares the items' shapes (``shape`` of each, made once, and
    only for items that are tried). Each old item is tried against the next
    ``window`` new items after the last pair, so the work is at most
    ``len(olds) * window`` calls of ``alike``.
    """
    old_shapes: dict[int, S] = {}
    new_shapes: dict[int, S] = {}

    def tried(i: int, j: int) -> bool:
        if i not in old_shapes:
            old_shapes[i] = shape(olds[i])
        if j not in new_shapes:
            new_shapes[j] = shape(news[j])
        return alike(old_shapes[i], new_shapes[j])

    pairs: list[tuple[T | None, T | None]] = []
    start = 0
    for i, old in enumerate(olds):
        match = next((j for j in range(start, min(len(news), start + window)) if tried(i, j)), None)
        if match is None:
            pairs.append((old, None))
            continue
        pairs.extend((None, new) for new in news[start:match])
        pairs.append((old, news[match]))
        start = match + 1
    pairs.extend((None, new) for new in news[start:])
    return pairs


# ---------------------------------------------------------------- aligning paragraphs, moves included

StepKind = Literal["equal", "changed", "deleted", "inserted", "moved-from", "moved-to"]
#: How many words of an item, rarest first, are used to find candidates for a moved and edited item.
RARE_WORDS = 8


@dataclass(frozen=True)
class Step:
    """One step of an alignment: an old item (``old``), a new one (``new``) or both.

    A move is two steps, ``moved-from`` at the old place and ``moved-to`` at
    the new one, each naming both items; ``edited`` says whether the moved
    text changed on the way.
    """

    kind: StepKind
    old: int | None
    new: int | None
    edited: bool = False


@dataclass(frozen=True)
class Items(Generic[T, S]):
    """What :func:`align` needs to know about the items it aligns (paragraphs, lines)."""

    #: equal keys mean equal items
    key: Callable[[T], Hashable]
    #: the words of an item (its weight, and how a moved and edited item is found)
    words: Callable[[T], Sequence[str]]
    #: what :attr:`alike` compares, made once per item tried
    shape: Callable[[T], S]
    #: whether a new item can be shown as an edit of an old one
    alike: Callable[[S, S], bool]
    #: whether an item may be shown as moved (e.g. paragraphs, not tables)
    movable: Callable[[T], bool] = lambda item: True


def align(old: Sequence[T], new: Sequence[T], items: Items[T, S], window: int = PAIR_WINDOW) -> list[Step]:
    """Align two drafts' items, moves included: every old item once and every new item once, in order of each.

    Bounded work: anchors and their order in O(n log n), the stretches
    between them as :func:`opcodes` and :func:`pair_alike`, and each item
    left over tried against at most ``window`` candidates.
    """
    old_keys, new_keys = [items.key(x) for x in old], [items.key(x) for x in new]
    old_words = [items.words(x) for x in old]
    anchors = _unique_pairs(old_keys, new_keys)
    kept_at = _heaviest_increasing([j for _, j in anchors], [1.0 + len(old_words[i]) for i, _ in anchors])
    kept: list[tuple[int, int]] = []
    moved_old: dict[int, int] = {}  # an anchor that left the common order: old index -> new index
    moved_new: dict[int, int] = {}
    for k, (i, j) in enumerate(anchors):
        if k in kept_at:
            kept.append((i, j))
        elif items.movable(old[i]) and old_words[i]:
            moved_old[i], moved_new[j] = j, i
    steps: list[Step] = []
    i0 = j0 = 0
    for i, j in [*kept, (len(old), len(new))]:
        gap = _gap_steps([a for a in range(i0, i) if a not in moved_old], [b for b in range(j0, j) if b not in moved_new],
                         old, new, old_keys, new_keys, items, window)
        froms = [Step("moved-from", a, moved_old[a]) for a in range(i0, i) if a in moved_old]
        tos = [Step("moved-to", moved_new[b], b) for b in range(j0, j) if b in moved_new]
        steps += _interleave(gap, froms, tos)
        if i < len(old):
            steps.append(Step("equal", i, j))
        i0, j0 = i + 1, j + 1
    _pair_moved_edits(steps, old, new, old_words, items, window)
    return steps


def _unique_pairs(old_keys: Sequence[Hashable], new_keys: Sequence[Hashable]) -> list[tuple[int, int]]:
    """``(i, j)`` of keys found exactly once in each sequence, in old order."""
    places: dict[Hashable, list[int]] = {}
    for keys, side in ((old_keys, 0), (new_keys, 1)):
        for index, key in enumerate(keys):
            place = places.setdefault(key, [-1, -1])
            place[side] = index if place[side] == -1 else -2  # -2: more than once
    return sorted((i, j) for i, j in places.values() if i >= 0 and j >= 0)


def _gap_steps(olds: list[int], news: list[int], old: Sequence[T], new: Sequence[T], old_keys: Sequence[Hashable],
               new_keys: Sequence[Hashable], items: Items[T, S], window: int) -> list[Step]:
    """The items between two kept anchors: equal ones by a diff of their keys, then alike ones paired."""
    steps: list[Step] = []
    for tag, i1, i2, j1, j2 in opcodes([old_keys[i] for i in olds], [new_keys[j] for j in news]):
        if tag == "equal":
            steps += [Step("equal", i, j) for i, j in zip(olds[i1:i2], news[j1:j2])]
            continue
        for i, j in pair_alike(olds[i1:i2], news[j1:j2], lambda k: k, _alike_at(old, new, items), window):
            steps.append(Step("changed" if i is not None and j is not None else "deleted" if j is None else "inserted",
                              i, j))
    return steps


def _alike_at(old: Sequence[T], new: Sequence[T], items: Items[T, S]) -> Callable[[int, int], bool]:
    """``alike`` on items given by their indexes, each item's shape made once."""
    old_shapes: dict[int, S] = {}
    new_shapes: dict[int, S] = {}

    def alike(i: int, j: int) -> bool:
        if i not in old_shapes:
            old_shapes[i] = items.shape(old[i])
        if j not in new_shapes:
            new_shapes[j] = items.shape(new[j])
        return items.alike(old_shapes[i], new_shapes[j])

    return alike


def _interleave(steps: list[Step], froms: list[Step], tos: list[Step]) -> list[Step]:
    """``steps`` with the moves of their stretch placed among them, keeping both the old order and the new."""
    out: list[Step] = []
    f = t = 0
    for step in steps:
        while f < len(froms) and step.old is not None and froms[f].old < step.old:  # type: ignore[operator]
            out.append(froms[f])
            f += 1
        while t < len(tos) and step.new is not None and tos[t].new < step.new:  # type: ignore[operator]
            out.append(tos[t])
            t += 1
        out.append(step)
    return out + froms[f:] + tos[t:]


def _pair_moved_edits(steps: list[Step], old: Sequence[T], new: Sequence[T], old_words: list[Sequence[str]],
                      items: Items[T, S], window: int) -> None:
    """Turn a deleted item and an inserted one that are alike into a move (changed in place in ``steps``).

    Candidates for each deleted item are the inserted items sharing its
    rarest words; at most ``window`` of them are tried.
    """
    inserted: dict[int, int] = {}  # new index -> place in steps
    by_word: dict[str, list[int]] = {}
    for place, step in enumerate(steps):
        if step.kind == "inserted" and step.new is not None and items.movable(new[step.new]):
            inserted[step.new] = place
            for word in set(items.words(new[step.new])):
                by_word.setdefault(word, []).append(step.new)
    if not inserted:
        return
    alike = _alike_at(old, new, items)
    for place, step in enumerate(steps):
        if step.kind != "deleted" or step.old is None or not items.movable(old[step.old]):
            continue
        i = step.old
        candidates: dict[int, None] = {}
        shared = sorted((w for w in set(old_words[i]) if w in by_word), key=lambda w: (len(by_word[w]), w))
        for word in shared[:RARE_WORDS]:
            for j in islice(by_word[word], 4 * window):  # popped ones included: bounded either way
                if len(candidates) == window:
                    break
                if j in inserted:
                    candidates[j] = None
        match = next((j for j in sorted(candidates) if alike(i, j)), None)
        if match is None:
            continue
        edited = items.key(old[i]) != items.key(new[match])
        steps[place] = Step("moved-from", i, match, edited)
        steps[inserted.pop(match)] = Step("moved-to", i, match, edited)
