"""Real clients (LibreOffice, the OOXML validator): skipped when absent, except in CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require(command: str, what: str) -> str:
    found = shutil.which(command)
    if found:
        return found
    message = f"{what} is not installed (no '{command}' on PATH); .ci/run installs it"
    if os.environ.get("MOU_REQUIRE_REAL_CLIENTS"):
        pytest.fail(message)
    pytest.skip(message)


def ooxml_errors(path: Path) -> list[dict]:
    """Schema errors the Open XML SDK validator finds in one file."""
    return ooxml_errors_many([path])[path]


def ooxml_errors_many(paths: list[Path]) -> dict[Path, list[dict]]:
    """Schema errors for several files, validated in one Node process."""
    validator = require("ooxml-validate", "the OOXML validator (npm @ooxml-tools/validate)")
    node = require("node", "Node.js")
    # ooxml-validate is a link to <package>/dist/npm/bin/ooxml-validate.js; the API sits beside it.
    index = Path(validator).resolve().parent.parent / "index.js"
    script = Path(__file__).with_name("ooxml_validate_many.mjs")
    result = subprocess.run([node, str(script), str(index), *map(str, paths)], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0 and result.stdout, f"validator failed: {result.stderr}"
    found = json.loads(result.stdout)
    return {p: found[str(p)] for p in paths}


def libreoffice_pdf(docx: Path) -> Path:
    require("soffice", "LibreOffice")
    from mou_builder.render.pdf import convert_to_pdf

    return convert_to_pdf(docx, docx.with_suffix(".pdf"))


def pdf_pages(pdf: Path) -> int:
    pdfinfo = require("pdfinfo", "poppler-utils")
    out = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path) -> str:
    pdftotext = require("pdftotext", "poppler-utils")
    return subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_words(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """Every word LibreOffice laid out: (page, xMin, xMax, yMin, text), in points, from ``pdftotext -bbox``."""
    pdftotext = require("pdftotext", "poppler-utils")
    out = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    from lxml import etree

    words = []
    for number, page in enumerate(etree.fromstring(out).iter("{*}page"), start=1):
        for word in page.iter("{*}word"):
            words.append((number, float(word.get("xMin")), float(word.get("xMax")), float(word.get("yMin")),
                          word.text or ""))
    return words


def libreoffice_round_trip(data: bytes, tmp_path: Path) -> bytes:
    """A .docx opened and saved again by LibreOffice (``soffice --convert-to docx``), as a reviewer's copy may be."""
    soffice = require("soffice", "LibreOffice")
    source = tmp_path / "draft.docx"
    source.write_bytes(data)
    out = tmp_path / "saved"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=300)
    return (out / "draft.docx").read_bytes()


#: A Basic macro that opens a .docx, accepts or rejects every tracked change (a LibreOffice command) and saves it.
_RESOLVE_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub Resolve(source As String, target As String, command As String)
    Dim args(0) As New com.sun.star.beans.PropertyValue
    args(0).Name = "Hidden"
    args(0).Value = True
    doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, args())
    dispatcher = createUnoService("com.sun.star.frame.DispatchHelper")
    dispatcher.executeDispatch(doc.getCurrentController().getFrame(), ".uno:" &amp; command, "", 0, Array())
    Dim out(0) As New com.sun.star.beans.PropertyValue
    out(0).Name = "FilterName"
    out(0).Value = "MS Word 2007 XML"
    doc.storeToURL(ConvertToURL(target), out())
    doc.close(True)
End Sub
</script:module>
"""


def libreoffice_resolved(docx: Path, *, accept: bool) -> bytes:
    """``docx`` as LibreOffice saves it after *Accept All* (or *Reject All*) of its tracked changes.

    The macro lives in a LibreOffice profile of its own (made once, in the
    system's temporary folder, by a first headless run), so no user profile
    is touched.
    """
    import tempfile

    soffice = require("soffice", "LibreOffice")
    profile = Path(tempfile.gettempdir()) / f"mou-builder-lo-resolve-{os.getuid()}"
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    run = {"stdin": subprocess.DEVNULL, "capture_output": True, "timeout": 180}
    if not module.exists() or "Sub Resolve" not in module.read_text():
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--terminate_after_init"],
                       **run)
        assert module.parent.is_dir(), f"LibreOffice made no profile at {profile}"
        module.write_text(_RESOLVE_MACRO)
    target = docx.with_name(f"{docx.stem}-{'accepted' if accept else 'rejected'}.docx")
    command = "AcceptAllTrackedChanges" if accept else "RejectAllTrackedChanges"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                    f'macro:///Standard.Module1.Resolve("{docx.resolve()}","{target.resolve()}","{command}")'], **run)
    assert target.exists(), f"LibreOffice did not save {target}"
    return target.read_bytes()
