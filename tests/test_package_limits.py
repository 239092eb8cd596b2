""".docx packages read with limits: zip bombs, oversized parts, macros, and reading exactly once.

The bombs are made here, small on disk (deflated zeros). Each case runs the
command, and checks the exact message (file and part named), exit 1, no
output written and the inputs unchanged.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import mou_builder.review.word_input as word_input
from bad_docx import base, document_xml, fixtures, paragraph, with_parts
from conftest import DATA, ROOT
from mou_builder.cli import main
from mou_builder.errors import DraftError
from mou_builder.review.word_input import MB, WordDraft, read_docx

SPEC = ROOT / "docs" / "examples" / "city-data-grant.yaml"
DEFAULT_TEMPLATE = (ROOT / "templates" / "default.docx").read_bytes()


def _refused(tmp_path: Path, args: list[str], message: str) -> None:
    """The command exits 1 with exactly ``message`` ({tmp} for the folder), writes nothing, changes no input."""
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.stderr == message.replace("{tmp}", str(tmp_path)) + "\n"
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_template_whose_document_inflates_past_the_limit_is_refused(tmp_path: Path) -> None:
    bomb = with_parts(DEFAULT_TEMPLATE, {"word/document.xml": b"\0" * (17 * MB)})
    template = _write(tmp_path, "bomb.docx", bomb)
    assert len(bomb) < 100_000  # small on disk
    _refused(tmp_path, [str(SPEC), "-o", str(tmp_path / "out.docx"), "--template", template],
             "{tmp}/bomb.docx: word/document.xml is 17 MB uncompressed, more than the 16 MB allowed for an XML part")


def test_a_huge_picture_in_the_new_draft_of_a_redline_is_refused(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.docx", base())
    new = _write(tmp_path, "new.docx", with_parts(base(), {"word/media/scan.png": b"\0" * (33 * MB)}))
    _refused(tmp_path, ["diff", old, new, "-o", str(tmp_path / "redline.docx")],
             "{tmp}/new.docx: word/media/scan.png is 33 MB uncompressed, more than the 32 MB allowed for a picture "
             "or other part")


def test_a_part_that_inflates_too_many_times_is_refused(tmp_path: Path) -> None:
    draft = with_parts(base(), {"customXml/item9.xml": b"<a>" + b" " * (4 * MB) + b"</a>"})
    ratio = [i for i in zipfile.ZipFile(io.BytesIO(draft)).infolist() if i.filename == "customXml/item9.xml"][0]
    times = ratio.file_size // ratio.compress_size
    old = _write(tmp_path, "old.docx", draft)
    _refused(tmp_path, ["show", old],
             f"{{tmp}}/old.docx: customXml/item9.xml inflates {times:,} times (more than 200 times): "
             "not an ordinary Word part")


def test_all_xml_parts_together_are_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_input, "MAX_XML_BYTES", 2 * MB)  # the base file holds 800 KB of XML
    text = b"".join(b"<p>%d</p>" % k for k in range(60_000))  # about 660 KB, compresses about 5:1
    draft = with_parts(base(), {"customXml/item8.xml": text, "customXml/item9.xml": text})
    old = _write(tmp_path, "old.docx", draft)
    new = _write(tmp_path, "new.docx", base())
    _refused(tmp_path, ["diff", old, new],
             "{tmp}/old.docx: its XML parts inflate to more than 2 MB together (at customXml/item9.xml)")


def test_a_part_is_measured_as_it_inflates_not_by_its_header() -> None:
    draft = with_parts(base(), {"word/media/big.bin": b"\0" * (3 * MB)})
    archive = zipfile.ZipFile(io.BytesIO(draft))
    info = archive.getinfo("word/media/big.bin")
    with pytest.raises(DraftError, match=r"^x.docx: word/media/big.bin inflates to more than the 1 MB allowed"):
        word_input._inflated_size(archive, info, "x.docx", MB, "a picture or other part", DraftError)


def test_a_part_whose_header_understates_its_size_is_refused(tmp_path: Path) -> None:
    draft = bytearray(with_parts(base(), {"word/media/big.bin": b"\0" * (3 * MB)}))
    # Declare 1,000 bytes uncompressed in the local header and the central directory.
    info = zipfile.ZipFile(io.BytesIO(bytes(draft))).getinfo("word/media/big.bin")
    struct.pack_into("<I", draft, info.header_offset + 22, 1000)
    central = bytes(draft).rindex(b"word/media/big.bin") - 46  # the name's last place: its central directory entry
    assert draft[central:central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", draft, central + 24, 1000)
    old = _write(tmp_path, "old.docx", bytes(draft))
    _refused(tmp_path, ["show", old],
             "{tmp}/old.docx: word/media/big.bin cannot be read (Bad CRC-32 for file 'word/media/big.bin')")


def test_too_many_parts_are_refused(tmp_path: Path) -> None:
    draft = with_parts(base(), {f"customXml/item{k}.xml": b"<a/>" for k in range(2001)}, compresslevel=1)
    old = _write(tmp_path, "old.docx", draft)
    parts = len(zipfile.ZipFile(io.BytesIO(draft)).infolist())
    _refused(tmp_path, ["show", old], f"{{tmp}}/old.docx: the package has {parts:,} parts, more than the 2,000 a "
                                      "Word file may have")


def test_a_file_larger_than_the_limit_is_not_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_input, "MAX_FILE_BYTES", 10_000)
    old = _write(tmp_path, "old.docx", base())
    _refused(tmp_path, ["show", old], "{tmp}/old.docx: larger than 0 MB, more than a Word agreement needs")


@pytest.mark.parametrize("name", sorted(fixtures()))
def test_the_catalogue_fixtures_are_up_to_date(name: str) -> None:
    assert (DATA / "bad-docx" / name).read_bytes() == fixtures()[name], "run: python tests/bad_docx.py"


def test_macros_are_never_carried_into_a_redline(tmp_path: Path) -> None:
    old = _write(tmp_path, "old.docx", base())
    new = str(DATA / "bad-docx" / "macros.docx")
    _refused(tmp_path, ["diff", old, new, "-o", str(tmp_path / "redline.docx")],
             f"{new}: word/vbaProject.bin holds macros; mou-builder does not read macro-enabled Word files "
             "(save it as a Word Document, .docx, without macros)")


# ---------------------------------------------------------------- reading exactly


TEXT_BOX = (
    '<w:p xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:t>Before </w:t></w:r><w:r><mc:AlternateContent>'
    '<mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent><w:p><w:r><w:t>TEXTBOX</w:t></w:r></w:p>'
    "</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
    '<mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>TEXTBOX</w:t></w:r></w:p></w:txbxContent>'
    "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t> after.</w:t></w:r></w:p>"
)


def test_a_text_box_stored_twice_is_read_once(tmp_path: Path) -> None:
    draft = _write(tmp_path, "box.docx", with_parts(base(), {"word/document.xml": document_xml(TEXT_BOX)}))
    result = CliRunner().invoke(main, ["show", draft])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Before TEXTBOX after.\n\n"


def test_clauses_past_999_keep_their_order() -> None:
    properties = {"mou.generator": "mou-builder"}
    properties.update({f"mou.clause.{k:03d}": f"c{k}@1.0.0 hash" for k in range(1, 1201)})
    draft = WordDraft("x.docx", b"", [], None, None, properties, None)
    assert [clause_id for clause_id, _ in draft.manifest] == [f"c{k}" for k in range(1, 1201)]


def test_a_nested_draft_just_under_the_limit_is_compared() -> None:
    deep = with_parts(base(), {"word/document.xml": document_xml(
        '<w:ins w:id="1" w:author="a">' * 250 + paragraph("deep") + "</w:ins>" * 250)})
    assert [e.tag.rpartition("}")[2] for e in read_docx(deep, "deep.docx").body] == ["ins"]


def test_a_draft_of_more_paragraphs_than_an_agreement_has_is_refused(tmp_path: Path) -> None:
    flood = _write(tmp_path, "flood.docx", with_parts(base(), {"word/document.xml": document_xml("<w:p/>" * 20_001)}))
    _refused(tmp_path, ["diff", flood, flood, "-o", str(tmp_path / "redline.docx")],
             "{tmp}/flood.docx: word/document.xml holds more than 20,000 paragraphs, more than a Word agreement has")


def test_a_template_of_more_elements_than_an_agreement_has_is_refused(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_input, "MAX_ELEMENTS", 1000)
    template = _write(tmp_path, "runs.docx", with_parts(DEFAULT_TEMPLATE, {"word/document.xml": document_xml(
        "<w:p>" + "<w:r/>" * 1000 + "</w:p>")}))
    _refused(tmp_path, [str(SPEC), "-o", str(tmp_path / "out.docx"), "--template", template],
             "{tmp}/runs.docx: word/document.xml holds more than 1,000 elements, more than a Word agreement has")
