"""YAML syntax errors in plain words: what is wrong, and how to fix it.

PyYAML says "mapping values are not allowed here" both for an unquoted colon
in a value and for a key indented too far; a program officer needs to be
told which, and what to type. :func:`explain` reads the offending line to
tell the common mistakes apart, and falls back on PyYAML's own words.
"""

from __future__ import annotations

import re

import yaml

#: A position in the file, 1-based (line, column).
Where = tuple[int, int]

_KEY = re.compile(r"^(?P<indent>\s*(?:-\s+)*)(?P<key>[^\s#:][^:]*?):(?:\s|$)")
_OPENERS = {"flow sequence": ("[", "]", "list"), "flow mapping": ("{", "}", "mapping")}


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[Where | None, str]:
    """Where the syntax error is and a message for it, starting 'invalid YAML: '."""
    mark = exc.problem_mark or exc.context_mark
    where = (mark.line + 1, mark.column + 1) if mark else None
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    problem, context = exc.problem or "", exc.context or ""
    advice = _advice(problem, context, line, mark.column if mark else 0, exc.context_mark)
    if advice is None:
        advice = f"{context} {problem}".strip() or "the file is not valid YAML"
    elif advice.startswith("@context:") and exc.context_mark is not None:
        # Point at where the unfinished thing starts, not at the end of the file.
        where = (exc.context_mark.line + 1, exc.context_mark.column + 1)
        advice = advice.removeprefix("@context:")
    return where, f"invalid YAML: {advice}"


def _advice(problem: str, context: str, line: str, column: int, context_mark: yaml.Mark | None) -> str | None:
    """Plain words for the mistakes people make, or None for PyYAML's own message."""
    if "'\\t'" in problem or "\t" in problem:
        return "a tab character here; YAML indents with spaces only: use spaces instead of tabs"
    if problem == "mapping values are not allowed here":
        found = _KEY.match(line)
        if found and found.end("key") < column:
            key, value = found.group("key").strip(), line[found.end():].strip()
            return (f"the value of '{key}' contains ': ', which YAML reads as a new key; "
                    f"quote the value: {key}: {_quoted(value)}")
        key = found.group("key").strip() if found else line.strip()
        return f"'{key}' is indented more than the key above it; line up with the key above (the same number of spaces)"
    if problem.startswith("expected <block end>"):
        before = line[:column].rstrip()
        if before.endswith(("'", '"')):
            return "text follows the closing quote of a value; quote the whole value, or remove the text after the quote"
        found = _KEY.match(line)
        name = f"'{found.group('key').strip()}'" if found else "this line"
        return f"{name} is not lined up with the keys above it; line up with the key above (the same number of spaces)"
    if problem == "could not find expected ':'" and context_mark is not None:
        return ("@context:this line is not 'key: value' or '- item'; add ': ' after the key, or, if it continues "
                "the text above, indent it further than that key")
    for kind, (opening, closing, noun) in _OPENERS.items():
        if context == f"while parsing a {kind}" and context_mark is not None:
            return (f"the {noun} opened with '{opening}' at line {context_mark.line + 1}, column "
                    f"{context_mark.column + 1} is not closed; close it with '{closing}', or, if the '{opening}' "
                    "is part of the text, quote the value")
    if context == "while scanning a quoted scalar" and "end of stream" in problem:
        return "@context:this quoted value has no closing quote; add the closing quote at the end of the value"
    if problem.startswith("found undefined alias"):
        name = problem.split("'")[1] if "'" in problem else ""
        return (f"'*{name}' is read as a reference to an anchor '&{name}', which is not defined; "
                "if the '*' is part of the text, quote the value")
    if context in ("while scanning an alias", "while scanning an anchor"):
        sign = "*" if "alias" in context else "&"
        return f"a value that starts with '{sign}' is read as a YAML {context.split()[-1]}; quote the value"
    started = re.match(r"found character '(.)' that cannot start any token", problem)
    if started:
        return f"a value cannot start with '{started.group(1)}' unquoted; quote the value"
    return None


def _quoted(value: str) -> str:
    """``value`` as a YAML quoted scalar the user can paste."""
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"
