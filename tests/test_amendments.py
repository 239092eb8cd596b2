"""Amendments: the items say exactly the difference between two versions, and the instrument is a sound .docx.

The property test applies the JSON form of the items to the original's
clauses with a small interpreter of its own (replace, delete, add, change a
value by number) and checks that the result is the new version's clauses,
word for word, and that the amendment names each changed clause once and
no unchanged one.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from drafting_rules import lint
from mou_builder.amendment import AmendmentError, amend, amendment_document, amendment_items, conformed, items_json
from mou_builder.library.clauses import format_date
from mou_builder.assembly import assemble
from mou_builder.review.changes import outline
from mou_builder.document import Block, Document, ListBlock, Paragraph, Ref
from mou_builder.spec.loader import load_spec, validate_spec
from mou_builder.render.word import render_docx
from mou_builder.render.text import block_paragraphs, render_markdown
from realclients import libreoffice_pdf, ooxml_errors, pdf_text
from test_drafting import agreements

EXAMPLE = ROOT / "docs" / "examples" / "amendment"
ORIGINAL, SECOND = EXAMPLE / "original.yaml", EXAMPLE / "second.yaml"
NOT_AMENDED = {"signatures"}
#: A date after every date of the original (its Amendment No. 1 is dated March 1, 2027).
AFTER_AMENDMENT_1 = datetime.date(2027, 9, 15)


# ---------------------------------------------------------------- the interpreter


def _clause_key(number: str) -> tuple[int, ...]:
    return tuple(int(n) for n in number.split("."))


#: An exhibit of the amended agreement: (its letter as references name it, its title, its paragraphs; None for
#: the original's content unchanged) by id.
Exhibits = dict[str, tuple[str, str, "tuple[str, ...] | None"]]


def apply_items(original: Document, items: list[dict[str, Any]]) -> tuple[dict[str, tuple[str, str, tuple[str, ...]]],
                                                                           dict[str, str], Counter[str], Exhibits]:
    """The original's clauses with the items applied: number -> (clause id, section key, heading + paragraphs).

    Also the section numbers of the amended agreement (by key), how often
    each of the original's clause numbers and exhibit ids is named, and the
    amended agreement's exhibits.
    """
    texts = {o.id: o.paragraphs for o in outline(original)}
    clauses = {c.number: (c.id, s.key, texts[c.id]) for s in original.sections if s.key not in NOT_AMENDED
               for c in s.clauses}
    sections = {s.key: str(s.number) for s in original.sections}
    exhibits: Exhibits = {x.id: (x.letter, x.title, None) for x in original.exhibits}
    signed_letters = {x.letter for x in original.exhibits}
    named: Counter[str] = Counter()
    for item in items:
        named.update(item["clauses"])
        kind = item["kind"]
        if kind.startswith("exhibit-"):
            (xid,) = item["ids"]
            named.update([f"exhibit.{xid}"])
            attached = item["exhibit"]
            if kind == "exhibit-delete":
                assert exhibits[xid][0] == item["letter"] and attached is None
                del exhibits[xid]
            elif kind == "exhibit-replace":
                # attached as Exhibit A-1; the agreement's references to Exhibit A are to it
                assert exhibits[xid][0] == item["letter"] and attached["letter"] == f"{item['letter']}-1"
                exhibits[xid] = (item["letter"], attached["title"], tuple(attached["paragraphs"]))
            else:
                assert kind == "exhibit-add" and xid not in exhibits and item["letter"] is None
                # a letter the signed agreement never gave, after its last one
                assert attached["letter"] not in signed_letters
                assert all(len(attached["letter"]) > len(x) or attached["letter"] > x for x in signed_letters)
                exhibits[xid] = (attached["letter"], attached["title"], tuple(attached["paragraphs"]))
        elif kind in ("delete", "delete-section"):
            for number in item["clauses"]:
                del clauses[number]
        elif kind == "replace":
            (number,), (new,) = item["clauses"], item["new"]
            assert new["number"] == number
            clauses[number] = (new["id"], clauses[number][1], (new["title"], *new["paragraphs"]))
        elif kind == "change":
            (number,) = item["clauses"]
            cid, key, text = clauses[number]
            assert any(item["old"] in p for p in text)
            clauses[number] = (cid, key, tuple(p.replace(item["old"], item["new_value"]) for p in text))
        elif kind in ("add", "add-section"):
            if kind == "add-section":
                assert item["section_key"] not in sections
                sections[item["section_key"]] = item["section"]
            for new in item["new"]:
                assert new["number"] not in clauses and new["number"].split(".")[0] == item["section"]
                clauses[new["number"]] = (new["id"], item["section_key"], (new["title"], *new["paragraphs"]))
        else:
            assert kind in ("party-added", "party-removed", "party-renamed") and not item["clauses"]
    return clauses, sections, named, exhibits


def _lettered(text: str, names: dict[str, str]) -> str:
    """``text`` with each exhibit named as in the amended agreement ("Exhibit B (Data)" -> "Exhibit C (Data)")."""
    if not names:
        return text
    return re.sub("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)), lambda m: names[m.group()],
                  text)


def _text(block: Block, numbers: dict[str, str]) -> list[str]:
    """A block's paragraphs, each reference numbered as in the amended agreement."""
    def said(inlines: Any) -> str:
        return "".join(f"{i.label} {numbers.get(i.clause_id, i.number)}" if isinstance(i, Ref) else i.text
                       for i in inlines)

    if isinstance(block, Paragraph):
        return [said(block.inlines)]
    if isinstance(block, ListBlock):
        return [said(item) for item in block.items]
    return list(block_paragraphs(block))


