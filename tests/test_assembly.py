"""Assembly and text rendering: golden agreements, numbering, tables, references, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES
from golden import assert_golden
from mou_builder.assembly import assemble
from mou_builder.library.clauses import load_library
from mou_builder.document import ListBlock, Paragraph, Ref, Table
from mou_builder.errors import ClauseError
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render.text import document_paragraphs, render_markdown, render_plain


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_markdown_matches_golden(path: Path) -> None:
    assert_golden(f"{path.stem}.md", render_markdown(assemble(load_spec(path))))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_plain_text_matches_golden(path: Path) -> None:
    assert_golden(f"{path.stem}.txt", render_plain(assemble(load_spec(path))))


def test_incomplete_draft_matches_golden() -> None:
    assert_golden("minimal.md", render_markdown(assemble(load_spec(DATA / "valid" / "minimal.yaml"))))


def test_sections_are_numbered_in_canonical_order() -> None:
    doc = assemble(load_spec(EXAMPLES[0]))
    library = load_library()
    order = [s.key for s in library.sections]
    keys = [s.key for s in doc.sections]
    assert keys == sorted(keys, key=order.index)
    assert [s.number for s in doc.sections] == list(range(1, len(keys) + 1))
    for section in doc.sections:
        assert [c.number for c in section.clauses] == [f"{section.number}.{i}" for i in range(1, len(section.clauses) + 1)]


def _data(name: str) -> dict:
    """An example's data, read with our loader (exact decimals), ready to be changed."""
    return read_spec_data(Path(__file__).parent.parent / "docs" / "examples" / name)[0]


def test_contributions_totals_are_exact_per_party_and_grand() -> None:
    data = _data("head-start-coordination.yaml")
    data["financial"]["contributions"].append(
        {"payer": "mvcaa", "payee": "susd", "kind": "cash", "description": "Joint training", "amount": "0.10"}
    )
    data["financial"]["contributions"].append(
        {"payer": "mvcaa", "payee": "susd", "kind": "cash", "description": "Materials", "amount": "0.20"}
    )
    data["financial"]["budget_total"] = "48600.30"
    doc = assemble(validate_spec(data))
    table = next(b for c in doc.section_by_key("financial").clauses for b in c.blocks if isinstance(b, Table))
    totals = {row[0]: row[-1] for row in table.totals}
    # 12600.00 + 0.10 + 0.20 exactly; a float sum would not print .30
    assert totals == {
        "Total from the Agency": "$12,600.30",
        "Total from the District": "$36,000.00",
        "Total": "$48,600.30",
    }
    assert not [f for f in doc.findings if f.code == "budget-mismatch"]


def test_raci_matrix_marks_each_role() -> None:
    data = _data("city-data-grant.yaml")
    data["clauses"] = {"pin": ["responsibilities.raci"]}  # the matrix view instead of the duties list
    doc = assemble(validate_spec(data))
    assert [c.id for c in doc.section_by_key("responsibilities").clauses] == ["responsibilities.raci"]
    table = next(b for c in doc.section_by_key("responsibilities").clauses for b in c.blocks if isinstance(b, Table))
    assert table.header == ("Activity", "The City", "Hope House", "When")
    assert table.rows[2] == ("Submit reimbursement requests with supporting documents", "C", "A/R", "monthly, by the 15th")


def test_reference_resolves_to_the_clause_number() -> None:
    doc = assemble(load_spec(EXAMPLES[0]))
    effects = doc.clause("termination.effects")
    refs = [i for b in effects.blocks if isinstance(b, Paragraph) for i in b.inlines if isinstance(i, Ref)]
    target = doc.clause("data_sharing.destruction")
    assert [(r.clause_id, r.number) for r in refs] == [("data_sharing.destruction", target.number)]
    # by number and title (DRAFTING.md, rule 6)
    assert f"as set out in Section {target.number} (Return or Destruction)." in render_plain(doc)


def test_reference_to_a_clause_not_in_the_document_is_an_error() -> None:
    data = _data("city-data-grant.yaml")
    data["termination"]["data_return_days"] = 30  # the same period: effects refers to the destruction clause
    data["clauses"] = {"exclude": ["data_sharing.destruction"]}
    with pytest.raises(ClauseError, match=r"effects.md: refers to the clause \[\[data_sharing.destruction\]\], which is not in this document"):
        assemble(validate_spec(data))


HOSTILE = "Acme & Sons <Ltd> \"Q\" 'q' {{ 7*7 }} {% if x %}y{% endif %} *not bold* [[parties.identification]] 😀 שלום | \\ #1"


