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
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict

from mou_builder import cache
from mou_builder.errors import SpecError
from mou_builder.spec import loader


def sys_platform_has_no_rlimit() -> bool:
    """Whether the resource module (file size limits) is missing."""
    try:
        import resource  # noqa: F401
    except ImportError:
        return True
    return False


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


def _yaml_positions(text: str) -> loader.SourceMap:
    return loader._Builder("s").build(loader._compose(text, "s"))[1]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("inside", ["", "\x85", "\u2028", "\u2029", "a\u2028\u2029b\x85"])
def test_json_positions_count_lines_as_the_yaml_reader_does(newline: str, inside: str) -> None:
    # A lone CR ends a line (old Mac files, some generators), and YAML ends one at NEL, LS and PS
    # too, also inside a quoted string: the JSON scanner gave line 1 for everything in a CR file.
    text = newline.join(['{', f'  "agreement": {{"title": "A{inside}B",', '    "kind": [1, {"x": []}]},',
                         f'  "k\\/\\u00e9": "\\/\\u00e9{inside}"', '}'])
    fast = loader._json_positions(text, "s")
    slow = _yaml_positions(text)
    assert fast is not None
    assert fast.values == slow.values and fast.keys == slow.keys


def test_a_bad_value_in_a_json_spec_with_carriage_returns_is_reported_at_its_line(tmp_path: Path) -> None:
    lines = ['{', '  "agreement": {', '    "title": "Joint Programme",', '    "effective_date": "soon"', '  },',
             '  "parties": []', '}']
    for newline in ("\n", "\r\n", "\r"):
        path = tmp_path / "spec.json"
        path.write_bytes(newline.join(lines).encode())
        with pytest.raises(SpecError) as caught:
            loader.load_spec(path)
        as_yaml = tmp_path / "spec.yaml"
        as_yaml.write_bytes(newline.join(lines).encode())
        with pytest.raises(SpecError) as caught_yaml:
            loader.load_spec(as_yaml)
        found = {(p.line, p.column) for p in caught.value.problems if "effective_date" in p.path}
        assert found == {(4, 5)}, (newline, caught.value)
        assert str(caught.value).replace("spec.json", "spec.yaml") == str(caught_yaml.value)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])  # JSON's own line ends
def test_a_json_syntax_error_is_reported_at_its_line_whatever_ends_the_lines(tmp_path: Path, newline: str) -> None:
    # Python's JSON parser counts lines by LF only: in a CR file every syntax error was at line 1.
    path = tmp_path / "spec.json"
    path.write_text(newline.join(['{"agreement": {"title": "x",', '  "document_date": "2026-01-01"},',
                                  '  "parties": [,]}']), encoding="utf-8", newline="")
    with pytest.raises(SpecError) as caught:
        loader.load_spec(path)
    assert str(caught.value) == f"{path}:3:15: invalid JSON: Expecting value"