def check_amendment(old_spec: Any, new_spec: Any) -> None:
    """The items, applied to the original's clauses, give the new version's clauses; each change named once."""
    old_doc, new_doc = assemble(old_spec), assemble(new_spec)
    try:
        amendment = amendment_items(old_spec, new_spec, number=3)
    except AmendmentError:
        # nothing to amend: the same parties and clauses outside the signature page
        assert [p.legal_name for p in old_spec.parties] == [p.legal_name for p in new_spec.parties]
        assert [o for o in outline(old_doc) if not o.id.startswith("signatures.")] == \
               [o for o in outline(new_doc) if not o.id.startswith("signatures.")]
        return
    items = json.loads(items_json(amendment))["items"]
    amended, sections, named, exhibits = apply_items(old_doc, items)

    numbers = {**sections, **{cid: number for number, (cid, _, _) in amended.items()},
               **{f"exhibit.{x.id}": x.letter for x in old_doc.exhibits},
               **{f"exhibit.{xid}": letter for xid, (letter, _, _) in exhibits.items()}}
    # the new version names its exhibits by its own letters; the amended agreement by the letters the items give
    names = {f"Exhibit {x.letter} ({x.title})": f"Exhibit {exhibits[x.id][0]} ({x.title})" for x in new_doc.exhibits
             if x.id in exhibits and exhibits[x.id][0] != x.letter}

    def words(blocks: Any) -> tuple[str, ...]:
        return tuple(_lettered(p, names) for b in blocks for p in _text(b, numbers) if p)

    expected = {}
    for section in new_doc.sections:
        if section.key in NOT_AMENDED:
            continue
        for clause in section.clauses:
            expected[clause.id] = (section.key, (_lettered(clause.title, names), *words(clause.blocks)))
    assert {cid: (key, text) for cid, key, text in amended.values()} == expected
    # the exhibits: the new version's, each under the letter the amended agreement gives it
    old_exhibits = {x.id: x for x in old_doc.exhibits}
    assert {xid: (title, text if text is not None else words(old_exhibits[xid].blocks))
            for xid, (_, title, text) in exhibits.items()} == {x.id: (x.title, words(x.blocks)) for x in new_doc.exhibits}
    assert set(exhibits) == {x.id for x in new_doc.exhibits}

    # the conformed copy is the same text, with a note under each amended clause and deleted ones kept as notes
    copy_ = conformed(amendment, old_spec, new_spec)
    notes = {f"{verb} by Amendment No. 3, effective {format_date(amendment.effective)}."
             for verb in ("Amended", "Added", "Deleted")}
    shown = {}
    for section in copy_.sections:
        for clause, text in zip(section.clauses, outline(Document(copy_.title, (section,), (), (), "", ""))):
            if section.key in NOT_AMENDED or text.paragraphs[1:] == (f"Deleted by Amendment No. 3, effective "
                                                                      f"{format_date(amendment.effective)}.",):
                continue
            shown[clause.id] = (section.key, tuple(p for p in text.paragraphs if p not in notes))
    assert shown == expected
    assert [s.number for s in copy_.sections] == list(range(1, len(copy_.sections) + 1))
    # its exhibits: the original's kept, each replacement as Exhibit A-1 in A's place, the deleted ones as a note
    deleted_note = (f"Deleted by Amendment No. 3, effective {format_date(amendment.effective)}.",)
    attached = {x.id: (x.letter, x.title, tuple(p for b in x.blocks for p in block_paragraphs(b)
                                               if not p.startswith(("Attached by Amendment", "Added by Amendment"))))
                for x in copy_.exhibits if tuple(p for b in x.blocks for p in block_paragraphs(b)) != deleted_note}
    replaced = {i["ids"][0] for i in items if i["kind"] == "exhibit-replace"}
    assert {xid: (letter, title) for xid, (letter, title, _) in attached.items()} == {
        xid: (f"{letter}-1" if xid in replaced else letter, title) for xid, (letter, title, _) in exhibits.items()}
    assert {xid: text for xid, (_, _, text) in attached.items()} == {
        xid: text if text is not None else tuple(p for b in old_exhibits[xid].blocks for p in block_paragraphs(b))
        for xid, (_, _, text) in exhibits.items()}
    assert [x.letter for x in copy_.exhibits][:len(old_doc.exhibits)] == [
        f"{x.letter}-1" if x.id in replaced else x.letter for x in old_doc.exhibits]
    # within a section, the clauses kept keep their order
    old_ids = {o.id for o in outline(old_doc)}
    for key in {k for _, k, _ in amended.values()}:
        in_order = [cid for _, (cid, k, _) in sorted(amended.items(), key=lambda kv: _clause_key(kv[0])) if k == key]
        kept = [c.id for c in new_doc.section_by_key(key).clauses if c.id in old_ids]
        assert [c for c in in_order if c in old_ids] == kept

    # every changed clause of the original is named once, and no unchanged one
    assert all(count == 1 for count in named.values()), named
    changed = set()
    for old in outline(old_doc):
        if old.id.startswith("signatures."):
            continue
        if old.id not in expected or expected[old.id][1] != old.paragraphs:
            changed.add(old.number)
    # and every exhibit added, deleted, or whose title or content changed, once, and no other
    new_exhibits = {x.id: x for x in new_doc.exhibits}
    changed |= {f"exhibit.{x.id}" for x in old_doc.exhibits
                if x.id not in new_exhibits or new_exhibits[x.id].title != x.title
                or words(new_exhibits[x.id].blocks) != tuple(p for b in x.blocks for p in _text(b, numbers) if p)}
    changed |= {f"exhibit.{xid}" for xid in new_exhibits if xid not in old_exhibits}
    assert set(named) == changed


# ---------------------------------------------------------------- changing a spec