def test_spec_strings_appear_verbatim_never_evaluated() -> None:
    data = _data("library-literacy.yaml")
    data["parties"][1]["legal_name"] = HOSTILE
    data["parties"][1]["short_name"] = HOSTILE
    data["scope"]["activities"].append(HOSTILE)
    data["monitoring"]["metrics"][0]["name"] = HOSTILE
    doc = assemble(validate_spec(data))
    paragraphs = document_paragraphs(doc)
    text = "\n".join(paragraphs)
    assert "49" not in text.replace("2026-07", "")  # {{ 7*7 }} was not evaluated
    # A short name equal to the legal name defines nothing: no 'X ("X")'.
    assert f'{HOSTILE}\nTax ID: 95-4412876' in paragraphs  # parties table cell
    assert HOSTILE in paragraphs  # activity list item, metric cell
    assert f"{HOSTILE} will:" in paragraphs  # clause variable (a non-binding MOU: "will")
    plain = render_plain(doc)
    assert HOSTILE in plain


def test_markdown_escapes_structure_but_keeps_text() -> None:
    data = _data("library-literacy.yaml")
    data["scope"]["activities"].append("Use *stars* | pipes & <tags>, shall ~~not~~ show &amp; or &copy;")
    md = render_markdown(assemble(validate_spec(data)))
    # every Markdown and HTML metacharacter escaped: no emphasis, strikethrough, tag or entity
    assert r"Use \*stars\* \| pipes \& \<tags\>, shall \~\~not\~\~ show \&amp; or \&copy;" in md


def test_list_numbering_restarts_in_every_list() -> None:
    doc = assemble(load_spec(EXAMPLES[0]))
    lists = [b for s in doc.sections for c in s.clauses for b in c.blocks if isinstance(b, ListBlock) and b.ordered]
    numbered = [b for b in lists if not b.lettered]
    lettered = [b for b in lists if b.lettered]
    assert len(numbered) >= 2 and len(lettered) >= 2  # recitals and activities; each party's duties
    md = render_markdown(doc)
    assert md.count("\n1. ") == len(numbered)
    assert md.count("\n(a) ") == len(lettered) and md.count("\n(b) ") == len(lettered)


def test_manifest_lists_every_clause_used_with_hash() -> None:
    doc = assemble(load_spec(EXAMPLES[0]))
    used = [c.entry for s in doc.sections for c in s.clauses]
    assert list(doc.manifest) == used
    library = load_library()
    for entry in doc.manifest:
        assert entry.sha256 == library.clauses[entry.id].sha256 and entry.version == library.clauses[entry.id].version


def test_assembly_is_pure_and_repeatable() -> None:
    spec = load_spec(EXAMPLES[1])
    assert render_markdown(assemble(spec)) == render_markdown(assemble(spec))


def test_no_cost_spec_says_no_funds_move() -> None:
    doc = assemble(load_spec(Path(__file__).parent.parent / "docs/examples/library-literacy.yaml"))
    used = {c.id for c in doc.section_by_key("financial").clauses}
    # the no-cost alternate wins its group; in-kind items are still scheduled
    assert used == {"financial.no-cost", "financial.schedule"}
    schedule = render_plain(doc)
    assert "No Party will pay funds to another Party under this MOU" in schedule  # non-binding: "will"


def test_a_courts_step_in_the_spec_s_own_words_keeps_its_venue() -> None:
    """The description replaces the standard text of a step; the venue of a suit, said only there, stays."""
    from mou_builder.spec.loader import validate_spec
    from mou_builder.render.text import document_paragraphs

    data = {"agreement": {"title": "T", "document_date": "2026-01-15"},
            "parties": [{"id": "a", "legal_name": "Alpha Agency", "short_name": "Alpha"},
                        {"id": "b", "legal_name": "Beta Board", "short_name": "Beta"}],
            "conflict_resolution": {"venue": "Zedville County", "steps": [
                {"kind": "negotiation", "description": "The directors meet."},
                {"kind": "courts", "description": "A suit is heard without a jury."}]}}
    paragraphs = document_paragraphs(assemble(validate_spec(data)))
    assert "The directors meet." in paragraphs  # replaced: no venue to keep
    assert "A suit is heard without a jury. Either Party may bring suit in the courts of Zedville County." in paragraphs


def _tables(value: object, name: str) -> list[Table]:
    """Every table called ``name`` anywhere in an assembled document."""
    import dataclasses

    if isinstance(value, Table):
        return [value] if value.name == name else []
    if dataclasses.is_dataclass(value):
        return [t for f in dataclasses.fields(value) for t in _tables(getattr(value, f.name), name)]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tables(item, name)]
    return []


