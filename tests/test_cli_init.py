"""Starting from the installed package alone: init (interview, --no-input, --from), examples, reference, template."""

from __future__ import annotations

import dataclasses
import os
import re
import select
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT
from mou_builder.cli import main
from mou_builder.library.completeness import check
from mou_builder.spec.loader import load_spec, load_spec_text
from mou_builder.resources import default_template_path, examples_dir, schema_path
from mou_builder.starter import (
    SCHEMA_FILE, MoneyAnswer, PartyAnswer, default_answers, one_year_later, party_id, scalar, starter_text,
)
from mou_builder.spec.types import TEXT_PATTERN

TODAY = date.today()


def _run(*args: str, input: str | None = None):  # noqa: A002 - click's name
    return CliRunner().invoke(main, list(args), input=input)


def _uncommented(text: str) -> str:
    """The starter with every stub turned on as its comments say: '# ' removed, each <...> filled in."""
    out, stub = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("# Fill in each <...>", "# Still needed")) and line.endswith(":"):
            stub = True
            continue
        if stub and line.lstrip().startswith("# "):
            indent = len(line) - len(line.lstrip())
            line = line[:indent] + line[indent + 2:]
        else:
            stub = False
        out.append(line)
    return re.sub(r"<[^>\n]*>", "Filled in by the test", "\n".join(out) + "\n")


# ---------------------------------------------------------------- init --no-input


def test_init_no_input_writes_a_valid_commented_starter_and_its_schema(tmp_path: Path) -> None:
    spec = tmp_path / "my-mou.yaml"
    result = _run("init", str(spec), "--no-input")
    assert result.exit_code == 0, result.output
    text = spec.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert (tmp_path / SCHEMA_FILE).read_bytes() == schema_path().read_bytes()
    assert _run("validate", str(spec)).exit_code == 0
    loaded = load_spec(spec)
    assert [p.id for p in loaded.parties] == ["party_a", "party_b"]
    assert loaded.financial.no_cost and loaded.term.end == one_year_later(TODAY)
    # Every section check reports missing is in the file as a commented stub, and named on the terminal.
    missing = [f.path for f in check(loaded, "general") if f.code == "missing-section"]
    assert missing
    for section in missing:
        assert f"\n# {section}:\n" in text
    assert f"still to fill in for profile general: {', '.join(missing)}" in result.stdout


@pytest.mark.parametrize("profile", ["general", "head_start", "student_data"])
@pytest.mark.parametrize("money", [False, True])
@pytest.mark.parametrize("mode", ["none", "de_identified", "personal"])
def test_uncommenting_every_stub_leaves_nothing_required_missing(profile: str, money: bool, mode: str) -> None:
    answers = default_answers(date(2026, 3, 1), profile=profile)
    if profile != "student_data":
        answers = dataclasses.replace(answers, data_mode=mode, data_provider="party_a" if mode != "none" else None,
                                      data_recipient="party_b" if mode != "none" else None)
    if money:
        answers = dataclasses.replace(answers, money=MoneyAnswer("party_a", "party_b", Decimal("1500.00"), "Rent"))
    text = starter_text(answers)
    load_spec_text(text)  # the starter itself validates
    complete = load_spec_text(_uncommented(text))
    errors = [str(f) for f in check(complete, profile) if f.severity == "error"]
    assert errors == []


def test_init_no_input_with_a_profile_and_kind(tmp_path: Path) -> None:
    spec = tmp_path / "hs.yaml"
    assert _run("init", str(spec), "--no-input", "--profile", "head_start", "--kind", "partnership_agreement").exit_code == 0
    loaded = load_spec(spec)
    assert (loaded.agreement.profile, loaded.agreement.kind) == ("head_start", "partnership_agreement")
    assert "\n# head_start:\n#   educational_activities: <" in spec.read_text()


def test_init_rejects_an_unknown_profile_as_usage(tmp_path: Path) -> None:
    result = _run("init", str(tmp_path / "x.yaml"), "--no-input", "--profile", "nope")
    assert result.exit_code == 2
    assert "'nope' is not one of general, head_start, health_data, student_data" in result.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the interview