@st.composite
def pairs(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A valid spec and a second version of it: a few realistic changes, or (sometimes) another spec."""
    first = draw(agreements())
    if draw(st.integers(0, 9)) == 0:
        return first, draw(agreements())
    second = copy.deepcopy(first)
    for change in draw(st.lists(st.sampled_from(list(_CHANGES)), min_size=1, max_size=4, unique=True)):
        _CHANGES[change](second, draw)
    return first, second


def _add_party(data: dict[str, Any], draw: Any) -> None:
    data["parties"].append({"id": "pnew", "legal_name": "Lakeport Housing Authority", "short_name": "the Authority",
                            "role": "partner"})
    data["responsibilities"].append({"activity": "Offer housing vouchers", "accountable": "pnew"})
    data["signatories"].append({"party": "pnew", "name": "Signer pnew", "title": "Director"})
    if data.get("communication", {}).get("liaisons"):
        data["communication"]["liaisons"].append({"party": "pnew", "name": "Liaison pnew"})


def _rename_party(data: dict[str, Any], draw: Any) -> None:
    data["parties"][1]["legal_name"] += " Inc."


def _extend(data: dict[str, Any], draw: Any) -> None:
    if "end" in data["term"]:
        data["term"]["end"] = draw(st.sampled_from(["2028-10-31", "2027-12-31"]))


def _money(data: dict[str, Any], draw: Any) -> None:
    fin = data.get("financial")
    if fin and fin.get("contributions"):
        c = fin["contributions"][0]
        if "amount" in c:
            c["amount"] = "7500.00"
            if "cap" in c:
                c["cap"] = "7500.00"
            if "rate" in c and "cap" in c["rate"]:
                c["rate"]["cap"] = "7500.00"
            if "instalments" in c:
                c["instalments"].pop("amounts", None)  # equal instalments of the new amount
        if draw(st.booleans()):
            fin["budget_total"] = c.get("amount", "7500.00")
            if "budget_by_year" in fin:  # the periods add up to the new total
                fin["budget_by_year"] = [{"period": "2026-27", "amount": "4500.00"},
                                         {"period": "2027-28", "amount": "3000.00"}]


def _drop(data: dict[str, Any], draw: Any) -> None:
    key = draw(st.sampled_from(["publicity", "monitoring", "intellectual_property", "liability", "data_sharing"]))
    data.pop(key, None)
    if key == "data_sharing":
        data.pop("liability", None)  # its data-breach indemnities, carve-outs and representations need shared data


def _add(data: dict[str, Any], draw: Any) -> None:
    if "publicity" not in data:
        data["publicity"] = {"mode": "consent"}
    elif "intellectual_property" not in data:
        data["intellectual_property"] = {"ownership": "joint"}
    else:
        data["monitoring"] = {"report_cadence": "monthly", "report_recipients": ["p0"]}


def _switch(data: dict[str, Any], draw: Any) -> None:
    data["termination"]["for_cause"] = draw(st.sampled_from(["none", "immediate", "cure"]))
    if data["termination"]["for_cause"] == "none":
        data["termination"].pop("on_cause", None)  # nothing follows a termination for cause that cannot happen
    data["termination"]["mutual"] = not data["termination"]["mutual"]


def _words(data: dict[str, Any], draw: Any) -> None:
    data["scope"]["summary"] = "The Parties run a family program in two counties."


def _exhibit_text(data: dict[str, Any], draw: Any) -> None:
    exhibits = data.setdefault("exhibits", [])
    if not exhibits:
        exhibits.append({"id": "budget", "title": "Budget", "text": "- Staff time\n- Supplies"})
        return
    exhibit = draw(st.sampled_from(exhibits))
    if draw(st.booleans()):
        exhibit["text"] = exhibit["text"] + "\n\nThe Parties review this Exhibit each year."
    else:
        exhibit["title"] = f"Revised {exhibit['title']}"


def _exhibit_add(data: dict[str, Any], draw: Any) -> None:
    exhibits = data.setdefault("exhibits", [])
    new = {"id": "site-list", "title": "Program Sites",
           "text": "| Site | County |\n|---|---|\n| Main Street Center | Lake |"}
    exhibits.insert(draw(st.integers(0, len(exhibits))), new)  # anywhere: the new version letters it by its place
    if draw(st.booleans()):
        data["scope"]["summary"] = "The Parties run the program at the sites listed in [[exhibit.site-list]]."


def _exhibit_drop(data: dict[str, Any], draw: Any) -> None:
    exhibits = data.get("exhibits") or []
    if not exhibits:
        return
    gone = exhibits.pop(draw(st.integers(0, len(exhibits) - 1)))
    if not exhibits:
        data.pop("exhibits")
        if not data.get("incorporated_documents"):
            data.get("general_provisions", {}).pop("precedence", None)
    for duty in data["responsibilities"]:
        if f"[[exhibit.{gone['id']}]]" in duty.get("details", ""):
            duty.pop("details")


def _exhibit_reorder(data: dict[str, Any], draw: Any) -> None:
    if len(data.get("exhibits") or []) > 1:
        data["exhibits"].reverse()


def _documents(data: dict[str, Any], draw: Any) -> None:
    documents = data.get("incorporated_documents")
    if documents:
        documents[0]["reference"] = "Revision 2"
    else:
        data["incorporated_documents"] = [{"title": "Grant Award Notice", "date": "2026-07-01"}]


_CHANGES = {"add_party": _add_party, "rename": _rename_party, "extend": _extend, "money": _money, "drop": _drop,
            "add": _add, "switch": _switch, "words": _words, "exhibit_text": _exhibit_text,
            "exhibit_add": _exhibit_add, "exhibit_drop": _exhibit_drop, "exhibit_reorder": _exhibit_reorder,
            "documents": _documents}


@settings(max_examples=int(os.environ.get("MOU_AMENDMENT_EXAMPLES", "60")), deadline=None,
          derandomize="MOU_AMENDMENT_EXAMPLES" not in os.environ, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
def test_applying_the_items_to_the_original_gives_the_new_version(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    first, second = pair
    check_amendment(validate_spec(first), validate_spec(second))


# ---------------------------------------------------------------- the example pair


def test_the_example_amendment_says_each_change_plainly() -> None:
    old, new = load_spec(ORIGINAL), load_spec(SECOND)
    check_amendment(old, new)
    amendment = amendment_items(old, new, number=2)
    texts = [i.text for i in amendment.items]
    assert texts[0] == ('Lakeport Metropolitan Housing Authority (the "Housing Authority") is added as a Party to '
                        'the Agreement.')
    assert "Section 12.2 (Insurance) is deleted in its entirety." in texts
    assert "The end date in Section 14.1 (Term) is changed from October 31, 2027 to October 31, 2028." in texts
    assert ('In Section 6.1 (Schedule of Contributions), "$250,000.00" is changed to "$275,000.00" each time it '
            'appears.') in texts
    assert "Section 1.1 (The Parties) is deleted and replaced in its entirety with the following:" in texts
    text = render_markdown(amend(old, new, number=2))
    assert text.startswith("# Amendment No. 2 to Housing Navigation Partnership and Data Sharing Agreement\n")
    assert ('amends the Housing Navigation Partnership and Data Sharing Agreement (Agreement No. CITY-HS-2026-0457) '
            'dated October 5, 2026 between City of Lakeport and Hope House Family Services, as amended by Amendment No. 1 '
            'dated March 1, 2027 (the "Agreement").') in text
    assert "Except as amended by this Amendment, the Agreement remains in full force and effect." in text
    assert "This Amendment takes effect on September 15, 2027." in text
    assert "This Amendment may be signed in counterparts" in text
    # the replaced parties clause carries its table; the signature page is the new version's signatories
    assert "| Lakeport Metropolitan Housing Authority (the \"Housing Authority\") |" in text
    assert text.count("Signature: ") == 3 and "Name: Marcus Bell" in text


def test_a_new_clause_and_a_new_section_take_the_next_numbers() -> None:
    old = load_spec(ORIGINAL)
    data = old.model_dump(mode="json", exclude_none=True)
    data.pop("publicity")
    new_data = copy.deepcopy(data)
    new_data["publicity"] = {"mode": "consent"}
    new_data["liability"]["cap"] = "10000.00"
    new_data["data_sharing"]["publication_review_days"] = 30
    old, new = validate_spec(data), validate_spec(new_data)
    check_amendment(old, new)
    items = amendment_items(old, new).items
    sections = assemble(old).sections
    data_sharing = next(s for s in sections if s.key == "data_sharing")
    last = max(s.number for s in sections)
    n = data_sharing.number
    assert [i.text for i in items if i.kind in ("add", "add-section")] == [
        f"Section {n} (Data Sharing) is amended by adding the following new Section {n}."
        f"{len(data_sharing.clauses) + 1} (Publication Review):",
        "Section 11 (Liability) is amended by adding the following new Section 11.3 (Limit of Liability):",
        f"The Agreement is amended by adding the following new Section {last + 1} (Publicity and Use of Names):",
    ]
    assert [c.number for c in items[-1].new] == [f"{last + 1}.1"]


def test_a_deleted_section_and_a_deleted_clause_keep_the_later_numbers() -> None:
    old = load_spec(ORIGINAL)
    data = old.model_dump(mode="json", exclude_none=True)
    data.pop("publicity")
    del data["liability"]["insurance"]
    new = validate_spec(data)
    check_amendment(old, new)
    items = amendment_items(old, new).items
    # the original: 11 Publicity and Use of Names, 12 Liability (12.1 Indemnification, 12.2 Insurance)
    assert [i.text for i in items] == ["Section 11 (Publicity and Use of Names) is deleted in its entirety.",
                                       "Section 12.2 (Insurance) is deleted in its entirety."]
    assert items[0].clauses == ("11.1",)


def test_the_voice_of_the_replaced_text_follows_the_agreement(tmp_path: Path) -> None:
    """The items quote the new version's clauses as assembled, so a non-binding MOU's duties say 'will'."""
    data = load_spec(ORIGINAL).model_dump(mode="json", exclude_none=True)
    data["legal"]["binding"] = False
    data.pop("financial")
    old = validate_spec(data)
    data2 = copy.deepcopy(data)
    data2["responsibilities"][0]["cadence"] = "daily"
    data2["agreement"]["document_date"] = "2027-09-15"  # after Amendment No. 1 of the original
    text = render_markdown(amend(old, validate_spec(data2)))
    assert "The City will:" in text and " shall " not in text.split("## 3.")[0].split("Section 5.1")[1]


def test_nothing_to_amend_is_an_error() -> None:
    old = load_spec(ORIGINAL)
    with pytest.raises(AmendmentError, match="nothing to amend"):
        amendment_items(old, old)
    with pytest.raises(AmendmentError, match="number"):
        amendment_items(old, load_spec(SECOND), number=0)


def test_the_amendment_passes_the_drafting_lint() -> None:
    """The lint's rules, except two that are about a whole agreement: an amendment quotes only the clauses it
    changes (so not every spec value appears), and a replaced clause defines its terms again, as it did."""
    old, new = load_spec(ORIGINAL), load_spec(SECOND)
    problems = [p for p in lint(amend(old, new, number=2), new)
                if not p.startswith("spec text missing") and "is defined again" not in p]
    assert problems == []


# ---------------------------------------------------------------- the command and the Word file


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mou_builder", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_command_writes_the_same_docx_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    for out in (first, second):
        result = _run("amend", str(ORIGINAL), str(SECOND), "--number", "2", "--effective", "2027-10-01",
                      "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"wrote {out} (14 items)\n"
    assert first.read_bytes() == second.read_bytes()
    old, new = load_spec(ORIGINAL), load_spec(SECOND)
    amendment = amendment_items(old, new, number=2, effective=datetime.date(2027, 10, 1))
    document = amendment_document(amendment, old, new)
    assert first.read_bytes() == render_docx(document)


def test_the_command_prints_markdown_text_and_json() -> None:
    md = _run("amend", str(ORIGINAL), str(SECOND))
    assert md.returncode == 0 and md.stdout.startswith("# Amendment No. 2 to ")  # after No. 1, which it lists
    txt = _run("amend", str(ORIGINAL), str(SECOND), "--format", "txt", "--title", "Second Amendment")
    assert txt.returncode == 0 and txt.stdout.startswith("SECOND AMENDMENT\n")
    data = json.loads(_run("amend", str(ORIGINAL), str(SECOND), "--format", "json").stdout)
    assert data["items_version"] == 1 and len(data["items"]) == 14
    assert data["agreement"] == {"title": "Housing Navigation Partnership and Data Sharing Agreement",
                                 "number": "CITY-HS-2026-0457", "date": "2026-10-05",
                                 "amended_by": ["Amendment No. 1 dated March 1, 2027"]}


@pytest.mark.parametrize(("args", "status", "message"), [
    (["ORIGINAL", "ORIGINAL"], 1, "nothing to amend"),
    (["ORIGINAL", "SECOND", "-o", "SECOND"], 1, "same file as the input"),
    (["ORIGINAL", "SECOND", "-o", "out.pdf"], 2, "writes .docx, .md or .txt"),
    (["ORIGINAL", "missing.yaml"], 1, "missing.yaml: no such file"),
    (["ORIGINAL", "SECOND", "--number", "0"], 2, "--number"),
    (["ORIGINAL", "SECOND", "--effective", "next week"], 2, "--effective"),
    (["ORIGINAL", "SECOND", "--title", " "], 1, "title is blank"),
    (["ORIGINAL", "SECOND", "-o", "x.md", "--format", "json"], 2, "--format is for printing"),
    (["ORIGINAL", "x.docx"], 2, "give the new version's spec"),
    (["x.docx", "SECOND"], 1, "x.docx: cannot be read"),
])
def test_bad_input_is_a_message_not_a_traceback(args: list[str], status: int, message: str, tmp_path: Path) -> None:
    before = SECOND.read_bytes()
    named = {"ORIGINAL": str(ORIGINAL), "SECOND": str(SECOND)}
    result = _run("amend", *(named.get(a, a) for a in args), cwd=tmp_path)
    assert result.returncode == status, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert SECOND.read_bytes() == before
    assert not list(tmp_path.iterdir())


def test_the_docx_passes_the_validator_and_libreoffice(tmp_path: Path) -> None:
    out = tmp_path / "amendment-2.docx"
    old, new = load_spec(ORIGINAL), load_spec(SECOND)
    out.write_bytes(render_docx(amend(old, new, number=2)))
    assert ooxml_errors(out) == []
    text = re.sub(r"\s+", " ", pdf_text(libreoffice_pdf(out)))
    assert "Amendment No. 2 to Housing Navigation Partnership" in text
    assert "Section 12.2 (Insurance) is deleted in its entirety." in text
    assert "Except as amended by this Amendment, the Agreement remains in full force and effect." in text


def test_the_docs_show_the_example_amendment_as_built() -> None:
    page = (ROOT / "docs" / "amendments.md").read_text(encoding="utf-8")
    amendment = amendment_items(load_spec(ORIGINAL), load_spec(SECOND), number=2)
    shown = re.sub(r"\s+", " ", page)
    for item in amendment.items:
        if item.kind in ("delete", "change", "party-added"):
            assert item.text in shown
    text = render_markdown(amend(load_spec(ORIGINAL), load_spec(SECOND), number=2))
    for line in ("This Amendment takes effect on September 15, 2027.",
                 "Except as amended by this Amendment, the Agreement remains in full force and effect."):
        assert line in text and line in shown


# ---------------------------------------------------------------- restated, and checked


def test_a_restated_agreement_is_the_whole_new_version_reciting_the_original() -> None:
    from mou_builder.amendment import restate

    old, new = load_spec(ORIGINAL), load_spec(SECOND)
    restated = restate(old, new)
    plain = assemble(new)
    assert restated.title.title == "Amended and Restated Housing Navigation Partnership and Data Sharing Agreement"
    recital = restated.section_by_key("recitals").clauses[0].blocks[0]
    assert isinstance(recital, Paragraph)
    assert recital.text == ("The Housing Navigation Partnership and Data Sharing Agreement (Agreement No. "
                            "CITY-HS-2026-0457) dated October 5, 2026 between City of Lakeport and Hope House Family "
                            "Services, as amended by Amendment No. 1 dated March 1, 2027, is amended and restated in its "
                            "entirety by this Agreement, which replaces it "
                            "from the date this Agreement takes effect.")
    # everything else is the new version, clause for clause
    assert [o.paragraphs for o in outline(plain)] == [
        tuple(p for p in o.paragraphs if p != recital.text) for o in outline(restated)]
    assert lint(restated, new) == []
    with pytest.raises(AmendmentError, match="nothing to amend"):
        restate(old, old)


def test_the_restated_agreement_from_the_command(tmp_path: Path) -> None:
    out = tmp_path / "restated.docx"
    result = _run("amend", str(ORIGINAL), str(SECOND), "--restated", "-o", str(out))
    assert result.returncode == 0 and result.stdout == f"wrote {out} (amended and restated)\n", result.stderr
    assert ooxml_errors(out) == []
    usage = _run("amend", str(ORIGINAL), str(SECOND), "--restated", "--number", "2", "--effective", "2027-01-01")
    assert usage.returncode == 2 and "--number and --effective belong to an amendment" in usage.stderr


def test_check_reports_a_party_whose_obligations_change_without_a_signatory(tmp_path: Path) -> None:
    ok = _run("amend", str(ORIGINAL), str(SECOND), "--check")
    assert ok.returncode == 0 and "14 items; every party whose obligations change signs" in ok.stdout
    data = load_spec(SECOND).model_dump(mode="json", exclude_none=True)
    data["signatories"] = [s for s in data["signatories"] if s["party"] != "lha"]
    unsigned = tmp_path / "unsigned.yaml"
    unsigned.write_text(json.dumps(data), encoding="utf-8")
    result = _run("amend", str(ORIGINAL), str(unsigned), "--check")
    assert result.returncode == 1
    assert ("error: Lakeport Metropolitan Housing Authority has no signatory in the new version, but the amendment "
            "changes its obligations (item 1: New Party); add one under signatories") in result.stderr
    nothing = _run("amend", str(ORIGINAL), str(ORIGINAL), "--check")
    assert nothing.returncode == 1 and "nothing to amend" in nothing.stderr


def test_the_conformed_copy_from_the_command(tmp_path: Path) -> None:
    out, copy_ = tmp_path / "amendment-2.docx", tmp_path / "conformed.docx"
    result = _run("amend", str(ORIGINAL), str(SECOND), "--number", "2", "-o", str(out), "--conformed", str(copy_))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out} (14 items)\nwrote {copy_} (conformed copy)\n"
    assert ooxml_errors(copy_) == []
    text = re.sub(r"\s+", " ", pdf_text(libreoffice_pdf(copy_)))
    assert "Conformed copy through Amendment No. 2" in text
    assert "ends on October 31, 2028" in text
    assert "Deleted by Amendment No. 2, effective September 15, 2027." in text
    for args in (["--conformed", str(tmp_path / "c.docx")], ["-o", str(out), "--restated", "--conformed", "c.docx"]):
        usage = _run("amend", str(ORIGINAL), str(SECOND), *args)
        assert usage.returncode == 2 and "--conformed goes with -o" in usage.stderr
    same = _run("amend", str(ORIGINAL), str(SECOND), "-o", str(tmp_path / "x.md"), "--conformed", str(ORIGINAL))
    assert same.returncode == 1 and "not written" in same.stderr and not (tmp_path / "x.md").exists()


# ---------------------------------------------------------------- amendments already signed


def _with_earlier(spec: Any, *amendments: dict[str, Any]) -> Any:
    data = spec.model_dump(mode="json", exclude_unset=True)
    data["agreement"]["amendments"] = list(amendments)
    return validate_spec(data)


def test_an_original_already_amended_is_recited_as_amended_and_the_next_number_follows() -> None:
    first = {"number": 1, "date": "2027-03-01"}
    original = _with_earlier(load_spec(ORIGINAL), first)
    new = load_spec(SECOND)
    amendment = amendment_items(original, new)
    assert amendment.number == 2 and amendment.title.startswith("Amendment No. 2 to ")
    text = " ".join(block_paragraphs(amendment_document(amendment, original, new).sections[0].clauses[0].blocks[0]))
    assert ", as amended by Amendment No. 1 dated March 1, 2027 (the " in text
    assert json.loads(items_json(amendment))["agreement"]["amended_by"] == ["Amendment No. 1 dated March 1, 2027"]
    with pytest.raises(AmendmentError, match=r"Amendment No. 1 is already signed.*this one is No. 2"):
        amendment_items(original, new, number=1)
    assert amendment_items(original, new, number=3).number == 3  # a number may skip one signed elsewhere


def test_the_cover_conformed_copy_and_restatement_name_the_amendments() -> None:
    from mou_builder.amendment import restate

    original = _with_earlier(load_spec(ORIGINAL), {"number": 1, "date": "2027-03-01", "title": "First Amendment"})
    cover = assemble(original).title
    assert cover.number_line == f"{cover.term} No. CITY-HS-2026-0457, as amended by First Amendment dated March 1, 2027"
    new = load_spec(SECOND)
    amendment = amendment_items(original, new, effective=datetime.date(2027, 10, 1))
    copy_title = conformed(amendment, original, new).title
    assert copy_title.amended_by == ("First Amendment dated March 1, 2027", "Amendment No. 2 dated October 1, 2027")
    assert copy_title.number_line.endswith(
        "as amended by First Amendment dated March 1, 2027 and Amendment No. 2 dated October 1, 2027")
    restated = restate(original, _with_earlier(new, {"number": 1, "date": "2027-03-01"}))
    assert restated.title.amended_by == ()
    first = next(s for s in restated.sections if s.key == "recitals").clauses[0]
    assert ", as amended by First Amendment dated March 1, 2027, is amended and restated" in " ".join(
        p for b in first.blocks for p in block_paragraphs(b))


def test_an_agreement_without_a_number_says_as_amended_on_its_cover() -> None:
    data = load_spec(ORIGINAL).model_dump(mode="json", exclude_unset=True)
    data["agreement"].pop("number", None)
    data["agreement"]["amendments"] = [{"number": 1, "date": "2027-03-01"}, {"number": 2, "date": "2027-09-01"}]
    cover = assemble(validate_spec(data)).title
    assert cover.number_line == "As amended by Amendment No. 1 dated March 1, 2027 and Amendment No. 2 dated " \
        "September 1, 2027"
    assert cover.number_line in render_markdown(assemble(validate_spec(data)))


# ---------------------------------------------------------------- exhibits


def _with_exhibits(spec: Any, exhibits: list[dict[str, Any]], **more: Any) -> Any:
    data = spec.model_dump(mode="json", exclude_none=True)
    data["exhibits"] = exhibits
    data.update(more)
    return validate_spec(data)


BUDGET = {"id": "budget", "title": "Budget", "text": "| Item | Amount |\n|---|---|\n| Staff | $200,000.00 |"}
SITES = {"id": "sites", "title": "Program Sites", "text": "Main Street Center."}


def test_exhibit_items_keep_the_signed_letters() -> None:
    """A changed exhibit is replaced by Exhibit A-1, a deleted one named by its letter, and a new one takes the
    letter after the original's last, wherever the new version lists it; nothing else is named."""
    old = _with_exhibits(load_spec(ORIGINAL), [BUDGET, SITES])
    plan = {"id": "plan", "title": "Work Plan", "text": "The Parties follow [[exhibit.budget]]."}
    new = _with_exhibits(load_spec(ORIGINAL), [plan, {**BUDGET, "text": BUDGET["text"] + "\n\nRevised."}])
    check_amendment(old, new)
    amendment = amendment_items(old, new, number=2, effective=AFTER_AMENDMENT_1)
    exhibit_items = [i for i in amendment.items if i.kind.startswith("exhibit-")]
    assert [i.text for i in exhibit_items] == [
        "Exhibit A (Budget) is deleted and replaced in its entirety with the attached Exhibit A-1 (Budget). Each "
        "reference in the Agreement to Exhibit A is to Exhibit A-1.",
        "Exhibit B (Program Sites) is deleted in its entirety.",
        "The Agreement is amended by adding the attached Exhibit C (Work Plan).",
    ]
    # the new version letters the work plan A and the budget B; the amended agreement keeps A and adds C
    exhibits_clause = next(i for i in amendment.items if i.heading.endswith("(Exhibits)"))
    assert exhibits_clause.new[0].paragraphs[1:] == ("Exhibit C (Work Plan)", "Exhibit A (Budget)")
    text = render_markdown(amendment_document(amendment, old, new))
    signatures = text.index("## 4. Signatures")
    assert text.index("## Exhibit A-1: Budget") > signatures and text.index("## Exhibit C: Work Plan") > signatures
    assert "The Parties follow Exhibit A (Budget)." in text  # the reference names the letter the agreement uses
    data = json.loads(items_json(amendment))["items"]
    assert [(i["kind"], i["letter"], i["exhibit"] and i["exhibit"]["letter"]) for i in data[-3:]] == [
        ("exhibit-replace", "A", "A-1"), ("exhibit-delete", "B", None), ("exhibit-add", None, "C")]

    copy_ = conformed(amendment, old, new)
    assert [(x.letter, x.title) for x in copy_.exhibits] == [("A-1", "Budget"), ("B", "Program Sites"),
                                                            ("C", "Work Plan")]
    assert list(block_paragraphs(copy_.exhibits[1].blocks[0])) == ["Deleted by Amendment No. 2, effective September 15, 2027."]
    from mou_builder.amendment import restate

    # a restatement is the new version whole: its exhibits, lettered as it letters them
    assert [(x.letter, x.id) for x in restate(old, new).exhibits] == [("A", "plan"), ("B", "budget")]


def test_an_exhibit_change_alone_is_an_amendment_and_unchanged_exhibits_are_not_named() -> None:
    old = _with_exhibits(load_spec(ORIGINAL), [BUDGET, SITES])
    new = _with_exhibits(load_spec(ORIGINAL), [BUDGET, {**SITES, "text": "Main Street Center and Elm Street."}])
    amendment = amendment_items(old, new, effective=AFTER_AMENDMENT_1)
    assert [i.text for i in amendment.items] == [
        "Exhibit B (Program Sites) is deleted and replaced in its entirety with the attached Exhibit B-1 (Program "
        "Sites). Each reference in the Agreement to Exhibit B is to Exhibit B-1."]
    out = render_docx(amendment_document(amendment, old, new))
    assert out == render_docx(amendment_document(amendment_items(old, new, effective=AFTER_AMENDMENT_1), old, new))


def test_incorporated_documents_are_amended_by_replacing_their_clause() -> None:
    doc = {"title": "Grant Award Notice", "date": "2026-07-01"}
    old = _with_exhibits(load_spec(ORIGINAL), [BUDGET], incorporated_documents=[doc])
    new = _with_exhibits(load_spec(ORIGINAL), [BUDGET], incorporated_documents=[{**doc, "date": "2026-08-01"}])
    check_amendment(old, new)
    (item,) = amendment_items(old, new).items
    assert item.kind == "replace" and item.heading.endswith("(Incorporated Documents)")
    assert any("August 1, 2026" in p for p in item.new[0].paragraphs)


# ---------------------------------------------------------------- the executed .docx as ORIGINAL


def test_the_built_docx_gives_the_same_amendment_as_its_spec(tmp_path: Path) -> None:
    from mou_builder import spec_from_docx
    from mou_builder.assembly import canonical_spec

    signed = tmp_path / "signed.docx"
    assert _run(str(ORIGINAL), "-o", str(signed)).returncode == 0
    assert canonical_spec(spec_from_docx(signed)) == canonical_spec(load_spec(ORIGINAL))
    from_docx, from_spec = tmp_path / "a.docx", tmp_path / "b.docx"
    for source, out in ((signed, from_docx), (ORIGINAL, from_spec)):
        result = _run("amend", str(source), str(SECOND), "--number", "2", "-o", str(out))
        assert result.returncode == 0 and result.stdout == f"wrote {out} (14 items)\n", result.stderr
    assert from_docx.read_bytes() == from_spec.read_bytes()


def test_a_built_docx_with_an_exhibit_file_needs_that_file_as_signed(tmp_path: Path) -> None:
    signed, work = tmp_path / "signed", tmp_path / "work"
    signed.mkdir()
    work.mkdir()
    table = "| Item | Amount |\n|---|---|\n| Staff | {} |\n"
    (signed / "budget.md").write_text(table.format("$200,000.00"), encoding="utf-8")
    exhibit = [{"id": "budget", "title": "Budget", "file": "budget.md"}]
    data = load_spec(ORIGINAL).model_dump(mode="json", exclude_none=True)
    (signed / "original.json").write_text(json.dumps({**data, "exhibits": exhibit}), encoding="utf-8")
    new_data = load_spec(SECOND).model_dump(mode="json", exclude_none=True)
    (work / "second.json").write_text(json.dumps({**new_data, "exhibits": exhibit}), encoding="utf-8")
    (work / "budget.md").write_text(table.format("$225,000.00"), encoding="utf-8")
    assert _run(str(signed / "original.json"), "-o", str(signed / "original.docx")).returncode == 0
    (signed / "original.json").unlink()  # only the executed agreement is left

    def items() -> subprocess.CompletedProcess[str]:
        return _run("amend", str(signed / "original.docx"), str(work / "second.json"), "--format", "json")

    result = items()
    assert result.returncode == 0, result.stderr
    last = json.loads(result.stdout)["items"][-1]
    assert last["kind"] == "exhibit-replace" and last["exhibit"]["paragraphs"][-1] == "$225,000.00"
    # the file beside the .docx changed since the build: it is not the exhibit as signed
    (signed / "budget.md").write_text(table.format("$1.00"), encoding="utf-8")
    result = items()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == (
        f"{signed / 'original.docx'}: exhibits[0].file: Exhibit A (Budget) was built from budget.md, and no file with "
        f"the content it had then is at {signed / 'budget.md'} or {work / 'budget.md'}; put the exhibit file as it "
        "was signed beside the .docx, or give the agreement's spec (YAML or JSON) instead\n")
    # NEW's file with the content as signed will do: nothing changed in the exhibit then
    (signed / "budget.md").unlink()
    (work / "budget.md").write_text(table.format("$200,000.00"), encoding="utf-8")
    result = items()
    assert result.returncode == 0, result.stderr
    assert all(not i["kind"].startswith("exhibit-") for i in json.loads(result.stdout)["items"])


# ---------------------------------------------------------------- check --amends


def test_check_amends_reports_the_amendment_as_findings_of_the_new_version(tmp_path: Path) -> None:
    ok = _run("check", str(SECOND), "--amends", str(ORIGINAL))
    assert ok.returncode == 0 and "complete: 0 errors" in ok.stdout
    same = _run("check", str(ORIGINAL), "--amends", str(ORIGINAL), "--format", "json")
    report = json.loads(same.stdout)
    assert same.returncode == 1 and not report["complete"]
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == ["nothing-to-amend"]
    # the new party without its signatory: the amendment changes its obligations
    data = load_spec(SECOND).model_dump(mode="json", exclude_unset=True)
    added = next(p["id"] for p in data["parties"] if p["id"] not in {q.id for q in load_spec(ORIGINAL).parties})
    data["signatories"] = [s for s in data["signatories"] if s["party"] != added]
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(data), encoding="utf-8")
    result = _run("check", str(unsigned), "--amends", str(ORIGINAL))
    assert result.returncode == 1
    assert f"{unsigned}: error amendment-unsigned: signatories: " in result.stdout
    assert "has no signatory in the new version, but the amendment changes its obligations" in result.stdout
    usage = _run("check", str(SECOND), str(ORIGINAL), "--amends", str(ORIGINAL))
    assert usage.returncode == 2 and "--amends checks one new version" in usage.stderr
    # a new version dated before the agreement it amends: its own code, not a missing signatory
    data = load_spec(SECOND).model_dump(mode="json", exclude_unset=True)
    data["agreement"]["document_date"] = load_spec(ORIGINAL).agreement.document_date.isoformat()
    early = tmp_path / "early.json"
    early.write_text(json.dumps(data), encoding="utf-8")
    dated = json.loads(_run("check", str(early), "--amends", str(ORIGINAL), "--format", "json").stdout)
    assert [(f["code"], f["path"]) for f in dated["findings"] if f["severity"] == "error"] == [
        ("amendment-date", "agreement.document_date")]


