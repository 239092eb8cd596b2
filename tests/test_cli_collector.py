"""``mou-build`` starts with the garbage collector off and turns it on, start-up frozen, for loops (cli.run).

Each command runs in a fresh process, as a user runs it, with a callback that
notes every collection: its generation and how many objects were frozen out
of collection at that moment.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from mou_builder.cli import main

# Runs the command as the console script does (import mou_builder.cli, call run), noting each collection
# from then on; the notes are written by an exit handler, which the quick exit runs before it ends.
_WATCHED = """
import atexit, gc, json, sys
notes, sys.argv = sys.argv[1], ["mou-build", *sys.argv[2:]]
from mou_builder.cli import run
events = []
gc.callbacks.append(lambda phase, info: phase == "start" and events.append(
    {"generation": info["generation"], "frozen": gc.get_freeze_count()}))
atexit.register(lambda: open(notes, "w").write(json.dumps(events)))
run()
"""


def _collections(tmp_path: Path, *args: object) -> list[dict[str, Any]]:
    notes = tmp_path / "collections.json"
    done = subprocess.run([sys.executable, "-c", _WATCHED, str(notes), *map(str, args)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr  # 1: an example may be incomplete
    assert "Traceback" not in done.stderr
    return json.loads(notes.read_text())


def test_a_single_build_runs_no_collection(tmp_path: Path) -> None:
    # Left on, the collector ran about 140 times in this build (about 50 ms), freeing almost nothing.
    assert _collections(tmp_path, EXAMPLES[0], "-o", tmp_path / "out.docx") == []
    assert (tmp_path / "out.docx").stat().st_size > 0


def test_a_batch_collects_once_started_and_never_goes_over_start_up_again(tmp_path: Path) -> None:
    specs = [shutil.copy(EXAMPLES[0], tmp_path / f"spec-{n}.yaml") for n in range(6)]
    events = _collections(tmp_path, "build", *specs, "-o", tmp_path / "out", "--jobs", "1", "-q")
    assert len(list((tmp_path / "out").glob("*.docx"))) == 6
    # A loop over many specs must free each build's cycles (lxml trees), or memory grows with the batch.
    assert events, "a batch of six builds ran no collection: its memory would grow with every spec"
    # Every collection came after start-up, whose objects (imports, the model's classes) were frozen first.
    assert min(event["frozen"] for event in events) > 10_000


def test_validating_several_specs_collects_after_the_first(tmp_path: Path) -> None:
    specs = [shutil.copy(EXAMPLES[n % len(EXAMPLES)], tmp_path / f"spec-{n}.yaml") for n in range(12)]
    events = _collections(tmp_path, "validate", *specs, "-q")
    assert events and min(event["frozen"] for event in events) > 10_000


def test_main_called_by_another_program_leaves_its_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    batch = CliRunner().invoke(main, ["build", *map(str, EXAMPLES[:2]), "-o", str(tmp_path), "--jobs", "1", "-q"])
    validated = CliRunner().invoke(main, ["validate", *map(str, EXAMPLES[:2])])
    assert batch.exit_code in (0, 1) and validated.exit_code == 0, batch.output + validated.output
    assert len(list(tmp_path.glob("*.docx"))) == 2
    assert gc.isenabled() and gc.get_freeze_count() == frozen
