"""Read a spec (YAML or JSON: a file, an open file, text, or parsed data) into a validated :class:`~mou_builder.spec.model.Spec`.

The YAML is *composed* (parsed into nodes that keep their line and column)
rather than loaded, and values are built from the nodes here, so that:

- every value's position is known, and pydantic's error locations can be
  turned back into ``file:line:column``;
- scalars follow simple rules instead of YAML 1.1's: only ``true``/``false``
  are booleans, only plain decimal numbers are numbers, and numbers with a
  point are exact :class:`~decimal.Decimal` values. ``NO``, ``yes``, ``0777``,
  ``1:30`` and ``1e5`` stay text, and the model refuses text where a boolean
  or a number is meant; a whole number too long for Python's ``int``
  (4,300 digits) stays an exact Decimal, which the model refuses at its line;
- a duplicate key is an error at its line instead of silently winning;
- aliases are expanded with a budget, so a "billion laughs" file is refused.
"""

from __future__ import annotations

import bisect
import difflib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from mou_builder.cache import compiled
from mou_builder.spec.currencies import ISO_4217
from mou_builder.errors import SpecError, SpecProblem
from mou_builder.files import NotRegularFile, read_regular
from mou_builder.spec.model import Spec
from mou_builder.spec.types import MAX_PLACES, as_placeholder, exact_float, short_value, unquoted_placeholder

#: Largest spec file read, in bytes. Real agreements are a few kilobytes.
MAX_SPEC_BYTES = 1_000_000
#: Most values a spec may hold once aliases are expanded.
MAX_NODES = 100_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 40

Loc = tuple[Any, ...]

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]*)\.[0-9]+$")
_YAML_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_YAML_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "value")}


@dataclass
class SourceMap:
    """Where each value and key of a spec stands in its file (1-based)."""

    source: str
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column of the value (or key) at ``loc``, or of its nearest parent."""
        if key and loc in self.keys:
            return self.keys[loc]
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.values:
                return self.values[loc[:end]]
        return None, None


def format_path(loc: Loc) -> str:
    """``('parties', 1, 'role')`` -> ``parties[1].role``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# ---------------------------------------------------------------- reading


#: What :func:`load_spec` reads: a path, an open file (text or binary), or data already parsed.
SpecSource = Union[str, "os.PathLike[str]", IO[str], IO[bytes], Mapping[str, Any]]
#: The two formats a spec is written in.
SpecFormat = Literal["yaml", "json"]


def load_spec(source: SpecSource) -> Spec:
    """Read and validate a spec from a file path, an open file, or a mapping.

    - a path (``str`` or :class:`~pathlib.Path`): JSON when it ends in
      ``.json``, YAML otherwise; errors name ``file:line:column``;
    - an open file, text or binary (``open(p)``, ``sys.stdin``,
      ``io.BytesIO``): read as :func:`loads_spec` reads text, with the
      stream's ``name`` in errors;
    - a mapping (``dict`` from a web form, ``json.loads`` or
      ``yaml.safe_load``): the same as :func:`validate_spec`.

    Spec text is not a path: give it to :func:`loads_spec`. Raises
    :class:`~mou_builder.errors.SpecError` listing every problem with its
    place, spec path and bad value.
    """
    if isinstance(source, Mapping):
        return validate_spec(source)
    if isinstance(source, str) and ("\n" in source or (source.lstrip().startswith("{") and not Path(source).exists())):
        _fail("<spec>", None, "load_spec takes a path, an open file or a mapping, and this looks like spec text: "
              "pass it to loads_spec(text)")
    if isinstance(source, (str, os.PathLike)):
        data, source_map = read_spec_data(Path(source))
    elif callable(getattr(source, "read", None)):
        data, source_map = read_spec_stream(source)
    else:
        raise TypeError(f"load_spec takes a path, an open file or a mapping, not {type(source).__name__}")
    return validate_spec(data, source_map)


def loads_spec(text: str | bytes, *, source: str = "<spec>", fmt: SpecFormat | None = None) -> Spec:
    """Validate a spec given as text (``str``, or UTF-8 ``bytes``).

    ``fmt`` is ``"yaml"`` or ``"json"``; by default it follows ``source``'s
    extension (``.json``), else text that starts with ``{`` is JSON and any
    other text YAML. ``source`` names the text in errors
    (``form-42.yaml:3:7: ...``).
    """
    data, source_map = parse_spec_text(_text(text, source), source=source, fmt=fmt)
    return validate_spec(data, source_map)


