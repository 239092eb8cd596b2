"""The clause library: clause files, sections, selection and rendering.

A clause is a Markdown file with a YAML header::

    ---
    id: termination.convenience
    version: 1.0.0
    title: Termination for Convenience
    section: termination
    requires: [termination.convenience_days]
    when: termination.convenience_days
    ---
    Either Party may terminate {{ doc.this }} ...

Bodies are Jinja templates run in a sandbox with strict undefined
variables; conditions (``when``) are sandboxed Jinja expressions. Values
from the spec are inserted as literal text and never evaluated (see
:mod:`mou_builder.library.markup`).

A library is a chain of folders: a user's folder overrides built-in clauses
by id and adds new ones, like a chain of template loaders.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import BaseLoader, BytecodeCache, ChainableUndefined, FileSystemBytecodeCache, Undefined, pass_context, StrictUndefined, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.parser import Parser
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mou_builder.cache import code_folder, compiled, read_entry, write_entry
from mou_builder.document import letter
from mou_builder.errors import ClauseError, SpecError, SpecProblem, yaml_problem
from mou_builder.files import read_bounded
from mou_builder.library.markup import REF_RE, TOKEN, MarkupError, ParsedBlock, parse_blocks
from mou_builder.spec.model import Body, Party, Spec, exhibit_letter
from mou_builder.spec.money import payment_plans
from mou_builder.resources import clause_library_dir
from mou_builder.spec.types import is_placeholder

#: libyaml's safe loader where it is installed: our own data files are read often.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse trusted YAML fast; on an error, parse again with PyYAML's own parser,
    whose messages are the same on every machine (libyaml's differ)."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)

_VERSION_RE = r"^[0-9]+\.[0-9]+\.[0-9]+$"
_ID_RE = r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9_-]*$"


class ClauseHeader(BaseModel):
    """The YAML header of a clause file."""

    # Built on first use, from the cache when it can be (mou_builder.cache).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=_ID_RE, description="'section.name', unique in the library.")
    version: str = Field(pattern=_VERSION_RE, description="Semantic version; bump it when the text changes.")
    title: str = Field(min_length=1, description="Heading of the clause in the agreement.")
    section: str = Field(description="Key of the section the clause fills (see sections.yaml).")
    requires: list[str] = Field(default_factory=list, description="Spec fields the clause needs, e.g. 'term.end'.")
    when: str | None = Field(None, description="Condition under which the clause applies; always when absent.")
    group: str | None = Field(None, description="Alternates share a group; at most one of a group is used.")
    order: int = Field(50, description="Position within the section (lower first).")


@dataclass(frozen=True)
class ClauseFile:
    """A clause as read from its file."""

    header: ClauseHeader
    body: str
    path: Path | None
    origin: Literal["builtin", "user", "spec"]
    #: For a clause written in the spec: where it is ("spec.yaml:40:11: clauses.add[0].text").
    label: str | None = None

    @property
    def id(self) -> str:
        return self.header.id

    @property
    def version(self) -> str:
        return self.header.version

    @cached_property
    def sha256(self) -> str:
        """Hash of the normalised header and body: any change of wording changes it."""
        header = self.header.model_dump(exclude={"version"})
        canonical = json.dumps(header, sort_keys=True, ensure_ascii=False) + "\n---\n" + normalise(self.body)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def where(self) -> str:
        return self.label or (str(self.path) if self.path else f"clause {self.id}")


@dataclass(frozen=True)
class SectionDef:
    """A section of the agreement, from ``sections.yaml``."""

    key: str
    title: str
    source: str
    missing: str


def normalise(text: str) -> str:
    """Line endings, trailing spaces and surrounding blank lines do not count as changes."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n") + "\n"


# ---------------------------------------------------------------- reading


