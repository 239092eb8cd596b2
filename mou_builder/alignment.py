"""Which items kept their order between two sequences, and which moved.

A clause that appears in both drafts either kept its place relative to the
others or moved. "Kept its place" means: it belongs to the largest set of
common items (by weight, e.g. length of text) that appear in the same order in
both drafts. Weighting keeps the big clauses still and calls the small ones
moved, as a reviewer would describe a swap of a long and a short clause.

Pure functions on keys; used by the change summary and the Word redline, so
both call the same clauses moved.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence


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
