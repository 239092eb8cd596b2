"""write_atomic and check_output: the real thing, each test failing if the behaviour broke.

A write that fails half-way or is interrupted leaves the old file byte for
byte and no temporary file; the new file replaces the old by a rename; new
files honour the umask, existing files keep their mode; an output is never
an input nor a device.
"""

from __future__ import annotations

import errno
import io
import os
import signal
import stat
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT
from mou_builder import output
from mou_builder.batch import BuildOptions, build_file
from mou_builder.errors import OutputError
from mou_builder.output import check_output, seal_docx, write_atomic

def _sealed_package(text: bytes) -> bytes:
    """A small zip package sealed as mou-builder seals every .docx it writes: one a build may replace."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", text)
    return seal_docx(buffer.getvalue())


# The previous agreement as mou-builder wrote it: replacing it is allowed, so each test sees the write itself.
OLD = _sealed_package(b"the previous agreement, which must survive\n")
NEW = os.urandom(3 * (1 << 20) + 17)  # more than one chunk, so a failure can come half-way


@pytest.fixture
def target(tmp_path: Path) -> Path:
    path = tmp_path / "agreement.docx"
    path.write_bytes(OLD)
    return path


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process umask for one test, and put it back."""
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


def _failing_write(monkeypatch: pytest.MonkeyPatch, after: int, error: BaseException) -> list[int]:
    """Make os.write really write ``after`` bytes, then raise ``error``; returns the bytes written so far."""
    real = os.write
    done = [0]

    def write(fd: int, data: bytes) -> int:
        if done[0] >= after:
            raise error
        count = real(fd, bytes(data[: after - done[0]]))
        done[0] += count
        return count

    monkeypatch.setattr(os, "write", write)
    return done


def test_new_bytes_arrive_by_rename(target: Path) -> None:
    # A hard link still names the old inode: rewriting the file in place would change it too.
    alias = target.with_name("alias.docx")
    os.link(target, alias)
    inode = target.stat().st_ino
    write_atomic(target, NEW)
    assert target.read_bytes() == NEW
    assert target.stat().st_ino != inode
    assert alias.read_bytes() == OLD


