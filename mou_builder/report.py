"""Reporters: findings as text for people, or as JSON for programs.

The JSON report's shape is documented in docs/findings.md and kept stable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from mou_builder.document import Finding

REPORT_VERSION = 1


def summary_line(findings: Sequence[Finding]) -> str:
    """'2 errors, 1 warning' or 'complete'."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "complete: no findings"
    parts = [f"{errors} error{'s' * (errors != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    return ("incomplete: " if errors else "complete: ") + ", ".join(parts)


def text_report(source: str, profile: str, findings: Sequence[Finding]) -> str:
    """One line per finding, then a summary line."""
    lines = [str(f) for f in findings]
    lines.append(f"{source}: {summary_line(findings)} (profile {profile})")
    return "\n".join(lines) + "\n"


def json_report(source: str, profile: str, findings: Sequence[Finding]) -> str:
    """The findings as a JSON document (see docs/findings.md)."""
    errors = sum(f.severity == "error" for f in findings)
    report = {
        "report_version": REPORT_VERSION,
        "spec": source,
        "profile": profile,
        "complete": errors == 0,
        "errors": errors,
        "warnings": len(findings) - errors,
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
