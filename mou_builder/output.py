"""Writing output files safely.

A build either leaves a complete new file or leaves the folder as it was:
the bytes go to a temporary file in the same folder, are flushed to disk,
and replace the target in one rename. Before anything is written,
:func:`check_output` refuses a target that is one of the files the build
reads (``-o spec.yaml``) or that is not a regular file (``-o /dev/null``):
a rename would destroy either. Every writer in mou-builder goes through
:func:`write_atomic`, so the library refuses these as the command line does.

An existing .docx is replaced only when it is, byte for byte, a file
mou-builder wrote (or with ``force``): every .docx mou-builder writes is
sealed by :func:`seal_docx` (a digest of the file in its zip comment), and
:func:`check_output` refuses one whose seal is missing or does not match,
which is what a reviewer's edits, comments, tracked changes or a save in
Word or LibreOffice leave. Rebuilding an unchanged draft stays a plain
overwrite.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mou_builder.errors import OutputError
from mou_builder.files import read_regular

#: What a file that is neither a regular file nor a folder is called in messages.
_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
}

_CHUNK = 1 << 20

#: What the zip comment of a sealed .docx starts with; the SHA-256 of the rest of the file follows in hex.
_SEAL_PREFIX = b"mou-builder sha256="
_SEAL_LENGTH = len(_SEAL_PREFIX) + 64
#: The zip format's end-of-central-directory record: its signature, and its size without the comment.
_EOCD_SIGNATURE = b"PK\x05\x06"
_EOCD_SIZE = 22
#: No .docx mou-builder writes comes near this (word_input.MAX_FILE_BYTES, the most a draft read may be):
#: a larger file is not one it wrote, and is not read to find out.
_MAX_SEALED_BYTES = 64 << 20


def seal_docx(data: bytes) -> bytes:
    """``data`` (a zip package without a comment) with the seal that lets a later build replace it.

    The zip comment, which Word and LibreOffice never show and drop when
    they save, becomes ``mou-builder sha256=<digest of every byte before
    it>``: any change to any part, or a save by another program, breaks it.
    The result is as deterministic as ``data``.
    """
    if len(data) < _EOCD_SIZE or data[-_EOCD_SIZE:-_EOCD_SIZE + 4] != _EOCD_SIGNATURE or data[-2:] != b"\0\0":
        raise ValueError("seal_docx needs a zip package that ends in its directory record, without a comment")
    body = data[:-2] + _SEAL_LENGTH.to_bytes(2, "little")
    return body + _SEAL_PREFIX + hashlib.sha256(body).hexdigest().encode("ascii")


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` is, unchanged, a .docx that :func:`seal_docx` sealed."""
    if len(data) < _EOCD_SIZE + _SEAL_LENGTH:
        return False
    body, seal = data[:-_SEAL_LENGTH], data[-_SEAL_LENGTH:]
    if not seal.startswith(_SEAL_PREFIX) or body[-_EOCD_SIZE:-_EOCD_SIZE + 4] != _EOCD_SIGNATURE:
        return False
    if body[-2:] != _SEAL_LENGTH.to_bytes(2, "little"):
        return False
    return hashlib.sha256(body).hexdigest().encode("ascii") == seal[len(_SEAL_PREFIX):]


def _check_replaceable(path: Path) -> None:
    """Refuse to replace the .docx ``path`` unless mou-builder wrote it and nothing changed it since.

    Read no further than :data:`_MAX_SEALED_BYTES` (the file may be anything
    under a .docx name); only a seal whose digest matches lets it go.
    """
    keep = "not overwritten (add --force to replace it, or choose another output name)"
    try:
        data = read_regular(path, _MAX_SEALED_BYTES)
    except OSError as exc:
        raise OutputError(f"{path}: already exists and cannot be read to check that it holds no one's edits "
                          f"({exc.strerror or exc}); {keep}") from None
    if len(data) > _MAX_SEALED_BYTES:
        raise OutputError(f"{path}: already exists and is not a draft mou-builder wrote (it is larger than "
                          f"{_MAX_SEALED_BYTES >> 20} MB, more than any draft); {keep}")
    if is_sealed(data):
        return
    if data[-_SEAL_LENGTH:].startswith(_SEAL_PREFIX):  # sealed once, then changed by a program that kept the seal
        why = ("was changed after mou-builder wrote it (a reviewer's edits, comments or tracked changes "
               "would be lost)")
    else:
        why = ("was not written by mou-builder, or was saved again since (in Word or LibreOffice): "
               "a returned draft's edits, comments or tracked changes would be lost")
    raise OutputError(f"{path}: already exists and {why}; {keep}")


