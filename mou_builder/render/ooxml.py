"""WordprocessingML names and element makers, shared by the Word writer and the .docx reader.

Plain lxml: importing this module loads neither python-docx nor docxtpl.
"""

from __future__ import annotations

import re

from functools import lru_cache

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


@lru_cache(maxsize=None)
def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag or attribute."""
    return f"{{{W_NS}}}{tag}"


# Elements are made in a document that already declares the w: prefix: far
# cheaper than giving each element its own namespace map (a large table has
# a hundred thousand elements), and lxml reuses the declaration on insertion.
_make = etree.Element(w("document"), nsmap={"w": W_NS}).makeelement


def el(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element) -> etree._Element:
    """A ``w:`` element with ``w:`` attributes and children."""
    element = _make(w(tag), {w(k): v for k, v in attrs.items()} if attrs else None)
    if children:
        element.extend(children)
    return element


# What XML 1.0 cannot hold. Spec text is refused before it gets here; what is not spec text (a file
# name on a redline's cover page) is shown with such characters written as visible escapes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` as XML can hold it: characters XML cannot carry written as visible escapes (``\\x0b``)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def text_el(tag: str, text: str) -> etree._Element:
    """A ``w:t``-like element whose spaces Word keeps."""
    element = el(tag)
    element.text = xml_text(text)
    element.set(f"{{{XML_NS}}}space", "preserve")
    return element
