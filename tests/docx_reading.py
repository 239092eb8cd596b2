"""Reading a .docx back, independently of the code that writes it."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from docx2python import docx2python
from lxml import etree

from mou_builder.render.text import SIGNATURE_LINE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# docx2python writes its own list markers ("1)\t", "--\t", "\t1)\t"): not part of the text.
_MARKER = re.compile(r"^\t*(?:\d+\)|[a-z]+\)|--)\t")


def _flat(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    else:
        for item in value:  # type: ignore[attr-defined]
            yield from _flat(item)


def word_paragraphs(data: bytes) -> list[str]:
    """The body's paragraphs as docx2python reads them, list markers removed, empty ones dropped."""
    with docx2python(io.BytesIO(data)) as result:
        paragraphs = [_MARKER.sub("", p) for p in _flat(result.body)]
    return [p for p in paragraphs if p]


def as_word_shows(paragraphs: list[str]) -> list[str]:
    """The text rendering's non-empty paragraphs as a .docx shows them.

    A line to sign on is typed (``Signature: ____``) in Markdown and plain
    text; the Word file draws it as a border under the label, so its text is
    the label alone.
    """
    return [p.replace(" " + SIGNATURE_LINE, "") for p in paragraphs if p]


def header_text(data: bytes) -> str:
    with docx2python(io.BytesIO(data)) as result:
        return "\n".join(_flat(result.header))


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))
