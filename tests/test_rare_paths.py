"""Paths the rest of the suite never ran: locking the clause library, templates made by Word
(custom properties, w14:paraId), broken user templates, content controls and revisions in
drafts, and the CLI's last guard against a traceback."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as open_docx
from lxml import etree

import mou_builder.resources as resources
from bad_docx import base, document_xml, paragraph, with_parts
from conftest import EXAMPLES, ROOT
from mou_builder.cli import main
from mou_builder.errors import TemplateError
from mou_builder.render.word import build_docx
from mou_builder.review.drafts import draft_text, redline

LIBRARY = next(p for p in EXAMPLES if p.name == "library-literacy.yaml")  # a non-binding MOU with no data sharing

W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
REAL_LOCK = ROOT / "clause_library" / "clauses.lock"


# ---------------------------------------------------------------- clauses lock


@pytest.fixture
def library_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the clause library that the built-in data folder now points to (never the real one)."""
    copy = tmp_path / "clause_library"
    shutil.copytree(ROOT / "clause_library", copy)
    real = resources.data_dir
    monkeypatch.setattr(resources, "data_dir",
                        lambda name, checkout_path=None: copy if name == "clause_library" else real(name, checkout_path))
    return copy


def test_clauses_lock_writes_the_lock_of_the_library(library_copy: Path) -> None:
    before = REAL_LOCK.read_bytes()
    lock = library_copy / "clauses.lock"
    lock.unlink()  # no lock yet: lock writes one
    result = CliRunner().invoke(main, ["clauses", "lock"])
    assert (result.exit_code, result.stdout) == (0, f"wrote {lock}\n"), result.output
    assert lock.read_bytes() == before  # the copy's clauses are the real ones: the same lock
    assert REAL_LOCK.read_bytes() == before


def test_clauses_lock_refuses_a_changed_clause_whose_version_was_not_bumped(library_copy: Path) -> None:
    clause = library_copy / "clauses" / "purpose" / "benefits.md"
    clause.write_text(clause.read_text(encoding="utf-8") + "\nA sentence added without a new version.\n",
                      encoding="utf-8")
    lock = library_copy / "clauses.lock"
    locked = lock.read_bytes()
    result = CliRunner().invoke(main, ["clauses", "lock"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"{clause}: the text of purpose.benefits@1.1.0 changed without a version bump\n"
        "bump the version of each changed clause, then lock again\n"
    )
    assert lock.read_bytes() == locked
    # once bumped, the new version and its hash are locked, and the other clauses stay as they were
    clause.write_text(clause.read_text(encoding="utf-8").replace("version: 1.1.0", "version: 1.2.0"), encoding="utf-8")
    result = CliRunner().invoke(main, ["clauses", "lock"])
    assert result.exit_code == 0, result.output
    old, new = locked.decode().splitlines(), lock.read_text().splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and len(changed) == 1
    assert changed[0][0].startswith("purpose.benefits@1.1.0 ") and changed[0][1].startswith("purpose.benefits@1.2.0 ")
    assert changed[0][0].split()[1] != changed[0][1].split()[1]
    assert REAL_LOCK.read_bytes() != lock.read_bytes()


# ---------------------------------------------------------------- templates made by Word


def _template(tmp_path: Path, *extra: str) -> Path:
    doc = open_docx(str(ROOT / "templates" / "default.docx"))
    for text in extra:
        doc.add_paragraph(text)
    path = tmp_path / "word-made.docx"
    doc.save(str(path))
    return path


def _rewrite(path: Path, name: str, change) -> None:  # noqa: ANN001 - change: bytes -> bytes
    with zipfile.ZipFile(path) as z:
        data = path.read_bytes()
        blob = z.read(name) if name in z.namelist() else None
    path.write_bytes(with_parts(data, {name: change(blob)}))


def test_a_template_with_its_own_custom_properties_keeps_them_and_gets_ours(tmp_path: Path) -> None:
    template = _template(tmp_path)
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    fmtid = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
    custom = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="{ns}" xmlns:vt="{vt}">'
        f'<property fmtid="{fmtid}" pid="2" name="Department"><vt:lpwstr>Legal</vt:lpwstr></property>'
        f'<property fmtid="{fmtid}" pid="7" name="mou.profile"><vt:lpwstr>stale</vt:lpwstr></property>'
        "</Properties>"
    ).encode()
    data = template.read_bytes()
    rels = zipfile.ZipFile(io.BytesIO(data)).read("_rels/.rels").replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'custom-properties" Target="docProps/custom.xml"/></Relationships>')
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/docProps/custom.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
    template.write_bytes(with_parts(data, {"docProps/custom.xml": custom, "_rels/.rels": rels,
                                           "[Content_Types].xml": types}))
    out = zipfile.ZipFile(io.BytesIO(build_docx(EXAMPLES[0], template=template)))
    root = etree.fromstring(out.read("docProps/custom.xml"))
    props = [(p.get("pid"), p.get("name"), p[0].text) for p in root]
    assert props[0] == ("2", "Department", "Legal")  # the organisation's own property stays
    names = [name for _, name, _ in props]
    assert names.count("mou.profile") == 1 and ("stale" not in [v for _, _, v in props])
    assert dict((n, v) for _, n, v in props)["mou.profile"] == "general"
    pids = [int(pid) for pid, _, _ in props]
    assert len(set(pids)) == len(pids) and min(pids) == 2 and pids == sorted(pids)  # pids are unique, from 2


