"""PDF conversion: LibreOffice in its own process group and private folders, the PDF itself checked.

A fake ``soffice`` (a shell script first on PATH) stands in for LibreOffice
where the test is about how mou-builder runs it, so these run everywhere;
the real conversion is tested in test_cli_build.py and test_real_clients.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from mou_builder.render import pdf
from mou_builder.cli import main
from mou_builder.errors import OutputError


def _minimal_pdf(pages: int) -> bytes:
    """A small but complete PDF (header, objects, cross-reference table, trailer, %%EOF)."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode()]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture(params=[True, False], ids=["pdfinfo", "no-pdfinfo"])
def page_counter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Count pages with pdfinfo, and again without it (the fallback that reads the page tree)."""
    if request.param and not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    if not request.param:
        monkeypatch.setattr(pdf.shutil, "which", lambda name: None)


@pytest.mark.usefixtures("page_counter")
def test_page_count_of_a_complete_pdf() -> None:
    assert pdf.pdf_page_count(_minimal_pdf(3)) == 3
    assert pdf.pdf_page_count(_minimal_pdf(1)) == 1


@pytest.mark.usefixtures("page_counter")
def test_an_incomplete_or_false_pdf_has_no_pages() -> None:
    whole = _minimal_pdf(2)
    assert pdf.pdf_page_count(whole[: len(whole) // 2]) == 0  # cut short: no trailer, no %%EOF
    assert pdf.pdf_page_count(b"not a pdf /Type /Page /Type /Page\n%%EOF\n") == 0  # the old test passed this
    assert pdf.pdf_page_count(whole.replace(b"%PDF-1.4", b"%XYZ-1.4")) == 0


# ---------------------------------------------------------------- how LibreOffice is run


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``soffice`` on PATH whose behaviour the test writes; it logs its arguments, temp folder and pid."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    # Private folders must come from here, where the test can see what is left behind.
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return bin_dir / "soffice"


def _script(path: Path, body: str) -> None:
    log = path.parent / "log"
    path.write_text(f'#!/bin/sh\necho "$@" > {log}/args\necho "$TMPDIR" > {log}/tmpdir\n{body}\n')
    path.chmod(0o755)
    (path.parent / "log").mkdir(exist_ok=True)


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped by its new parent, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_timeout_kills_the_whole_group_and_removes_the_private_folders(fake_soffice: Path, tmp_path: Path) -> None:
    # Like soffice, which starts soffice.bin: a child that outlives the command it was started by.
    log = fake_soffice.parent / "log"
    _script(fake_soffice, f"sleep 300 &\necho $! > {log}/child\nsleep 300")
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK not really")
    started = time.monotonic()
    with pytest.raises(OutputError, match=r"a\.pdf: not written: LibreOffice did not finish converting .*a\.docx "
                                          r"within 1\.5 s \(--pdf-timeout\)$"):
        pdf.convert_to_pdf(docx, timeout=1.5)
    assert time.monotonic() - started < 30
    child = int((log / "child").read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "a process LibreOffice started outlived the timeout"
    # Its own profile and temporary folder, both inside one private folder that is gone.
    args = (log / "args").read_text()
    profile = args.split("-env:UserInstallation=file://", 1)[1].split()[0]
    private_tmp = Path((log / "tmpdir").read_text().strip())
    assert Path(profile).parent == private_tmp.parent
    assert private_tmp.parent.parent == tmp_path / "tmp"
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "a.pdf").exists()


def test_a_false_pdf_is_refused(fake_soffice: Path, tmp_path: Path) -> None:
    # The words the old check looked for, in a file that is not a PDF.
    _script(fake_soffice, 'out=$(echo "$@" | sed "s/.*--outdir \\([^ ]*\\) .*/\\1/")\n'
                          'printf "<< /Type /Page >> /Type /Page" > "$out/a.pdf"')
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK not really")
    (tmp_path / "a.pdf").write_bytes(b"%PDF- an older good PDF\n%%EOF\n")
    with pytest.raises(OutputError, match=r"a\.pdf: LibreOffice could not convert .*a\.docx \(it produced no valid PDF"):
        pdf.convert_to_pdf(docx)
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF- an older good PDF\n%%EOF\n"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_good_pdf_is_written(fake_soffice: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.pdf"
    good.write_bytes(_minimal_pdf(2))
    _script(fake_soffice, f'out=$(echo "$@" | sed "s/.*--outdir \\([^ ]*\\) .*/\\1/")\ncp {good} "$out/a.pdf"')
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK not really")
    assert pdf.convert_to_pdf(docx, tmp_path / "out.pdf") == tmp_path / "out.pdf"
    assert (tmp_path / "out.pdf").read_bytes() == good.read_bytes()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_batch_with_a_failed_pdf_reports_the_docx_written_and_the_pdf_failed(
    fake_soffice: Path, tmp_path: Path
) -> None:
    _script(fake_soffice, "exit 0")  # LibreOffice's way of failing: exit 0, no PDF
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", *map(str, EXAMPLES[:2]), "-o", str(out), "--pdf", "--jobs", "1"])
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.stem}.docx" for p in EXAMPLES[:2])
    for example in EXAMPLES[:2]:
        assert (f"{out / example.stem}.pdf: LibreOffice could not convert {out / example.stem}.docx "
                "(it produced no valid PDF with pages)") in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == (
        f"2 specs: 2 written to {out} (2 complete, 0 incomplete), 0 not written (--strict), 0 failed; "
        "PDF: 0 written, 2 failed"
    )


def test_the_command_line_default_time_limit_is_the_library_default() -> None:
    # Written out in cli.py, which does not import mou_builder.render.pdf until a build runs.
    timeout = next(p for p in main.commands["build"].params if p.name == "pdf_timeout")
    assert timeout.default == pdf.DEFAULT_TIMEOUT


def test_single_build_with_a_failed_pdf_keeps_the_docx(fake_soffice: Path, tmp_path: Path) -> None:
    _script(fake_soffice, "sleep 300")
    out = tmp_path / "a.docx"
    result = CliRunner().invoke(main, [str(EXAMPLES[0]), "-o", str(out), "--pdf", "--pdf-timeout", "0.5"])
    assert result.exit_code == 1
    assert result.stdout == f"wrote {out}\n"
    assert result.stderr == (f"{tmp_path / 'a.pdf'}: not written: LibreOffice did not finish converting {out} "
                             "within 0.5 s (--pdf-timeout)\n")
    assert out.read_bytes()[:2] == b"PK" and not (tmp_path / "a.pdf").exists()
