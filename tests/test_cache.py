"""The cache a run keeps for the next (mou_builder.cache): compiled spec validators and clause templates.

A cached validator must validate exactly as a freshly built one (same
models, same refusals, word for word); a damaged, foreign or unsafe cache
must never be used; a changed model source must never reuse an old entry.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
import sys
from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES, ROOT
from mou_builder import cache

# Run in a fresh process with TMPDIR set: validates every example and some invalid specs, prints what it got
# and whether the spec validator had to be built there (pydantic generates a schema only when building).
_PROBE = r"""
import json, sys
from pathlib import Path
import pydantic._internal._generate_schema as generate
built = []
original = generate.GenerateSchema.generate_schema
def counting(self, obj):
    built.append(obj)
    return original(self, obj)
generate.GenerateSchema.generate_schema = counting
from mou_builder.errors import SpecError
from mou_builder.spec.loader import load_spec
results = {}
for path in sys.argv[1:]:
    try:
        results[path] = load_spec(path).model_dump(mode="json")
    except SpecError as exc:
        results[path] = str(exc)
print(json.dumps({"results": results, "built": bool(built)}))
"""

_INVALID = sorted((DATA / "invalid").glob("*.yaml"))[:40]


def _probe(tmp: Path, *extra_env: tuple[str, str]) -> dict:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT), **dict(extra_env)}
    env.pop("MOU_NO_CACHE", None)
    env.pop("MOU_NO_BYTECODE_CACHE", None)
    done = subprocess.run([sys.executable, "-c", _PROBE, *map(str, [*EXAMPLES, *_INVALID])], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _entries(tmp: Path) -> list[Path]:
    return sorted((tmp / f"mou-builder-cache-{os.getuid()}").glob("validator-Spec-*.pickle"))


def test_a_cached_validator_is_used_by_the_next_run_and_validates_exactly_as_a_fresh_one(tmp_path: Path) -> None:
    first = _probe(tmp_path)
    assert first["built"] and len(_entries(tmp_path)) == 1
    second = _probe(tmp_path)
    assert not second["built"], "the second run built the validator again instead of loading it"
    assert second["results"] == first["results"]
    # and both are what a run without any cache gives
    assert _probe(tmp_path / "off", ("MOU_NO_CACHE", "1"))["results"] == first["results"]
    assert not (tmp_path / "off").exists() or not _entries(tmp_path / "off")
    refusals = [value for value in first["results"].values() if isinstance(value, str)]
    assert len(refusals) >= 30  # the invalid specs were refused, with their messages compared above


def test_a_damaged_entry_is_ignored_and_made_again(tmp_path: Path) -> None:
    reference = _probe(tmp_path)
    (entry,) = _entries(tmp_path)
    for damage in (b"", b"not a pickle", entry.read_bytes()[:100], b"\x80\x05N."):  # empty, junk, cut, None
        entry.write_bytes(damage)
        again = _probe(tmp_path)
        assert again["built"] and again["results"] == reference["results"]
        assert entry.read_bytes() not in (damage,)  # replaced by a good entry
    assert not _probe(tmp_path)["built"]


def test_a_cache_folder_others_may_write_or_a_link_is_never_used(tmp_path: Path) -> None:
    folder = tmp_path / f"mou-builder-cache-{os.getuid()}"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    assert _probe(tmp_path)["built"] and not _entries(tmp_path)
    assert _probe(tmp_path)["built"]  # nothing was kept there, so nothing is loaded
    folder.rmdir()
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    folder.symlink_to(target)
    assert _probe(tmp_path)["built"] and not list(target.iterdir())


def test_no_cache_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.cache_folder.cache_clear()
    try:
        for name in ("MOU_NO_CACHE", "MOU_NO_BYTECODE_CACHE"):
            monkeypatch.setenv(name, "1")
            assert cache.cache_folder() is None
            cache.cache_folder.cache_clear()
            monkeypatch.delenv(name)
    finally:
        cache.cache_folder.cache_clear()


def test_an_entry_is_named_by_the_model_source_and_library_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mou_builder.spec.model import Spec

    source = tmp_path / "model.py"
    source.write_text("a = 1\n")
    monkeypatch.setattr(cache, "cache_folder", lambda: tmp_path)
    monkeypatch.setattr(cache, "_sources", lambda model: [source])
    before = cache._entry(Spec)
    assert before is not None and before.parent == tmp_path
    source.write_text("a = 2\n")
    assert cache._entry(Spec) != before  # an edited model never reuses an old validator
    source.write_text("a = 1\n")
    assert cache._entry(Spec) == before
    import pydantic

    monkeypatch.setattr(pydantic, "VERSION", "0.0.0")
    assert cache._entry(Spec) != before  # nor does another pydantic
    source.unlink()
    assert cache._entry(Spec) is None  # a source that cannot be read: no caching at all


def test_the_spec_sources_cover_the_type_modules() -> None:
    from mou_builder.spec.model import Spec

    names = {path.name for path in cache._sources(Spec)}
    assert {"model.py", "types.py", "money.py", "currencies.py"} <= names


def test_a_clause_check_runs_before_compiling_even_with_a_warm_cache(tmp_path: Path) -> None:
    """The include and one-expression checks run when a source is compiled; a cached source passed them."""
    code = (
        "from jinja2 import TemplateSyntaxError\n"
        "from mou_builder.library.clauses import compile_condition, _compiled_body\n"
        "compile_condition('parties | length > 1')\n"
        "for bad in (\"1 %}{% include 'x' %}{% if 1\", ):\n"
        "    try:\n"
        "        compile_condition(bad); print('compiled')\n"
        "    except TemplateSyntaxError:\n"
        "        print('refused')\n"
        "try:\n"
        "    _compiled_body(\"{% include 'other' %}\"); print('compiled')\n"
        "except TemplateSyntaxError:\n"
        "    print('refused')\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    for _ in range(2):  # the second run has the first's bytecode cache
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert done.stdout.split() == ["refused", "refused"], done.stderr
    assert list((tmp_path / f"mou-builder-cache-{os.getuid()}").glob("code-*/__jinja2_*"))  # the cache was in use


def test_old_entries_of_a_model_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mou_builder.spec.model import Spec

    monkeypatch.setattr(cache, "cache_folder", lambda: tmp_path)
    for n in range(12):  # entries made for earlier versions of the model's source, oldest first
        old = tmp_path / f"validator-Spec-{n:032x}.pickle"
        old.write_bytes(b"old")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    other = tmp_path / "validator-Profile-0.pickle"
    other.write_bytes(b"another model's")
    os.utime(other, (1, 1))
    entry = cache._entry(Spec)
    Spec.model_rebuild()  # its validator built in this process, then stored
    cache._store(Spec, entry)
    left = sorted(p.name for p in tmp_path.glob("validator-Spec-*.pickle"))
    assert entry.name in left and len(left) == cache._ENTRIES_PER_MODEL
    assert f"validator-Spec-{11:032x}.pickle" in left and f"validator-Spec-{0:032x}.pickle" not in left
    assert other.exists()


def test_a_new_clause_compiler_removes_the_code_of_all_but_the_newest_few(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cache, "cache_folder", lambda: tmp_path)
    for n in range(6):  # the code of earlier compilers (Jinja versions, clause modules), oldest first
        old = tmp_path / f"code-{n:032x}"
        old.mkdir()
        (old / "__jinja2_a.cache").write_bytes(b"old code")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    loose = tmp_path / "__jinja2_b.cache"  # kept in the folder itself before code had folders
    loose.write_bytes(b"older code")
    validator = tmp_path / "validator-Spec-0.pickle"
    validator.write_bytes(b"not code")
    current = cache.code_folder("f" * 64)
    assert current == tmp_path / f"code-{'f' * 32}" and current.is_dir()
    kept = sorted(p.name for p in tmp_path.glob("code-*"))
    assert len(kept) == cache._CODE_FOLDERS and current.name in kept
    assert f"code-{5:032x}" in kept and f"code-{0:032x}" not in kept  # the newest earlier ones stay
    assert not loose.exists() and validator.exists()
    # in use: the same folder again, and nothing pruned
    (tmp_path / f"code-{9:032x}").mkdir()
    assert cache.code_folder("f" * 64) == current and (tmp_path / f"code-{9:032x}").exists()


def test_notes_of_checked_templates_are_pruned_to_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "cache_folder", lambda: tmp_path)
    checker = tmp_path / "checks.py"
    checker.write_text("v1")
    for n in range(cache._CHECKED_NOTES + 10):  # templates checked before, oldest first
        cache.record_passed("template", b"template %d" % n, [checker])
        os.utime(cache._checked_entry("template", b"template %d" % n, [checker]), (1_000_000 + n, 1_000_000 + n))
    cache.record_passed("other", b"x", [checker])
    cache.record_passed("template", b"the newest", [checker])
    assert len(list(tmp_path.glob("checked-template-*"))) == cache._CHECKED_NOTES
    assert cache.passed_before("template", b"the newest", [checker])
    assert cache.passed_before("template", b"template %d" % (cache._CHECKED_NOTES + 9), [checker])
    assert not cache.passed_before("template", b"template 0", [checker])  # the oldest: checked again next time
    assert cache.passed_before("other", b"x", [checker])  # another kind is pruned on its own


def test_a_link_in_place_of_a_code_folder_is_never_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / f"code-{'a' * 32}").symlink_to(elsewhere)
    monkeypatch.setattr(cache, "cache_folder", lambda: folder)
    assert cache.code_folder("a" * 64) is None
    monkeypatch.setattr(cache, "cache_folder", lambda: None)
    assert cache.code_folder("a" * 64) is None


def test_clause_code_is_kept_in_the_folder_of_its_compiler(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("MOU_NO_CACHE", None)
    code = "from mou_builder.library import clauses; print(clauses._COMPILER)"
    done = subprocess.run([sys.executable, "-m", "mou_builder", "show", str(EXAMPLES[0])], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    compiler = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                              timeout=120).stdout.strip()
    folder = tmp_path / f"mou-builder-cache-{os.getuid()}"
    assert [p.name for p in folder.glob("code-*")] == [f"code-{compiler[:32]}"]
    assert len(list(folder.glob(f"code-{compiler[:32]}/__jinja2_*.cache"))) > 20


def test_a_template_that_passed_its_checks_is_not_checked_again_until_it_or_the_checks_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mou_builder.render import word
    from mou_builder.resources import default_template_path

    monkeypatch.setattr(cache, "cache_folder", lambda: tmp_path)
    checker = tmp_path / "checks.py"
    checker.write_text("v1")
    data = b"template bytes"
    assert not cache.passed_before("template", data, [checker])
    cache.record_passed("template", data, [checker])
    assert cache.passed_before("template", data, [checker])
    assert not cache.passed_before("template", data + b"!", [checker])  # other bytes: checked
    checker.write_text("v2")
    assert not cache.passed_before("template", data, [checker])  # a changed check: checked again

    # in the renderer: the first open checks and records; a later process (the in-process memo cleared)
    # skips the checks for the same bytes, and checks a template whose bytes differ
    template = tmp_path / "letterhead.docx"
    template.write_bytes(default_template_path().read_bytes())
    monkeypatch.setattr(word, "_CHECKED_TEMPLATES", {})
    word._open_template(template)
    monkeypatch.setattr(word, "_CHECKED_TEMPLATES", {})
    monkeypatch.setattr(word, "_placeholder_problem", lambda tpl, path: "checked again")
    word._open_template(template)  # no error: the checks were not run
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(other, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("docProps/extra.xml", "<x/>")
    with pytest.raises(Exception, match="checked again"):
        word._open_template(other)


# ---------------------------------------------------------------- the same rules, in this process


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private temp directory for cache_folder(), whose memo is cleared before and after."""
    import tempfile

    home = tmp_path / "tmp"
    home.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(home))
    monkeypatch.delenv("MOU_NO_CACHE", raising=False)
    monkeypatch.delenv("MOU_NO_BYTECODE_CACHE", raising=False)
    cache.cache_folder.cache_clear()
    yield home
    cache.cache_folder.cache_clear()


