"""The ``mou-build`` command: a thin layer over the library.

Each command calls one library function; library errors (:class:`MouError`)
become a message on stderr and exit status 1 here, and only here. Usage
errors exit 2 (click's convention). Heavy modules are imported inside the
commands so that ``mou-build --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from mou_builder._version import __version__


class _DefaultToBuild(click.Group):
    """``mou-build SPEC`` means ``mou-build build SPEC``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["build", *args]
        return super().parse_args(ctx, args)


@contextmanager
def _errors() -> Iterator[None]:
    """Print library errors as messages (exit 1), never as tracebacks."""
    from mou_builder.errors import MouError

    try:
        yield
    except MouError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - the last guard against a traceback
        if os.environ.get("MOU_DEBUG"):
            raise
        click.echo(
            f"mou-build: internal error ({type(exc).__name__}: {exc}). This is a bug in mou-builder; "
            "run again with MOU_DEBUG=1 to see the traceback and please report it.",
            err=True,
        )
        sys.exit(1)


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _errors():
            return func(*args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


_SPEC = click.Path(dir_okay=False, path_type=Path)


@click.group(cls=_DefaultToBuild, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mou-build", message="%(prog)s %(version)s")
def main() -> None:
    """Turn a partnership spec (YAML or JSON) into a Word agreement.

    \b
    mou-build SPEC              build SPEC as a .docx (same as: mou-build build SPEC)
    mou-build validate SPEC     check a spec against the model
    mou-build schema            print the JSON Schema of a spec
    """


@main.command()
@click.argument("specs", nargs=-1, required=True, type=_SPEC)
@_guarded
def validate(specs: tuple[Path, ...]) -> None:
    """Check that each SPEC fits the model; print every problem with its line."""
    from mou_builder.errors import SpecError
    from mou_builder.loader import load_spec

    failed = False
    for spec in specs:
        try:
            load_spec(spec)
        except SpecError as exc:
            failed = True
            click.echo(str(exc), err=True)
        else:
            click.echo(f"{spec}: valid")
    if failed:
        sys.exit(1)


@main.command()
@_guarded
def schema() -> None:
    """Print the JSON Schema of a spec file."""
    from mou_builder.schema import spec_schema_text

    click.echo(spec_schema_text(), nl=False)
