"""The public API of ``import mou_builder``: every name is the documented object, and every function runs.

Importing a submodule sets the package attribute of the same name to the
module, so a submodule named like a public function (``render_text``) hid
that function once anything imported it. These tests import every
submodule first, then check and call every public name.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

import mou_builder as mou
from conftest import ROOT

EXAMPLE = ROOT / "docs" / "examples" / "library-literacy.yaml"
# __main__ runs the command line when imported.
SUBMODULES = sorted(m.name for m in pkgutil.walk_packages(mou.__path__, "mou_builder.")
                    if not m.name.endswith("__main__"))


def _import_every_submodule() -> None:
    for name in SUBMODULES:
        importlib.import_module(name)


def test_no_submodule_is_named_like_a_public_name() -> None:
    # Importing mou_builder.render.text sets the package's attribute 'render': the first names are what may shadow.
    first = {name.split(".")[1] for name in SUBMODULES}
    assert {"render", "review", "spec", "library"} <= first  # the listing sees the subpackages
    assert "mou_builder.render.text" in SUBMODULES  # and the modules inside them
    assert sorted(first & set(mou.__all__)) == []


def test_every_public_name_is_the_documented_object_after_every_import() -> None:
    _import_every_submodule()
    for name in mou.__all__:
        value = getattr(mou, name)
        assert not isinstance(value, ModuleType), f"mou_builder.{name} is a module"
        if name != "__version__":
            module = importlib.import_module(mou._LAZY[name])
            assert value is getattr(module, name), name
            assert value.__doc__, f"mou_builder.{name} has no docstring"
    from mou_builder import render_text

    assert inspect.isfunction(render_text) and render_text.__module__ == "mou_builder.render.text"
    assert sorted(dir(mou)) == sorted(mou.__all__)


def test_every_public_function_runs_on_the_bundled_example(tmp_path: Path) -> None:
    _import_every_submodule()
    called: set[str] = set()

    def call(name: str, *args: object, **kwargs: object) -> object:
        called.add(name)
        return getattr(mou, name)(*args, **kwargs)

    spec = call("load_spec", EXAMPLE)
    assert isinstance(spec, mou.Spec)
    assert call("loads_spec", EXAMPLE.read_text(encoding="utf-8")).model_dump() == spec.model_dump()
    assert call("validate_spec", spec.model_dump(exclude_unset=True)).model_dump() == spec.model_dump()
    assert call("spec_schema")["$id"].endswith("mou-spec.schema.json")
    library = call("load_library")
    profile = call("load_profile", "general")
    findings = call("check", spec, profile=profile, library=library)
    assert all(isinstance(f, mou.Finding) for f in findings)
    document = call("assemble", spec, library=library, profile=profile)
    assert isinstance(document, mou.Document)
    markdown, text = call("render_text", document, "md"), call("render_text", document, "txt")
    assert spec.agreement.title in markdown and spec.agreement.title.upper() in text
    docx = call("render_docx", document)
    assert docx[:2] == b"PK" and call("build_docx", EXAMPLE) == docx
    summary = call("summarize_changes", EXAMPLE, spec)
    assert isinstance(summary, mou.ChangeSummary) and not summary.fields
    assert call("redline", EXAMPLE, EXAMPLE)[:2] == b"PK"
    result = call("build_file", EXAMPLE, tmp_path / "one.docx", mou.BuildOptions())
    assert isinstance(result, mou.BuildResult) and result.status in ("built", "incomplete")
    assert (tmp_path / "one.docx").read_bytes() == docx
    many = list(call("build_many", [(EXAMPLE, tmp_path / "two.docx")], mou.BuildOptions(), jobs=1))
    assert [r.status for r in many] == [result.status]
    with pytest.raises(mou.AmendmentError, match="nothing to amend"):
        call("amend", spec, spec)
    later = spec.model_dump(mode="json", exclude_unset=True)
    later["recitals"] = [*spec.recitals, "The Parties extended the program to a second site."]
    later["agreement"]["document_date"] = "2027-01-15"  # an amendment takes effect after the agreement it amends
    amendment = call("amend", spec, call("validate_spec", later))
    assert isinstance(amendment, mou.Document) and amendment.title.title == f"Amendment No. 1 to {spec.agreement.title}"
    # the spec a built .docx carries is the spec it was built from
    assert call("spec_from_docx", tmp_path / "one.docx").model_dump() == spec.model_dump()
    # every public function was called above; classes are checked by isinstance
    functions = {n for n in mou.__all__ if inspect.isfunction(getattr(mou, n))}
    assert called == functions


def test_every_error_is_a_mou_error() -> None:
    errors = [n for n in mou.__all__ if n.endswith("Error")]
    assert len(errors) == 10
    for name in errors:
        assert issubclass(getattr(mou, name), mou.MouError), name


# ---------------------------------------------------------------- what load_spec reads


JSON_TEXT = '{"agreement": {"title": "T", "document_date": "2026-01-15"},\n"parties": [{"id": "a", "legal_name": "A", "short_name": "A"}, {"id": "b", "legal_name": "B", "short_name": "B"}],\n"financial": {"contributions": [{"payer": "a", "payee": "b", "description": "x", "amount": 96000.10}]}}\n'


@pytest.mark.parametrize("kind", ["str", "path", "text-stream", "binary-stream", "bytes-io", "string-io", "dict"])
def test_load_spec_reads_paths_streams_and_mappings(kind: str) -> None:
    import yaml

    expected = mou.load_spec(EXAMPLE).model_dump()
    if kind in ("text-stream", "binary-stream"):
        with EXAMPLE.open("r" if kind == "text-stream" else "rb") as stream:
            assert mou.load_spec(stream).model_dump() == expected
        return
    source = {
        "str": str(EXAMPLE),
        "path": EXAMPLE,
        "bytes-io": io.BytesIO(EXAMPLE.read_bytes()),
        "string-io": io.StringIO(EXAMPLE.read_text(encoding="utf-8")),
        "dict": yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")),
    }[kind]
    assert mou.load_spec(source).model_dump() == expected


@pytest.mark.parametrize("text", [JSON_TEXT, JSON_TEXT.encode()], ids=["str", "bytes"])
def test_loads_spec_reads_json_with_exact_decimals(text: str | bytes) -> None:
    amount = mou.loads_spec(text).financial.contributions[0].amount
    assert isinstance(amount, Decimal) and str(amount) == "96000.10"


def _problems(call: object) -> list[str]:
    with pytest.raises(mou.SpecError) as info:
        call()  # type: ignore[operator]
    return [str(p) for p in info.value.problems]


BAD_YAML = "agreement:\n  title: T\n  document_date: 2026-02-30\nparties: []\n"


def test_errors_name_where_the_text_came_from(tmp_path: Path) -> None:
    expected = [
        "{}:3:18: agreement.document_date: is not a real calendar date: '2026-02-30'",
        "{}:4:10: parties: must have at least 2 item(s), got 0",
    ]
    assert _problems(lambda: mou.loads_spec(BAD_YAML, source="form-42.yaml")) == [
        e.format("form-42.yaml") for e in expected
    ]
    assert _problems(lambda: mou.loads_spec(BAD_YAML)) == [e.format("<spec>") for e in expected]
    assert _problems(lambda: mou.load_spec(io.StringIO(BAD_YAML))) == [e.format("<stream>") for e in expected]
    path = tmp_path / "draft.yaml"
    path.write_text(BAD_YAML)
    with path.open("rb") as stream:
        assert _problems(lambda: mou.load_spec(stream)) == [e.format(path) for e in expected]


TRAILING_COMMA = '{"agreement": {"title": "T",}}'  # YAML allows the comma, JSON does not


def test_the_format_follows_the_name_then_the_first_character(tmp_path: Path) -> None:
    invalid_json = "{}:1:29: invalid JSON: Expecting property name enclosed in double quotes"
    path = tmp_path / "form.json"
    path.write_text(TRAILING_COMMA)
    with path.open() as stream:
        assert _problems(lambda: mou.load_spec(stream)) == [invalid_json.format(path)]
    assert _problems(lambda: mou.loads_spec(TRAILING_COMMA)) == [invalid_json.format("<spec>")]
    as_yaml = ["{}:1:1: parties: required field is missing", "{}:1:15: agreement.document_date: required field is missing"]
    assert _problems(lambda: mou.loads_spec(TRAILING_COMMA, fmt="yaml")) == [p.format("<spec>") for p in as_yaml]
    assert _problems(lambda: mou.loads_spec(TRAILING_COMMA, source="f.yaml")) == [p.format("f.yaml") for p in as_yaml]


@pytest.mark.parametrize(("call", "message"), [
    (lambda: mou.load_spec(BAD_YAML), "<spec>: load_spec takes a path, an open file or a mapping, and this looks like "
     "spec text: pass it to loads_spec(text)"),
    (lambda: mou.load_spec("no-such-spec.yaml"), "no-such-spec.yaml: no such file"),
    (lambda: mou.loads_spec(b"agreement: \xff\n"), "<spec>:1:12: the file is not UTF-8 text (byte 0xff); save it as UTF-8"),
    (lambda: mou.loads_spec("x" * 1_000_001), "<spec>: the file is 1,000,001 bytes; a spec may be at most 1,000,000 bytes"),
    (lambda: mou.load_spec(io.BytesIO(b"x" * 1_000_001)),
     "<stream>: the spec is more than 1,000,000 bytes, the most a spec may be"),
    (lambda: mou.load_spec(io.TextIOWrapper(io.BytesIO(b"a: \xff"), encoding="utf-8")),
     "<stream>: the file is not UTF-8 text (invalid start byte); save it as UTF-8, or open it in binary mode"),
    (lambda: mou.loads_spec("   \n"), "<spec>: the file is empty; a spec starts with 'agreement:' and 'parties:' (mou-build init writes a starter spec; mou-build examples lists complete ones)"),
    (lambda: mou.validate_spec([1, 2]), "<spec>: must be a mapping of keys and values, got a list"),
], ids=["text-given-as-path", "missing-file", "bytes-not-utf8", "text-too-large", "stream-too-large",
        "text-stream-not-utf8", "blank-text", "list-not-mapping"])
def test_bad_sources_are_refused_with_a_message(call: object, message: str) -> None:
    assert _problems(call) == [message]


def test_load_spec_refuses_what_it_cannot_read() -> None:
    with pytest.raises(TypeError, match="load_spec takes a path, an open file or a mapping, not int"):
        mou.load_spec(3)  # type: ignore[arg-type]
