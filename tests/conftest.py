"""Shared fixtures and paths for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
VALID = sorted((DATA / "valid").glob("*.yaml"))
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.suffix in (".yaml", ".json"))


@pytest.fixture
def example_path() -> Path:
    return ROOT / "docs" / "examples" / "city-data-grant.yaml"