def test_interview_answers_reach_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "grant.yaml"
    answers = [
        "2",                                  # kind: partnership_agreement
        "student_data",                       # profile, by name
        "City of Lakeport", "the City", "grantor",
        'Hope House: "Family" Services #1', "Hope House", "",   # a colon, quotes and a hash; default role
        "y", "NO", "", "",                    # a third party whose name YAML 1.1 would read as false
        "n",
        "Lakeport Data Agreement",
        "y", "hope_house", "city", "12,600.50", "Navigation staff",
        "hope_house", "",                     # student data: personal, so only who discloses and receives
        "2027-06-30",
    ]
    result = _run("init", str(spec), input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    loaded = load_spec(spec)
    assert loaded.agreement.kind == "partnership_agreement" and loaded.agreement.profile == "student_data"
    assert loaded.agreement.title == "Lakeport Data Agreement"
    assert [(p.id, p.legal_name, p.short_name, p.role) for p in loaded.parties] == [
        ("city", "City of Lakeport", "the City", "grantor"),
        ("hope_house", 'Hope House: "Family" Services #1', "Hope House", "partner"),
        ("party_no", "NO", "NO", "partner"),  # not "no", which YAML 1.1 editors read as false
    ]
    contribution = loaded.financial.contributions[0]
    assert (contribution.payer, contribution.payee, contribution.amount) == ("hope_house", "city", Decimal("12600.50"))
    assert contribution.description == "Navigation staff"
    data = loaded.data_sharing
    assert (data.mode, data.provider, data.recipient) == ("personal", "hope_house", "city")
    assert loaded.term.end == date(2027, 6, 30)
    assert _run("validate", str(spec)).exit_code == 0


def test_interview_asks_again_after_a_bad_answer(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    answers = ["9", "1", "", "A Agency", "", "", "B Board", "", "", "n", "",
               "y", "", "", "lots", "-5", "100.001", "100", "",
               "", "2001-01-01", "evergreen"]
    result = _run("init", str(spec), input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "answer a number from 1 to 3" in result.output
    assert "'lots' is not an amount; write it like 25000.00" in result.output
    assert "'-5': give a positive amount with at most two decimals" in result.output
    assert "'100.001': give a positive amount" in result.output
    assert f"2001-01-01 is not after today's draft date {TODAY.isoformat()}" in result.output
    loaded = load_spec(spec)
    assert loaded.financial.contributions[0].amount == Decimal("100")
    assert loaded.term.renewal == "evergreen" and loaded.term.end is None


def test_interview_stopped_writes_nothing(tmp_path: Path) -> None:
    result = _run("init", str(tmp_path / "s.yaml"), input="1\n1\nA Agency\n")  # input ends mid-interview
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


class _Terminal:
    """The parent side of a pseudo-terminal: wait for text, then type an answer."""

    def __init__(self, fd: int) -> None:
        self.fd, self.text, self.answered_at = fd, "", 0

    def wait_for(self, wanted: str, timeout: float = 60) -> None:
        """Read until ``wanted`` appears after the last answer (earlier prompts do not count)."""
        deadline = time.monotonic() + timeout
        while wanted not in self.text[self.answered_at:]:
            left = deadline - time.monotonic()
            assert left > 0, f"no {wanted!r} in: {self.text[self.answered_at:]!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # Linux: the other side closed
                    chunk = b""
                assert chunk, f"the terminal closed before {wanted!r}: {self.text!r}"
                self.text += chunk.decode("utf-8", "replace")

    def answer(self, prompt: str, text: str) -> None:
        self.wait_for(prompt)
        self.wait_for(": ")  # the whole prompt is shown: click reads only after it
        self.answered_at = len(self.text)
        os.write(self.fd, text.encode() + b"\r")  # Enter, as a terminal sends it


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interview_in_a_real_terminal(tmp_path: Path) -> None:
    """The interview through a pseudo-terminal, as a person at a terminal gets it (stdlib pty, no pexpect)."""
    import pty

    parent, child = pty.openpty()
    spec = tmp_path / "tty.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "mou_builder", "init", str(spec)], stdin=child, stdout=child, stderr=child,
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, close_fds=True,
    )
    os.close(child)
    terminal = _Terminal(parent)
    script = [
        ("Kind of agreement", "3"), ("Completeness profile", "general"),
        ("Legal name", "Riverside Public Library"), ("Short name", "the Library"), ("Role", "lead"),
        ("Legal name", "Literacy Now Inc."), ("Short name", "Literacy Now"), ("Role", ""),
        ("Add another party?", "n"), ("Title of the agreement", "Reading Together MOU"),
        ("Does money move", "n"), ("Data about people", "2"),
        ("Which party discloses", ""), ("Which party receives", ""),
        ("Last day of the agreement", "2028-08-31"),
    ]
    try:
        for prompt, answer in script:
            terminal.answer(prompt, answer)
        terminal.wait_for(f"wrote {spec}")
        assert process.wait(timeout=60) == 0, terminal.text
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(parent)
    loaded = load_spec(spec)
    assert loaded.agreement.kind == "data_sharing_agreement"
    assert [p.legal_name for p in loaded.parties] == ["Riverside Public Library", "Literacy Now Inc."]
    assert (loaded.data_sharing.mode, loaded.data_sharing.provider) == ("de_identified", "library")
    assert loaded.term.end == date(2028, 8, 31)
    assert subprocess.run([sys.executable, "-m", "mou_builder", "validate", str(spec)],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True).returncode == 0


# ---------------------------------------------------------------- overwriting, --from, the schema beside


def test_init_refuses_an_existing_file_unless_force(tmp_path: Path) -> None:
    spec = tmp_path / "mine.yaml"
    spec.write_text("my own work\n")
    result = _run("init", str(spec), "--no-input")
    assert result.exit_code == 1
    assert result.stderr == f"{spec}: already exists; not overwritten (add --force to replace it)\n"
    assert spec.read_text() == "my own work\n"
    assert _run("init", str(spec), "--no-input", "--force").exit_code == 0
    load_spec(spec)


def test_init_never_writes_into_the_package(tmp_path: Path) -> None:
    target = examples_dir() / "library-literacy.yaml"
    before = target.read_bytes()
    result = _run("init", str(target), "--no-input", "--force")
    assert result.exit_code == 1
    assert "it is inside mou-builder's own files" in result.stderr
    assert target.read_bytes() == before


def test_init_from_an_example_copies_it_with_a_local_schema_line(tmp_path: Path) -> None:
    spec = tmp_path / "start.yaml"
    assert _run("init", str(spec), "--from", "city-data-grant").exit_code == 0
    original = (examples_dir() / "city-data-grant.yaml").read_text().splitlines()
    copied = spec.read_text().splitlines()
    assert copied[0] == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert copied[1:] == original[1:]
    assert (tmp_path / SCHEMA_FILE).is_file()


def test_a_different_schema_file_beside_is_kept(tmp_path: Path) -> None:
    own = tmp_path / SCHEMA_FILE
    own.write_text('{"my": "schema"}\n')
    result = _run("init", str(tmp_path / "s.yaml"), "--no-input")
    assert result.exit_code == 0
    assert own.read_text() == '{"my": "schema"}\n'
    assert f"{own}: kept as it is, but it is not this version's schema" in result.stderr


# ---------------------------------------------------------------- writing YAML that reads back exactly


# One line, as a prompt gives it (the model turns a carriage return into a line break).
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), min_size=1, max_size=40).filter(
    lambda t: t.strip() == t and re.match(TEXT_PATTERN, t) is not None
)