# Compiles one clause body in a fresh process (jinja2's version as given) and prints whether Jinja's
# compiler ran (a bytecode cache miss) and what the body renders.
_COMPILE_BODY = r"""
import sys
import jinja2
jinja2.__version__ = sys.argv[1]
from jinja2 import Environment
compiles = []
original = Environment.compile
def counting(self, source, name=None, *args, **kwargs):
    compiles.append(name)
    return original(self, source, name, *args, **kwargs)
Environment.compile = counting
from mou_builder.library.clauses import _bounded_render, _compiled_body
text = _bounded_render(_compiled_body("{{ 'a' ~ 'b' }} and {{ 2 * 3 }}"), {"_mou_values": str})
print("compiled" if compiles else "loaded", text)
"""


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="the cache is kept only where there are user ids")
def test_code_a_different_jinja_compiled_is_not_reused(tmp_path: Path) -> None:
    # A Jinja upgrade may fix its compiler (sandbox escapes have been fixed there); code the older
    # compiler made, kept in the bytecode cache, was loaded by the new one as if current.
    import subprocess
    import sys

    import jinja2

    from conftest import ROOT

    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("MOU_NO_CACHE", None)
    env.pop("MOU_NO_BYTECODE_CACHE", None)

    def run(version: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", _COMPILE_BODY, version], env=env, capture_output=True,
                              text=True, timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return done.stdout.split(maxsplit=1)

    assert run(jinja2.__version__)[0] == "compiled"
    assert run(jinja2.__version__)[0] == "loaded"  # the cache works: the same Jinja reuses its code
    assert run("99.0.0")[0] == "compiled", "code compiled by another Jinja version was reused"
    assert run("99.0.0")[0] == "loaded"


def _show(tmp: Path, *, file_limit: int | None = None) -> "subprocess.CompletedProcess[str]":
    """``mou-build show`` of an example in a fresh process with TMPDIR ``tmp`` (files capped at ``file_limit`` bytes)."""
    import signal
    import subprocess
    import sys

    from conftest import EXAMPLES, ROOT

    def limit() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MOU_NO_CACHE", None)
    env.pop("MOU_NO_BYTECODE_CACHE", None)
    spec = next(p for p in EXAMPLES if p.name == "hospital-food-bank.yaml")
    return subprocess.run([sys.executable, "-m", "mou_builder", "show", str(spec)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=ROOT, preexec_fn=limit if file_limit else None)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="the cache is kept only where there are user ids")
def test_damaged_clause_bytecode_is_compiled_again_not_a_crash_nor_run(tmp_path: Path) -> None:
    # A cut or garbled bytecode file (a disk error, a copy that stopped) made every later build end
    # with "internal error (UnpicklingError ...)" until the user found and emptied the cache folder.
    reference = _show(tmp_path)
    assert reference.returncode == 0, reference.stderr
    files = sorted((tmp_path / f"mou-builder-cache-{os.getuid()}").glob("code-*/__jinja2_*"))
    assert len(files) > 20
    original = {f: f.read_bytes() for f in files}
    for damage in range(5):
        for i, (f, good) in enumerate(original.items()):
            data = bytearray(good)
            kind = (i + damage) % 5
            if kind == 0:
                data = data[: len(data) // 2]
            elif kind == 1:  # cut inside the header's pickled checksum
                data = data[:30]
            elif kind == 2:
                data = bytearray()
            elif kind == 3:  # the code part garbled, the header intact
                for j in range(len(data) - 40, len(data), 7):
                    data[j] ^= 0x55
            else:  # the header garbled
                for j in range(8, 40, 3):
                    data[j] ^= 0xA5
            f.write_bytes(bytes(data))
        again = _show(tmp_path)
        assert again.returncode == 0, again.stderr
        assert again.stdout == reference.stdout


@pytest.mark.skipif(not hasattr(os, "getuid") or sys_platform_has_no_rlimit(), reason="needs user ids and RLIMIT_FSIZE")
def test_a_cache_that_cannot_be_written_does_not_stop_a_build(tmp_path: Path) -> None:
    # The bytecode cache's writes failing (a full disk under TMPDIR: here files capped at 2 KB) stopped
    # the build with "could not write the output (File too large)": printed output that was fine.
    reference = _show(tmp_path / "free")
    capped = tmp_path / "capped"
    capped.mkdir()
    done = _show(capped, file_limit=2048)
    assert done.returncode == 0, done.stderr
    assert done.stdout == reference.stdout and done.stderr == ""


@pytest.mark.parametrize("args", [("--version",), ("validate", "no-such-spec.yaml")])
def test_the_command_with_its_output_closed_exits_as_python_would(args: tuple[str, ...], tmp_path: Path) -> None:
    # Run with standard output closed (`mou-build ... >&-`, a service started without one), Python
    # sets sys.stdout to None: the quick exit's flush raised AttributeError, a traceback and status 1.
    import subprocess
    import sys

    from conftest import ROOT

    def close_stdout() -> None:
        os.close(1)

    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    quick = subprocess.run([sys.executable, "-m", "mou_builder", *args], stdout=None, stderr=subprocess.PIPE,
                           text=True, timeout=120, cwd=tmp_path, env=env, preexec_fn=close_stdout)
    plain = subprocess.run([sys.executable, "-c", "from mou_builder.cli import main; main()", *args], stdout=None,
                           stderr=subprocess.PIPE, text=True, timeout=120, cwd=tmp_path, env=env,
                           preexec_fn=close_stdout)
    assert "Traceback" not in quick.stderr
    assert (quick.returncode, quick.stderr) == (plain.returncode, plain.stderr)


def test_a_batch_with_a_clause_nested_too_deeply_reports_it_as_a_single_build_does(tmp_path: Path) -> None:
    # A batch compiles the library before its first spec (batch.prepare); a clause of a --clauses
    # folder nested past the parser's depth raised RecursionError there: "internal error" for the whole
    # batch, where a single build names the clause file.
    import shutil
    import subprocess
    import sys

    from conftest import EXAMPLES, ROOT

    overlay = tmp_path / "mine" / "purpose"
    overlay.mkdir(parents=True)
    (overlay / "statement.md").write_text(
        "---\nid: purpose.statement\nversion: 9.0.0\ntitle: Purpose\nsection: purpose\n"
        "requires: [purpose.statement]\nwhen: purpose\norder: 10\n---\n"
        "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}\n"
    )
    example = next(p for p in EXAMPLES if p.name == "hospital-food-bank.yaml")
    specs = [shutil.copy(example, tmp_path / f"s{n}.yaml") for n in (1, 2)]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}

    def build(*specs: object) -> "subprocess.CompletedProcess[str]":
        return subprocess.run([sys.executable, "-m", "mou_builder", "build", *map(str, specs), "--clauses",
                               str(tmp_path / "mine"), "-o", str(tmp_path / "out") + "/"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)

    single = build(specs[0])
    batch = build(*specs)
    assert single.returncode == 1 and "statement.md" in single.stderr
    assert "internal error" not in batch.stderr + batch.stdout, batch.stderr
    message = [line for line in single.stderr.splitlines() if "statement.md" in line]
    assert message and (batch.stdout + batch.stderr).count(message[0]) == 2
    assert batch.returncode == 1


def test_importing_the_main_module_does_not_end_the_importing_process(tmp_path: Path) -> None:
    # A tool that imports every module (doctest collection, API documentation) imports
    # mou_builder.__main__, which runs the command: with the quick exit (os._exit) that ended the
    # importing process on the spot, with no chance to catch the SystemExit as it could before.
    import subprocess
    import sys

    from conftest import ROOT

    code = "import mou_builder.__main__\nprint('still running')\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env=env)
    assert (done.returncode, done.stdout) == (0, "still running\n"), done.stderr  # the command did not run
    # and the program itself still ends with the quick exit, status and output as before
    for command in ([sys.executable, "-m", "mou_builder", "--version"],):
        ran = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
        assert ran.returncode == 0 and ran.stdout.startswith("mou-build ")


def test_a_json_spec_is_held_to_the_yaml_readers_bound_on_values(tmp_path: Path) -> None:
    # The JSON scanner dropped MAX_NODES: 200,000 values in a half-megabyte JSON file went on to
    # validation (hundreds of megabytes, a problem printed per value) where the same text read as YAML
    # is refused at once.
    text = '{"agreement": {"title": "T"},\n "recitals": [' + ",".join(["0"] * (loader.MAX_NODES + 10)) + "]}"
    messages = []
    for name in ("spec.json", "spec.yaml"):
        (tmp_path / name).write_text(text)
        with pytest.raises(SpecError) as caught:
            loader.load_spec(tmp_path / name)
        assert len(caught.value.problems) == 1
        messages.append(str(caught.value).replace(name, "SPEC"))
    assert messages[0] == messages[1]
    assert f"more than {loader.MAX_NODES:,} values" in messages[0]


class _Kinds(BaseModel):
    """A model whose cached validator holds a word that a damaged file could change."""

    model_config = ConfigDict(defer_build=True)
    kind: Literal["alpha", "gamma"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="the cache is kept only where there are user ids")
def test_a_damaged_validator_entry_that_still_loads_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_cache: None
) -> None:
    # A garbled byte inside a string of a pickled validator still unpickles: the validator then refused
    # the spec's own values (here 'alpha', garbled to 'alpxa') and accepted others, without a word.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cache.compiled(_Kinds)
    entry = cache._entry(_Kinds)
    assert entry is not None and entry.exists()
    data = entry.read_bytes()
    assert data.count(b"alpha") == 1
    entry.write_bytes(data.replace(b"alpha", b"alpxa"))
    monkeypatch.setattr(cache, "_READY", set())
    cache.compiled(_Kinds)
    assert _Kinds(kind="alpha").kind == "alpha"
    with pytest.raises(ValueError):
        _Kinds(kind="alpxa")
