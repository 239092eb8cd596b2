"""The ``mou-build`` command: a thin layer over the library.

Each command calls one library function; library errors (:class:`MouError`)
become a message on stderr and exit status 1 here, and only here. Usage
errors exit 2 (click's convention). Heavy modules are imported inside the
commands so that ``mou-build --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from mou_builder._version import __version__


class _DefaultToBuild(click.Group):
    """``mou-build SPEC`` means ``mou-build build SPEC``.

    Only when SPEC looks like a spec file: a mistyped command
    (``mou-build valdate x.yaml``) must be an error, not a batch build.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and _looks_like_spec(args[0]):
            args = ["build", *args]
        return super().parse_args(ctx, args)


def _looks_like_spec(arg: str) -> bool:
    return arg.lower().endswith((".yaml", ".yml", ".json")) or Path(arg).is_file()


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
    except BrokenPipeError:
        # The reader of our output has gone (`mou-build clauses list | head`): click's main
        # ends quietly with exit status 1, as Python's documentation advises for a closed pipe.
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
    mou-build check SPEC        list the sections and details the spec still lacks
    mou-build diff OLD NEW      what changed between two drafts
    mou-build show SPEC         print the agreement as Markdown
    mou-build clauses list      show the clause library
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


_FORMATS = {".docx": "docx", ".md": "md", ".markdown": "md", ".txt": "txt"}


def _format_of(output: Path, fmt: str | None) -> str:
    """The format a single build writes to ``output``: its extension must be one mou-build writes.

    A Word file under another name (``-o out.pdf``, ``-o out.doc``, ``-o out``)
    would mislead whoever opens it, and has overwritten real PDFs: refused.
    """
    suffix = output.suffix.lower()
    if suffix == ".pdf":
        raise click.UsageError(f"-o {output}: mou-build writes .docx, .md or .txt; to get a PDF, build the .docx "
                               f"with --pdf (-o {output.with_suffix('.docx')} --pdf writes {output} too)")
    if suffix not in _FORMATS:
        problem = f"{suffix!r} is not an output format" if suffix else "no extension"
        raise click.UsageError(f"-o {output}: {problem}; name the file .docx, .md or .txt "
                               "(or end a folder name with / to write into that folder)")
    if fmt is not None and fmt != _FORMATS[suffix]:
        raise click.UsageError(f"-o {output}: a {suffix} file, but --format is {fmt}; leave out --format or "
                               "change the extension")
    return _FORMATS[suffix]


@main.command()
@click.argument("specs", nargs=-1, required=True, type=_SPEC)
# A str, not a Path: Path drops the trailing slash of "-o newdir/", which names a folder.
@click.option("-o", "--output", type=click.Path(),
              help="Output file (.docx, .md or .txt); with several SPECS, or ending in /, the output folder "
                   "[default: SPEC's name + .docx/.md/.txt, in the current folder].")
@click.option("--format", "fmt", type=click.Choice(["docx", "md", "txt"]), help="Output format [default: from -o, else docx].")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), help="Your own Word template (.docx).")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses; overrides built-in clauses by id. Repeatable.")
@click.option("--profile", help="Completeness profile: general, head_start, student_data, or a profile file.")
@click.option("--strict", is_flag=True, help="Write nothing for a spec whose required sections are missing.")
@click.option("--pdf", is_flag=True, help="Also convert each .docx to PDF with LibreOffice (written beside it).")
# 180: pdf.DEFAULT_TIMEOUT, written out so that --help need not import the module.
@click.option("--pdf-timeout", type=click.FloatRange(min=0, min_open=True), default=180, show_default=True,
              metavar="SECONDS", help="With --pdf: stop LibreOffice after this long (the .docx is kept).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Builds at once, for several SPECS [default: every core].")
