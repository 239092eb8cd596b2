"""Generate docs/spec-reference.md (from the JSON Schema, by mou_builder.spec.reference) and docs/cli.md (from the commands).

Run ``python tools/build_docs.py`` after changing the model or the CLI; the
tests fail when the committed pages differ from what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mou_builder.cli import main as cli_main  # noqa: E402
from mou_builder.spec.reference import GENERATED, spec_reference  # noqa: E402 - also what `mou-build reference` prints


def cli_reference() -> str:
    out = ["# Command reference\n\n", GENERATED.format(source="the commands' own help")]
    out.append("`mou-build SPEC` is short for `mou-build build SPEC`.\n")
    # A fixed width, so the page does not depend on the terminal; the group's
    # context settings (-h as well as --help) reach subcommands through the parent.
    root = click.Context(cli_main, info_name="mou-build", terminal_width=88, max_content_width=88,
                         **cli_main.context_settings)
    for ctx in _contexts(root):
        out += [f"\n## {ctx.command_path}\n\n", "```\n", ctx.command.get_help(ctx).rstrip() + "\n", "```\n"]
    return "".join(out)


def _contexts(ctx: click.Context):  # noqa: ANN202
    yield ctx
    if isinstance(ctx.command, click.Group):
        for name in sorted(ctx.command.commands):
            yield from _contexts(click.Context(ctx.command.commands[name], parent=ctx, info_name=name))


PAGES = {"spec-reference.md": spec_reference, "cli.md": cli_reference}


if __name__ == "__main__":
    for name, build in PAGES.items():
        (ROOT / "docs" / name).write_text(build(), encoding="utf-8")
        print(f"wrote docs/{name}", file=sys.stderr)