#: The name :func:`loads_spec` had before; kept for existing callers.
load_spec_text = loads_spec


def read_spec_data(path: Path) -> tuple[Any, SourceMap]:
    """Read ``path`` into plain data and its :class:`SourceMap`, without validating."""
    name = str(path)
    try:
        raw = read_regular(path, MAX_SPEC_BYTES)
        if len(raw) > MAX_SPEC_BYTES:
            _too_large(name, os.stat(path).st_size)
    except IsADirectoryError:
        _fail(name, None, "is a folder, not a spec file")
    except NotRegularFile:
        _fail(name, None, "is not a regular file (a device, a pipe or a socket); a spec is a YAML or JSON file")
    except FileNotFoundError:
        _fail(name, None, "no such file")
    except PermissionError:
        _fail(name, None, "cannot be read (permission denied)")
    except OSError as exc:
        _fail(name, None, f"cannot be read ({exc.strerror})")
    return parse_spec_text(_text(raw, name), source=name)


def read_spec_stream(stream: IO[str] | IO[bytes]) -> tuple[Any, SourceMap]:
    """Read an open file (text or binary) into plain data and its :class:`SourceMap`.

    At most :data:`MAX_SPEC_BYTES` are read; the stream's ``name`` (if it
    has one) names it in errors and decides its format as a path's suffix does.
    """
    name = getattr(stream, "name", None)
    name = name if isinstance(name, str) else "<stream>"
    try:
        raw = stream.read(MAX_SPEC_BYTES + 1)
    except UnicodeDecodeError as exc:
        _fail(name, None, f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8, or open it in binary mode")
    except OSError as exc:
        _fail(name, None, f"cannot be read ({exc.strerror or exc})")
    if not isinstance(raw, (str, bytes)):
        raise TypeError(f"{name}: read() returned {type(raw).__name__}, not text or bytes")
    if len(raw) > MAX_SPEC_BYTES:
        _fail(name, None, f"the spec is more than {MAX_SPEC_BYTES:,} bytes, the most a spec may be")
    return parse_spec_text(_text(raw, name), source=name)


def _text(raw: str | bytes, source: str) -> str:
    """Spec text within the size bound, decoded from UTF-8 when given as bytes (a byte-order mark dropped)."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > MAX_SPEC_BYTES:
        _too_large(source, size)
    # Text read in text mode keeps the mark, which Python's JSON parser refuses: dropped as from bytes.
    return decode_spec_bytes(raw, source) if isinstance(raw, bytes) else raw.removeprefix("\ufeff")


def _too_large(source: str, size: int) -> None:
    _fail(source, None, f"the file is {size:,} bytes; a spec may be at most {MAX_SPEC_BYTES:,} bytes")


def _format(source: str, text: str, fmt: SpecFormat | None) -> SpecFormat:
    if fmt is not None:
        if fmt not in ("yaml", "json"):
            raise ValueError(f"fmt must be 'yaml' or 'json', not {fmt!r}")
        return fmt
    suffix = Path(source).suffix.lower() if source and not source.startswith("<") else ""
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return "json" if text.lstrip().startswith("{") else "yaml"


def decode_spec_bytes(raw: bytes, source: str) -> str:
    """Decode UTF-8 (a UTF-8 byte-order mark is allowed and dropped)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # What comes before the first bad byte decodes; its lines end where the YAML reader ends them.
        before = raw[: exc.start].decode("utf-8")
        line, column = _at(_breaks(before), len(before))
        bad = raw[exc.start : exc.start + 1].hex()
        raise SpecError(
            [SpecProblem(source, line, column, "", f"the file is not UTF-8 text (byte 0x{bad}); save it as UTF-8")]
        ) from None


#: What an empty spec (or one of comments only) is told.
_EMPTY = ("the file is empty; a spec starts with 'agreement:' and 'parties:' (mou-build init writes a starter spec; "
          "mou-build examples lists complete ones)")


def parse_spec_text(text: str, *, source: str = "<spec>", fmt: SpecFormat | None = None) -> tuple[Any, SourceMap]:
    """Parse spec text into plain data and a :class:`SourceMap` (``fmt`` as in :func:`loads_spec`)."""
    if not text.strip():
        _fail(source, None, _EMPTY)
    if _format(source, text, fmt) == "json":
        data = _parse_json(text, source)
        source_map = _json_positions(text, source)
        if source_map is None:
            # A duplicate key or nesting past the limit: JSON is YAML, so composing it again (tabs
            # are only whitespace in JSON) reports it at its line, as for YAML.
            try:
                source_map = _Builder(source).build(_compose(text.replace("\t", " "), source))[1]
            except SpecError as exc:
                if any("duplicate key" in p.message or "nested too deeply" in p.message for p in exc.problems):
                    raise
                source_map = SourceMap(source)  # JSON that YAML reads otherwise only loses its positions
    else:
        data, source_map = _Builder(source).build(_compose(text, source))
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "nothing" if data is None else f"the value {data!r}"
        _fail(source, (1, 1), f"the top level must be a mapping of sections (agreement:, parties:, ...), got {kind}")
    return data, source_map


def _parse_json(text: str, source: str) -> Any:
    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number a spec can use")

    try:
        # As in YAML: a plain decimal is exact, exponent forms stay text.
        return json.loads(
            text,
            parse_float=lambda t: Decimal(t) if _DECIMAL.match(t) else t,
            parse_int=_whole_number,
            parse_constant=no_constant,
        )
    except json.JSONDecodeError as exc:
        # Python counts lines by LF only; the line and column here count breaks as the YAML reader does.
        _fail(source, _at(_breaks(text), exc.pos), f"invalid JSON: {exc.msg}")
    except ValueError as exc:
        _fail(source, None, f"invalid JSON: {exc}")
    except RecursionError:  # brackets nested past Python's limit: the depth limit's message, not a crash
        # JSON is YAML (tabs are only white space in JSON): its events tell where the limit is passed.
        _fail(source, _deep_at(text.replace("\t", " ")) or (1, 1),
              f"values are nested too deeply (at most {MAX_DEPTH} levels)")


#: A token of JSON text already known to be valid: a string, a number or word, or a bracket or comma
#: (colons and white space are skipped).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\s{}\[\]:,"]+|[{}\[\],]', re.S)


#: A line break as YAML counts one.
_LINE_BREAK = re.compile("\r\n?|[\n\x85\u2028\u2029]")
_RARE_BREAK = re.compile("[\r\x85\u2028\u2029]")
_NEWLINE = re.compile("\n")


def _breaks(text: str) -> list[int]:
    """Where each line after the first starts.

    Lines end where the YAML reader ends them (its positions are the ones to
    match, and an editor breaks a line at a lone carriage return too): CR LF,
    CR, LF, NEL, LS and PS.
    """
    ends = _LINE_BREAK if _RARE_BREAK.search(text) else _NEWLINE  # most files: LF only, found faster
    return [m.end() for m in ends.finditer(text)]


def _at(breaks: list[int], offset: int) -> tuple[int, int]:
    """The line and column (from 1) of ``offset``, given the line starts from :func:`_breaks`."""
    line = bisect.bisect_right(breaks, offset)
    return line + 1, offset - (breaks[line - 1] if line else 0) + 1


def _json_positions(text: str, source: str) -> SourceMap | None:
    """Where each value and key of valid JSON text stands, from one scan of its tokens.

    None when a key is given twice or values nest deeper than :data:`MAX_DEPTH`
    (which Python's JSON parser lets pass): the YAML reader reports those.
    """
    breaks = _breaks(text)
    source_map = SourceMap(source)
    values, keys = source_map.values, source_map.keys

    def at(offset: int) -> tuple[int, int]:
        return _at(breaks, offset)

    # One frame per open object or array: [is object, its location, next index, location of the
    # current key's value, a key comes next].
    stack: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == ",":
            top = stack[-1]
            if top[0]:
                top[4] = True
            else:
                top[2] += 1
            continue
        if first in "}]":
            stack.pop()
            continue
        if stack:
            top = stack[-1]
            if top[0]:
                if top[4]:
                    loc = (*top[1], json.loads(token))
                    if loc in keys:
                        return None
                    keys[loc] = at(match.start())
                    top[3], top[4] = loc, False
                    continue
                loc = top[3]
            else:
                loc = (*top[1], top[2])
        else:
            loc = ()
        if len(stack) > MAX_DEPTH:
            return None
        values.setdefault(loc, at(match.start()))
        if len(values) > MAX_NODES:  # the bound the YAML reader keeps (a list of a million zeros is 2 MB)
            _fail(source, at(match.start()), f"the spec expands to more than {MAX_NODES:,} values "
                                             "(are aliases (*name) repeating a large anchor?)")
        if first == "{":
            stack.append([True, loc, 0, None, True])
        elif first == "[":
            stack.append([False, loc, 0, None, False])
    return source_map


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


_LEADING = re.compile(r"^[ \t?:-]*", re.M)


def _shallow(text: str) -> bool:
    """True when the text cannot nest deeper than libyaml's recursive composer safely handles.

    Nesting needs a bracket or more indentation (or a '- ' / '? ' / ': ') per
    level, so these counts bound the depth. libyaml crashes the process on
    very deep nesting, where PyYAML's parser raises an error we can report.
    """
    flows = text.count("[") + text.count("{")
    widest = max((len(m) for m in _LEADING.findall(text)), default=0)
    return flows + widest <= 1000


def _too_deep(text: str, limit: int = 1000) -> bool:
    """Whether the text nests deeper than ``limit`` (or deeper than libyaml itself accepts).

    JSON (most files with many brackets) is measured on Python's JSON parser,
    which refuses deep input with an error; other text on libyaml's parser
    events (iterative, unlike its composer, but slow on very deep input, so
    counting stops as soon as the limit is passed).
    """
    if text.lstrip().startswith(("{", "[")):
        try:
            return _json_depth(json.loads(text)) > limit
        except (ValueError, RecursionError):
            pass  # not JSON after all, or too deep for it: count on the YAML events
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_FAST_LOADER):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > limit:
                    return True
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # The libyaml of PyYAML 6.0.4's wheels refuses text nested past 1,000 levels itself.
        if exc.problem == "exceeded maximum nesting depth":
            return True
        raise
    return False


