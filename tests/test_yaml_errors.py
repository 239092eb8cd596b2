"""YAML syntax errors in plain words (spec/yaml_errors.py): each common mistake gets its own message and place.

Every case is a spec someone could type; the whole located message is checked, so a message
that lost its advice, its quoted fix or its line and column fails here.
"""

from __future__ import annotations

import pytest
import yaml

from mou_builder.errors import SpecError
from mou_builder.spec.loader import parse_spec_text
from mou_builder.spec.yaml_errors import explain

_LINE_UP = "line up with the key above (the same number of spaces)"

CASES = {
    "tab-indent": ("a:\n\tb: 1\n", "2:1: invalid YAML: a tab character here; YAML indents with spaces only: "
                                   "use spaces instead of tabs"),
    "colon-in-value": ("title: Data: sharing\n", "1:12: invalid YAML: the value of 'title' contains ': ', which "
                                                 "YAML reads as a new key; quote the value: title: \"Data: sharing\""),
    "colon-and-double-quote-in-value": (
        'title: He said "hi": now\n', "1:20: invalid YAML: the value of 'title' contains ': ', which YAML reads "
                                      "as a new key; quote the value: title: 'He said \"hi\": now'"),
    "colon-and-backslash-in-value": (
        "title: it's a\\b: c\n", "1:16: invalid YAML: the value of 'title' contains ': ', which YAML reads as a "
                                 "new key; quote the value: title: 'it''s a\\b: c'"),
    "key-indented-too-far": ("a: 1\n  b: 2\n", f"2:4: invalid YAML: 'b' is indented more than the key above it; "
                                               f"{_LINE_UP}"),
    "list-item-key-indented-too-far": ("- a: 1\n    b: 2\n", "2:6: invalid YAML: 'b' is indented more than the key "
                                                             f"above it; {_LINE_UP}"),
    "text-after-closing-quote": ('a: "x" y\n', "1:8: invalid YAML: text follows the closing quote of a value; "
                                               "quote the whole value, or remove the text after the quote"),
    "key-not-lined-up": ("a:\n  b: 1\n c: 2\n", f"3:2: invalid YAML: 'c' is not lined up with the keys above it; "
                                                f"{_LINE_UP}"),
    "item-not-lined-up": ("a:\n  - 1\n - 2\n", "3:2: invalid YAML: this line is not lined up with the keys above "
                                               f"it; {_LINE_UP}"),
    "line-without-colon": ("a:\n  b: 1\n  foo\nc: 2\n", "3:3: invalid YAML: this line is not 'key: value' or "
                                                        "'- item'; add ': ' after the key, or, if it continues the "
                                                        "text above, indent it further than that key"),
    "unclosed-list": ("a: [1, 2\nb: 3\n", "2:2: invalid YAML: the list opened with '[' at line 1, column 4 is not "
                                          "closed; close it with ']', or, if the '[' is part of the text, quote the "
                                          "value"),
    "unclosed-mapping": ("a: {x: 1\nb: 3\n", "2:2: invalid YAML: the mapping opened with '{' at line 1, column 4 is "
                                             "not closed; close it with '}', or, if the '{' is part of the text, "
                                             "quote the value"),
    "unclosed-quote": ("a: 'abc\nb: 2\n", "1:4: invalid YAML: this quoted value has no closing quote; add the "
                                          "closing quote at the end of the value"),
    "undefined-alias": ("a: *x\n", "1:4: invalid YAML: '*x' is read as a reference to an anchor '&x', which is not "
                                   "defined; if the '*' is part of the text, quote the value"),
    "bare-star": ("a: *\n", "1:5: invalid YAML: a value that starts with '*' is read as a YAML alias; "
                            "quote the value"),
    "bare-ampersand": ("a: &\n", "1:5: invalid YAML: a value that starts with '&' is read as a YAML anchor; "
                                 "quote the value"),
    "at-sign": ("a: @x\n", "1:4: invalid YAML: a value cannot start with '@' unquoted; quote the value"),
    "backtick": ("a: `x\n", "1:4: invalid YAML: a value cannot start with '`' unquoted; quote the value"),
    # No plain words for these: PyYAML's own, context first.
    "unknown-escape": ('a: "\\q"\n', "1:6: invalid YAML: while scanning a double-quoted scalar found unknown "
                                     "escape character 'q'"),
    "two-documents": ("a: 1\n---\nb: 2\n", "2:1: invalid YAML: expected a single document in the stream but "
                                           "found another document"),
}


@pytest.mark.parametrize(("text", "message"), list(CASES.values()), ids=list(CASES))
def test_a_yaml_mistake_is_explained_in_plain_words_at_its_place(text: str, message: str) -> None:
    with pytest.raises(SpecError) as refused:
        parse_spec_text(text, source="s.yaml")
    assert str(refused.value) == f"s.yaml:{message}"


def test_an_error_without_a_place_or_words_still_says_the_file_is_not_valid_yaml() -> None:
    assert explain(yaml.MarkedYAMLError(), "a: 1\n") == (None, "invalid YAML: the file is not valid YAML")


def test_an_error_without_a_place_keeps_pyyaml_s_words() -> None:
    error = yaml.MarkedYAMLError(context="while reading", problem="something odd")
    assert explain(error, "") == (None, "invalid YAML: while reading something odd")


def test_an_error_after_the_last_line_is_placed_there_with_pyyaml_s_words() -> None:
    mark = yaml.Mark("s.yaml", 0, 5, 0, None, None)
    error = yaml.MarkedYAMLError(problem="ends early", problem_mark=mark)
    assert explain(error, "a: 1\n") == ((6, 1), "invalid YAML: ends early")


def test_a_misplaced_key_on_a_line_that_is_not_a_key_is_named_by_the_line() -> None:
    # "mapping values are not allowed here" where the line has no 'key:' before the column.
    mark = yaml.Mark("s.yaml", 0, 0, 2, None, None)
    error = yaml.MarkedYAMLError(problem="mapping values are not allowed here", problem_mark=mark)
    assert explain(error, "  :: x\n") == ((1, 3), "invalid YAML: ':: x' is indented more than the key above it; "
                                                 f"{_LINE_UP}")