@settings(max_examples=60, deadline=None)
@given(legal_name=_TEXT, title=_TEXT)
def test_any_answer_text_reads_back_exactly(legal_name: str, title: str) -> None:
    answers = default_answers(date(2026, 1, 1))
    party = PartyAnswer(party_id(legal_name), legal_name, legal_name)
    answers = dataclasses.replace(answers, title=title, parties=(party, *answers.parties[1:]))
    loaded = load_spec_text(starter_text(answers))
    assert (loaded.agreement.title, loaded.parties[0].legal_name) == (title, legal_name)


@pytest.mark.parametrize("value", ["NO", "yes", "null", "12", "1.50", "2026-01-01", "a: b", "#x", "- x", "x\u2028y"])
def test_scalar_keeps_look_alikes_text(value: str) -> None:
    assert load_spec_text(f"agreement:\n  title: {scalar(value)}\n  document_date: 2026-01-01\nparties:\n"
                          "  - {id: a, legal_name: A, short_name: A}\n  - {id: b, legal_name: B, short_name: B}\n"
                          ).agreement.title == value


def test_party_ids_are_valid_and_distinct() -> None:
    assert party_id("the City of Lakeport") == "city_of_lakeport"
    assert party_id("123 Corp") == "party_123_corp"
    assert party_id("Hope House", {"hope_house"}) == "hope_house_2"