@_guarded
def build(
    specs: tuple[Path, ...], output: str | None, fmt: str | None, template: Path | None,
    clause_dirs: tuple[Path, ...], profile: str | None, strict: bool, pdf: bool, pdf_timeout: float,
    jobs: int | None,
) -> None:
    """Build the agreement for each SPEC (a .docx by default).

    Missing required sections are marked in the draft and listed on stderr,
    and the exit status is 1; with --strict nothing is written. With several
    SPECS, -o names a folder (created if needed); each failure is reported
    with its file, the others are still built, and a summary ends the run.
    An output that would overwrite a SPEC, the template, the profile or a
    clause file is refused, as is one that is not a regular file.
    """
    from mou_builder.batch import BuildOptions
    from mou_builder.output import check_output

    target = Path(output) if output is not None else None
    batch = len(specs) > 1 or (target is not None and (output.endswith(("/", os.sep)) or target.is_dir()))
    if target is not None and not batch:
        # First, so that `-o spec.yaml` is told what it would have destroyed, not only the extension.
        check_output(target, _inputs(specs, template, clause_dirs, profile))
        fmt = _format_of(target, fmt)
    fmt = fmt or "docx"
    if pdf and fmt != "docx":
        raise click.UsageError("--pdf needs a .docx build")
    if template and fmt != "docx":
        raise click.UsageError("--template applies to .docx builds only")
    options = BuildOptions(fmt, str(template) if template else None, tuple(map(str, clause_dirs)), profile, strict, pdf,
                           pdf_timeout)
    if batch:
        _build_batch(specs, target or Path("."), options, jobs)
    else:
        _build_one(specs[0], target or Path(specs[0].stem + "." + fmt), options)


def _inputs(paths: Sequence[Path], template: Path | None, clause_dirs: tuple[Path, ...],
            profile: str | None) -> list[Path]:
    """The files a command reads that an output may not overwrite (see batch.build_inputs)."""
    from mou_builder.batch import BuildOptions, build_inputs

    return build_inputs(paths, BuildOptions(template=str(template) if template else None,
                                            clauses=tuple(map(str, clause_dirs)), profile=profile))


def _build_one(spec: Path, output: Path, options: Any) -> None:
    from mou_builder.batch import build_file
    from mou_builder.report import summary_line, text_report

    result = build_file(spec, output, options)
    if result.findings:
        click.echo(text_report(str(spec), result.profile or "", result.findings), err=True, nl=False)
    for path in result.written:
        click.echo(f"wrote {path}")
    if result.status == "not-written":
        click.echo(f"{spec}: not written: {summary_line(result.findings)} (--strict)", err=True)
    for error in (result.error, result.pdf_error):
        if error:
            click.echo(error, err=True)
    if not result.ok:
        sys.exit(1)


def _build_batch(specs: Sequence[Path], outdir: Path, options: Any, jobs: int | None) -> None:
    from mou_builder.batch import build_inputs, build_many, plan_outputs
    from mou_builder.errors import OutputError
    from mou_builder.report import summary_line

    # Refuse clashing names and outputs that are inputs before creating anything.
    plan = plan_outputs(specs, outdir, options.fmt, inputs=build_inputs(specs, options), pdf=options.pdf)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot create the output folder ({exc.strerror})") from None
    counts = {"built": 0, "incomplete": 0, "not-written": 0, "failed": 0}
    pdfs = {"written": 0, "failed": 0}
    with click.progressbar(length=len(plan), label="Building", file=sys.stderr) as bar:
        for result in build_many(plan, options, jobs=jobs):
            counts[result.status] += 1
            if result.error:
                click.echo(f"\n{result.error}", err=True)
            elif result.status == "not-written":
                click.echo(f"\n{result.spec}: not written: {summary_line(result.findings)} (--strict)", err=True)
            elif result.status == "incomplete":
                click.echo(f"\n{result.spec}: {summary_line(result.findings)}", err=True)
            if result.pdf_error:
                click.echo(f"\n{result.pdf_error}", err=True)
            pdfs["written"] += result.pdf is not None
            pdfs["failed"] += result.pdf_error is not None
            bar.update(1)
    written = counts["built"] + counts["incomplete"]
    pdf_summary = f"; PDF: {pdfs['written']} written, {pdfs['failed']} failed" if options.pdf else ""
    click.echo(
        f"{len(plan)} spec{'s' * (len(plan) != 1)}: {written} written to {outdir} ({counts['built']} complete, "
        f"{counts['incomplete']} incomplete), {counts['not-written']} not written (--strict), "
        f"{counts['failed']} failed{pdf_summary}",
        err=True,
    )
    if written != len(plan) or counts["incomplete"] or pdfs["failed"]:
        sys.exit(1)


