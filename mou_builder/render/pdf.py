"""Convert a .docx to PDF with LibreOffice, when it is installed.

LibreOffice runs in a session (process group) of its own, with a private
profile and temporary folder that are removed afterwards: on a timeout the
whole group is killed, so no ``soffice.bin`` lives on to write the agreement
somewhere nobody cleans up. LibreOffice exits 0 even when it could not load
a file, so success is judged by the PDF itself: a PDF header, an end-of-file
marker and at least one page.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from mou_builder.errors import OutputError
from mou_builder.output import check_output, write_atomic

LIBREOFFICE_HINT = "install LibreOffice (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"

#: Seconds a conversion may take before LibreOffice is stopped (``--pdf-timeout``).
DEFAULT_TIMEOUT = 180.0


def find_soffice() -> str | None:
    """The LibreOffice command, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_page_count(data: bytes) -> int:
    """Pages in a PDF; 0 when ``data`` is not a complete PDF.

    A complete PDF starts with ``%PDF-`` and ends with ``%%EOF`` (a file cut
    short by a crash does not). Pages are counted by ``pdfinfo`` when it is
    installed, else read from the page tree's ``/Count`` (no PDF library needed).
    """
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return 0
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        result = subprocess.run([pdfinfo, "-"], input=data, capture_output=True, timeout=60, check=False)
        found = re.search(rb"^Pages:\s+(\d+)", result.stdout, re.MULTILINE)
        return int(found.group(1)) if result.returncode == 0 and found else 0
    # The root of the page tree has the largest /Count: the number of pages.
    counts = re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)
    return max((int(a or b) for a, b in counts), default=0)


def convert_to_pdf(
    docx: str | Path, pdf: str | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Convert ``docx`` to ``pdf`` (default: same name, .pdf); returns the PDF's path.

    ``inputs`` are further files the PDF must not overwrite (the .docx itself
    is always one). Raises :class:`OutputError` when LibreOffice is missing,
    takes longer than ``timeout`` seconds or produces no valid PDF.
    """
    docx = Path(docx)
    target = Path(pdf) if pdf else docx.with_suffix(".pdf")
    inputs = [docx, *inputs]
    check_output(target, inputs)  # before a minute of LibreOffice, not only at the write
    soffice = find_soffice()
    if soffice is None:
        raise OutputError(f"{target}: not written: --pdf needs LibreOffice, which is not installed; {LIBREOFFICE_HINT}. "
                          f"The .docx {docx} was written.")
    # mkdtemp: a folder only this user can read, for the profile, LibreOffice's own
    # temporary files and the PDF, removed whatever happens.
    work = Path(tempfile.mkdtemp(prefix="mou-pdf-"))
    try:
        data = _run_libreoffice(soffice, docx, work, timeout, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if pdf_page_count(data) == 0:
        raise OutputError(f"{target}: LibreOffice could not convert {docx} (it produced no valid PDF with pages)")
    write_atomic(target, data, inputs=inputs)
    return target


def _run_libreoffice(soffice: str, docx: Path, work: Path, timeout: float, target: Path) -> bytes:
    """Run one conversion in ``work``; the PDF's bytes (empty when none was produced)."""
    private_tmp = work / "tmp"
    private_tmp.mkdir()
    # A private profile, so that parallel conversions do not share a lock and
    # nothing of the user's own LibreOffice settings changes the output.
    profile = (work / "profile").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(work), str(docx.resolve())]
    env = {**os.environ, "TMPDIR": str(private_tmp), "TMP": str(private_tmp), "TEMP": str(private_tmp)}
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OutputError(f"{target}: not written: LibreOffice did not finish converting {docx} within "
                          f"{timeout:g} s (--pdf-timeout)") from None
    finally:
        # soffice starts soffice.bin, which may outlive it: end the whole group.
        _kill_group(process.pid)
        process.wait()
    produced = work / (docx.stem + ".pdf")
    return produced.read_bytes() if produced.is_file() else b""


def _kill_group(pgid: int) -> None:
    """Kill every process left in the group.

    While any member lives, the system does not hand the group's id to
    another process, so this reaches only LibreOffice's processes.
    """
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group has already ended
