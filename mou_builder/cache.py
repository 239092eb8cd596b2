"""What a run keeps for the next one: compiled clause templates and compiled spec validators.

A command-line run is short, and most of it used to be start-up work that
gives the same result every time: Jinja compiling the clause templates, and
pydantic turning the spec model's classes into a validator (about 70 ms,
the largest single step of a build). Both results are kept in one private
folder of the user's and loaded by later runs instead.

The folder is ``mou-builder-cache-UID`` in the temp directory, created with
mode 0700 and used only if it is a real folder (not a link) owned by the
user and closed to everyone else, since what is kept there is code that a
later run loads. Every file is named by a digest of everything that decides
its content (library versions, the model's source), so a changed model or a
pydantic upgrade never reuses a stale validator; a file that cannot be read
is ignored and made again. Old entries are pruned: a model's validators to
the newest eight, compiled clause code to the folders of the newest four
compilers, notes of checked templates to the newest 64 of each kind. ``MOU_NO_CACHE=1`` turns the cache off
(``MOU_NO_BYTECODE_CACHE=1``, its earlier name, still works).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

#: The largest cached validator read back (the spec's is about 100 KB).
_MAX_ENTRY = 16 * 1024 * 1024
#: Bytes of the digest a cache file starts with (SHA-256 of the rest).
_DIGEST = 32
#: Entries kept per model (several installed versions may take turns).
_ENTRIES_PER_MODEL = 8
#: Folders of compiled clause code kept, one per clause compiler (the same reason).
_CODE_FOLDERS = 4
#: Notes of templates that passed their checks kept, per kind (each template and each version of the checks
#: makes one; an older one pruned only costs its template one more check).
_CHECKED_NOTES = 64
#: Models whose validators are ready in this process.
_READY: set[type] = set()


def cache_disabled() -> bool:
    """Whether the environment turns the cache off (``MOU_NO_CACHE`` or ``MOU_NO_BYTECODE_CACHE``)."""
    return bool(os.environ.get("MOU_NO_CACHE") or os.environ.get("MOU_NO_BYTECODE_CACHE"))


@lru_cache(maxsize=None)
def cache_folder() -> Path | None:
    """The user's private cache folder, created if needed; None when there is no safe one or it is off."""
    if cache_disabled() or not hasattr(os, "getuid"):
        return None
    folder = Path(tempfile.gettempdir()) / f"mou-builder-cache-{os.getuid()}"
    if not _safe_parents(folder.parent):
        return None
    try:
        try:
            folder.mkdir(mode=stat.S_IRWXU)
        except FileExistsError:
            pass
        info = folder.lstat()
    except OSError:
        return None
    # Somebody else's folder, a link, or one others may write: loading code from it would be unsafe.
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid()
            or stat.S_IMODE(info.st_mode) & (stat.S_IRWXG | stat.S_IRWXO)):
        return None
    return folder


def code_folder(compiler: str) -> Path | None:
    """The folder, in the cache, of the clause code compiled by ``compiler`` (a digest of what compiles
    it); created if needed. None when there is no cache.

    Each change of the compiler (Jinja's version, the clause module) makes
    every earlier file unusable, about 170 of them. So each compiler has a
    folder, and making a new one removes all but the newest
    :data:`_CODE_FOLDERS` (and the loose files earlier versions kept in the
    cache folder itself).
    """
    folder = cache_folder()
    if folder is None:
        return None
    code = folder / f"code-{compiler[:32]}"
    try:
        try:
            code.mkdir(mode=stat.S_IRWXU)
        except FileExistsError:
            pass
        else:
            _prune_code(code)
        info = code.lstat()
    except OSError:
        return None
    # Within the private folder only the user could have put a link here; still, code is loaded from it.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    return code


def _prune_code(kept: Path) -> None:
    stale = sorted(kept.parent.glob("code-*"), key=lambda p: p.lstat().st_mtime, reverse=True)
    stale = [path for path in stale if path != kept][_CODE_FOLDERS - 1:]
    for path in [*stale, *kept.parent.glob("__jinja2_*.cache")]:  # loose files: the layout before folders
        try:
            if stat.S_ISDIR(path.lstat().st_mode):
                for item in path.iterdir():
                    item.unlink()
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass  # another run pruning at the same time, or a file in use: left for the next time


def _safe_parents(parent: Path) -> bool:
    """Whether nobody else can rename or replace what ``parent`` (and each folder above it) holds.

    A private folder is only private while it stays where it was checked: in a
    temp folder that others may write and that is not sticky (or that another
    user owns), they could move ours aside after the check and put a link to a
    folder of theirs in its place, whose pickles a later load would run. Each
    folder on the way, as named and as resolved, must belong to the user or root
    and be closed to others' writes or sticky (as /tmp is).
    """
    uid = os.getuid()
    try:
        folders = {*parent.absolute().parents, parent.absolute(), *parent.resolve().parents, parent.resolve()}
        for folder in folders:
            info = folder.stat()
            if info.st_uid not in (0, uid):
                return False
            if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
                return False
    except OSError:
        return False
    return True