def _deep_at(text: str) -> tuple[int, int] | None:
    """Where the first value nested deeper than :data:`MAX_DEPTH` starts (as :class:`_Builder` reports it).

    For text too deep for the composers, which recurse (a RecursionError has
    no place): PyYAML's own parser does not. None if the text does not parse
    that far.
    """
    frames: list[list[bool]] = []  # one per open collection: is a mapping, its next node is a key
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.NodeEvent):
                key = bool(frames) and frames[-1][0] and frames[-1][1]
                if frames and frames[-1][0]:
                    frames[-1][1] = not key
                if not key and len(frames) > MAX_DEPTH:
                    return event.start_mark.line + 1, event.start_mark.column + 1
                if isinstance(event, yaml.CollectionStartEvent):
                    frames.append([isinstance(event, yaml.MappingStartEvent), True])
            elif isinstance(event, yaml.CollectionEndEvent):
                frames.pop()
    except yaml.YAMLError:
        return None
    return None


def _json_depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _compose(text: str, source: str) -> yaml.Node:
    # libyaml composes large files many times faster; PyYAML's own parser runs
    # on an error (for messages that are the same on every machine) and on
    # anything that nests deeply. The cheap bound decides most files; a file
    # with many brackets (JSON) has its real depth counted.
    try:
        if not _shallow(text) and (_FAST_LOADER is yaml.SafeLoader or _too_deep(text)):
            return _compose_checked(text, source)
    except yaml.YAMLError:
        return _compose_checked(text, source)
    try:
        return yaml.compose(text, Loader=_FAST_LOADER) or _compose_checked(text, source)
    except yaml.YAMLError:
        return _compose_checked(text, source)


