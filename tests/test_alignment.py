"""Which clauses moved: the heaviest common order stays, the rest moved."""

from __future__ import annotations

from hypothesis import given, strategies as st

from mou_builder.alignment import moved_keys


def test_nothing_moves_when_the_order_is_kept() -> None:
    assert moved_keys("abcde", "abxcde") == set()


def test_a_swap_moves_the_lighter_item() -> None:
    weights = {"a": 1, "b": 50, "c": 5, "d": 1}
    assert moved_keys("abcd", "acbd", weights.__getitem__) == {"c"}
    weights["c"] = 500
    assert moved_keys("abcd", "acbd", weights.__getitem__) == {"b"}


def test_a_block_moved_to_the_end() -> None:
    assert moved_keys("abcdefg", "adefgbc") == {"b", "c"}


@given(st.permutations(list(range(12))))
def test_what_stays_is_in_order_in_both_and_as_long_as_possible(order: list[int]) -> None:
    old = list(range(12))
    moved = moved_keys(old, order)
    kept_new = [k for k in order if k not in moved]
    assert kept_new == sorted(kept_new)  # the kept items keep their relative order
    # no longer increasing subsequence exists (O(n^2) check, independent of the Fenwick tree)
    best = [1] * len(order)
    for i in range(len(order)):
        for j in range(i):
            if order[j] < order[i]:
                best[i] = max(best[i], best[j] + 1)
    assert len(kept_new) == max(best)