# ---------------------------------------------------------------- examples, reference, template export


def test_examples_lists_each_with_its_description() -> None:
    result = _run("examples")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [p.stem for p in EXAMPLES]
    assert "A public library and a non-profit run a family literacy program together." in result.stdout


def test_examples_copies_one_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    assert _run("examples", "library-literacy", "-o", str(out)).exit_code == 0
    assert out.read_text().splitlines()[1:] == (examples_dir() / "library-literacy.yaml").read_text().splitlines()[1:]
    assert _run("validate", str(out)).exit_code == 0
    again = _run("examples", "library-literacy.yaml", "-o", str(out))
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_examples_unknown_name_is_a_usage_error_listing_them() -> None:
    result = _run("examples", "nope")
    assert result.exit_code == 2
    assert "no example 'nope'; the examples are: city-data-grant, fiscal-sponsorship, head-start-coordination, hospital-food-bank, library-literacy" in result.stderr


def test_reference_prints_the_page_and_one_section() -> None:
    from mou_builder.spec.reference import spec_reference

    whole = _run("reference")
    assert whole.exit_code == 0
    assert whole.stdout == spec_reference(links=False)
    # the page docs/spec-reference.md, without links to pages an installed package does not have
    page = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert "](" in page and "](" not in whole.stdout
    fields = re.compile(r"^\| (?:<a id=\"[^\"]*\"></a>)?`(\w+)` \| ", re.M)
    assert fields.findall(whole.stdout) == fields.findall(page) and len(fields.findall(page)) > 300


def test_reference_unknown_section_lists_them() -> None:
    result = _run("reference", "budget")
    assert result.exit_code == 2
    assert "no section 'budget'; the sections are: agreement, parties, bodies, recitals, purpose," in result.stderr
    typo = _run("reference", "terminaton")
    assert typo.exit_code == 2 and "no section 'terminaton' (did you mean 'termination'?); the sections" in typo.stderr


def test_reference_takes_a_fields_path_as_messages_write_it() -> None:
    assert _run("reference", "financial.contributions[0].amount").stdout == _run("reference", "financial").stdout


@pytest.mark.parametrize("value, message", [
    ("2027-13-01", "is not a real calendar date: 2027-13-01"),
    ("27-1-1", "must be a date written YYYY-MM-DD, got '27-1-1'"),
])
def test_a_date_option_is_refused_in_the_words_a_specs_dates_are(value: str, message: str) -> None:
    city = str(ROOT / "docs" / "examples" / "city-data-grant.yaml")
    for args in (["amend", city, city, "--effective", value], ["diff", city, city, "--date", value]):
        result = _run(*args)
        assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_template_export_writes_the_default_template(tmp_path: Path) -> None:
    out = tmp_path / "letterhead.docx"
    assert _run("template", "export", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == default_template_path().read_bytes()
    assert _run("template", "export", "-o", str(out)).exit_code == 1
    out.write_bytes(b"restyled")
    assert _run("template", "export", "-o", str(out), "--force").exit_code == 0
    assert out.read_bytes() == default_template_path().read_bytes()
