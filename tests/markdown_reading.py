"""Reading our Markdown back into paragraphs, independently of the code that writes it."""

from __future__ import annotations

import re

# "# Title", "## 3. Section {#key}", "### 3.1 Clause {#id}": only sections and clauses are numbered.
_HEADING = re.compile(r"^(?:# (.*)|## [0-9]+\. (.*) \{#[^}]*\}|### [0-9]+\.[0-9]+ (.*) \{#[^}]*\})$", re.S)
_ITEM = re.compile(r"^(?:[0-9]+\. |- |\([a-z]+\) )(.*)$", re.S)


def inline_text(text: str) -> str:
    """Undo escapes, drop emphasis markers and link syntax; `\\` before a newline is a hard break."""
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])  # an escaped character, or "\n" for a hard break
            i += 2
        elif ch == "*":
            i += 1
        elif ch == "[":
            i += 1  # the link's text follows
        elif ch == "]" and text.startswith("](#", i):
            i = text.index(")", i) + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _cells(row: str) -> list[str]:
    cells, current, i = [], [], 1  # skip the leading "|"
    while i < len(row):
        if row[i] == "\\" and i + 1 < len(row):
            current.append(row[i : i + 2])
            i += 2
        elif row[i] == "|":
            cells.append("".join(current).strip())
            current = []
            i += 1
        else:
            current.append(row[i])
            i += 1
    return [inline_text(c.replace("<br>", "\\\n")) for c in cells]


def markdown_paragraphs(markdown: str) -> list[str]:
    """The paragraphs of a Markdown rendering, in order (empty ones dropped)."""
    out: list[str] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        # a hard break ("\" at the end of a line) joins the next line to this paragraph
        while line.endswith("\\") and not line.endswith("\\\\") and i + 1 < len(lines):
            i += 1
            line = line + "\n" + lines[i]
        i += 1
        if not line.strip() or re.fullmatch(r"\|(?:-+:?\|)+", line):
            continue
        if line.startswith("|"):
            out.extend(_cells(line))
        elif line.startswith("> "):
            out.append(inline_text(line[2:]))
        elif heading := _HEADING.match(line):
            out.append(inline_text(next(g for g in heading.groups() if g is not None)))
        elif item := _ITEM.match(line):
            out.append(inline_text(item.group(1)))
        else:
            out.append(inline_text(line))
    return [p for p in out if p]