@main.command()
@click.argument("spec", type=_SPEC)
@click.option("--profile", help="Completeness profile: general, head_start, student_data, or a profile file.")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_guarded
def check(spec: Path, profile: str | None, clause_dirs: tuple[Path, ...], fmt: str) -> None:
    """Check that SPEC covers every section its profile requires.

    Exit 0 when complete (warnings allowed), 1 when a required section or
    detail is missing.
    """
    from mou_builder.clauses import load_library
    from mou_builder.completeness import check as check_spec
    from mou_builder.completeness import load_profile
    from mou_builder.loader import load_spec
    from mou_builder.report import json_report, text_report

    loaded = load_spec(spec)
    chosen = load_profile(profile or loaded.agreement.profile)
    findings = check_spec(loaded, chosen, load_library(clause_dirs))
    report = json_report if fmt == "json" else text_report
    click.echo(report(str(spec), chosen.id, findings), nl=False)
    if any(f.severity == "error" for f in findings):
        sys.exit(1)


@main.group()
def clauses() -> None:
    """Show, check and lock the clause library."""


@clauses.command("list")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@_guarded
def clauses_list(clause_dirs: tuple[Path, ...]) -> None:
    """List the clauses, section by section, with id@version and origin."""
    from mou_builder.clauses import load_library

    library = load_library(clause_dirs)
    for section in library.sections:
        click.echo(f"{section.key}: {section.title}")
        for clause in library.in_section(section.key):
            when = f"  when {clause.header.when}" if clause.header.when else ""
            origin = "" if clause.origin == "builtin" else f"  [{clause.origin}: {clause.path}]"
            click.echo(f"  {clause.id}@{clause.version}  {clause.header.title}{when}{origin}")


@clauses.command("check")
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path))
@_guarded
def clauses_check(folders: tuple[Path, ...]) -> None:
    """Check the built-in library and each FOLDER of your own clauses.

    Reports duplicate ids, unknown sections, variables that are not spec
    fields, conditions that do not parse, broken references, and sections
    with no clause; for the built-in library, clauses changed without a
    version bump.
    """
    from mou_builder.clauses import check_library, load_library, lock_problems, read_lock
    from mou_builder.resources import clause_library_dir

    problems = [str(p) for p in check_library(folders)]
    lock_file = clause_library_dir() / "clauses.lock"
    if not folders and lock_file.is_file():
        problems += lock_problems(load_library(), read_lock(lock_file.read_text(encoding="utf-8")))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem{'s' * (len(problems) != 1)} found", err=True)
        sys.exit(1)
    click.echo("clause library: no problems")


@clauses.command("lock")
@_guarded
def clauses_lock() -> None:
    """Rewrite clause_library/clauses.lock from the built-in clauses (after bumping versions)."""
    from mou_builder.clauses import load_library, lock_problems, lock_text, read_lock
    from mou_builder.output import write_atomic
    from mou_builder.resources import clause_library_dir

    lock_file = clause_library_dir() / "clauses.lock"
    library = load_library()
    if lock_file.is_file():
        unbumped = [p for p in lock_problems(library, read_lock(lock_file.read_text(encoding="utf-8")))
                    if "without a version bump" in p]
        if unbumped:
            for problem in unbumped:
                click.echo(problem, err=True)
            click.echo("bump the version of each changed clause, then lock again", err=True)
            sys.exit(1)
    write_atomic(lock_file, lock_text(library).encode("utf-8"))
    click.echo(f"wrote {lock_file}")


def _assembled(spec: Path, clause_dirs: tuple[Path, ...], profile: str | None) -> tuple[Any, Any]:
    from mou_builder.assembly import assemble
    from mou_builder.clauses import load_library
    from mou_builder.loader import load_spec

    loaded = load_spec(spec)
    return loaded, assemble(loaded, load_library(clause_dirs), profile)


