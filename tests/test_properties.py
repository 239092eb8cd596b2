"""Property-based tests: any valid spec builds faithfully; any invalid spec fails with a located message.

CI runs the fixed "ci" profile of conftest.py (20 derandomized examples per
property); run a longer search by hand with ``HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from docx_reading import as_word_shows, word_paragraphs
from markdown_reading import markdown_paragraphs
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.errors import SpecError
from mou_builder.spec.loader import load_spec_text, validate_spec
from mou_builder.render.text import document_paragraphs, render_markdown
from mou_builder.render.word import render_docx
from spec_strings import text_values

# The Hypothesis profiles ("ci", "dev", "long") are registered and chosen in conftest.py.

# Text a program officer might type, and text designed to break things.
TRICKY = [
    "Acme & Sons", "<b>bold</b>", "a < b > c", "{{ 7*7 }}", "{% if x %}y{% endif %}", "{#comment#}", "*not emphasis*",
    "**not strong**", "[[parties.identification]]", "[table: raci]", "[signatures]", "- not a list", "1. not a list",
    "> not a quote", "# not a heading", "| not | a | table |", "back\\slash", "O'Brien \"quoted\"", "😀 emoji",
    "שלום עולם", "مرحبا", "line one\nline two", "tab\there", "]]> CDATA end", "&amp; already escaped", "___",
    "\u200b zero width", "non\u00a0breaking", "‏RTL mark", "x" * 300,
]

printable = st.characters(blacklist_categories=("Cs", "Cc", "Cn"), blacklist_characters="\ufffe\uffff")
free_text = st.text(printable, min_size=1, max_size=40).filter(lambda s: s.strip())
text = st.one_of(free_text, st.sampled_from(TRICKY), st.builds(lambda a, b: f"{a} {b}", free_text, st.sampled_from(TRICKY)))
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=1, max_value=365)


@st.composite
def specs(draw: Any) -> dict[str, Any]:
    """Plain data of a valid spec, with every optional section sometimes present."""
    ids = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True), min_size=2, max_size=4, unique=True))
    parties = []
    for pid in ids:
        party: dict[str, Any] = {"id": pid, "legal_name": draw(text), "short_name": draw(text)}
        for key in ("legal_form", "address", "tax_id"):
            if draw(st.booleans()):
                party[key] = draw(text)
        if draw(st.booleans()):
            party["contacts"] = [{"name": draw(text), "title": draw(text), "email": draw(text)}]
        parties.append(party)
    data: dict[str, Any] = {
        "agreement": {"title": draw(text), "document_date": draw(st.dates()).isoformat(),
                      "draft_version": draw(text), "program": draw(maybe(text)), "funding_source": draw(maybe(text))},
        "parties": parties,
    }
    pick = lambda: draw(st.sampled_from(ids))  # noqa: E731
    if draw(st.booleans()):
        data["recitals"] = draw(st.lists(text, min_size=1, max_size=3))
    if draw(st.booleans()):
        data["purpose"] = {"statement": draw(text), "benefits": draw(st.lists(text, max_size=2))}
    if draw(st.booleans()):
        data["scope"] = {"summary": draw(text), "activities": draw(st.lists(text, max_size=3)),
                         "service_area": draw(maybe(text))}
    if draw(st.booleans()):
        responsibilities = []
        for _ in range(draw(st.integers(1, 4))):
            # the accountable party is neither consulted nor informed about its own duty (validate refuses it)
            owner = pick()
            consulted = [i for i in draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if i != owner]
            informed = [i for i in draw(st.lists(st.sampled_from(ids), unique=True, max_size=2))
                        if i not in consulted and i != owner]
            activity, cadence = draw(text), draw(maybe(text))
            if cadence is not None and activity.strip().lower().endswith(cadence.strip().rstrip(".").lower()):
                cadence = None  # a cadence the activity already ends with is refused (said twice)
            responsibilities.append({"activity": activity, "accountable": owner, "consulted": consulted,
                                     "informed": informed, "cadence": cadence, "details": draw(maybe(text))})
        data["responsibilities"] = responsibilities
    if draw(st.booleans()):
        contributions = []
        for _ in range(draw(st.integers(0, 3))):
            payer = pick()
            payee = draw(st.sampled_from([i for i in ids if i != payer]))
            basis = draw(st.sampled_from(["fixed", "actual_cost", "reimbursement", "pass_through"]))
            c = {"payer": payer, "payee": payee, "kind": draw(st.sampled_from(["cash", "in_kind"])),
                 "description": draw(text), "amount": draw(money), "basis": basis,
                 "schedule": draw(maybe(text)), "restrictions": draw(maybe(text))}
            if basis == "reimbursement":
                c["reimbursement_percent"] = draw(st.decimals(min_value=0, max_value=100, places=1))
            contributions.append(c)
        data["financial"] = {"contributions": contributions, "funding_plan": draw(maybe(text)),
                             "cost_allocation": draw(maybe(text)), "billing": draw(maybe(text)),
                             "fiscal_agent": draw(maybe(st.sampled_from(ids)))}
    if draw(st.booleans()):
        data["communication"] = {"meeting_cadence": draw(maybe(text)),
                                 "liaisons": [{"party": pick(), "name": draw(text)}]}
    if draw(st.booleans()):
        data["monitoring"] = {"report_cadence": draw(text),
                              "metrics": [{"name": draw(text), "target": draw(text), "baseline": draw(maybe(text))}]}
    if draw(st.booleans()):
        mode = draw(st.sampled_from(["none", "de_identified", "personal", "confidential"]))
        data["data_sharing"] = {"mode": mode, "elements": draw(st.lists(text, max_size=2)),
                                "provider": ids[0], "recipient": ids[1], "legal_basis": draw(text),
                                "security": draw(maybe(text)), "retention": draw(maybe(text))}
        if mode != "personal":
            data["data_sharing"].update(legal_basis=None, security=None, retention=None)
            if mode == "none":  # no data is exchanged: the data fields have no place (and are refused)
                data["data_sharing"] = {"mode": "none"}
    if draw(st.booleans()):
        steps = draw(st.lists(st.sampled_from(["negotiation", "executives", "mediation", "arbitration", "courts"]),
                              min_size=1, max_size=4))
        data["conflict_resolution"] = {"steps": [{"kind": k, "days": draw(maybe(days)),
                                                  "description": draw(maybe(text))} for k in steps],
                                       "venue": draw(text)}
    if draw(st.booleans()):
        data["term"] = {"effective": "last_signature", "end": "2030-01-01",
                        "renewal": draw(st.sampled_from(["none", "mutual_writing", "automatic"]))}
    if draw(st.booleans()):
        data["termination"] = {"convenience_days": draw(maybe(days)), "survival": draw(st.lists(text, max_size=2)),
                               "asset_transfer": draw(maybe(text))}
    if draw(st.booleans()):
        data["legal"] = {"binding": draw(st.booleans()), "governing_law": draw(maybe(text)),
                         "authority": draw(st.lists(text, max_size=2))}
    if draw(st.booleans()):
        data["signatories"] = [{"party": pid, "name": draw(text), "title": draw(maybe(text)),
                                "authority": draw(maybe(text))} for pid in ids]
    if draw(st.booleans()):
        data["clauses"] = {"add": [{"id": "own", "section": "general_provisions", "title": draw(text),
                                    "text": draw(text)}]}
    cr, legal = data.get("conflict_resolution"), data.get("legal")
    if cr and legal and not legal["binding"] and not {"mediation", "arbitration", "courts"} & {
            s["kind"] for s in cr["steps"]}:
        del cr["venue"]  # a non-binding instrument with no forum has no place for a venue (refused)
    return _drop_none(data)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


@pytest.mark.slow
@given(specs())
def test_any_valid_spec_builds_faithfully(data: dict[str, Any]) -> None:
    spec = validate_spec(data)
    document = assemble(spec)
    docx = render_docx(document)
    expected = [p for p in document_paragraphs(document) if p]
    # Word, Markdown and the document model say the same thing, paragraph by paragraph
    assert word_paragraphs(docx) == as_word_shows(expected)  # lines to sign on are drawn, not typed
    assert markdown_paragraphs(render_markdown(document)) == expected
    # nothing the user wrote is lost or evaluated
    text = "\n".join(expected)
    for path, value in text_values(spec):
        if path.startswith("clauses.add.text"):
            # added clause text is markup: paired * are formatting, and lines join into paragraphs
            assert " ".join(value.replace("*", "").split()) in " ".join(text.replace("*", "").split()), path
        else:
            assert value in text, path
    # and the same spec gives the same bytes
    assert render_docx(assemble(spec)) == docx


# -------------------------------------------------------------- invalid specs

BAD_VALUES = [
    "yes", "NO", "0777", "1:30", "1e5", -5, Decimal("-1.50"), 3.5, [], {}, ["x"], {"x": 1}, "", "   ", "\x01",
    "2026-02-30", "Acme Corp", True, None,
]


@st.composite
def broken_specs(draw: Any) -> tuple[dict[str, Any], str]:
    """A valid spec with one value replaced by something that does not fit there."""
    data = draw(specs())
    paths = list(_leaf_paths(data))
    path = draw(st.sampled_from(paths))
    bad = draw(st.sampled_from(BAD_VALUES + ["zz_missing_party", "unknown_key"]))
    target = data
    for part in path[:-1]:
        target = target[part]
    if bad == "unknown_key" and isinstance(target, dict):  # a list item has no key to add beside it
        target[f"{path[-1]}_extra"] = "x"
    else:
        target[path[-1]] = bad
    return data, ".".join(map(str, path))


def _leaf_paths(value: Any, prefix: tuple = ()) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaf_paths(item, (*prefix, i))
    else:
        yield prefix


@given(broken_specs())
def test_invalid_specs_fail_with_located_messages(case: tuple[dict[str, Any], str]) -> None:
    """Each problem names the file, and its line and column point at the bad value (or key) its path names."""
    data, _ = case
    text = json.dumps(data, indent=1, default=str)
    try:
        # the clause library's problems (an added clause in a section it does not have) are located the same way
        assemble(load_spec_text(text, source="broken.json"))
    except SpecError as exc:
        assert exc.problems
        lines = text.splitlines()
        for problem in exc.problems:
            assert problem.path and problem.message
            assert "Traceback" not in problem.message
            assert problem.source == "broken.json"
            assert problem.line is not None and problem.column is not None, problem
            at = lines[problem.line - 1][problem.column - 1:]
            assert any(at.startswith(start) for start in _shown_at(json.loads(text), problem.path)), (str(problem), at)
    # some replacements are still valid (e.g. a text field given "NO"); then the spec builds, as above


def _shown_at(data: Any, path: str) -> list[str]:
    """How the JSON text may start where ``path`` is: its value, its key, or (a missing key) its parent mapping."""
    parts = [int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".") if p]
    node = data
    for i, part in enumerate(parts):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return ["{"] if i == len(parts) - 1 and isinstance(node, dict) else []
    key = [f'"{parts[-1]}"'] if isinstance(parts[-1], str) else []
    return [json.dumps(node, indent=1).splitlines()[0], *key]


@settings(max_examples=15)
@given(broken_specs())
def test_cli_never_shows_a_traceback(tmp_path_factory: pytest.TempPathFactory, case: tuple[dict, str]) -> None:
    import json

    data, _ = case
    folder = tmp_path_factory.mktemp("spec")
    spec = folder / "spec.json"
    spec.write_text(json.dumps(data, default=str, ensure_ascii=False), encoding="utf-8")
    out = folder / "out.docx"
    result = CliRunner().invoke(main, [str(spec), "-o", str(out)])
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output and "internal error" not in result.output
    if result.exit_code == 1 and not out.exists():
        assert result.stderr.startswith(f"{spec}:")  # located at the file


def test_yaml_text_round_trip_of_tricky_values() -> None:
    """Every tricky value, quoted in YAML, survives loading and reaches the document."""
    import json

    for value in TRICKY:
        spec = load_spec_text(
            "agreement: {title: " + json.dumps(value, ensure_ascii=False) + ", document_date: 2026-01-01}\n"
            "parties: [{id: a, legal_name: A, short_name: A}, {id: b, legal_name: B, short_name: B}]\n",
        )
        assert spec.agreement.title == value.strip()
        assert word_paragraphs(render_docx(assemble(spec)))[0] == value.strip()


# -------------------------------------------------------------- amounts from floats

MINIMAL = {
    "agreement": {"title": "T", "document_date": "2026-01-15"},
    "parties": [{"id": "a", "legal_name": "A", "short_name": "A"}, {"id": "b", "legal_name": "B", "short_name": "B"}],
}


@given(
    st.decimals(min_value=0, max_value=Decimal("9999999999999.99"), places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["USD", "EUR", "KWD"]),
)
def test_a_typed_amount_survives_being_sent_as_a_float(amount: Decimal, currency: str) -> None:
    """Any amount of up to 15 digits with cents, sent as a float (json.loads, a web form), comes back exact."""
    contribution = {"payer": "a", "payee": "b", "description": "x", "amount": float(amount), "cap": float(amount)}
    data = {**MINIMAL, "financial": {"currency": currency, "contributions": [contribution]}}
    spec = validate_spec(data)
    assert spec.financial.contributions[0].amount == amount == spec.financial.contributions[0].cap


@given(st.floats(min_value=0, max_value=1e14, allow_nan=False, allow_infinity=False))
def test_a_float_amount_is_exact_or_refused_with_its_reason(value: float) -> None:
    """Whatever float arrives, it is taken as exactly its shortest repr, or refused with a located message."""
    contribution = {"payer": "a", "payee": "b", "description": "x", "amount": value}
    data = {**MINIMAL, "financial": {"currency": "KWD", "contributions": [contribution]}}
    try:
        amount = validate_spec(data).financial.contributions[0].amount
    except SpecError as exc:
        [problem] = exc.problems
        assert problem.path == "financial.contributions[0].amount"
        assert repr(value) in problem.message or "decimal places" in problem.message
    else:
        assert amount == Decimal(repr(value)) and float(amount) == value