def read_clause_file(path: Path, origin: Literal["builtin", "user"] = "user") -> ClauseFile:
    """Read one clause file; raises :class:`ClauseError` naming the file."""
    data = read_bounded(path, MAX_CLAUSE_FILE, ClauseError,
                        not_regular="not a regular file; a clause is a Markdown file",
                        too_large=f"larger than {MAX_CLAUSE_FILE // 1024} KB; a clause file holds one clause")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ClauseError(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    match = re.match(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n?(.*)\Z", text, re.S)
    if not match:
        raise ClauseError(f"{path}: a clause file starts with a YAML header between two '---' lines")
    try:
        raw = load_yaml(match.group(1))
    except yaml.YAMLError as exc:
        raise ClauseError(f"{path}: the header is not valid YAML: {yaml_problem(exc)}") from None
    if not isinstance(raw, dict):
        raise ClauseError(f"{path}: the header must be a mapping of keys (id:, version:, ...)")
    if isinstance(raw.get("version"), (int, float)):
        raw["version"] = str(raw["version"])
    compiled(ClauseHeader)
    try:
        header = ClauseHeader.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ClauseError(f"{path}: header field {where!r}: {first['msg']}, got {first.get('input')!r}") from None
    if TOKEN in match.group(2):
        raise ClauseError(f"{path}: the body contains a NUL character")
    return ClauseFile(header, match.group(2), path, origin)


def read_sections(path: Path) -> list[SectionDef]:
    """Read ``sections.yaml``: the sections in their canonical order."""
    raw = load_yaml(path.read_text(encoding="utf-8"))
    return [SectionDef(s["key"], s["title"], s["source"], s["missing"]) for s in raw["sections"]]


@dataclass
class ClauseLibrary:
    """A set of clauses by id, and the sections they fill."""

    sections: list[SectionDef]
    clauses: dict[str, ClauseFile] = field(default_factory=dict)
    folders: list[Path] = field(default_factory=list)

    def section(self, key: str) -> SectionDef:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def in_section(self, key: str) -> list[ClauseFile]:
        """The section's clauses in their order."""
        return sorted((c for c in self.clauses.values() if c.header.section == key), key=lambda c: (c.header.order, c.id))


def builtin_clause_dir() -> Path:
    """Folder of the built-in clause files."""
    return clause_library_dir() / "clauses"


def clause_files(folder: Path) -> list[Path]:
    """Clause files below ``folder``, in a stable order."""
    return sorted(folder.rglob("*.md"))


def load_library(user_dirs: Sequence[str | Path] = (), *, builtin: bool = True) -> ClauseLibrary:
    """The built-in library, overridden and extended by each folder in ``user_dirs`` in turn."""
    library = ClauseLibrary(read_sections(clause_library_dir() / "sections.yaml"))
    folders: list[tuple[Path, Literal["builtin", "user"]]] = []
    if builtin:
        folders.append((builtin_clause_dir(), "builtin"))
    for folder in user_dirs:
        path = Path(folder)
        if not path.is_dir():
            raise ClauseError(f"{path}: clause folder not found")
        folders.append((path, "user"))
    sections = {s.key for s in library.sections}
    for folder, origin in folders:
        library.folders.append(folder)
        seen: dict[str, Path] = {}
        for path in clause_files(folder):
            clause = read_clause_file(path, origin)
            if clause.id in seen:
                raise ClauseError(f"{path}: duplicate clause id {clause.id!r} (also in {seen[clause.id]})")
            if clause.header.section not in sections:
                # Never dropped silently: a clause nobody would see is a mistake in its header.
                raise ClauseError(
                    f"{path}: unknown section {clause.header.section!r} (sections: {', '.join(sorted(sections))})"
                )
            earlier = library.clauses.get(clause.id)
            if earlier is not None and earlier.version == clause.version and earlier.sha256 != clause.sha256:
                # id@version names one text: an overlay that changes the words must say so in its version,
                # or a pin of id@version would accept other words unnoticed.
                raise ClauseError(
                    f"{path}: {clause.id}@{clause.version} has other text than {earlier.where}, which has the same "
                    "version; give your clause a version of its own (e.g. a higher one)"
                )
            seen[clause.id] = path
            library.clauses[clause.id] = clause  # a later folder overrides by id
    return library


# ---------------------------------------------------------------- the template environment


def number_words(n: int) -> str:
    """Whole numbers as words, for the legal 'thirty (30) days' style (CLDR-free: num2words, English)."""
    if is_placeholder(n):
        return str(n)  # "[DAYS]" stays as written, to be filled in
    from num2words import num2words  # imported on first use: it loads every language's module

    return str(num2words(n, lang="en"))


def format_money(amount: Decimal | None, currency: str = "USD") -> str:
    """``12600.00`` -> ``$12,600.00`` (the currency's symbol as an English draft writes it, from CLDR).

    Exact: the currency's usual decimal places at least, and every further
    digit the spec gives; never rounded, never an exponent.
    """
    if amount is None:
        return ""
    if is_placeholder(amount):
        return str(amount)
    from babel.numbers import format_currency  # imported on first use: Babel loads locale data

    return str(format_currency(amount, currency, locale="en_US", decimal_quantization=False))


def format_number(value: Decimal | int) -> str:
    """A number as plain digits, never in exponent form (``1E-31`` -> ``0.0000...1``)."""
    return f"{value:f}" if isinstance(value, Decimal) and not is_placeholder(value) else str(value)


def format_date(value: date | None) -> str:
    """``2026-08-15`` -> ``August 15, 2026``."""
    if value is None:
        return ""
    if is_placeholder(value):
        return str(value)
    return f"{value:%B} {value.day}, {value.year}"


def and_list(items: Iterable[Any], conjunction: str = "and") -> str:
    """``['a', 'b', 'c']`` -> ``a, b and c`` (all of them)."""
    words = [str(i) for i in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def or_list(items: Iterable[Any]) -> str:
    """``['a', 'b', 'c']`` -> ``a, b or c``: alternatives, any one of which is enough."""
    return and_list(items, "or")


def capfirst(text: str) -> str:
    """Upper-case the first letter only: 'the City' -> 'The City' at the start of a sentence."""
    return text[:1].upper() + text[1:]


def lowerfirst(text: str) -> str:
    """'Provide space' -> 'provide space' after 'shall:'; an acronym or all-capital word is kept ('HMIS ...')."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    return text[:1].lower() + text[1:]


def bare(text: str) -> str:
    """A value used inside a sentence, without its own closing full stop ('... as follows: X.')."""
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def looks_plural(short_name: str) -> bool:
    """'the Signatories', 'the Partners' are plural; 'the City', 'Hope House', 'the Business' are not."""
    words = short_name.split()
    if len(words) < 2 or words[0].lower() != "the":
        return False
    last = words[-1]
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def _lookup(key: Any, mapping: Mapping[Any, Any]) -> Any:
    return mapping.get(key, key)


def _period(n: int, unit: str, possessive: bool) -> str:
    # "thirty (30) days", or before a noun "thirty (30) days' notice" / "one (1) day's notice"
    word = unit if n == 1 else unit + "s"
    if possessive:
        word += "'s" if n == 1 else "'"
    if is_placeholder(n):
        return f"{n} {word}"  # "[DAYS] days' notice": the number is still to be filled in
    return f"{number_words(n)} ({n}) {word}"


def format_days(n: int, possessive: bool = False) -> str:
    """``30`` -> ``thirty (30) days``; with ``possessive``, ``thirty (30) days'`` (before "notice")."""
    return _period(n, "day", possessive)


def format_months(n: int, possessive: bool = False) -> str:
    """``12`` -> ``twelve (12) months``; with ``possessive``, ``twelve (12) months'``."""
    return _period(n, "month", possessive)


@pass_context
def _names(context: Any, ids: Iterable[str]) -> str:
    """Party and body ids -> their short names (a body without one: its name), as an and-list."""
    parties, bodies = context["party"], context["body"]
    return and_list(parties[i]["short_name"] if i in parties else bodies[i]["called"] for i in ids)


#: Limits on what one clause or condition may do, so that no clause file, however written, can
#: exhaust the machine: operations (attribute and item reads, calls, operators, steps of a
#: range() loop), the length of a string or list an operator builds, and the text a body renders.
MAX_OPERATIONS = 1_000_000
MAX_BUILT = 100_000
MAX_OUTPUT = 1_000_000
#: Largest clause file, in bytes: a long clause is a few thousand.
MAX_CLAUSE_FILE = 256 * 1024

_BUDGET: ContextVar[list[int] | None] = ContextVar("mou_clause_budget", default=None)


def _tick() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget[0] -= 1
        if budget[0] < 0:
            raise SecurityError(f"the template does more than {MAX_OPERATIONS:,} operations; simplify its loops")


@contextmanager
def _bounded() -> Iterator[None]:
    """Give the template run inside a fresh operation budget."""
    token = _BUDGET.set([MAX_OPERATIONS])
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _range(*args: int) -> Iterator[int]:
    # Each step of a range() loop costs one operation, so nested loops cannot run for hours.
    for value in range(*args):
        _tick()
        yield value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _bounded_join(parts: Iterable[Any]) -> str:
    """The ``~`` operator, refusing to build a text past :data:`MAX_BUILT` characters."""
    text = "".join(str(p) for p in parts)
    if len(text) > MAX_BUILT:
        raise SecurityError(f"the template builds a value of more than {MAX_BUILT:,} items")
    _tick()
    return text


class _CodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` to a bounded join (Jinja offers no hook for it)."""

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        self.write("environment.bounded_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


#: Jinja's built-in filters a clause may use: those whose output is bounded by their input.
#: (center, indent, wordwrap, format and the like can build arbitrarily long text from a number.)
_SAFE_FILTERS = frozenset({
    "abs", "attr", "capitalize", "count", "default", "d", "dictsort", "first", "float", "groupby", "int", "join",
    "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "reverse", "round", "select",
    "selectattr", "sort", "string", "sum", "title", "trim", "truncate", "unique", "upper", "wordcount", "batch",
    "slice", "items",
})
#: String methods that take a width or a replacement, so that a small call builds a huge text.
_WIDE_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "format", "format_map"})


class _Env(ImmutableSandboxedEnvironment):
    """Sandbox with our filters. Nothing but data and these filters is reachable, within bounds;
    lists and dicts cannot be changed, so nothing accumulates across a loop."""

    intercepted_binops = frozenset({"*", "**", "+"})
    code_generator_class = _CodeGenerator

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, **kwargs)
        self.filters = {name: f for name, f in self.filters.items() if name in _SAFE_FILTERS}
        self.filters.update(
            money=format_money, date=format_date, and_list=and_list, or_list=or_list, names=_names, capfirst=capfirst,
            lowerfirst=lowerfirst, letter=letter, bare=bare, lookup=_lookup, days=format_days, months=format_months, words=number_words, number=format_number,
        )
        self.globals = {"range": _range, "dict": dict}
        self.bounded_join = _bounded_join

    def compile(self, source: Any, name: str | None = None, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        # Reached only when the bytecode cache has no code for ``name``: a source's checks
        # (see _register) run once, before it is first compiled; the cached code of a source
        # that passed them needs no second look (a name is a digest of its source).
        check = _CHECKS.get(name) if name is not None else None
        if check is not None:
            check()
        return super().compile(source, name, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        # Intercepted so that neither constant folding at compile time nor rendering can build a
        # gigantic string, list or number ('x' * 10**8, 10**10**10).
        if operator == "**" and isinstance(right, (int, float)) and (abs(right) > 64 or _size(left)):
            raise SecurityError(f"the power {right!r} is too large")
        if operator == "*":
            count = right if isinstance(left, (str, list, tuple)) else left
            item = left if isinstance(left, (str, list, tuple)) else right
            if _size(item) and isinstance(count, int) and _size(item) * count > MAX_BUILT:
                raise SecurityError(f"the template builds a value of more than {MAX_BUILT:,} items")
        if operator == "+" and _size(left) + _size(right) > MAX_BUILT:
            raise SecurityError(f"the template builds a value of more than {MAX_BUILT:,} items")
        _tick()
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        if isinstance(obj, str) and attribute in _WIDE_METHODS:
            raise SecurityError(f"str.{attribute} is not available in a clause")
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        if isinstance(obj, str) and argument in _WIDE_METHODS:  # 'x'['ljust'] is 'x'.ljust
            raise SecurityError(f"str.{argument} is not available in a clause")
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's signature
        _tick()
        return super().call(__context, __obj, *args, **kwargs)


# Compiling a template costs far more than running it, and a command-line
# run compiles every clause it uses. Compiled code is kept in Jinja's
# bytecode cache (in the user's private cache folder, see mou_builder.cache;
# written atomically), so later runs load it instead. Template names carry a
# hash of the source and of what decides the code compiled from it: this
# revision of the environments' settings, Jinja's version (its compiler; a
# fix to it must not be undone by code an older one compiled) and this
# module's own source (the code generator and the environments' settings),
# so changed text, settings or compiler never reuse stale code.
_ENV_REVISION = "3"


def _compiler_revision() -> str | None:
    """What decides the code compiled from a source besides the source; None if it cannot be told."""
    import jinja2

    try:
        module = Path(__file__).read_bytes()
    except OSError:
        return None  # without this module's source, no compiled code can be known to be current
    return hashlib.sha256(b"\0".join((_ENV_REVISION.encode(), jinja2.__version__.encode(), module))).hexdigest()


_COMPILER = _compiler_revision()
_SOURCES: dict[str, str] = {}
#: What a source must pass before it is compiled, by template name.
_CHECKS: dict[str, Callable[[], None]] = {}


class _SourceLoader(BaseLoader):
    """Serves the sources registered in ``_SOURCES`` by name."""

    def get_source(self, environment: Any, template: str) -> tuple[str, None, Callable[[], bool]]:
        return _SOURCES[template], None, lambda: True


class _BytecodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, made safe to read whatever a file holds and to fail writing.

    Jinja's own reader raises on a damaged file (a cut or garbled header is an
    unpickling error), which stopped every later build with an internal error;
    and a damaged code part that still loads would be run as it is. Files are
    read and written as the cache's other files (:func:`read_entry` checks a
    digest): a file that does not match is compiled again. A write that fails
    (a full disk) only costs the next run the compile.
    """

    def load_bytecode(self, bucket: Bucket) -> None:
        data = read_entry(Path(self._get_cache_filename(bucket)))
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # noqa: BLE001 - whole, yet not code this Jinja reads: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        write_entry(Path(self._get_cache_filename(bucket)), bucket.bytecode_to_string())


def _bytecode_cache() -> BytecodeCache | None:
    folder = code_folder(_COMPILER) if _COMPILER is not None else None
    return _BytecodeCache(str(folder)) if folder is not None else None  # None: compile every time


_CACHE = _bytecode_cache()


def _register(kind: str, source: str, check: Callable[[], None]) -> str:
    """The template name of ``source``; ``check`` raises if the source may not be compiled."""
    digest = hashlib.sha256(f"{_COMPILER}\0{kind}\0{source}".encode("utf-8")).hexdigest()
    name = f"mou-{kind}-{digest}"
    _SOURCES[name] = source
    _CHECKS[name] = check
    return name


CONDITION_ENV = _Env(undefined=ChainableUndefined, loader=_SourceLoader(), bytecode_cache=_CACHE)
# In a condition a missing section is simply absent: `liability.cap is none`
# must hold when there is no liability section at all.
CONDITION_ENV.tests["none"] = lambda value: value is None or isinstance(value, Undefined)


def compile_condition(expression: str) -> Callable[..., Any]:
    """Compile a ``when`` condition; raises TemplateSyntaxError if it does not parse."""
    template = _condition_template(expression)
    return lambda **context: template.render(**context) == "1"


@lru_cache(maxsize=4096)
def _condition_template(expression: str) -> Any:
    def one_expression() -> None:
        # The expression must parse as one expression, so that it cannot close the
        # {% if %} it is wrapped in (the same check compile_expression makes).
        parser = Parser(CONDITION_ENV, expression, state="variable")
        parser.parse_expression()
        if not parser.stream.eos:
            raise TemplateSyntaxError("chunk after expression", parser.stream.current.lineno, None, None)

    return CONDITION_ENV.get_template(_register("cond", "{% if (" + expression + ") %}1{% endif %}", one_expression))


def evaluate(expression: str | None, context: Mapping[str, Any], where: str) -> bool:
    """Evaluate a condition safely against the spec data."""
    if expression is None:
        return True
    try:
        with _bounded():
            return compile_condition(expression)(**context)
    except (TemplateError, SecurityError) as exc:
        raise ClauseError(f"{where}: condition {expression!r} cannot be evaluated: {exc}") from None
    except RecursionError:
        raise ClauseError(f"{where}: condition {expression!r} cannot be evaluated: it nests too deeply") from None


#: The instrument's full name and its default defined term, by ``agreement.kind``.
INSTRUMENTS = {
    "memorandum_of_understanding": ("Memorandum of Understanding", "MOU"),
    "partnership_agreement": ("Partnership Agreement", "Agreement"),
    "data_sharing_agreement": ("Data Sharing Agreement", "Agreement"),
}

#: Where a dispute is decided, in words, by the last step of the ladder.
_FORUMS = {"arbitration": "arbitration or court proceeding", "courts": "suit"}


def spec_context(spec: Spec) -> dict[str, Any]:
    """What clause bodies and conditions see: the spec as plain data, plus a few derived values.

    Plain dicts and lists only (no model objects), so a template cannot
    reach Python methods beyond those of strings, numbers and dates.
    """
    data = spec.model_dump(mode="python")
    for party, model in zip(data["parties"], spec.parties):
        party["plural"] = looks_plural(model.short_name) if model.plural is None else model.plural
        # Define a short name only when it differs from the legal name ("ABC" ("ABC") defines nothing).
        party["defines"] = _plain_name(model.short_name) != _plain_name(model.legal_name)
    parties = {p["id"]: p for p in data["parties"]}
    for body in data["bodies"]:
        # How running text names the body: its defined short name, else its full name.
        body["called"] = body["short_name"] or body["name"]
    bodies = {b["id"]: b for b in data["bodies"]}
    fin = data.get("financial") or {}
    contributions = fin.get("contributions") or []
    money_moves = bool(not fin.get("no_cost") and any(c["kind"] == "cash" for c in contributions))
    full, default_term = INSTRUMENTS[spec.agreement.kind]
    # "the MOU" -> name "MOU": the defined term; the instrument's full name follows agreement.kind.
    name = re.sub(r"^(the|this)\s+", "", spec.agreement.short_title or default_term, flags=re.I)
    binding = spec.legal.binding if spec.legal is not None else True
    two = len(spec.parties) == 2
    steps = [s.kind for s in spec.conflict_resolution.steps] if spec.conflict_resolution else []
    leads = [p.id for p in spec.parties if p.role == "lead"]
    ip = spec.intellectual_property
    ds = spec.data_sharing
    data.update(
        doc={
            "name": name, "full": full, "the": f"the {name}", "this": f"this {name}", "This": f"This {name}",
            # The voice follows legal.binding: "shall" binds, "will" states an intention (DRAFTING.md, rule 2).
            "binding": binding, "shall": "shall" if binding else "will",
            "any_party": "either Party" if two else "any Party",
            "other_parties": "the other Party" if two else "the other Parties",
            "another_party": "the other Party" if two else "another Party",
            "any_other_party": "the other Party" if two else "any other Party",
        },
        party=parties,
        body=bodies,
        money_moves=money_moves,
        personal_data=bool(data.get("data_sharing") and data["data_sharing"]["mode"] == "personal"),
        public_party=any(p["public_body"] for p in data["parties"]),
        currency=fin.get("currency") or "USD",
        party_names=and_list(p["short_name"] for p in data["parties"]),
        neutral_steps=[k for k in steps if k in ("mediation", "arbitration")],
        forum=_FORUMS.get(steps[-1], "suit or other proceeding") if steps else "suit or other proceeding",
        ip_owner=(ip.owner or (leads[0] if len(leads) == 1 else None)) if ip else None,
        # Contacts who are not also liaisons: the liaisons table lists those (one view of each person).
        contacts_not_liaisons=[
            (p.id, c.name) for p in spec.parties for c in p.contacts
            if not (spec.communication and any(li.party == p.id and li.name == c.name for li in spec.communication.liaisons)
                    and all(getattr(li, f) in (None, getattr(c, f)) for li in spec.communication.liaisons
                            if li.party == p.id and li.name == c.name for f in ("title", "email", "phone")))
        ],
        # Per contribution, its instalments worked out (equal amounts, the remainder), or None.
        payment_plans=payment_plans(spec),
        # "Exhibit A (Budget)", one per exhibit, and the parts that govern in a conflict, first to last.
        exhibit_names=[f"Exhibit {exhibit_letter(i)} ({ex.title})" for i, ex in enumerate(spec.exhibits)],
        precedence_order=[
            tier for tier in spec.general_provisions.precedence
            if tier == "agreement" or (spec.exhibits if tier == "exhibits" else spec.incorporated_documents)
        ],
        # The data-sharing parties' names, or None when the spec names no provider or recipient.
        provider=parties[ds.provider]["short_name"] if ds and ds.provider else None,
        recipient=parties[ds.recipient]["short_name"] if ds and ds.recipient else None,
    )
    return data


def _plain_name(name: str) -> str:
    return re.sub(r"^the\s+", "", name.strip(), flags=re.I).casefold()


#: Names a clause may use besides the spec's own top-level fields.
DERIVED_NAMES = frozenset({
    "doc", "party", "money_moves", "personal_data", "public_party", "currency", "party_names", "neutral_steps",
    "forum", "ip_owner", "provider", "recipient", "contacts_not_liaisons", "sections_present", "body", "payment_plans", "exhibit_names",
    "precedence_order",
})


class _ValueCollector:
    """Replaces each inserted value with a token, keeping the value aside.

    The body environment's ``finalize`` hook hands every ``{{ }}`` value to
    the collector of the render in progress. The markup parser later turns
    tokens back into literal text, so a value can never be read as markup or
    template code.
    """

    def __init__(self, where: str) -> None:
        self.values: list[str] = []
        self.where = where

    def __call__(self, value: Any) -> str:
        if value is None or isinstance(value, ChainableUndefined):
            raise ClauseError(f"{self.where}: a value used in the body is empty; guard it with 'when' or 'requires'")
        if isinstance(value, bool):
            raise ClauseError(f"{self.where}: a true/false value cannot be printed; use it in a condition")
        text = format_date(value) if isinstance(value, date) else str(value)
        self.values.append(text)
        return f"{TOKEN}{len(self.values) - 1}{TOKEN}"


_COLLECTOR = "_mou_values"


@pass_context
def _finalize(context: Any, value: Any) -> str:
    return context[_COLLECTOR](value)


BODY_ENV = _Env(undefined=StrictUndefined, finalize=_finalize, loader=_SourceLoader(), bytecode_cache=_CACHE)


@lru_cache(maxsize=4096)
def _compiled_body(body: str) -> Any:
    """A clause body, compiled once per process (and loaded from the bytecode cache when it can be)."""
    def self_contained() -> None:
        # A clause is one self-contained text: it may not pull in other templates (which the loader
        # would serve from other clauses' compiled sources). Parsing is costly, so only a body that
        # has one of the keywords is parsed to look for the tags.
        if re.search(r"\b(include|extends|import)\b", body):
            kinds = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)
            found = next(iter(BODY_ENV.parse(body).find_all(kinds)), None)
            if found is not None:
                raise TemplateSyntaxError(f"'{type(found).__name__.lower()}' is not allowed in a clause", found.lineno)

    with _bounded():
        return BODY_ENV.get_template(_register("body", body, self_contained))


def _bounded_render(template: Any, context: Mapping[str, Any]) -> str:
    """Render ``template``, stopping as soon as the text passes :data:`MAX_OUTPUT` characters."""
    out: list[str] = []
    size = 0
    for piece in template.generate(**context):
        size += len(piece)
        if size > MAX_OUTPUT:
            raise SecurityError(f"the body renders more than {MAX_OUTPUT:,} characters")
        out.append(piece)
    return "".join(out)


def compile_library(library: ClauseLibrary) -> None:
    """Compile every clause's condition and body now (from the bytecode cache when it can be).

    A batch does this before its first spec, so that the first build costs
    what the others do. A clause that does not compile is left for the
    build that uses it to report, with its file and line.
    """
    for clause in library.clauses.values():
        try:
            if clause.header.when is not None:
                _condition_template(clause.header.when)
            _compiled_body(clause.body)
        except (TemplateError, ClauseError, RecursionError):  # RecursionError: nested past the parser's depth
            continue


def render_body(
    clause: ClauseFile, context: Mapping[str, Any], resolve: Callable[[str], tuple[str, str]]
) -> list[ParsedBlock]:
    """Render a clause body against ``context`` into parsed blocks."""
    collector = _ValueCollector(clause.where)
    if clause.origin == "spec":
        # Clause text written in the spec is data: it is never run as a template.
        text = _protect_literal(clause.body, collector)
    else:
        try:
            with _bounded():
                text = _bounded_render(_compiled_body(clause.body), {**context, _COLLECTOR: collector})
        except RecursionError:
            raise ClauseError(f"{clause.where}: the body calls itself too deeply (a macro that never stops?)") from None
        except UndefinedError as exc:
            raise ClauseError(f"{clause.where}: undefined variable in the body: {exc.message}") from None
        except TemplateSyntaxError as exc:
            raise ClauseError(f"{clause.where}: line {exc.lineno} of the body: {exc.message}") from None
        except SecurityError as exc:
            raise ClauseError(f"{clause.where}: refused by the sandbox: {exc}") from None
        except TemplateError as exc:
            raise ClauseError(f"{clause.where}: cannot be rendered: {exc}") from None
    try:
        # Text written in the spec is forgiving (a lone * is an asterisk) and places no tables.
        return parse_blocks(text, collector.values, resolve, trusted=clause.origin != "spec")
    except MarkupError as exc:
        raise ClauseError(f"{clause.where}: {exc}") from None


def _protect_literal(text: str, collector: _ValueCollector) -> str:
    """For spec-written clauses: keep markup, but make template-looking text literal."""

    def keep(match: re.Match[str]) -> str:
        return collector(match.group(0))

    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", keep, text, flags=re.S)


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class Selection:
    """The clauses that apply to a spec, section by section, in order."""

    by_section: dict[str, list[ClauseFile]]


def parse_pin(pin: str) -> tuple[str, str | None]:
    """``'id@1.2.0'`` -> ``('id', '1.2.0')``; ``'id'`` -> ``('id', None)``."""
    clause_id, _, version = pin.partition("@")
    return clause_id, version or None


def spec_clauses(spec: Spec) -> list[ClauseFile]:
    """Clauses written in the spec itself (``clauses.add``)."""
    out = []
    for i, added in enumerate(spec.clauses.add):
        header = ClauseHeader(id=f"{added.section}.{added.id}" if "." not in added.id else added.id,
                              version="0.0.0", title=added.title, section=added.section, order=90)
        label = f"clauses.add[{i}].text"
        if spec.source is not None:
            line, column = spec.source.locate(("clauses", "add", i, "text"))
            label = f"{spec.source.source}:{line}:{column}: {label}"
        out.append(ClauseFile(header, added.text, None, "spec", label))
    return out


def spec_clause_problems(spec: Spec, library: ClauseLibrary) -> list[SpecProblem]:
    """What the spec's ``clauses`` choices ask of ``library`` that it cannot give, each located
    (``spec.yaml:40:11: clauses.add[0].id: ...``) when the spec came from a file."""
    from mou_builder.spec.loader import format_path

    def problem(loc: tuple[str | int, ...], message: str) -> SpecProblem:
        if spec.source is None:
            return SpecProblem("<spec>", None, None, format_path(loc), message)
        line, column = spec.source.locate(loc)
        return SpecProblem(str(spec.source.source), line, column, format_path(loc), message)

    problems = []
    for i, pin in enumerate(spec.clauses.pin):
        pin_id, version = parse_pin(pin)
        if pin_id not in library.clauses:
            problems.append(problem(("clauses", "pin", i), f"no clause {pin_id!r} in the library"))
        elif version and version != library.clauses[pin_id].version:
            actual = library.clauses[pin_id].version
            problems.append(problem(("clauses", "pin", i), f"{pin_id}@{version} is pinned but the library has {pin_id}@{actual}"))
    for i, clause_id in enumerate(spec.clauses.exclude):
        if clause_id not in library.clauses:
            problems.append(problem(("clauses", "exclude", i), f"no clause {clause_id!r} in the library"))
    from mou_builder.review.overrides import unknown_overrides

    problems.extend(problem(loc, message) for loc, message in unknown_overrides(spec, library))
    known_sections = [s.key for s in library.sections]
    for i, clause in enumerate(spec_clauses(spec)):
        if clause.header.section not in known_sections:
            problems.append(problem(
                ("clauses", "add", i, "section"),
                f"unknown section {clause.header.section!r} for clause {clause.id!r} (sections: {', '.join(known_sections)})",
            ))
        if clause.id in library.clauses:
            problems.append(problem(
                ("clauses", "add", i, "id"),
                f"{clause.id} is already a library clause; give the added clause another id, or exclude the library "
                f"clause and add yours under a new id, got {spec.clauses.add[i].id!r}",
            ))
    return problems


def select_clauses(spec: Spec, library: ClauseLibrary, context: Mapping[str, Any] | None = None) -> Selection:
    """Which clauses apply to ``spec``: conditions, groups, pins, exclusions and added clauses."""
    context = context if context is not None else spec_context(spec)
    problems = spec_clause_problems(spec, library)
    if problems:
        raise SpecError(problems)
    pins = dict(parse_pin(p) for p in spec.clauses.pin)
    excluded = set(spec.clauses.exclude)
    pinned_groups = {library.clauses[p].header.group for p in pins if library.clauses[p].header.group}
    added = spec_clauses(spec)
    by_section: dict[str, list[ClauseFile]] = {}
    for section in library.sections:
        chosen: list[ClauseFile] = []
        used_groups: set[str] = set()
        for clause in library.in_section(section.key):
            group = clause.header.group
            if clause.id in excluded:
                continue
            if clause.id in pins:
                applies = True
            elif group and group in pinned_groups:
                applies = False
            else:
                applies = evaluate(clause.header.when, context, clause.where)
            if applies and group:
                if group in used_groups:
                    continue  # the first alternate of a group wins
                used_groups.add(group)
            if applies:
                chosen.append(clause)
        chosen.extend(c for c in added if c.header.section == section.key)
        by_section[section.key] = chosen
    from mou_builder.review.overrides import apply_overrides

    return Selection(apply_overrides(spec, by_section))


# ---------------------------------------------------------------- integrity


def lock_text(library: ClauseLibrary) -> str:
    """The lock file: one ``id@version sha256`` line per clause, sorted."""
    lines = [f"{c.id}@{c.version} {c.sha256}" for c in sorted(library.clauses.values(), key=lambda c: c.id)]
    return "# mou-builder clause lock: id@version sha256 of the normalised clause.\n" + "\n".join(lines) + "\n"


def read_lock(text: str) -> dict[str, tuple[str, str]]:
    """Parse a lock file into ``{id: (version, sha256)}``."""
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            ref, digest = line.split()
            clause_id, version = parse_pin(ref)
            out[clause_id] = (version or "", digest)
    return out


def lock_problems(library: ClauseLibrary, lock: Mapping[str, tuple[str, str]]) -> list[str]:
    """Clauses whose text changed without a version bump, or that the lock does not list."""
    problems = []
    for clause in sorted(library.clauses.values(), key=lambda c: c.id):
        locked = lock.get(clause.id)
        if locked is None:
            problems.append(f"{clause.where}: {clause.id}@{clause.version} is not in the lock file")
        elif locked[0] == clause.version and locked[1] != clause.sha256:
            problems.append(
                f"{clause.where}: the text of {clause.id}@{clause.version} changed without a version bump"
            )
        elif locked[0] != clause.version:
            problems.append(f"{clause.where}: {clause.id} is {clause.version} but the lock file has {locked[0]}")
    for clause_id in sorted(set(lock) - set(library.clauses)):
        problems.append(f"lock file: {clause_id} is locked but no longer in the library")
    return problems


@dataclass(frozen=True)
class LibraryProblem:
    """A problem ``mou-build clauses check`` reports."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def check_library(user_dirs: Sequence[str | Path] = (), *, builtin: bool = True) -> list[LibraryProblem]:
    """Check a clause library: ids, sections, conditions, variables, references, coverage."""
    problems: list[LibraryProblem] = []
    sections = read_sections(clause_library_dir() / "sections.yaml")
    section_keys = {s.key for s in sections}
    clauses: dict[str, ClauseFile] = {}
    folders = ([builtin_clause_dir()] if builtin else []) + [Path(d) for d in user_dirs]
    for folder in folders:
        if not folder.is_dir():
            problems.append(LibraryProblem(str(folder), "clause folder not found"))
            continue
        seen: dict[str, ClauseFile] = {}
        for path in clause_files(folder):
            try:
                clause = read_clause_file(path)
            except ClauseError as exc:
                problems.append(LibraryProblem(str(path), str(exc).split(": ", 1)[1]))
                continue
            if clause.id in seen:
                problems.append(LibraryProblem(str(path), f"duplicate clause id {clause.id!r} (also in {seen[clause.id].where})"))
            seen[clause.id] = clause
            clauses[clause.id] = clause
    fields = _spec_fields()
    for clause in clauses.values():
        where = clause.where
        if clause.header.section not in section_keys:
            problems.append(LibraryProblem(where, f"unknown section {clause.header.section!r}"))
        if not clause.id.startswith(clause.header.section + "."):
            problems.append(LibraryProblem(where, f"id {clause.id!r} should start with its section, {clause.header.section!r}"))
        if clause.header.when is not None:
            try:
                compile_condition(clause.header.when)
            except TemplateSyntaxError as exc:
                problems.append(LibraryProblem(where, f"condition {clause.header.when!r} does not parse: {exc.message}"))
            else:
                for name in _paths_used(CONDITION_ENV.parse("{{ " + clause.header.when + " }}")):
                    if not _known_path(name, fields):
                        problems.append(LibraryProblem(where, f"condition uses {name!r}, which is not a spec field"))
        for required in clause.header.requires:
            if not _known_path(required, fields):
                problems.append(LibraryProblem(where, f"requires {required!r}, which is not a spec field"))
        try:
            ast = _Env().parse(clause.body)
        except TemplateSyntaxError as exc:
            problems.append(LibraryProblem(where, f"line {exc.lineno} of the body: {exc.message}"))
            continue
        for name in _paths_used(ast):
            if not _known_path(name, fields):
                problems.append(LibraryProblem(where, f"the body uses {name!r}, which is not a spec field"))
        for ref in REF_RE.findall(clause.body):
            # [[section_key]] refers to a section, [[section.name]] to a clause
            if "." not in ref and ref not in section_keys:
                problems.append(LibraryProblem(where, f"refers to the section [[{ref}]], which does not exist"))
            elif "." in ref and ref not in clauses:
                problems.append(LibraryProblem(where, f"refers to [[{ref}]], which is not in the library"))
    covered = {c.header.section for c in clauses.values()}
    if builtin:
        for section in sections:
            if section.key not in covered:
                problems.append(LibraryProblem("sections.yaml", f"section {section.key!r} has no clause"))
    return problems


def _spec_fields() -> dict[str, Any]:
    """A tree of the spec's field names (dicts of dicts), for checking variable paths."""

    def tree(model: Any) -> dict[str, Any]:
        from mou_builder.spec.loader import _unwrap

        out: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            inner = _unwrap(info.annotation)
            out[name] = tree(inner) if inner is not None else {}
        return out

    fields = tree(Spec)
    fields["party"] = {"*": tree(Party)}
    fields["doc"] = {key: {} for key in (
        "this", "This", "the", "name", "full", "binding", "shall", "any_party", "other_parties", "another_party",
        "any_other_party",
    )}
    fields["party"]["*"].update(plural={}, defines={})
    fields["body"] = {"*": {**tree(Body), "called": {}}}
    fields["bodies"]["called"] = {}
    for name in DERIVED_NAMES - {"doc", "party", "body"}:
        fields[name] = {}
    return fields


def _paths_used(ast: nodes.Template) -> set[str]:
    """Dotted paths rooted at undeclared names: ``financial.contributions`` etc."""
    roots = meta.find_undeclared_variables(ast)
    paths: set[str] = set()
    for node in ast.find_all((nodes.Getattr, nodes.Name)):
        chain: list[str] = []
        current: Any = node
        while isinstance(current, nodes.Getattr):
            chain.append(current.attr)
            current = current.node
        if isinstance(current, nodes.Name) and current.name in roots:
            paths.add(".".join([current.name, *reversed(chain)]))
    # keep only the longest chains (a.b.c implies a.b and a)
    return {p for p in paths if not any(q.startswith(p + ".") for q in paths)}


def _known_path(path: str, fields: Mapping[str, Any]) -> bool:
    node: Any = fields
    for i, part in enumerate(path.split(".")):
        if not isinstance(node, dict):
            return False
        if part in node:
            node = node[part]
        elif "*" in node:
            node = node["*"]
        elif not node:
            # a leaf value: string/number/list methods and list items are not spec fields
            return i > 0
        else:
            return False
    return True