def _drafts(paths: Sequence[Path], clause_dirs: tuple[Path, ...], profile: str | None) -> list[Any]:
    """Load drafts (spec files or .docx files); the clause library only when a spec needs it."""
    from mou_builder.review import is_docx, load_draft

    library = None
    if not all(is_docx(p) for p in paths):
        from mou_builder.clauses import load_library

        library = load_library(clause_dirs)
    return [load_draft(p, profile=profile, library=library) for p in paths]


@main.command()
@click.argument("old", type=_SPEC)
@click.argument("new", type=_SPEC)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "unified"]), default="text",
              show_default=True, help="A change summary (text, json, md) or a unified diff of the agreements' text.")
@click.option("--profile", help="Completeness profile for both drafts [default: each spec's own].")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a Word redline (.docx): NEW with tracked changes against OLD.")
@click.option("--summary-page", is_flag=True, help="With -o: put the change summary on a cover page.")
@click.option("--author", default="mou-builder", show_default=True, help="Author of the tracked changes.")
@click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date of the tracked changes (YYYY-MM-DD) [default: NEW's document date].")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Your own Word template (.docx), for drafts given as specs.")
@_guarded
def diff(
    old: Path, new: Path, fmt: str, profile: str | None, clause_dirs: tuple[Path, ...], output: Path | None,
    summary_page: bool, author: str, when: Any, template: Path | None,
) -> None:
    """Show what changed from draft OLD to draft NEW (spec files or .docx files).

    The summary lists changed spec fields with old and new values; clauses
    added, removed, moved, re-versioned or re-worded; how many paragraphs
    changed; and completeness findings that appeared or were resolved. With
    -o, writes a Word redline instead: the NEW draft with tracked changes a
    reviewer can accept or reject. A .docx mou-builder wrote is compared
    clause by clause; any other .docx paragraph by paragraph. Exit 0 whether
    or not anything changed.
    """
    from mou_builder.changes import summary_json, summary_markdown, summary_text
    from mou_builder.review import redline, summarize_changes, text_diff

    if summary_page and output is None:
        raise click.UsageError("--summary-page goes with -o/--output (it is a page of the Word redline)")
    if output is not None:
        from mou_builder.output import check_output, write_atomic

        inputs = _inputs([old, new], template, clause_dirs, profile)
        check_output(output, inputs)  # before the comparison, which can take a while
        if output.suffix.lower() != ".docx":
            raise click.UsageError(f"-o {output}: the redline is a Word file; name it .docx")
    old_draft, new_draft = _drafts([old, new], clause_dirs, profile)
    if output is not None:
        data = redline(old_draft, new_draft, author=author, date=when.date() if when else None, template=template,
                       summary_page=summary_page)
        write_atomic(output, data, inputs=inputs)
        click.echo(f"wrote {output}")
        return
    if fmt == "unified":
        click.echo(text_diff(old_draft, new_draft), nl=False)
        return
    report = {"text": summary_text, "json": summary_json, "md": summary_markdown}[fmt]
    click.echo(report(summarize_changes(old_draft, new_draft)), nl=False)


@main.command()
@click.argument("spec", type=_SPEC)
@click.option("--format", "fmt", type=click.Choice(["md", "txt"]), default="md", show_default=True,
              help="For a spec; a .docx always prints its paragraphs as plain text.")
@click.option("--profile", help="Completeness profile [default: the spec's own].")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@_guarded
def show(spec: Path, fmt: str, profile: str | None, clause_dirs: tuple[Path, ...]) -> None:
    """Print an agreement's text: a spec's (Markdown or plain) or a .docx file's, e.g. as a git diff driver.

    Missing sections appear as MISSING paragraphs; the exit status is 0 for
    any valid spec, so that git can use it as a textconv command.
    """
    from mou_builder.review import draft_text, is_docx

    if is_docx(spec):
        click.echo(draft_text(spec), nl=False)
        return
    from mou_builder.text_render import render_text

    click.echo(render_text(_assembled(spec, clause_dirs, profile)[1], fmt), nl=False)