def test_the_contacts_table_lists_each_contact_who_is_not_a_liaison() -> None:
    data, _ = read_spec_data(EXAMPLES[0].parent / "city-data-grant.yaml")
    assert _tables(assemble(validate_spec(data)), "contacts") == []  # each contact is a liaison already
    data["parties"][1]["contacts"].append({"name": "Ana Ruiz", "title": "Finance Manager",
                                           "email": "aruiz@hopehouse.example", "phone": "(216) 555-0190"})
    [table] = _tables(assemble(validate_spec(data)), "contacts")
    assert table.header == ("Party", "Name and title", "E-mail", "Telephone")
    assert [row[0] for row in table.rows] == ["Hope House"]
    assert "Ana Ruiz" in table.rows[0][1] and "Finance Manager" in table.rows[0][1]
    assert table.rows[0][2:] == ("aruiz@hopehouse.example", "(216) 555-0190")


def test_the_raci_table_shares_forty_parts_of_the_width_equally_among_party_and_body_columns() -> None:
    data, _ = read_spec_data(EXAMPLES[0].parent / "head-start-coordination.yaml")
    data.setdefault("clauses", {}).setdefault("pin", []).append("responsibilities.raci")
    [table] = _tables(assemble(validate_spec(data)), "raci")
    # two parties and the body consulted or informed somewhere: a column each, of a whole share of 40
    assert table.header == ("Activity", "The Agency", "The District", "The Policy Council", "When")
    assert table.widths == (40, 13, 13, 13, 20) and all(isinstance(w, int) for w in table.widths)


def test_an_overlay_that_drops_the_signature_blocks_is_an_error_at_the_signatories() -> None:
    from mou_builder.spec.model import Spec

    path = EXAMPLES[0].parent / "city-data-grant.yaml"
    library = load_library([DATA / "bad-clauses" / "no-signature-blocks"])
    [finding] = [f for f in assemble(load_spec(path), library).findings if f.code == "missing-section"]
    assert (finding.severity, finding.section, finding.path) == ("error", "signatures", "signatories")
    assert finding.message == "the signature clauses in use (signatures.blocks@9.0.0) place no signature blocks"
    assert (finding.source, finding.line, finding.column) == (str(path), 220, 3)
    data, _ = read_spec_data(path)
    [bare] = [f for f in assemble(Spec.model_validate(data), library).findings if f.code == "missing-section"]
    assert (bare.source, bare.line, bare.column) == (None, None, None)  # a spec from no file: no place to point at


def test_with_several_contributions_the_instalments_table_names_each_and_shares_the_width_in_percent() -> None:
    [table] = _tables(assemble(load_spec(DATA / "valid" / "money-instalments.yaml")), "instalments")
    assert table.header == ("Contribution", "Instalment", "Due", "Amount")
    assert table.widths == (34, 18, 28, 20) and sum(table.widths) == 100
    assert table.numeric == frozenset({3})  # the amounts, right-aligned
    assert table.rows[0][:2] == ("Start-up grant", "1 of 2")


def test_the_payment_schedule_lists_only_what_the_clause_does_not_say_and_no_row_is_left_without_a_due_date() -> None:
    document = assemble(load_spec(DATA / "valid" / "money-instalments.yaml"))
    [table] = _tables(document, "instalments")
    # The operating grant's equal instalments at a cadence are said in full in the clause: not listed again
    # (they were, with an empty Due cell in each row).
    assert {row[0] for row in table.rows} == {"Start-up grant", "Equipment grant"}
    assert all(row[2] for row in table.rows)
    assert [row[2] for row in table.rows if row[0] == "Equipment grant"] == ["At the start of each school term"] * 3


@pytest.mark.parametrize("keep, header", [
    ("Operating grant", None),  # equal at a cadence only: no table, and no sentence points at one
    ("Equipment grant", ("Instalment", "Amount")),  # at a cadence, unequal: no date to show, so no Due column
    ("Start-up grant", ("Instalment", "Due", "Amount")),
])
def test_the_payment_schedule_has_a_due_column_only_when_an_instalment_has_a_date(
    keep: str, header: tuple[str, ...] | None,
) -> None:
    data, _ = read_spec_data(DATA / "valid" / "money-instalments.yaml")
    fin = data["financial"]
    fin["contributions"] = [c for c in fin["contributions"] if c["description"] == keep]
    fin["budget_total"] = fin["contributions"][0]["amount"]
    document = assemble(validate_spec(data))
    tables = _tables(document, "instalments")
    assert [t.header for t in tables] == ([header] if header else [])
    assert ("payment schedule" in render_markdown(document)) == (header is not None)


def test_a_rate_in_the_contributions_table_is_in_the_agreement_s_currency() -> None:
    data, _ = read_spec_data(DATA / "valid" / "money-rate.yaml")
    data["financial"]["currency"] = "EUR"
    [table] = _tables(assemble(validate_spec(data)), "contributions")
    assert table.rows[0][3] == "Cash; €75.00 per hour; plus a fixed sum of €2,000.00"
