"""Real clients: LibreOffice opens every output and the OOXML schema validator finds no error.

Skipped with a reason where the tools are missing; .ci/run installs them and
sets MOU_REQUIRE_REAL_CLIENTS=1, which turns a missing tool into a failure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docx import Document

from conftest import DATA, EXAMPLES, ROOT
from mou_builder.assembly import assemble
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render.word import build_docx, render_docx
from letterhead import MARGIN, letterhead_template
from realclients import libreoffice_pdf, ooxml_errors_many, pdf_pages, pdf_text, pdf_words

LIBRARY = next(p for p in EXAMPLES if p.name == "library-literacy.yaml")  # a non-binding MOU with no data sharing

pytestmark = pytest.mark.slow


def _hostile_spec() -> object:
    data, _ = read_spec_data(LIBRARY)
    hostile = "Acme & Sons <Ltd> {{ 7*7 }} {%p if %} 😀 שלום ]]>"
    data["agreement"]["title"] = hostile
    data["parties"][1]["legal_name"] = data["parties"][1]["short_name"] = hostile
    return validate_spec(data)


CASES = {p.stem: (lambda p=p: load_spec(p)) for p in EXAMPLES}
CASES["incomplete-minimal"] = lambda: load_spec(DATA / "valid" / "minimal.yaml")
CASES["hostile-strings"] = _hostile_spec
CASES["template-placeholders"] = lambda: load_spec(DATA / "valid" / "template-placeholders.yaml")  # highlighted runs


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("docx")
    paths = {}
    for name, make in CASES.items():
        path = folder / f"{name}.docx"
        path.write_bytes(build_docx(make()))
        paths[name] = path
    # An organisation's own template: the default one with a paragraph of its own.
    template = Document(str(ROOT / "templates" / "default.docx"))
    template.add_paragraph("Printed on recycled paper.")
    template.save(str(folder / "letterhead.docx"))
    paths["custom-template"] = folder / "custom-template.docx"
    paths["custom-template"].write_bytes(render_docx(assemble(load_spec(EXAMPLES[1])), template=folder / "letterhead.docx"))
    # A letterhead with another font, a header line and 1.25 in margins.
    (folder / "own").mkdir()
    letterhead = letterhead_template(folder / "own")
    for path in EXAMPLES:
        paths[f"letterhead-{path.stem}"] = folder / f"letterhead-{path.stem}.docx"
        paths[f"letterhead-{path.stem}"].write_bytes(build_docx(path, template=letterhead))
    return paths


LETTERHEAD_CASES = [f"letterhead-{p.stem}" for p in EXAMPLES]


@pytest.fixture(scope="module")
def schema_errors(outputs: dict[str, Path]) -> dict[Path, list[dict]]:
    return ooxml_errors_many(list(outputs.values()))


@pytest.fixture(scope="module")
def pdfs(outputs: dict[str, Path]) -> dict[str, Path]:
    return {name: libreoffice_pdf(path) for name, path in outputs.items()}


@pytest.mark.parametrize("name", [*CASES, "custom-template", *LETTERHEAD_CASES])
def test_ooxml_validator_finds_no_error(name: str, outputs: dict[str, Path], schema_errors) -> None:
    assert schema_errors[outputs[name]] == []


def _spec_of(name: str) -> object:
    return CASES[name.removeprefix("letterhead-")]()


@pytest.mark.parametrize("name", [*CASES, *LETTERHEAD_CASES])
def test_libreoffice_converts_to_a_pdf_with_pages(name: str, pdfs: dict[str, Path]) -> None:
    """Page i says "Page i of n", the headings come page after page in order, and the signers sign on the last page."""
    count = pdf_pages(pdfs[name])
    pages = [re.sub(r"\s+", " ", page) for page in pdf_text(pdfs[name]).split("\f")][:count]
    assert count >= 2 and len(pages) == count
    assert [f"Page {i} of {count}" in page for i, page in enumerate(pages, start=1)] == [True] * count
    spec = _spec_of(name)
    doc = assemble(spec)
    on_page = [next(i for i, page in enumerate(pages) if f"{s.number}. {s.title.upper()}" in page) for s in doc.sections]
    # each exhibit starts a page of its own after the signature page
    starts = [next(i for i, page in enumerate(pages) if f"{x.heading} {x.title.upper()}" in page) for x in doc.exhibits]
    assert starts == sorted(set(starts)) and all(start > on_page[-1] for start in starts), starts
    last = starts[0] - 1 if starts else count - 1
    assert on_page == sorted(on_page) and on_page[-1] == last, on_page
    assert [f"Name: {s.name}" in pages[last] for s in spec.signatories] == [True] * len(spec.signatories)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_headings_show_word_numbering_in_the_pdf(path: Path, pdfs: dict[str, Path]) -> None:
    """The numbers LibreOffice lays out from Word's list numbering equal the assembled numbers."""
    text = re.sub(r"[ \t]+", " ", pdf_text(pdfs[path.stem]))
    doc = assemble(load_spec(path))
    for section in doc.sections:
        assert f"{section.number}. {section.title.upper()}" in text
        for clause in section.clauses:
            assert f"{clause.number} {clause.title}" in text


def test_references_show_the_right_number_in_the_pdf(pdfs: dict[str, Path]) -> None:
    text = re.sub(r"\s+", " ", pdf_text(pdfs["city-data-grant"]))
    doc = assemble(load_spec(EXAMPLES[0]))
    # a clause and a section reference, each shown by LibreOffice with its number (a REF field) and title
    assert f"as set out in Section {doc.clause('data_sharing.destruction').number} (Return or Destruction)." in text
    assert f"unless terminated earlier under Section {doc.section_by_key('termination').number} (Termination)." in text


# ---------------------------------------------------------------- the layout LibreOffice makes


@pytest.mark.parametrize("name", [*(p.stem for p in EXAMPLES), *LETTERHEAD_CASES])
def test_no_word_runs_into_the_margins(name: str, pdfs: dict[str, Path]) -> None:
    """Every word (tables, signature blocks, header) lies between the left and right margins of the page."""
    margin = MARGIN / 20 if name.startswith("letterhead-") else 72.0
    words = pdf_words(pdfs[name])
    outside = [w for w in words if w[1] < margin - 1 or w[2] > 612 - margin + 1]
    assert words and outside == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_e_mail_addresses_stay_on_one_line(path: Path, pdfs: dict[str, Path]) -> None:
    addresses = set(re.findall(r"[\w.+-]+@[\w.-]+", path.read_text()))
    assert addresses
    for name in (path.stem, f"letterhead-{path.stem}"):
        laid_out = {w[4] for w in pdf_words(pdfs[name])}
        assert addresses <= laid_out, name


@pytest.mark.parametrize("name", [*(p.stem for p in EXAMPLES), *LETTERHEAD_CASES])
def test_signature_and_date_lines_stand_level_two_by_two(name: str, pdfs: dict[str, Path]) -> None:
    """The blocks of a row show their Signature: and Date: labels at the same height, one per signatory."""
    words = pdf_words(pdfs[name])
    for label in ("Signature:", "Date:"):
        found = [(w[0], round(w[3], 1)) for w in words if w[4] == label]
        pairs = sorted((found.count(spot) for spot in set(found)), reverse=True)
        assert found and pairs == [2] * (len(found) // 2) + [1] * (len(found) % 2), (label, found)