def test_the_cache_folder_is_made_private_and_refused_when_it_is_not(temp_dir: Path) -> None:
    folder = cache.cache_folder()
    assert folder == temp_dir / f"mou-builder-cache-{os.getuid()}" and (folder.stat().st_mode & 0o777) == 0o700
    cache.cache_folder.cache_clear()
    folder.chmod(0o770)  # others of the group may write: refused
    assert cache.cache_folder() is None
    cache.cache_folder.cache_clear()
    folder.rmdir()
    folder.write_text("a file in the way")
    assert cache.cache_folder() is None
    cache.cache_folder.cache_clear()
    folder.unlink()
    temp_dir.chmod(0o777)  # a temp directory others may write, without the sticky bit: refused
    try:
        assert cache.cache_folder() is None
    finally:
        temp_dir.chmod(0o700)


def test_entries_that_are_not_whole_or_not_files_are_not_read(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    assert cache.write_entry(entry, b"payload") and cache.read_entry(entry) == b"payload"
    entry.write_bytes(entry.read_bytes()[:-1] + b"X")  # one byte changed: the digest says so
    assert cache.read_entry(entry) is None
    assert cache.read_entry(tmp_path) is None and cache.read_entry(tmp_path / "missing") is None
    os.mkfifo(tmp_path / "fifo")
    assert cache.read_entry(tmp_path / "fifo") is None  # not opened for ever
    assert not cache.write_entry(tmp_path / "no-such-folder" / "entry", b"x")  # never an error


def test_an_entry_that_is_not_a_validator_is_not_loaded_and_an_unpicklable_one_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pickle

    class Model:
        __pydantic_validator__ = staticmethod(lambda: None)  # a lambda: pickle refuses it
        __pydantic_serializer__ = None

    entry = tmp_path / "validator-Model-0.pickle"
    cache.write_entry(entry, pickle.dumps(("not", "validators")))
    assert not cache._load(Model, entry)
    cache.write_entry(entry, b"not a pickle")
    assert not cache._load(Model, entry)
    entry.unlink()
    cache._store(Model, entry)
    assert not entry.exists()


def test_a_checker_that_cannot_be_read_notes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "cache_folder", lambda: tmp_path)
    cache.record_passed("template", b"data", [tmp_path / "missing.py"])
    assert not cache.passed_before("template", b"data", [tmp_path / "missing.py"])
    assert not list(tmp_path.iterdir())


def test_importing_the_main_module_runs_nothing() -> None:
    import importlib
    import sys

    try:
        entry = importlib.import_module("mou_builder.__main__")  # imported, not run: the command does not start
        assert entry.run is not None
    finally:
        sys.modules.pop("mou_builder.__main__", None)  # as before, for runpy's ``python -m`` in other tests
