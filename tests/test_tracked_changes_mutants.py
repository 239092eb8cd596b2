"""Properties of the Word redline (review/tracked_changes.py) that mutation testing found unguarded.

Each test states one property of the redline; it is here, and not in test_redline.py, so that
this file and the redline's source can change on different branches without conflict.
"""

from __future__ import annotations

import pytest

from mou_builder.review.tracked_changes import MAX_AUTHOR, RedlineError, checked_author


def test_an_author_of_word_s_maximum_length_is_kept_and_one_more_character_is_refused() -> None:
    assert checked_author("a" * MAX_AUTHOR) == "a" * MAX_AUTHOR
    with pytest.raises(RedlineError, match=r"^the author of the tracked changes is 256 characters long; "
                                           r"Word keeps at most 255$"):
        checked_author("a" * (MAX_AUTHOR + 1))


@pytest.mark.parametrize("author", ["", "   ", "\t\n"])
def test_an_empty_or_blank_author_is_refused_with_the_way_to_name_one(author: str) -> None:
    with pytest.raises(RedlineError, match=r"^the author of the tracked changes is empty: give a name "
                                           r"\(e\.g\. --author 'Grants Office'\)$"):
        checked_author(author)


@pytest.mark.parametrize(("author", "code"), [("A\x1fB", "001F"), ("A\x00", "0000"), ("\ud800x", "D800"),
                                              ("x\udfff", "DFFF"), ("x\ufffe", "FFFE"), ("x\uffff", "FFFF")])
def test_an_author_with_a_character_word_cannot_carry_is_refused_naming_it(author: str, code: str) -> None:
    with pytest.raises(RedlineError, match=rf"^the author of the tracked changes holds a control character "
                                           rf"\(U\+{code}\), which a Word file cannot carry$"):
        checked_author(author)


@pytest.mark.parametrize("author", [" Legal", "Ana\u00a0Lima", "x\u0020", "\ud7ff", "\ue000", "\ufffd"])
def test_an_author_with_only_characters_word_can_carry_is_kept_as_given(author: str) -> None:
    assert checked_author(author) == author
