"""Shared fixtures and paths for the test suite, the Hypothesis profiles, and the CI rule on skips."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
VALID = sorted((DATA / "valid").glob("*.yaml"))
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.suffix in (".yaml", ".json"))
# tools/ holds what tests and the docs' tools share (tools/reviewer_edits.py: a draft edited as a reviewer does)
if str(ROOT / "tools") not in sys.path:
    sys.path.append(str(ROOT / "tools"))

# The command's quick exit (mou_builder.cli.run ends with os._exit) must never end the test run
# itself: a test that runs the command in this process would stop pytest on the spot, with exit
# status 0 and no summary, and CI would pass with the rest of the suite unrun. In this process
# os._exit raises SystemExit instead (a test sees the status); forked children exit for real.
_REAL_EXIT = os._exit
_PYTEST_PID = os.getpid()


def _exit_but_not_the_test_run(code: int) -> None:
    if os.getpid() == _PYTEST_PID:
        raise SystemExit(code)
    _REAL_EXIT(code)


os._exit = _exit_but_not_the_test_run  # type: ignore[assignment]

# The quick exit first runs the exit handlers itself (atexit._run_exitfuncs). In this process those
# are pytest's and coverage's: run by a test, they stopped coverage measuring for the rest of the
# suite (the fast suite's TOTAL read 75%, review/edits.py 24%). They run at pytest's own exit instead.
_REAL_EXITFUNCS = atexit._run_exitfuncs


def _exitfuncs_but_not_the_test_runs() -> None:
    if os.getpid() != _PYTEST_PID:
        _REAL_EXITFUNCS()


atexit._run_exitfuncs = _exitfuncs_but_not_the_test_runs  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    """The command turns the garbage collector off while it starts (mou_builder.cli.run): in this
    process, a test that runs it would leave the rest of the suite without one."""
    yield
    cli = sys.modules.get("mou_builder.cli")
    if cli is not None:
        cli._collection_deferred = False
    gc.unfreeze()
    gc.enable()


# Hypothesis profiles, for every test file (none registers its own):
# - "ci": fixed examples (derandomized, no example database), so that a CI run is reproducible
#   and a failure is the same failure on the next run; chosen when CI=true (.ci/run sets it).
# - "dev": the default on a workstation: random examples, a new search each run.
# - "long": a longer search by hand: HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py
# A test's own @settings(max_examples=...) still wins over the profile's number of examples.
# Each starts from Hypothesis' own defaults (this file may be imported twice, after a profile is loaded).
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
_BASE = settings.get_profile("default")
settings.register_profile("ci", _BASE, max_examples=20, deadline=None, derandomize=True, database=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
settings.register_profile("dev", _BASE, max_examples=20, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", _BASE, max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))


def hypothesis_profile(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The profile to load: HYPOTHESIS_PROFILE when set, else "ci" under CI=true, else "dev"."""
    if environ.get("HYPOTHESIS_PROFILE"):
        return environ["HYPOTHESIS_PROFILE"]
    return "ci" if environ.get("CI", "").lower() in ("true", "1") else "dev"


settings.load_profile(hypothesis_profile())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # noqa: ANN201 - a hook wrapper
    """Under MOU_REQUIRE_REAL_CLIENTS=1 (CI), a test skipped because a tool "is not installed" fails.

    CI installs every tool the tests use; a silent skip there would hide a test that never ran.
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("MOU_REQUIRE_REAL_CLIENTS") and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        if "is not installed" in reason:
            report.outcome = "failed"
            report.longrepr = f"MOU_REQUIRE_REAL_CLIENTS is set, so this may not skip: {reason}"


@pytest.fixture
def example_path() -> Path:
    return ROOT / "docs" / "examples" / "city-data-grant.yaml"