def test_a_write_failing_half_way_keeps_the_old_file_and_no_temporary(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = _failing_write(monkeypatch, 1 << 20, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with pytest.raises(OutputError) as caught:
        write_atomic(target, NEW)
    monkeypatch.undo()
    assert done[0] == 1 << 20, "the failure must come after some bytes were written"
    assert str(caught.value) == f"{target}: cannot write (No space left on device)"
    assert target.read_bytes() == OLD
    assert sorted(target.parent.iterdir()) == [target]


def test_a_new_file_failing_half_way_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _failing_write(monkeypatch, 1000, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with pytest.raises(OutputError):
        write_atomic(tmp_path / "new.docx", NEW)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_mid_write_removes_the_temporary(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _failing_write(monkeypatch, 1000, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, NEW)
    monkeypatch.undo()
    assert target.read_bytes() == OLD
    assert sorted(target.parent.iterdir()) == [target]


# The child writes a first chunk, is sent the signal, and keeps writing: without
# write_atomic's handlers SIGTERM ends it at once and the .part file stays behind.
_SIGNALLED_WRITE = """
import os, signal, sys
from mou_builder.output import write_atomic
real, signum = os.write, int(sys.argv[2])
def write(fd, data):
    count = real(fd, data)
    os.kill(os.getpid(), signum)
    return count
os.write = write
write_atomic(sys.argv[1], b"x" * (3 << 20))
print("the write finished despite the signal")
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_write_removes_the_temporary_and_still_ends_the_process(target: Path, signum: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", _SIGNALLED_WRITE, str(target), str(int(signum))],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == -signum, result.stderr  # ended by the signal, as without mou-builder
    assert "finished" not in result.stdout
    assert target.read_bytes() == OLD
    assert sorted(target.parent.iterdir()) == [target]


def test_signal_handlers_are_restored_after_a_write(tmp_path: Path) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    write_atomic(tmp_path / "a.docx", b"data")
    assert {s: signal.getsignal(s) for s in before} == before


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_honours_the_umask(tmp_path: Path, umask: Callable[[int], None], mask: int, mode: int) -> None:
    umask(mask)
    write_atomic(tmp_path / "a.docx", b"data")
    assert stat.S_IMODE((tmp_path / "a.docx").stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o600, 0o664, 0o640])
def test_an_existing_file_keeps_its_mode(target: Path, umask: Callable[[int], None], mode: int) -> None:
    umask(0o022)
    target.chmod(mode)
    write_atomic(target, NEW)
    assert target.read_bytes() == NEW
    assert stat.S_IMODE(target.stat().st_mode) == mode


# ---------------------------------------------------------------- outputs that are inputs or not files


def test_an_output_that_is_an_input_is_refused_by_path_link_and_inode(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(OLD)
    hard = tmp_path / "hard.docx"
    os.link(spec, hard)
    soft = tmp_path / "soft.docx"
    soft.symlink_to(spec)
    for alias in (spec, tmp_path / "." / "spec.yaml", hard, soft):
        with pytest.raises(OutputError, match=f"^{alias}: not written: it is the same file as the input {spec}; "):
            write_atomic(alias, NEW, inputs=[tmp_path / "other.yaml", spec])
    assert spec.read_bytes() == OLD and soft.is_symlink()
    check_output(tmp_path / "fresh.docx", [spec])  # a new name is fine
    check_output(tmp_path / "other.docx", [tmp_path / "missing.yaml"])  # so is an input that does not exist


def test_a_device_or_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.docx"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match=r"pipe\.docx: not written: it is a named pipe \(FIFO\), not a regular"):
        write_atomic(fifo, NEW)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    with pytest.raises(OutputError, match="^/dev/null: not written: it is a character device, not a regular file"):
        write_atomic("/dev/null", NEW)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert sorted(tmp_path.iterdir()) == [fifo]


def test_the_library_build_refuses_to_overwrite_its_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(EXAMPLES[0].read_bytes())
    result = build_file(spec, spec)
    assert result.status == "failed" and result.written == ()
    assert result.error == f"{spec}: not written: it is the same file as the input {spec}; choose another output name"
    assert spec.read_bytes() == EXAMPLES[0].read_bytes()


def test_the_library_build_refuses_a_pdf_over_an_input_before_writing_the_docx(tmp_path: Path) -> None:
    template = tmp_path / "letterhead.pdf"  # an odd name, but an input: the PDF of out.docx would replace it
    template.write_bytes(OLD)
    result = build_file(EXAMPLES[0], tmp_path / "letterhead.docx", BuildOptions(template=str(template), pdf=True))
    assert result.status == "failed"
    assert result.error.startswith(f"{template}: not written: it is the same file as the input {template}")
    assert sorted(tmp_path.iterdir()) == [template] and template.read_bytes() == OLD


def test_no_temporary_name_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A leftover .part file of the same name (a crash, another writer) is never opened or removed.
    names = iter(["aaaa", "aaaa", "bbbb"])
    monkeypatch.setattr(output, "_random_suffix", lambda: next(names))
    leftover = tmp_path / ".a.docx.aaaa.part"
    leftover.write_bytes(b"someone else's")
    write_atomic(tmp_path / "a.docx", b"data")
    assert leftover.read_bytes() == b"someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.docx.aaaa.part", "a.docx"]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_sigint_mid_write_in_process_keeps_the_old_file_and_raises_keyboard_interrupt(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = output._write_all

    def interrupted(fd: int, data: bytes) -> None:
        real(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGINT)  # handled by write_atomic's handler, then delivered again

    monkeypatch.setattr(output, "_write_all", interrupted)
    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, NEW)
    assert target.read_bytes() == OLD and _leftovers(target.parent) == ["agreement.docx"]
    assert signal.getsignal(signal.SIGINT) is before


def test_a_write_from_another_thread_leaves_the_signal_handlers_alone(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    seen: list[object] = []
    real = output._write_all

    def spy(fd: int, data: bytes) -> None:
        seen.append(signal.getsignal(signal.SIGTERM))
        real(fd, data)

    monkeypatch.setattr(output, "_write_all", spy)
    thread = threading.Thread(target=write_atomic, args=(target, NEW))
    thread.start()
    thread.join()
    assert target.read_bytes() == NEW
    assert seen == [before[signal.SIGTERM]]
    assert {s: signal.getsignal(s) for s in before} == before


@pytest.mark.parametrize("failing", ["open", "fsync"])
def test_a_folder_that_cannot_be_synced_does_not_fail_the_write(
    target: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    real_open, real_fsync = os.open, os.fsync
    folder_fd: list[int] = []

    def open_(path, flags, *args, **kwargs):  # noqa: ANN001, ANN202
        if Path(path) == target.parent:
            if failing == "open":
                raise PermissionError(errno.EACCES, "Permission denied")
            fd = real_open(path, flags, *args, **kwargs)
            folder_fd.append(fd)
            return fd
        return real_open(path, flags, *args, **kwargs)

    def fsync(fd: int) -> None:
        if fd in folder_fd:
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(target, NEW)
    assert target.read_bytes() == NEW and _leftovers(target.parent) == ["agreement.docx"]
    if failing == "fsync":
        assert folder_fd  # the folder was opened, its fsync failed, and the write still stood


def test_a_write_through_a_symbolic_link_replaces_the_file_it_leads_to_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "kept" / "agreement.docx"
    real.parent.mkdir()
    real.write_bytes(OLD)
    link = tmp_path / "link.docx"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == b"new"
    assert _leftovers(tmp_path) == ["kept", "link.docx"] and _leftovers(real.parent) == ["agreement.docx"]


def test_a_missing_folder_or_a_folder_as_the_target_is_refused_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "out.docx"
    with pytest.raises(OutputError) as refused:
        write_atomic(missing, b"x")
    assert str(refused.value) == f"{missing}: cannot write: the folder {missing.parent} does not exist"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(OutputError) as refused:
        write_atomic(folder, b"x")
    assert str(refused.value) == f"{folder}: cannot write: it is a folder"
    assert _leftovers(tmp_path) == ["a-folder"] and _leftovers(folder) == []


@pytest.mark.parametrize("mode", [0o444, 0o555, 0o400, 0o500, 0o000])
def test_a_file_no_one_may_write_is_refused_and_kept(target: Path, mode: int) -> None:
    target.chmod(mode)
    with pytest.raises(OutputError) as refused:
        write_atomic(target, NEW)
    assert str(refused.value) == (f"{target}: not written: the file is read-only; make it writable (chmod u+w) "
                                  "or choose another output name")
    target.chmod(0o600)
    assert target.read_bytes() == OLD and _leftovers(target.parent) == ["agreement.docx"]


@pytest.mark.parametrize("mode", [0o200, 0o020, 0o002, 0o644])
def test_a_file_anyone_may_write_is_written_and_keeps_its_mode(target: Path, mode: int) -> None:
    target.chmod(mode)
    write_atomic(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    target.chmod(0o600)
    assert target.read_bytes() == b"new"


def test_a_temporary_file_that_cannot_be_made_is_reported_with_the_folder_and_the_reason(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open

    def open_(path, flags, *args, **kwargs):  # noqa: ANN001, ANN202
        if str(path).endswith(".part"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    with pytest.raises(OutputError) as refused:
        write_atomic(target, NEW)
    assert str(refused.value) == f"{target}: cannot write to {target.parent} (Permission denied)"
    assert target.read_bytes() == OLD and _leftovers(target.parent) == ["agreement.docx"]


def test_the_temporary_file_is_beside_the_target_named_after_it(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def replace(src, dst):  # noqa: ANN001, ANN202
        renamed.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_atomic(target, b"new")
    [(src, dst)] = renamed
    assert dst == str(target)
    assert Path(src).parent == target.parent and Path(src).name.startswith(".agreement.docx.")
    assert Path(src).name.endswith(".part")


def test_the_temporary_file_is_not_inherited_by_child_processes(target: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    flags: list[int] = []
    real = output._write_all

    def spy(fd: int, data: bytes) -> None:
        flags.append(fcntl.fcntl(fd, fcntl.F_GETFD))
        real(fd, data)

    monkeypatch.setattr(output, "_write_all", spy)
    write_atomic(target, b"new")
    assert len(flags) == 1 and flags[0] & fcntl.FD_CLOEXEC


def test_after_a_hundred_temporary_names_taken_the_write_gives_up_and_says_so(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[str] = []

    def suffix() -> str:
        tried.append("x")
        return "taken"

    monkeypatch.setattr(output, "_random_suffix", suffix)
    (target.parent / ".agreement.docx.taken.part").write_bytes(b"someone else's")
    with pytest.raises(OutputError) as refused:
        write_atomic(target, NEW)
    assert str(refused.value) == f"{target}: cannot write to {target.parent} (no free temporary file name)"
    assert len(tried) == 100
    assert target.read_bytes() == OLD
    assert (target.parent / ".agreement.docx.taken.part").read_bytes() == b"someone else's"


def test_an_output_named_as_an_input_is_refused_by_its_path_even_before_it_exists(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    with pytest.raises(OutputError, match=r": not written: it is the same file as the input .*spec\.yaml; "):
        check_output(path, [tmp_path / "." / "spec.yaml"])
    check_output(path, [tmp_path / "other.yaml"])  # another name, not there either: allowed


def test_a_signal_whose_handler_returns_ends_the_write_with_a_message_naming_it(
    target: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    caught: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: caught.append(signum))
    real = output._write_all

    def interrupted(fd: int, data: bytes) -> None:
        real(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(output, "_write_all", interrupted)
    try:
        with pytest.raises(OutputError) as refused:
            write_atomic(target, NEW)
    finally:
        handler = signal.signal(signal.SIGTERM, previous)
    assert str(refused.value) == f"{target}: not written: interrupted by SIGTERM"
    assert caught == [signal.SIGTERM]  # the program's own handler still got the signal, once
    assert handler is not None and handler is not signal.SIG_DFL
    assert target.read_bytes() == OLD and _leftovers(target.parent) == ["agreement.docx"]
