"""The clause library: integrity, user libraries, selection, and the sandbox."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLES, ROOT
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.clauses import (
    builtin_clause_dir, check_library, load_library, lock_problems, lock_text, read_clause_file, read_lock,
)
from mou_builder.errors import ClauseError, SpecError
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render.text import render_plain

LOCK = ROOT / "clause_library" / "clauses.lock"
CITY = ROOT / "docs" / "examples" / "city-data-grant.yaml"


def test_lock_file_matches_the_library() -> None:
    assert lock_problems(load_library(), read_lock(LOCK.read_text())) == []
    assert LOCK.read_text() == lock_text(load_library())


def test_changing_a_clause_without_a_version_bump_is_caught(tmp_path: Path) -> None:
    source = builtin_clause_dir() / "termination" / "convenience.md"
    changed = tmp_path / "convenience.md"
    changed.write_text(source.read_text().replace("for any reason", "for any reason at all"))
    # as an edit of the library itself: the lock check catches it
    library = load_library([tmp_path], builtin=False)
    problems = [p for p in lock_problems(library, read_lock(LOCK.read_text())) if "no longer in the library" not in p]
    assert problems == [f"{changed}: the text of termination.convenience@2.0.0 changed without a version bump"]
    # as an overlay of the built-in clause: refused, so a pin of id@version can never accept other words
    with pytest.raises(ClauseError, match=r"convenience.md: termination.convenience@2.0.0 has other text than .*"
                                          r"convenience.md, which has the same version"):
        load_library([tmp_path])


def test_a_clause_in_an_unknown_section_is_refused_everywhere(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("---\nid: nowhere.x\nversion: 1.0.0\ntitle: X\nsection: nowhere\n---\nText.\n")
    with pytest.raises(ClauseError, match=r"x.md: unknown section 'nowhere' \(sections: amendment, "):
        load_library([tmp_path])
    result = CliRunner().invoke(main, ["clauses", "list", "--clauses", str(tmp_path)])
    assert result.exit_code == 1 and "unknown section 'nowhere'" in result.stderr


def test_whitespace_and_line_endings_are_not_changes(tmp_path: Path) -> None:
    source = builtin_clause_dir() / "termination" / "convenience.md"
    copy = tmp_path / "convenience.md"
    copy.write_bytes(source.read_text().replace("\n", "  \r\n").encode())
    assert read_clause_file(copy).sha256 == read_clause_file(source).sha256


def test_every_section_has_a_clause_and_the_library_checks_clean() -> None:
    assert check_library() == []


def test_user_library_overrides_a_builtin_clause_by_id(tmp_path: Path) -> None:
    (tmp_path / "convenience.md").write_text(
        "---\nid: termination.convenience\nversion: 7.0.0\ntitle: Ending the Agreement Early\n"
        "section: termination\nwhen: termination.convenience_days\norder: 10\n---\n"
        "Either Party may end {{ doc.this }} on {{ termination.convenience_days | days }} notice.\n"
    )
    doc = assemble(load_spec(CITY), load_library([tmp_path]))
    clause = doc.clause("termination.convenience")
    assert clause.title == "Ending the Agreement Early"
    assert (clause.entry.version, clause.entry.source) == ("7.0.0", "user")
    assert "Either Party may end this Agreement on sixty (60) days notice." in render_plain(doc)


def test_user_library_adds_a_clause(tmp_path: Path) -> None:
    (tmp_path / "insurance.md").write_text(
        "---\nid: general_provisions.force-majeure\nversion: 1.0.0\ntitle: Force Majeure\n"
        "section: general_provisions\norder: 80\n---\nNo Party is liable for delay caused by events beyond its control.\n"
    )
    doc = assemble(load_spec(CITY), load_library([tmp_path]))
    assert doc.clause("general_provisions.force-majeure").number == f"{doc.section_by_key('general_provisions').number}.8"


def test_clauses_check_reports_a_broken_user_folder(tmp_path: Path) -> None:
    def clause(name: str, header: str, body: str = "Text.") -> None:
        (tmp_path / name).write_text(f"---\n{header}\n---\n{body}\n")

    clause("a.md", "id: purpose.extra\nversion: 1.0.0\ntitle: A\nsection: purpose")
    clause("b.md", "id: purpose.extra\nversion: 1.0.1\ntitle: B\nsection: purpose")
    clause("c.md", "id: nowhere.c\nversion: 1.0.0\ntitle: C\nsection: nowhere")
    clause("d.md", "id: purpose.d\nversion: 1.0.0\ntitle: D\nsection: purpose\nwhen: 'financial.no_cost and'")
    clause("e.md", "id: purpose.e\nversion: 1.0.0\ntitle: E\nsection: purpose", "{{ finance.total }} and {{ term.ending }}")
    clause("f.md", "id: purpose.f\nversion: 1.0.0\ntitle: F\nsection: purpose", "See [[purpose.nothing]].")
    clause("g.md", "id: purpose.g\nversion: one\ntitle: G\nsection: purpose")
    result = CliRunner().invoke(main, ["clauses", "check", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    expected = [
        f"{tmp_path / 'b.md'}: duplicate clause id 'purpose.extra' (also in {tmp_path / 'a.md'})",
        f"{tmp_path / 'c.md'}: unknown section 'nowhere'",
        f"{tmp_path / 'd.md'}: condition 'financial.no_cost and' does not parse: unexpected 'end of template'",
        f"{tmp_path / 'e.md'}: the body uses 'finance.total', which is not a spec field",
        f"{tmp_path / 'e.md'}: the body uses 'term.ending', which is not a spec field",
        f"{tmp_path / 'f.md'}: refers to [[purpose.nothing]], which is not in the library",
        f"{tmp_path / 'g.md'}: header field 'version': String should match pattern '^[0-9]+\\.[0-9]+\\.[0-9]+$', got 'one'",
    ]
    for line in expected:
        assert line in lines
    assert lines[-1] == f"{len(lines) - 1} problems found"


def test_clauses_list_shows_every_clause() -> None:
    result = CliRunner().invoke(main, ["clauses", "list"])
    assert result.exit_code == 0
    for clause in load_library().clauses.values():
        assert f"{clause.id}@{clause.version}" in result.stdout


def _city() -> dict:
    return read_spec_data(CITY)[0]


def test_pin_a_clause_replaces_its_alternates() -> None:
    data = _city()
    data["clauses"] = {"pin": ["termination.cause-cure"]}
    doc = assemble(validate_spec(data))
    ids = {c.id for c in doc.section_by_key("termination").clauses}
    assert "termination.cause-cure" in ids and "termination.cause-immediate" not in ids


def test_pin_a_version_that_the_library_does_not_have_is_an_error() -> None:
    data = _city()
    data["clauses"] = {"pin": ["termination.cause-cure@0.9.0"]}
    actual = load_library().clauses["termination.cause-cure"].version
    with pytest.raises(SpecError, match=rf"clauses.pin\[0\]: termination.cause-cure@0.9.0 is pinned but the library has termination.cause-cure@{actual}"):
        assemble(validate_spec(data))


def test_exclude_an_optional_clause() -> None:
    data = _city()
    data["clauses"] = {"exclude": ["general_provisions.waiver"]}
    doc = assemble(validate_spec(data))
    with pytest.raises(KeyError):
        doc.clause("general_provisions.waiver")


def test_excluding_every_clause_of_a_required_section_makes_it_missing() -> None:
    data = _city()
    data["clauses"] = {"exclude": [
        "conflict_resolution.ladder", "conflict_resolution.final-arbitration", "conflict_resolution.injunctive-relief",
        "conflict_resolution.costs-each-own",
    ]}
    doc = assemble(validate_spec(data))
    assert doc.section_by_key("conflict_resolution").missing is not None


def test_added_clause_text_is_literal_never_a_template() -> None:
    data = _city()
    data["clauses"] = {"add": [{
        "id": "local-hiring", "section": "general_provisions", "title": "Local Hiring",
        "text": "Hope House shall *prefer* local hires. {{ 7*7 }} {% if x %}",
    }]}
    doc = assemble(validate_spec(data))
    clause = doc.clause("general_provisions.local-hiring")
    (paragraph,) = clause.blocks
    assert paragraph.text == "Hope House shall prefer local hires. {{ 7*7 }} {% if x %}"
    assert paragraph.inlines[1].italic  # markup is honoured; template syntax is not
    assert clause.entry.source == "spec"


def _one_clause_library(tmp_path: Path, body: str, when: str = "") -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    extra = f"\nwhen: {when}" if when else ""
    (folder / "x.md").write_text(
        f"---\nid: purpose.statement\nversion: 9.0.0\ntitle: X\nsection: purpose{extra}\n---\n{body}\n"
    )
    return folder


def test_undefined_variable_names_the_clause_and_variable(tmp_path: Path) -> None:
    folder = _one_clause_library(tmp_path, "The {{ purpose.statment }} is here.")
    with pytest.raises(ClauseError, match=r"x.md: undefined variable in the body: 'dict object' has no attribute 'statment'"):
        assemble(load_spec(CITY), load_library([folder]))


@pytest.mark.parametrize("body", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ purpose.statement.__class__ }}",
    "{{ cycler.__init__.__globals__ }}",
])
def test_sandbox_gives_no_access_to_python_objects(tmp_path: Path, body: str) -> None:
    folder = _one_clause_library(tmp_path, body)
    unsafe = r"x\.md: refused by the sandbox: access to attribute '__(class|init)__' of '\w+' object is unsafe"
    with pytest.raises(ClauseError, match=unsafe):
        assemble(load_spec(CITY), load_library([folder]))


def test_unknown_table_is_a_clause_error(tmp_path: Path) -> None:
    folder = _one_clause_library(tmp_path, "[table: budgets]")
    with pytest.raises(ClauseError, match=r"unknown table 'budgets' \(tables: bodies, budget_by_year, contacts, contributions, instalments, insurance"):
        assemble(load_spec(CITY), load_library([folder]))


def test_unbalanced_emphasis_is_a_clause_error(tmp_path: Path) -> None:
    folder = _one_clause_library(tmp_path, "This is *not closed.")
    with pytest.raises(ClauseError, match=r"x.md: unbalanced \* in"):
        assemble(load_spec(CITY), load_library([folder]))


def test_missing_clause_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ClauseError, match="clause folder not found"):
        load_library([tmp_path / "nope"])


def test_added_clause_text_is_forgiving_and_places_no_tables() -> None:
    data = _city()
    data["clauses"] = {"add": [
        {"id": "note", "section": "general_provisions", "title": "Note", "text": "Rates apply*\n\n[table: contributions]"},
    ]}
    clause = assemble(validate_spec(data)).clause("general_provisions.note")
    assert [b.text for b in clause.blocks] == ["Rates apply*", "[table: contributions]"]


def test_added_clause_with_a_bad_reference_names_its_place_in_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(CITY.read_text() + "clauses:\n  add:\n    - id: x\n      section: general_provisions\n"
                    "      title: X\n      text: See [[nowhere.clause]].\n")
    line = len(CITY.read_text().splitlines()) + 6
    with pytest.raises(ClauseError, match=rf"s.yaml:{line}:13: clauses.add\[0\].text: refers to the clause \[\[nowhere.clause\]\]"):
        assemble(load_spec(spec))


@pytest.mark.parametrize(("body", "refusal"), [
    ("{{ 'x' * 100001 }}", "the template builds a value of more than 100,000 items"),
    ("{{ [1] * 100001 }}", "the template builds a value of more than 100,000 items"),
    ("{{ ('x' * 60000) + ('y' * 60000) }}", "the template builds a value of more than 100,000 items"),
    ("{{ 'ab' ~ ('x' * 99999) }}", "the template builds a value of more than 100,000 items"),
    ("{{ 2 ** 65 }}", "the power 65 is too large"),
    ("{{ 'x' ** 2 }}", "the power 2 is too large"),
    ("{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}",
     "the template does more than 1,000,000 operations; simplify its loops"),
])
def test_sandbox_bounds_what_a_clause_may_build(tmp_path: Path, body: str, refusal: str) -> None:
    folder = _one_clause_library(tmp_path, body)
    with pytest.raises(ClauseError, match=rf"x\.md: refused by the sandbox: {re.escape(refusal)}$"):
        assemble(load_spec(CITY), load_library([folder]))


@pytest.mark.parametrize("body", ["{{ ('x' * 100000) | length }}", "{{ 2 ** 64 }}", "{{ 'a' ~ ('x' * 99999) | length }}"])
def test_sandbox_allows_up_to_its_bounds(tmp_path: Path, body: str) -> None:
    folder = _one_clause_library(tmp_path, body)
    text = render_plain(assemble(load_spec(CITY), load_library([folder])))
    assert {"100000", str(2 ** 64), "a99999"} & set(text.split())


_HEADER = b"---\nid: purpose.x\nversion: 1.0.0\ntitle: X\nsection: purpose\n---\n"


@pytest.mark.parametrize(("content", "problem"), [
    (b"no header", "a clause file starts with a YAML header between two '---' lines"),
    (b"---\n: [\n---\nbody", "the header is not valid YAML: line 1, column 1: expected <block end>, but found ':'"),
    (b"---\n- a\n---\nbody", "the header must be a mapping of keys (id:, version:, ...)"),
    (b"---\nid: x\n---\nb", "header field 'id': String should match pattern"),
    (b"\xff\xfe", "cannot be read as UTF-8 text ('utf-8' codec can't decode byte 0xff in position 0"),
    (_HEADER + b"a" * (256 * 1024 - len(_HEADER) + 1), "larger than 256 KB; a clause file holds one clause"),
])
def test_a_broken_clause_file_names_the_file_and_the_problem(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "c.md"
    path.write_bytes(content)
    with pytest.raises(ClauseError, match=rf"^{re.escape(str(path))}: {re.escape(problem)}"):
        read_clause_file(path)


def test_a_clause_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "c.md"
    path.write_bytes(_HEADER + b"a" * (256 * 1024 - len(_HEADER)))
    assert read_clause_file(path).header.id == "purpose.x"


@pytest.mark.parametrize(("path", "problem"), [
    ("/dev/zero", "not a regular file; a clause is a Markdown file"),
    ("/nonexistent/x.md", "cannot be read (No such file or directory)"),
])
def test_a_clause_path_that_is_not_a_readable_file(path: str, problem: str) -> None:
    with pytest.raises(ClauseError, match=rf"^{re.escape(path)}: {re.escape(problem)}$"):
        read_clause_file(Path(path))
