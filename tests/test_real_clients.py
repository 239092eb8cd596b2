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
from mou_builder.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render_word import build_docx, render_docx
from realclients import libreoffice_pdf, ooxml_errors_many, pdf_pages, pdf_text

pytestmark = pytest.mark.slow


def _hostile_spec() -> object:
    data, _ = read_spec_data(EXAMPLES[2])
    hostile = "Acme & Sons <Ltd> {{ 7*7 }} {%p if %} 😀 שלום ]]>"
    data["agreement"]["title"] = hostile
    data["parties"][1]["legal_name"] = data["parties"][1]["short_name"] = hostile
    return validate_spec(data)


CASES = {p.stem: (lambda p=p: load_spec(p)) for p in EXAMPLES}
CASES["incomplete-minimal"] = lambda: load_spec(DATA / "valid" / "minimal.yaml")
CASES["hostile-strings"] = _hostile_spec


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
    return paths


@pytest.fixture(scope="module")
def schema_errors(outputs: dict[str, Path]) -> dict[Path, list[dict]]:
    return ooxml_errors_many(list(outputs.values()))


@pytest.fixture(scope="module")
def pdfs(outputs: dict[str, Path]) -> dict[str, Path]:
    return {name: libreoffice_pdf(path) for name, path in outputs.items()}


@pytest.mark.parametrize("name", [*CASES, "custom-template"])
def test_ooxml_validator_finds_no_error(name: str, outputs: dict[str, Path], schema_errors) -> None:
    assert schema_errors[outputs[name]] == []


@pytest.mark.parametrize("name", list(CASES))
def test_libreoffice_converts_to_a_pdf_with_pages(name: str, pdfs: dict[str, Path]) -> None:
    assert pdf_pages(pdfs[name]) >= 2


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
