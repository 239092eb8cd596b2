"""Convert a .docx to PDF with LibreOffice, when it is installed.

LibreOffice exits 0 even when it could not load a file, so success is
judged by the PDF itself: it must exist and have pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from mou_builder.errors import OutputError
from mou_builder.output import write_atomic

LIBREOFFICE_HINT = "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"


def find_soffice() -> str | None:
    """The LibreOffice command, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_page_count(data: bytes) -> int:
    """Pages in a PDF, counted from its page objects (no PDF library needed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def convert_to_pdf(docx: str | Path, pdf: str | Path | None = None, *, timeout: float = 180) -> Path:
    """Convert ``docx`` to ``pdf`` (default: same name, .pdf); returns the PDF's path."""
    docx = Path(docx)
    target = Path(pdf) if pdf else docx.with_suffix(".pdf")
    soffice = find_soffice()
    if soffice is None:
        raise OutputError(f"{target}: not written: --pdf needs LibreOffice, which is not installed; {LIBREOFFICE_HINT}. "
                          f"The .docx {docx} was written.")
    with tempfile.TemporaryDirectory(prefix="mou-pdf-") as tmp:
        # A private profile folder, so parallel conversions do not share a lock.
        profile = Path(tmp, "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", tmp, str(docx.resolve())]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise OutputError(f"{target}: LibreOffice did not finish converting {docx} within {timeout:.0f} s") from None
        produced = Path(tmp, docx.stem + ".pdf")
        data = produced.read_bytes() if produced.is_file() else b""
    if pdf_page_count(data) == 0:
        raise OutputError(f"{target}: LibreOffice could not convert {docx} (no PDF pages were produced)")
    write_atomic(target, data)
    return target
