"""The suite's own rules: the Hypothesis profile CI uses, and no silent skips in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from conftest import ROOT, hypothesis_profile


@pytest.mark.parametrize(
    ("environ", "profile"),
    [
        ({}, "dev"),
        ({"CI": "true"}, "ci"),
        ({"CI": "1"}, "ci"),
        ({"CI": "false"}, "dev"),
        ({"CI": "true", "HYPOTHESIS_PROFILE": "long"}, "long"),
        ({"HYPOTHESIS_PROFILE": "long"}, "long"),
    ],
)
def test_ci_true_selects_the_fixed_profile(environ: dict[str, str], profile: str) -> None:
    assert hypothesis_profile(environ) == profile


def test_the_ci_profile_is_derandomized_and_fixed() -> None:
    ci = settings.get_profile("ci")
    assert (ci.derandomize, ci.max_examples, ci.database, ci.deadline) == (True, 20, None, None)
    assert settings.get_profile("dev").derandomize is False
    assert settings.get_profile("long").max_examples == 500


def test_ci_script_sets_ci_true() -> None:
    assert "\nexport CI=true\n" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize(("require", "outcome"), [("1", "1 failed, 1 skipped"), ("", "2 skipped")])
def test_a_missing_tool_fails_under_mou_require_real_clients(tmp_path: Path, require: str, outcome: str) -> None:
    (tmp_path / "test_tool.py").write_text(
        "import pytest\n\ndef test_needs_git():\n    pytest.skip('git is not installed')\n\n"
        "def test_skips_for_another_reason():\n    pytest.skip('needs Windows')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests"), "MOU_REQUIRE_REAL_CLIENTS": require}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{outcome} in "), result.stdout  # a skip for another reason still skips
    if require:
        assert "MOU_REQUIRE_REAL_CLIENTS is set, so this may not skip: git is not installed" in result.stdout
