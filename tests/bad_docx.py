"""Hostile and malformed .docx files, made from a small real one by replacing or adding parts.

The catalogue's small fixtures (tests/data/bad-docx/) are written by
``python tests/bad_docx.py``; zip bombs are made by the tests themselves.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_DATE = (1980, 1, 1, 0, 0, 0)


def base(text: str = "Either party may end this agreement with 30 days' notice.") -> bytes:
    """A small real .docx file (python-docx's default template, one paragraph)."""
    d = docx.Document()
    d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def with_parts(data: bytes, parts: dict[str, bytes], compresslevel: int = 9) -> bytes:
    """``data`` with ``parts`` replaced or added (deflated), every entry dated alike so the bytes are stable."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target:
        names = [i.filename for i in source.infolist()] + [n for n in parts if n not in source.namelist()]
        for name in names:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, parts[name] if name in parts else source.read(name))
    return out.getvalue()


def document_xml(body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {W}><w:body>{body}</w:body></w:document>'.encode()


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def fixtures() -> dict[str, bytes]:
    """The catalogue's fixtures, by file name."""
    data = base()
    content_types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    return {
        "macros.docx": with_parts(data, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really a VBA project"}),
        "macro-enabled.docx": with_parts(data, {"[Content_Types].xml": content_types.replace(
            b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            b"application/vnd.ms-word.document.macroEnabled.main+xml")}),
        "nested-insertions.docx": with_parts(data, {"word/document.xml": document_xml(
            '<w:ins w:id="1" w:author="a">' * 1000 + paragraph("deep") + "</w:ins>" * 1000)}),
        "nested-content-controls.docx": with_parts(data, {"word/document.xml": document_xml(
            "<w:sdt><w:sdtContent>" * 1000 + paragraph("deep") + "</w:sdtContent></w:sdt>" * 1000)}),
        "not-wordprocessingml.docx": with_parts(data, {"word/document.xml": b'<?xml version="1.0"?><html><body/></html>'}),
        "no-body.docx": with_parts(data, {"word/document.xml": f"<w:document {W}/>".encode()}),
    }


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "data" / "bad-docx")
    folder.mkdir(exist_ok=True)
    for name, blob in fixtures().items():
        (folder / name).write_bytes(blob)
        print(f"wrote {folder / name} ({len(blob):,} bytes)")
