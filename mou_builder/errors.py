"""One error tree for everything mou-builder refuses.

Every message names where the problem is (file, line and column, spec path,
clause id or template) and the bad value, so that the CLI can print it as is.
"""

from __future__ import annotations

from dataclasses import dataclass


class MouError(Exception):
    """Base class of every error mou-builder raises on bad input."""


@dataclass(frozen=True)
class SpecProblem:
    """One located problem in a spec: ``file:line:col: path: message``."""

    source: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SpecError(MouError):
    """A spec that cannot be read or does not fit the model.

    ``problems`` lists every problem found, in file order.
    """

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def yaml_problem(exc: Exception) -> str:
    """A PyYAML error as one line: ``line L, column C: problem``."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


class ClauseError(MouError):
    """A clause file or clause library that cannot be used."""


class ProfileError(MouError):
    """A completeness profile that cannot be read."""


class TemplateError(MouError):
    """A Word template that cannot be used (not a .docx, missing styles or placeholders)."""


class RenderError(MouError):
    """The renderer produced something it refuses to hand out (e.g. XML that does not re-parse)."""


class DraftError(MouError):
    """A .docx draft given for comparison that cannot be read (not a Word document, damaged, too large)."""


class OutputError(MouError):
    """An output file that cannot be written."""


class IncompleteSpecError(MouError):
    """A strict build refused a spec that leaves out required sections."""

    def __init__(self, findings: list) -> None:  # list[Finding]; kept loose to avoid an import cycle
        self.findings = findings
        errors = [f for f in findings if f.severity == "error"]
        super().__init__("\n".join(str(f) for f in errors))