# ---------------------------------------------------------------- what counsel found


def test_a_new_name_ending_in_a_full_stop_closes_the_sentence_once() -> None:
    old, data = load_spec(ORIGINAL), load_spec(SECOND).model_dump(mode="json", exclude_none=True)
    data["parties"][1]["legal_name"] = "Hope House Family Services, Inc."
    items = [i.text for i in amendment_items(old, validate_spec(data), number=2).items if i.kind == "party-renamed"]
    assert items == ["The name of the Party Hope House Family Services is changed to Hope House Family Services, Inc."]


def test_the_amendment_s_title_page_has_no_draft_number_of_the_agreement() -> None:
    data = load_spec(SECOND).model_dump(mode="json", exclude_none=True)
    data["agreement"].update(final=False, draft_version="2")  # the agreement's second draft ...
    old, new = load_spec(ORIGINAL), validate_spec(data)
    doc = amend(old, new, number=2)
    assert doc.title.draft_label == "Draft"  # ... and the amendment, a draft until signed, does not borrow it
    assert f"Draft {new.agreement.draft_version}" not in render_markdown(doc).split("## 1.")[0]


@pytest.mark.parametrize(("effective", "what"), [
    (datetime.date(2026, 10, 5), "the original's document date (agreement.document_date), October 5, 2026"),
    (datetime.date(2026, 12, 1), "Amendment No. 1 (agreement.amendments), March 1, 2027"),
    (datetime.date(2027, 3, 1), "Amendment No. 1 (agreement.amendments), March 1, 2027"),
])
def test_an_amendment_effective_on_or_before_what_it_amends_is_an_error(effective: datetime.date, what: str) -> None:
    from mou_builder.amendment import amendment_problems

    old, new = load_spec(ORIGINAL), load_spec(SECOND)
    amendment = amendment_items(old, new, number=2, effective=effective)
    message = (f"the amendment takes effect on {format_date(effective)}, not after {what}: give a later date "
               "(--effective, or the new version's agreement.document_date)")
    assert amendment_problems(amendment, old, new) == [message]
    with pytest.raises(AmendmentError) as raised:
        amendment_document(amendment, old, new)
    assert str(raised.value) == message
    assert amendment_problems(amendment_items(old, new, number=2), old, new) == []  # September 15, 2027: after all


def test_the_amend_command_refuses_an_effective_date_before_the_agreement(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mou_builder.cli import main

    out = tmp_path / "amendment.docx"
    result = CliRunner().invoke(main, ["amend", str(ORIGINAL), str(SECOND), "--effective", "2026-09-01", "-o", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the amendment takes effect on September 1, 2026, not after the original's document date" in result.stderr
    assert not out.exists()
