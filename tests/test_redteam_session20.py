"""Red-team checks of session 20's changes: line breaks in error locations, nesting near libyaml's limit.

Each test here failed before its fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mou_builder.errors import SpecError
from mou_builder.spec import loader

_LINES = ["agreement:", "  title: x", "  program: a\x01b"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_character_a_spec_may_not_hold_is_reported_at_its_line_whatever_ends_the_lines(newline: str) -> None:
    # The reader's error was located by counting LF only: in a CR file it was always at line 1.
    with pytest.raises(SpecError) as caught:
        loader.loads_spec(newline.join(_LINES), source="spec.yaml")
    assert [(p.line, p.column) for p in caught.value.problems] == [(3, 13)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_a_byte_that_is_not_utf8_is_reported_at_its_line_whatever_ends_the_lines(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(newline.join(["agreement:", "  title: x", "  program: a\xffb"]).encode("latin-1"))
    with pytest.raises(SpecError) as caught:
        loader.load_spec(path)
    assert [(p.line, p.column) for p in caught.value.problems] == [(3, 13)]


# Nesting past libyaml's own limit (1,000 levels, PyYAML 6.0.4) or Python's recursion limit went
# to a recursive composer or parser whose RecursionError lost the place: the same spec 41 levels
# deep was reported where level 41 starts.
_DEEP = {
    "yaml-flow": lambda n: "agreement: " + "[" * n + "]" * n + "\n",
    "yaml-flow-mappings": lambda n: "agreement: " + "{b: " * n + "1" + "}" * n + "\n",
    "yaml-block": lambda n: "agreement:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(n)) + " " * (n + 1) + "v\n",
    "yaml-compact": lambda n: "agreement:\n  " + "- " * n + "v\n",
    "json": lambda n: '{"agreement": ' + "[" * n + "]" * n + "}",
}


@pytest.mark.parametrize("depth", [41, 990, 999, 1000, 1001, 1300])
@pytest.mark.parametrize("form", sorted(_DEEP))
def test_nesting_far_past_the_limit_is_reported_where_it_passes_the_limit(form: str, depth: int) -> None:
    source = "spec.json" if form == "json" else "spec.yaml"
    with pytest.raises(SpecError) as caught_deep:
        loader.loads_spec(_DEEP[form](depth), source=source)
    with pytest.raises(SpecError) as caught_41:
        loader.loads_spec(_DEEP[form](loader.MAX_DEPTH + 1), source=source)
    problem = caught_deep.value.problems[0]
    assert problem.message == f"values are nested too deeply (at most {loader.MAX_DEPTH} levels)"
    assert problem.line is not None
    assert (problem.line, problem.column) == (caught_41.value.problems[0].line, caught_41.value.problems[0].column)


@pytest.mark.parametrize("name", ["spec.json", "spec.yaml"])
def test_a_byte_order_mark_read_as_text_is_dropped_as_it_is_from_bytes(tmp_path: Path, name: str) -> None:
    # A JSON file with a BOM was read by path, yet refused from an open text file or as text named .json
    # ("Unexpected UTF-8 BOM (decode using utf-8-sig)"); YAML and bytes dropped the mark.
    path = tmp_path / name
    path.write_text('{"agreement": {"title": "x"}}', encoding="utf-8-sig")
    by_path = loader.read_spec_data(path)[0]
    with path.open(encoding="utf-8") as stream:
        assert loader.read_spec_stream(stream)[0] == by_path
    with pytest.raises(SpecError) as caught:
        loader.loads_spec(path.read_text(encoding="utf-8"), source=name)
    assert "BOM" not in str(caught.value) and "required field is missing" in str(caught.value)
