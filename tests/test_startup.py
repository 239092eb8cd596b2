"""What a command loads, and the per-process caches that spare a second build the first one's work.

Start-up time itself is measured by benchmarks/run.py (docs/performance.md),
not here: these tests check the causes, which do not depend on the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mou_builder.errors import TemplateError
from mou_builder.render.word import build_docx
from mou_builder.resources import default_template_path

from conftest import EXAMPLES, ROOT

# Run mou-build in a fresh interpreter, then print the watched modules it loaded (one line, last).
_CHILD = """
import sys
from mou_builder.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
print(sorted(m for m in sys.argv[1].split(',') if m in sys.modules))
"""


def _loaded(args: list[str], watched: list[str], cwd: Path) -> list[str]:
    """The modules of ``watched`` that ``mou-build ARGS`` imports, run in its own process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-c", _CHILD, ",".join(watched), *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip(), result.stderr
    return eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 - the list the child printed


def test_a_single_build_starts_no_worker_machinery(tmp_path: Path) -> None:
    """One spec is built in the process itself: multiprocessing is for batches only."""
    spec = shutil.copy(EXAMPLES[0], tmp_path / "one.yaml")
    loaded = _loaded([str(spec), "-o", str(tmp_path / "one.docx")], ["multiprocessing", "docx"], tmp_path)
    assert (tmp_path / "one.docx").is_file()
    assert loaded == ["docx"]  # the build ran (it needed docx), without multiprocessing


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    assert _loaded(["--help"], ["docx", "docxtpl", "pydantic", "babel", "num2words", "multiprocessing"],
                   tmp_path) == []


def test_builds_in_one_process_are_identical() -> None:
    """The compiled template placeholders and the checked template are shared between builds, never their output."""
    first = [build_docx(spec) for spec in EXAMPLES]
    again = [build_docx(spec) for spec in reversed(EXAMPLES)]
    assert first == again[::-1]


def _stored_copy(target: Path, body: str) -> None:
    """The default template, uncompressed, with its ``{{ body }}`` placeholder written as ``body``."""
    with zipfile.ZipFile(default_template_path()) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ body }}", body.encode())
            copy.writestr(item, data, compress_type=zipfile.ZIP_STORED)


def test_a_template_rewritten_between_builds_is_checked_again(tmp_path: Path) -> None:
    """A template that passed once is trusted only while its bytes are the same."""
    template = tmp_path / "letterhead.docx"
    _stored_copy(template, "{{ body }}")
    build_docx(EXAMPLES[0], template=template)
    stat = template.stat()
    _stored_copy(template, "{{ bodx }}")  # same size and, below, the same time: only the bytes tell
    os.utime(template, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert template.stat().st_size == stat.st_size
    with pytest.raises(TemplateError, match="uses {{ bodx }}, which mou-builder does not provide"):
        build_docx(EXAMPLES[0], template=template)