def _para_ids(data: bytes) -> list[str]:
    ids = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                ids += [p.get(f"{{{W14}}}paraId") for p in etree.fromstring(z.read(name)).iter()
                        if p.get(f"{{{W14}}}paraId") is not None]
    return ids


def _with_para_ids(xml: bytes) -> bytes:
    """Every paragraph given Word's w14:paraId and textId: duplicates, and values Word never writes (>= 0x80000000)."""
    root = etree.fromstring(xml)
    values = ["FFFFFFFF", "80000000", "0000ABCD", "0000ABCD"]
    for i, p in enumerate(root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")):
        p.set(f"{{{W14}}}paraId", values[i % len(values)])
        p.set(f"{{{W14}}}textId", "FFFFFFFF")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _assert_fresh_ids(data: bytes, at_least: int) -> None:
    ids = _para_ids(data)
    assert len(ids) >= at_least
    assert len(set(ids)) == len(ids), "w14:paraId values repeat"
    assert all(re.fullmatch(r"[0-9A-F]{8}", i) and int(i, 16) < 0x80000000 for i in ids), ids


def test_paragraph_ids_of_a_word_made_template_are_renumbered(tmp_path: Path) -> None:
    template = _template(tmp_path, "Printed on recycled paper.", "Second line of the letterhead.")
    _rewrite(template, "word/document.xml", _with_para_ids)
    assert len(_para_ids(template.read_bytes())) >= 3
    _assert_fresh_ids(build_docx(LIBRARY, template=template), at_least=3)


def test_paragraph_ids_of_word_made_drafts_are_renumbered_in_the_redline(tmp_path: Path) -> None:
    old, new = tmp_path / "old.docx", tmp_path / "new.docx"
    old.write_bytes(base("Either party may end this agreement with 30 days' notice."))
    new.write_bytes(with_parts(base(), {"word/document.xml": document_xml(
        paragraph("Either party may end this agreement with 60 days' notice.") + paragraph("A new paragraph."))}))
    for path in (old, new):
        _rewrite(path, "word/document.xml", _with_para_ids)
    out = redline(old, new)
    _assert_fresh_ids(out, at_least=2)


# ---------------------------------------------------------------- user templates that do not work


@pytest.mark.parametrize(
    ("placeholder", "message"),
    [
        ("{{ title", r"word-made\.docx: a placeholder in the template does not parse: .*"),
        ("{{ title | no_such_filter }}", r"word-made\.docx: a placeholder in the template does not parse: .*no_such_filter"),
        ("{% if title %}no end", r"word-made\.docx: a placeholder in the template does not parse: .*endif"),
        ("{{ title.no_such_attribute }}", r"word-made\.docx: 'str object' has no attribute 'no_such_attribute'"),
    ],
)
def test_a_broken_placeholder_in_a_user_template_is_a_template_error(tmp_path: Path, placeholder: str,
                                                                     message: str) -> None:
    template = _template(tmp_path, placeholder)
    with pytest.raises(TemplateError, match=message):
        build_docx(LIBRARY, template=template)
    result = CliRunner().invoke(main, [str(LIBRARY), "--template", str(template), "-o", str(tmp_path / "x.docx")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(message, result.stderr) and not (tmp_path / "x.docx").exists()


@pytest.mark.parametrize(
    ("part", "blob", "message"),
    [
        ("word/document.xml", b"<w:document", r"word/document\.xml"),
        ("word/styles.xml", b"<?xml version='1.0'?><not-closed>", r"word/styles\.xml"),
    ],
)
def test_a_template_with_a_damaged_part_names_it(tmp_path: Path, part: str, blob: bytes, message: str) -> None:
    template = _template(tmp_path)
    template.write_bytes(with_parts(template.read_bytes(), {part: blob}))
    with pytest.raises(TemplateError, match=rf"word-made\.docx: .*{message}"):
        build_docx(LIBRARY, template=template)


def test_a_truncated_template_is_a_template_error(tmp_path: Path) -> None:
    template = _template(tmp_path)
    template.write_bytes(template.read_bytes()[:-200])  # the zip's central directory is cut off
    with pytest.raises(TemplateError, match=r"word-made\.docx: not a Word \.docx file"):
        build_docx(LIBRARY, template=template)


# ---------------------------------------------------------------- content controls and revisions in drafts


def test_text_in_content_controls_is_read_and_their_placeholders_are_not(tmp_path: Path) -> None:
    draft = tmp_path / "controls.docx"
    draft.write_bytes(with_parts(base(), {"word/document.xml": document_xml(
        '<w:sdt><w:sdtPr><w:alias w:val="Term"/><w:placeholder><w:docPart w:val="X"/></w:placeholder></w:sdtPr>'
        "<w:sdtContent>" + paragraph("The term is one year.") + "</w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>Notice: </w:t></w:r><w:sdt><w:sdtPr><w:alias w:val=\"Days\"/></w:sdtPr>"
        "<w:sdtContent><w:r><w:t>30 days</w:t></w:r></w:sdtContent></w:sdt></w:p>")}))
    assert draft_text(draft) == "The term is one year.\n\nNotice: 30 days\n\n"


def test_revisions_already_in_a_draft_are_read_accepted(tmp_path: Path) -> None:
    draft = tmp_path / "revised.docx"
    draft.write_bytes(with_parts(base(), {"word/document.xml": document_xml(
        '<w:p><w:r><w:t xml:space="preserve">Reports are due </w:t></w:r>'
        '<w:del w:id="1" w:author="Ana"><w:r><w:delText>yearly</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="Ana"><w:r><w:t>quarterly</w:t></w:r></w:ins>'
        '<w:r><w:t>.</w:t></w:r></w:p>'
        '<w:del w:id="3" w:author="Ana"><w:p><w:pPr><w:rPr><w:del w:id="4" w:author="Ana"/></w:rPr></w:pPr>'
        '<w:r><w:delText>A deleted paragraph.</w:delText></w:r></w:p></w:del>'
        + paragraph("Kept."))}))
    assert draft_text(draft) == "Reports are due quarterly.\n\nKept.\n\n"


# ---------------------------------------------------------------- the internal-error guard


def test_an_unexpected_exception_is_an_internal_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    import mou_builder.spec.loader

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the loader broke")

    monkeypatch.setattr(mou_builder.spec.loader, "load_spec", broken)
    monkeypatch.delenv("MOU_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["validate", str(EXAMPLES[0])])
    assert result.exit_code == 1
    assert result.stderr == (
        "mou-build: internal error (RuntimeError: the loader broke). This is a bug in mou-builder; "
        "run again with MOU_DEBUG=1 to see the traceback and please report it.\n"
    )
    assert "Traceback" not in result.output

    monkeypatch.setenv("MOU_DEBUG", "1")
    result = CliRunner().invoke(main, ["validate", str(EXAMPLES[0])])
    assert isinstance(result.exception, RuntimeError) and str(result.exception) == "the loader broke"
    assert "internal error" not in result.stderr
