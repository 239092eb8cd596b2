"""Writing output files atomically.

A build either leaves a complete new file or leaves the folder as it was:
the bytes go to a temporary file in the same folder, are flushed to disk,
and replace the target in one rename.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from mou_builder.errors import OutputError


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; raises :class:`OutputError` naming the path."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write: the folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: cannot write: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write to {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
