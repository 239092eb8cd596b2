"""Which clauses moved: the heaviest common order stays, the rest moved."""

from __future__ import annotations

from hypothesis import given, strategies as st

from mou_builder.review.alignment import moved_keys


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


# ---------------------------------------------------------------- align: paragraphs, moves included

from mou_builder.review.alignment import Items, Wording, align, similar  # noqa: E402

_LINES = Items(key=lambda line: line, words=lambda line: Wording(line).words, shape=Wording, alike=similar)


@given(st.lists(st.sampled_from(["alpha beta gamma", "delta epsilon", "zeta eta theta iota", "kappa", "lambda mu nu",
                                 "alpha beta delta", ""]), max_size=14),
       st.lists(st.sampled_from(["alpha beta gamma", "delta epsilon", "zeta eta theta iota", "kappa", "xi omicron",
                                 "alpha beta delta", ""]), max_size=14))
def test_align_places_every_item_once_in_the_order_of_each_draft(old: list[str], new: list[str]) -> None:
    steps = align(old, new, _LINES)
    olds = [s.old for s in steps if s.kind != "moved-to" and s.old is not None]
    news = [s.new for s in steps if s.kind != "moved-from" and s.new is not None]
    assert olds == list(range(len(old))) and news == list(range(len(new)))
    for step in steps:
        if step.kind == "equal" or (step.kind.startswith("moved") and not step.edited):
            assert old[step.old] == new[step.new]  # type: ignore[index]
    assert {(s.old, s.new) for s in steps if s.kind == "moved-from"} == {(s.old, s.new) for s in steps if s.kind == "moved-to"}


def test_align_moves_the_lighter_paragraphs_and_keeps_the_rest() -> None:
    old = [f"paragraph {k} with words of its own number {k}" for k in range(8)]
    new = [old[0], *old[3:], old[1], old[2]]
    kinds = [(s.kind, s.old, s.new) for s in align(old, new, _LINES)]
    assert [k for k in kinds if k[0].startswith("moved")] == [
        ("moved-from", 1, 6), ("moved-from", 2, 7), ("moved-to", 1, 6), ("moved-to", 2, 7)]
    assert sum(1 for k in kinds if k[0] == "equal") == 6
