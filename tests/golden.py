"""Golden files: compare with a committed file; MOU_UPDATE_GOLDEN=1 rewrites them.

Only the exact value ``1`` rewrites: any other non-empty value (``0``,
``false``, ``yes``) is a mistake that would silently skip the comparison,
so it fails loudly instead.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def updating_goldens() -> bool:
    """Whether this run rewrites the golden files (MOU_UPDATE_GOLDEN=1); raises on any other set value."""
    value = os.environ.get("MOU_UPDATE_GOLDEN", "")
    if value not in ("", "1"):
        raise AssertionError(f"MOU_UPDATE_GOLDEN={value!r}: set it to 1 to rewrite the golden files, "
                             "or unset it to compare with them")
    return value == "1"


def assert_golden(name: str, actual: str) -> None:
    """Compare ``actual`` with tests/golden/NAME (or rewrite it under MOU_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    if updating_goldens():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), str(path), "actual"))
        raise AssertionError(f"{name} differs from its golden file (MOU_UPDATE_GOLDEN=1 to accept):\n{diff}")
