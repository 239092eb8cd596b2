"""Reporters: findings as text for people, or as JSON for programs.

The JSON report's shape is documented in docs/findings.md and kept stable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mou_builder.document import Finding

REPORT_VERSION = 2


def _count(findings: Sequence[Finding], severity: str) -> int:
    return sum(f.severity == severity for f in findings)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def summary_line(findings: Sequence[Finding]) -> str:
    """'incomplete: 2 errors, 1 warning', 'complete: 0 errors, 0 warnings, 12 defaults' or 'complete: no findings'."""
    if not findings:
        return "complete: no findings"
    errors, warnings, defaults = (_count(findings, s) for s in ("error", "warning", "info"))
    parts = [_plural(errors, "error"), _plural(warnings, "warning")]
    if defaults:
        parts.append(_plural(defaults, "default"))
    return ("incomplete: " if errors else "complete: ") + ", ".join(parts)


def text_report(source: str, profile: str, findings: Sequence[Finding]) -> str:
    """One line per finding, then a summary line."""
    lines = [str(f) for f in findings]
    lines.append(f"{source}: {summary_line(findings)} (profile {profile})")
    return "\n".join(lines) + "\n"


def json_report(source: str, profile: str, findings: Sequence[Finding]) -> str:
    """The findings as a JSON document (see docs/findings.md)."""
    errors = _count(findings, "error")
    report = {
        "report_version": REPORT_VERSION,
        "spec": source,
        "profile": profile,
        "complete": errors == 0,
        "errors": errors,
        "warnings": _count(findings, "warning"),
        "defaults": _count(findings, "info"),
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