def _compose_checked(text: str, source: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        from mou_builder.spec.yaml_errors import explain  # only on an error: keeps the happy path's imports

        _fail(source, *explain(exc, text))
    except yaml.reader.ReaderError as exc:
        _fail(
            source,
            _at(_breaks(text), exc.position),
            f"the character U+{exc.character:04X} is not allowed in a spec (a Word file cannot hold it)"
            if isinstance(exc.character, int)
            else f"invalid text: {exc.reason}",
        )
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors
        _fail(source, None, f"invalid YAML: {exc}")
    except RecursionError:
        _fail(source, _deep_at(text), f"values are nested too deeply (at most {MAX_DEPTH} levels)")
    if node is None:
        _fail(source, None, _EMPTY)
    return node


class _Builder:
    """Builds plain data from composed YAML nodes, recording positions."""

    def __init__(self, source: str) -> None:
        self.map = SourceMap(source)
        self.count = 0

    def build(self, node: yaml.Node) -> tuple[Any, SourceMap]:
        return self._value(node, (), 0), self.map

    def _at(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _value(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            _fail(
                self.map.source,
                self._at(node),
                f"the spec expands to more than {MAX_NODES:,} values (are aliases (*name) repeating a large anchor?)",
            )
        if depth > MAX_DEPTH:
            _fail(self.map.source, self._at(node), f"values are nested too deeply (at most {MAX_DEPTH} levels)")
        self.map.values.setdefault(loc, self._at(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != f"{_YAML_TAG}seq":
                self._bad_tag(node)
            return [self._value(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[str, Any]:
        if node.tag != f"{_YAML_TAG}map":
            self._bad_tag(node)
        out: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merged: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == f"{_YAML_TAG}merge":
                merged.extend(self._merge_sources(value_node))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                _fail(self.map.source, self._at(key_node), f"{format_path(loc) or 'top level'}: keys must be plain words")
            key = key_node.value
            line, column = self._at(key_node)
            if key in first_seen:
                path = format_path((*loc, key))
                _fail(
                    self.map.source,
                    (line, column),
                    f"{path}: duplicate key {key!r} (first given at line {first_seen[key]})",
                )
            first_seen[key] = line
            self.map.keys[(*loc, key)] = (line, column)
            out[key] = self._value(value_node, (*loc, key), depth + 1)
        # Merge keys (<<: *defaults) fill in what the mapping does not set itself.
        for source_node in merged:
            for key, value in self._mapping(source_node, loc, depth).items():
                out.setdefault(key, value)
        return out

    def _merge_sources(self, node: yaml.Node) -> list[yaml.MappingNode]:
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(isinstance(n, yaml.MappingNode) for n in node.value):
            return list(node.value)
        _fail(self.map.source, self._at(node), "a merge key (<<) must name a mapping")

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node)
        text = node.value
        # A plain scalar's style is None from PyYAML and "" from libyaml.
        if node.style or node.tag == f"{_YAML_TAG}str":
            return text  # quoted, block, or explicitly !!str: always text
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _INT.match(text):
            return _whole_number(text)
        if _DECIMAL.match(text):
            return Decimal(text)
        return text

    def _bad_tag(self, node: yaml.Node) -> None:
        _fail(self.map.source, self._at(node), f"the YAML tag {node.tag!r} is not supported in a spec")


def _whole_number(text: str) -> int | Decimal:
    """An integer, or past Python's limit on converting digits to int (4,300) an exact Decimal.

    The model then refuses it with a located message (too many digits for an
    amount, not a whole number it can use elsewhere) instead of the loader
    failing on the conversion.
    """
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def _fail(source: str, where: tuple[int, int] | None, message: str, path: str = "") -> Any:
    line, column = where if where else (None, None)
    raise SpecError([SpecProblem(source, line, column, path, message)])


# ---------------------------------------------------------------- validating


def validate_spec(data: Mapping[str, Any], source_map: SourceMap | None = None) -> Spec:
    """Validate plain data (a ``dict`` from a form, ``json.loads`` or ``yaml.safe_load``) as a :class:`Spec`.

    Amounts may be :class:`~decimal.Decimal`, ``int``, text such as
    ``"1500.00"``, or a float that holds exactly what was typed
    (``96000.0``, ``1500.25``) with no more decimal places than its
    currency has; ``0.1 + 0.2`` is refused. Raises
    :class:`~mou_builder.errors.SpecError` listing every problem, located
    when ``source_map`` says where the data came from.
    """
    source_map = source_map or SourceMap("<spec>")
    problems = [
        SpecProblem(source_map.source, *source_map.locate(loc), format_path(loc), message)
        for loc, message in _float_amount_problems(data)
    ]
    compiled(Spec)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        # A float refused above is reported once, with the advice for data from a form.
        refused = {problem.path for problem in problems}
        problems += [p for p in problems_from_validation(exc, data, source_map) if p.path not in refused]
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise SpecError(problems) from None
    spec._source = source_map
    return spec


def _float_amount_problems(data: Any) -> Iterator[tuple[Loc, str]]:
    """Float amounts with more decimal places than their currency has (``12.345`` dollars).

    A float from a form is taken as the decimal it shows; when that has more
    places than the currency's minor unit, it was computed (a share, a
    rate), not an amount anyone agreed to, so it is refused rather than rounded.
    """
    floats = [(loc, value, currency) for loc, value, currency in _amounts(data) if type(value) is float]
    if not floats:
        return
    from babel.numbers import get_currency_precision  # imported on first use: Babel loads locale data

    for loc, value, currency in floats:
        try:
            places = -exact_float(value).as_tuple().exponent  # type: ignore[operator]
        except PydanticCustomError:
            continue  # not finite or not exact: the model says so
        if not isinstance(currency, str) or currency not in ISO_4217:
            continue  # the model names the bad currency
        most = get_currency_precision(currency)
        if most < places <= MAX_PLACES:  # past MAX_PLACES the model says so for every amount
            yield loc, (
                f"is the float {value!r}, with {places} decimal place{'s' if places > 1 else ''}; {currency} amounts have {most}: "
                f"round it, or send the amount as text such as '{value:.{most}f}'"
            )


def _amounts(data: Any) -> Iterator[tuple[Loc, Any, Any]]:
    """Each amount of the spec data (``loc``, value, currency code), as the model reads currencies."""
    financial = _mapping(data, "financial")
    default = financial.get("currency", "USD")
    yield ("financial", "budget_total"), financial.get("budget_total"), default
    for i, contribution in _mappings(financial, "contributions"):
        currency = contribution.get("currency") or default
        for key in ("amount", "cap"):
            yield ("financial", "contributions", i, key), contribution.get(key), currency
    liability = _mapping(data, "liability")
    yield ("liability", "cap"), liability.get("cap"), default
    for i, insurance in _mappings(liability, "insurance"):
        for key in ("amount", "aggregate"):
            yield ("liability", "insurance", i, key), insurance.get(key), insurance.get("currency") or default


def _mapping(data: Any, key: str) -> Mapping[str, Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _mappings(data: Mapping[str, Any], key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    items = data.get(key)
    if isinstance(items, list):
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, Mapping))


# pydantic error types whose message already names the bad value.
_OWN_MESSAGES = {
    "consistency", "xml_invalid_char", "blank_text", "money_float", "money_text", "money_type",
    "money_finite", "money_negative", "number_too_large", "number_places", "percent_range", "date_invalid", "date_format", "currency", "one_way",
}


def problems_from_validation(exc: ValidationError, data: Any, source_map: SourceMap) -> list[SpecProblem]:
    """Turn pydantic's errors into located, readable problems, in file order."""
    problems = []
    seen = set()
    for error in exc.errors(include_url=False):
        loc = _data_loc(error["loc"], data)
        kind = error["type"]
        message = _message(error, loc)
        line, column = source_map.locate(loc, key=kind == "extra_forbidden")
        problem = SpecProblem(source_map.source, line, column, format_path(loc), message)
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            problems.append(problem)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return problems


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """Keep the parts of pydantic's location that index the data (drop union branch tags)."""
    out: list[Any] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif last and isinstance(part, (str, int)) and not str(part).startswith(("function-", "lax-", "json-")):
            out.append(part)  # a missing key
        else:
            continue
    return tuple(out)


_IDENTIFIER_HINT = "a short id: lowercase letters, digits, '-' or '_', starting with a letter (e.g. 'city')"


#: Why a placeholder cannot stand where pydantic refused it, by the kind of error: only text, dates,
#: amounts and numbers may be left to fill in.
_NO_PLACEHOLDER = {
    "string_pattern_mismatch": ("must be {ids}", "an id cannot be left to fill in, because other parts of the spec refer to it"),
    "literal_error": ("{msg}", "a choice cannot be left to fill in, because it decides what the draft says"),
    "enum": ("{msg}", "a choice cannot be left to fill in, because it decides what the draft says"),
    "bool_type": ("must be true or false", "a yes-or-no choice cannot be left to fill in, because it decides what the draft says"),
    "currency": ("must be an ISO 4217 currency code such as USD",
                 "a currency cannot be left to fill in, because the amounts are written in it"),
    "list_type": ("must be a list", "a list cannot be a placeholder; give its items (a text item may be one)"),
    "model_type": ("must be a mapping of keys and values",
                   "a whole section cannot be a placeholder: give its fields, with placeholders as their values"),
    "dict_type": ("must be a mapping of keys and values",
                  "a whole section cannot be a placeholder: give its fields, with placeholders as their values"),
}


def _message(error: Any, loc: Loc) -> str:
    kind = error["type"]
    value = error.get("input")
    unquoted = unquoted_placeholder(value)
    token = as_placeholder(value) or unquoted
    if unquoted is not None and kind not in _NO_PLACEHOLDER:
        return (f"got the list {value!r}, which is how YAML reads an unquoted {unquoted}: "
                f"put the placeholder in quotes, '{unquoted}'")
    if token is not None and kind in _NO_PLACEHOLDER:
        what, why = _NO_PLACEHOLDER[kind]
        msg = str(error["msg"]).replace("Input should be", "must be")
        return f"{what.format(ids=_IDENTIFIER_HINT, msg=msg)}, got the placeholder {token}: {why}"
    if kind in _OWN_MESSAGES:
        return str(error["msg"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        key = loc[-1] if loc else "?"
        allowed = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        # A key at the wrong level says where it belongs (before a look-alike here: termination's
        # destruction_days is data_sharing's, not a misspelt data_return_days); any other lists what
        # this level takes.
        elsewhere = [p for p in _field_paths().get(str(key), []) if p != format_path(loc)]
        if elsewhere:
            also = f" (or did you mean {close[0]!r}?)" if close else ""
            return f"unknown key {key!r} here; it belongs in {' or '.join(elsewhere[:3])}{also}"
        if close:
            return f"unknown key {key!r} (did you mean {close[0]!r}?)"
        where = format_path(loc[:-1]) or "the top level"
        return f"unknown key {key!r}; {where} takes: {', '.join(allowed)}" if allowed else f"unknown key {key!r}"
    if kind == "bool_type":
        return f"must be true or false, got {_shown(value)}"
    if kind == "int_type" and isinstance(value, Decimal) and value == value.to_integral_value():
        return f"is too large a number, got {_shown(value)}"
    if kind == "int_type":
        return f"must be a whole number, got {_shown(value)}"
    if kind == "string_type" and loc and loc[-1] == "accountable" and isinstance(value, list):
        return "must be exactly one party id, got a list (list the other parties under 'responsible')"
    if kind == "string_type":
        shown = _shown(value)
        hint = f" (put it in quotes: '{value}')" if isinstance(value, (int, Decimal, bool)) else ""
        return f"must be text, got {shown}{hint if shown == str(value) else ' (put it in quotes)'}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be a mapping of keys and values, got {_shown(value)}"
    if kind == "list_type":
        return f"must be a list, got {_shown(value)}"
    if kind == "string_pattern_mismatch":
        return f"must be {_IDENTIFIER_HINT}, got {_shown(value)}"
    if kind in ("string_too_long", "too_long") and isinstance(value, str):
        return f"must be at most {error['ctx']['max_length']:,} characters, got {len(value):,}"
    if kind == "too_short":
        return f"must have at least {error['ctx']['min_length']} item(s), got {error['ctx'].get('actual_length', 0)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        return str(error["msg"]).replace("Input should be", "must be") + f", got {_shown(value)}"
    message = str(error["msg"]).replace("Input should be", "must be")
    if not isinstance(value, (dict, list)):
        message += f", got {_shown(value)}"
    return message


def _shown(value: Any) -> str:
    """The bad value as a message shows it: short, and never the whole of a huge string."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return short_value(value)
    if isinstance(value, str) and len(value) > 60:
        return f"{value[:40]!r}... ({len(value):,} characters)"
    return repr(value)


@lru_cache(maxsize=1)
def _field_paths() -> dict[str, list[str]]:
    """Every field name of the model, with the paths it lives at ('cure_days' -> ['termination.cure_days'])."""
    out: dict[str, list[str]] = {}

    def walk(model: type[BaseModel], path: str) -> None:
        for name, info in model.model_fields.items():
            full = f"{path}.{name}" if path else name
            out.setdefault(name, []).append(full)
            inner = _unwrap(info.annotation)
            if inner is not None:
                walk(inner, full + ("[]" if "list[" in str(info.annotation) else ""))

    walk(Spec, "")
    return out


def _fields_at(loc: Loc) -> list[str]:
    """Field names of the model found at ``loc`` (for "did you mean")."""
    model: Any = Spec
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return []
        model = _unwrap(model.model_fields[part].annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """The model class inside ``Optional[...]``/``list[...]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _unwrap(arg)
        if found is not None:
            return found
    return None if get_origin(annotation) is not None or not get_args(annotation) else None
