"""Red-team checks of the start-up changes: the private cache, the JSON position scanner, table cells.

Each test here failed before its fix: it reproduces what a hostile co-user of
the machine, or an unusual but valid input, did to the code.
"""

from __future__ import annotations

import os
import pickle
import stat
import tempfile
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from mou_builder import cache
from mou_builder.errors import SpecError
from mou_builder.spec import loader


class _Probe(BaseModel):
    """A model of this module, cached like the spec's."""

    model_config = ConfigDict(defer_build=True)
    name: str


class _Payload:
    """What a hostile pickle does when loaded: leaves a mark (a real one would run any code)."""

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (Path(self.mark), "ran"))  # type: ignore[return-value]


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache module as in a new process: no folder chosen yet, no model ready."""
    monkeypatch.delenv("MOU_NO_CACHE", raising=False)
    monkeypatch.delenv("MOU_NO_BYTECODE_CACHE", raising=False)
    cache.cache_folder.cache_clear()
    monkeypatch.setattr(cache, "_READY", set())
    yield
    cache.cache_folder.cache_clear()


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="the cache is kept only where there are user ids")
def test_a_temp_folder_others_may_write_is_not_used_for_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    # TMPDIR a shared folder anyone may write and that is not sticky (a team's scratch folder). Our
    # folder passes its own check (ours, 0700), but a co-user can rename it after that check and put a
    # link to their own folder in its place: the entry the next load reads is then theirs.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # writable by all, no sticky bit
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    mark = tmp_path / "payload-ran"
    folder = cache.cache_folder()
    if folder is not None:  # what the attacker does between the check and the load
        entry = cache._entry(_Probe)
        assert entry is not None
        theirs = tmp_path / "theirs"
        theirs.mkdir()
        (theirs / entry.name).write_bytes(pickle.dumps(_Payload(str(mark))))
        folder.rename(shared / "moved-aside")
        folder.symlink_to(theirs)
    cache.compiled(_Probe)
    assert not mark.exists(), "a pickle another user placed was loaded"
    assert folder is None, "a cache folder was kept in a temp folder others may rename entries of"
    assert _Probe(name="x").name == "x"  # built the ordinary way


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="the cache is kept only where there are user ids")
def test_a_sticky_or_private_temp_folder_still_holds_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    for mode in (0o1777, 0o700, 0o755):
        temp = tmp_path / f"temp-{mode:o}"
        temp.mkdir()
        temp.chmod(mode)
        monkeypatch.setattr(tempfile, "tempdir", str(temp))
        cache.cache_folder.cache_clear()
        folder = cache.cache_folder()
        assert folder is not None and folder.parent == temp
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