def compiled(model: Any) -> None:
    """Make ``model``'s (a pydantic model class's) validator and serializer ready, from the cache if it can.

    The model is declared with ``defer_build``, so without this its first
    use builds them. Here they are loaded from the cache when a file made
    for exactly this model source and these library versions is there, and
    otherwise built and stored for the next run. The result is the same
    either way: the cached objects are pydantic-core's own, rebuilt from the
    same core schema.
    """
    if model in _READY:
        return
    path = _entry(model)
    if path is None or not _load(model, path):
        model.model_rebuild()
        if path is not None:
            _store(model, path)
    _READY.add(model)


def _entry(model: Any) -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    import pydantic
    import pydantic_core

    digest = hashlib.sha256()
    for part in (sys.version, pydantic.VERSION, pydantic_core.__version__, model.__module__, model.__qualname__):
        digest.update(part.encode() + b"\0")
    for source in _sources(model):
        try:
            digest.update(source.read_bytes() + b"\0")
        except OSError:
            return None  # a model whose source cannot be read is not cached
    return folder / f"validator-{model.__qualname__}-{digest.hexdigest()[:32]}.pickle"


def _sources(model: Any) -> list[Path]:
    """The source files that decide a model's schema: its module's, and the spec package's (its types)."""
    spec_package = Path(__file__).with_name("spec")
    return sorted({Path(sys.modules[model.__module__].__file__ or ""), *spec_package.glob("*.py")})


def _load(model: Any, path: Path) -> bool:
    from pydantic_core import SchemaSerializer, SchemaValidator

    data = read_entry(path)
    if data is None:
        return False
    try:
        validator, serializer = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is simply rebuilt
        return False
    if not (isinstance(validator, SchemaValidator) and isinstance(serializer, SchemaSerializer)):
        return False
    model.__pydantic_validator__ = validator
    model.__pydantic_serializer__ = serializer
    return True


def _store(model: Any, path: Path) -> None:
    try:
        data = pickle.dumps((model.__pydantic_validator__, model.__pydantic_serializer__), protocol=5)
    except Exception:  # noqa: BLE001 - a schema holding something unpicklable is just not cached
        return
    if write_entry(path, data):
        try:
            _prune(path)
        except OSError:
            pass  # another run pruned at the same time


def _checked_entry(kind: str, data: bytes, checker: Sequence[str | Path]) -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.sha256(data)
    try:
        for source in checker:
            digest.update(b"\0" + Path(source).read_bytes())
    except OSError:
        return None
    return folder / f"checked-{kind}-{digest.hexdigest()[:40]}"


def passed_before(kind: str, data: bytes, checker: Sequence[str | Path]) -> bool:
    """Whether these very bytes passed the checks of ``kind`` in an earlier run, made by the same ``checker``
    source files (so a check added to them checks every file again)."""
    path = _checked_entry(kind, data, checker)
    return path is not None and read_entry(path) == b"passed"


def record_passed(kind: str, data: bytes, checker: Sequence[str | Path]) -> None:
    """Note that ``data`` passed the checks of ``kind`` (see :func:`passed_before`)."""
    path = _checked_entry(kind, data, checker)
    if path is not None and write_entry(path, b"passed"):
        try:
            notes = sorted(path.parent.glob(f"checked-{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in notes[_CHECKED_NOTES:]:
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # another run pruning at the same time


def read_entry(path: Path) -> bytes | None:
    """What :func:`write_entry` wrote to ``path``; None when it is missing, unreadable, too large, not a
    file, or not whole (its digest does not match).

    Opened without following a link and without waiting (a FIFO would block
    the read for ever), and read only if it is a regular file. The digest
    keeps a damaged file that still loads (a garbled string in a pickled
    validator, a constant in compiled code) from being used as it is.
    """
    try:
        with open(path, "rb", opener=_no_follow) as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None
            data = stream.read(_DIGEST + _MAX_ENTRY + 1)
    except OSError:
        return None
    if len(data) > _DIGEST + _MAX_ENTRY or hashlib.sha256(data[_DIGEST:]).digest() != data[:_DIGEST]:
        return None
    return data[_DIGEST:]


def write_entry(path: Path, data: bytes) -> bool:
    """Write the cache file ``path`` whole or not at all (a reader never sees part of it); whether it was.

    A full disk or a temp folder that cannot be written only costs the next
    run its start-up time: never an error.
    """
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(hashlib.sha256(data).digest() + data)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return False
    return True


def _prune(kept: Path) -> None:
    """Keep the newest :data:`_ENTRIES_PER_MODEL` entries of a model: each change to its source made one."""
    prefix = kept.name.rsplit("-", 1)[0]
    entries = sorted(kept.parent.glob(f"{prefix}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_ENTRIES_PER_MODEL:]:
        if old != kept:
            old.unlink(missing_ok=True)


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
