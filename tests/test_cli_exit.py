"""``mou-build`` ends with a quick exit (mou_builder.cli.run): nothing a normal exit gives may be lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import DATA, EXAMPLES, ROOT
from mou_builder.cli import _exit_status, main


def _command(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mou_builder", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)


@pytest.mark.parametrize("args", [
    ("reference",),  # a long text on standard output, through a pipe
    ("validate", DATA / "invalid" / "invalid-date.yaml"),  # a refusal: exit 1, the message on standard error
    ("--no-such-option",),  # wrong usage: exit 2
    ("check", EXAMPLES[0]),
])
def test_the_command_prints_and_exits_as_main_does(args: tuple[object, ...]) -> None:
    done = _command(*args)
    expected = CliRunner().invoke(main, [str(a) for a in args])
    assert done.returncode == expected.exit_code
    assert done.stdout == expected.stdout
    assert done.stderr.replace("python -m mou_builder", "main") == expected.stderr.replace("mou-build", "main")


def test_a_written_file_is_complete_when_the_command_has_ended(tmp_path: Path) -> None:
    out = tmp_path / "a.md"
    done = _command(EXAMPLES[0], "-o", out)
    assert done.returncode == 0, done.stderr
    expected = CliRunner().invoke(main, ["show", str(EXAMPLES[0])]).stdout
    assert out.read_text(encoding="utf-8").strip() == expected.strip()


def test_the_exit_status_is_the_one_sys_exit_gives() -> None:
    assert [_exit_status(code) for code in (None, 0, 1, 2)] == [0, 0, 1, 2]
    assert _exit_status("a message") == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [("reference",), ("schema",), ("show", EXAMPLES[0])])
def test_output_to_a_full_disk_is_reported_not_called_a_bug(args: tuple[object, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "mou_builder", *map(str, args)], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr == "mou-build: could not write the output (No space left on device)\n"


def test_the_quick_exit_raises_in_the_test_process_instead_of_ending_the_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """conftest.py turns os._exit into SystemExit here, so a command run in process cannot end pytest."""
    from mou_builder.cli import run

    monkeypatch.setattr(sys, "argv", ["mou-build", "--version"])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("mou-build ")