def check_output(path: str | Path, inputs: Iterable[str | Path] = (), *, force: bool = False) -> None:
    """Refuse to write ``path`` when it is one of ``inputs`` or exists as something other than a regular file.

    An input is the same file when both paths resolve to one real path
    (symbolic links followed) or share device and inode (hard links).
    An existing .docx is refused, unless ``force``, when mou-builder did
    not write it or it changed since (see :func:`seal_docx`).
    Raises :class:`OutputError` naming both paths; nothing is touched.
    """
    path = Path(path)
    try:
        target = path.stat()
    except OSError:
        target = None  # does not exist (yet), or cannot be looked at: the write itself will say why
    if target is not None and not stat.S_ISREG(target.st_mode) and not stat.S_ISDIR(target.st_mode):
        kind = _KINDS.get(stat.S_IFMT(target.st_mode), "a special file")
        raise OutputError(f"{path}: not written: it is {kind}, not a regular file; choose another output name")
    real = os.path.realpath(path)
    for source in inputs:
        same = os.path.realpath(source) == real
        if not same and target is not None:
            try:
                found = os.stat(source)
            except OSError:
                continue  # an input that cannot be read is reported by whatever reads it
            same = (found.st_dev, found.st_ino) == (target.st_dev, target.st_ino)
        if same:
            raise OutputError(f"{path}: not written: it is the same file as the input {source}; "
                              "choose another output name")
    if target is not None and not force and stat.S_ISREG(target.st_mode) and path.suffix.lower() == ".docx":
        _check_replaceable(path)


def write_atomic(path: str | Path, data: bytes, *, inputs: Iterable[str | Path] = (), force: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; raises :class:`OutputError` naming the path.

    ``inputs`` are the files the output was made from: writing over one of
    them is refused, as is replacing a .docx that is not an unchanged
    mou-builder draft unless ``force`` (see :func:`check_output`). A new file gets the mode the
    umask allows (as ``open`` would give it); an existing file keeps its
    mode; a symbolic link stays, and the file it leads to is the one written;
    a read-only file is refused.
    On failure or interruption (an exception, SIGINT, SIGTERM) the old file
    is left as it was and the temporary file is removed.
    """
    path = Path(path)
    check_output(path, inputs, force=force)
    if path.is_symlink():
        # Write where the link leads, as opening the file would: a rename onto the link itself would
        # replace the link by a file and leave the file it leads to (a spec adopted into) unchanged.
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: cannot write: the folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: cannot write: it is a folder")
    try:
        existing_mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        existing_mode = None
    if existing_mode is not None and not existing_mode & 0o222:
        # The rename would replace it all the same (it needs only the folder writable, and root
        # writes anything): a file made read-only, a signed version frozen, is kept as it is.
        raise OutputError(f"{path}: not written: the file is read-only; make it writable (chmod u+w) "
                          "or choose another output name")
    tmp: str | None = None
    try:
        with _signals_raise():
            try:
                fd, tmp = _create_temporary(path, folder)
            except OSError as exc:
                raise OutputError(f"{path}: cannot write to {folder} ({exc.strerror})") from None
            try:
                _write_all(fd, data)
                os.fsync(fd)
                if existing_mode is not None:
                    os.fchmod(fd, existing_mode)
            finally:
                os.close(fd)
            os.replace(tmp, path)
    except _Interrupted as exc:
        _remove(tmp)
        # The handlers are back: deliver the signal as it would have been without us
        # (SIGTERM ends the process, SIGINT raises KeyboardInterrupt).
        signal.raise_signal(exc.signum)
        raise OutputError(f"{path}: not written: interrupted by {signal.Signals(exc.signum).name}") from None
    except OSError as exc:
        _remove(tmp)
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        _remove(tmp)
        raise
    _sync_folder(folder)


def _create_temporary(path: Path, folder: Path) -> tuple[int, str]:
    """A new, empty temporary file beside ``path``: (descriptor, name).

    Not :func:`tempfile.mkstemp`, which forces mode 0600: opening with 0666
    lets the kernel apply the umask (and any default ACL) as for any new file,
    without changing the process's umask, which other threads share.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for _ in range(100):
        tmp = str(folder / f".{path.name}.{_random_suffix()}.part")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, "no free temporary file name")


def _random_suffix() -> str:
    return os.urandom(4).hex()


def _remove(tmp: str | None) -> None:
    if tmp is not None:
        Path(tmp).unlink(missing_ok=True)


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte (``os.write`` may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk too; best effort (some systems cannot open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Interrupted(BaseException):
    """SIGINT or SIGTERM arrived during a write."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into an exception during the write, so the temporary file is removed.

    SIGTERM's default action ends the process at once, leaving the
    temporary file behind. Handlers can only be set in the main thread;
    elsewhere, and for a signal the program ignores, nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, object] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler not in (signal.SIG_IGN, None):
            previous[signum] = handler

    def interrupted(signum: int, frame: object) -> None:
        # Restore first: should the exception come before the ``finally`` below has
        # run, our handlers must still not outlive the write.
        _restore_handlers(previous)
        raise _Interrupted(signum)

    for signum in previous:
        signal.signal(signum, interrupted)
    try:
        yield
    finally:
        _restore_handlers(previous)


def _restore_handlers(previous: dict[int, object]) -> None:
    """Put the handlers back, with both signals blocked meanwhile (one arriving now waits for its own handler)."""
    mask = getattr(signal, "pthread_sigmask", None)
    blocked = mask(signal.SIG_BLOCK, previous) if mask else None
    for signum, handler in previous.items():
        signal.signal(signum, handler)
    if mask:
        mask(signal.SIG_SETMASK, blocked)
