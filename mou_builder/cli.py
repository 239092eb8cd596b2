"""The ``mou-build`` command: a thin layer over the library.

Each command calls one library function; library errors (:class:`MouError`)
become a message on stderr and exit status 1 here, and only here. Usage
errors exit 2 (click's convention). Heavy modules are imported inside the
commands so that ``mou-build --help`` stays fast.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
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
    except OSError as exc:
        if exc.errno not in _OUTPUT_FULL:
            _internal_error(exc)
        # Every file mou-builder writes reports its own errors; what is left is the printed
        # output, redirected to a full disk.
        click.echo(f"mou-build: could not write the output ({exc.strerror})", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last guard against a traceback
        _internal_error(exc)


#: Errors writing to a disk that has no room left (standard output redirected to a file).
_OUTPUT_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _internal_error(exc: Exception) -> None:
    """An error nothing else explains: a bug. One line and exit 1 (MOU_DEBUG=1: the traceback)."""
    if os.environ.get("MOU_DEBUG"):
        raise exc
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


class _IsoDate(click.ParamType):
    """A date written YYYY-MM-DD, refused in the words a spec's dates are (not strptime's format string)."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import datetime

        if isinstance(value, datetime.date):
            return value
        text = str(value)
        if len(text) != 10 or text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:]).isdigit():
            self.fail(f"must be a date written YYYY-MM-DD, got {text!r}", param, ctx)
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            self.fail(f"is not a real calendar date: {text}", param, ctx)


@click.group(cls=_DefaultToBuild, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mou-build", message="%(prog)s %(version)s")
def main() -> None:
    """Turn a partnership spec (YAML or JSON) into a Word agreement.

    \b
    mou-build init              start a spec: a short interview writes my-mou.yaml
    mou-build examples          list the bundled example specs (NAME -o FILE copies one)
    mou-build SPEC              build SPEC as a .docx (same as: mou-build build SPEC)
    mou-build validate SPEC     check a spec against the model
    mou-build check SPEC        list the sections and details the spec still lacks
    mou-build diff OLD NEW      what changed between two drafts
    mou-build review-edits F.docx  what a reviewer did to a returned draft (--adopt SPEC keeps it)
    mou-build amend OLD NEW     the formal amendment from a signed version to the next
    mou-build show SPEC         print the agreement as Markdown
    mou-build clauses list      show the clause library
    mou-build reference         print the spec reference (every section and field)
    mou-build schema            print the JSON Schema of a spec
    """


_QUIET = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
#: Without it, an existing .docx is replaced only when it is a draft mou-builder wrote, unchanged since.
_FORCE_DOCX = click.option(
    "--force", is_flag=True,
    help="Replace an existing .docx output even if mou-builder did not write it or it was changed since "
         "(a reviewer's returned draft).")


@main.command()
@click.argument("specs", nargs=-1, required=True, type=_SPEC)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: a list with, per SPEC, {spec, valid, errors: [{file, line, column, path, message}]}.")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses, which clauses.pin, exclude and add are checked against. Repeatable.")
@_QUIET
@_guarded
def validate(specs: tuple[Path, ...], fmt: str, quiet: bool, clause_dirs: tuple[Path, ...]) -> None:
    """Check that each SPEC fits the model; print every problem with its line.

    Exit 0 when every SPEC is valid, 1 when any is not.
    """
    from mou_builder.library.clauses import load_library, spec_clause_problems
    from mou_builder.errors import SpecError
    from mou_builder.spec.loader import load_spec

    reports = []
    for spec in _one_by_one(specs):
        try:
            loaded = load_spec(spec)
            # What the spec's clause choices ask of the library (an added id that clashes, an unknown pin)
            # is part of validity, located like any other problem.
            problems = spec_clause_problems(loaded, load_library(clause_dirs))
            if problems:
                raise SpecError(problems)
        except SpecError as exc:
            reports.append(_validity(spec, exc))
            if fmt == "text":
                click.echo(str(exc), err=True)
        else:
            reports.append(_validity(spec, None))
            if fmt == "text" and not quiet:
                click.echo(f"{spec}: valid")
    if fmt == "json":
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    if not all(report["valid"] for report in reports):
        sys.exit(1)


def _validity(spec: Path, error: Any) -> dict[str, Any]:
    """validate's JSON for one spec: valid or not, and each located problem of ``error`` (a SpecError)."""
    problems = error.problems if error is not None else []
    return {
        "spec": str(spec),
        "valid": error is None,
        "errors": [{"file": p.source, "line": p.line, "column": p.column, "path": p.path, "message": p.message}
                   for p in problems],
    }


@main.command()
@_guarded
def schema() -> None:
    """Print the JSON Schema of a spec file."""
    from mou_builder.spec.schema import spec_schema_text

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
@click.option("--profile", help="Completeness profile: general, head_start, student_data, health_data, or a profile file.")
@click.option("--strict", is_flag=True, help="Write nothing for a spec whose required sections are missing or that "
              "still holds a placeholder such as [DATE].")
@click.option("--pdf", is_flag=True, help="Also convert each .docx to PDF with LibreOffice (written beside it).")
# 180: pdf.DEFAULT_TIMEOUT, written out so that --help need not import the module.
@click.option("--pdf-timeout", type=click.FloatRange(min=0, min_open=True), default=180, show_default=True,
              metavar="SECONDS", help="With --pdf: stop LibreOffice after this long (the .docx is kept).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Builds at once, for several SPECS [default: every core].")
@_FORCE_DOCX
@_QUIET
@_guarded
def build(
    specs: tuple[Path, ...], output: str | None, fmt: str | None, template: Path | None,
    clause_dirs: tuple[Path, ...], profile: str | None, strict: bool, pdf: bool, pdf_timeout: float,
    jobs: int | None, quiet: bool, force: bool,
) -> None:
    """Build the agreement for each SPEC (a .docx by default).

    Missing required sections are marked in the draft and listed on stderr,
    and the exit status is 1; with --strict nothing is written. Placeholders
    (such as [DATE]) are highlighted in the draft and listed as warnings; with
    --strict they are errors, and nothing is written. With several
    SPECS, -o names a folder (created if needed); each failure is reported
    with its file, the others are still built, and a summary ends the run;
    on a terminal a progress bar runs, elsewhere (a log, CI) each finished
    spec gets a line. An output that would overwrite a SPEC, the template,
    the profile or a clause file is refused, as is one that is not a
    regular file. An existing .docx is replaced only when it is a draft
    mou-builder wrote, unchanged since: a returned draft holding a
    reviewer's edits, or a file saved in Word, is refused unless --force.
    """
    from mou_builder.batch import BuildOptions
    from mou_builder.output import check_output

    target = Path(output) if output is not None else None
    batch = len(specs) > 1 or (target is not None and (output.endswith(("/", os.sep)) or target.is_dir()))
    if len(specs) > 1 and target is not None and not target.is_dir() and not output.endswith(("/", os.sep)) \
            and target.suffix.lower() in (*_FORMATS, ".pdf"):
        # `-o both.docx` would otherwise become a folder of that name, and the user look for a file.
        raise click.UsageError(f"-o {output}: with several specs, -o names a folder (end it with /), not a "
                               f"{target.suffix} file; build one spec at a time to name each file")
    if target is not None and not batch:
        # First, so that `-o spec.yaml` is told what it would have destroyed, not only the extension.
        check_output(target, _inputs(specs, template, clause_dirs, profile), force=force)
        fmt = _format_of(target, fmt)
    fmt = fmt or "docx"
    if pdf and fmt != "docx":
        raise click.UsageError("--pdf needs a .docx build")
    if template and fmt != "docx":
        raise click.UsageError("--template applies to .docx builds only")
    options = BuildOptions(fmt, str(template) if template else None, tuple(map(str, clause_dirs)), profile, strict, pdf,
                           pdf_timeout, force=force)
    if batch:
        _build_batch(specs, target or Path("."), options, jobs, quiet)
    else:
        _build_one(specs[0], target or Path(specs[0].stem + "." + fmt), options, quiet)


def _inputs(paths: Sequence[Path], template: Path | None, clause_dirs: tuple[Path, ...],
            profile: str | None) -> list[Path]:
    """The files a command reads that an output may not overwrite (see batch.build_inputs)."""
    from mou_builder.batch import BuildOptions, build_inputs

    return build_inputs(paths, BuildOptions(template=str(template) if template else None,
                                            clauses=tuple(map(str, clause_dirs)), profile=profile))


def _build_one(spec: Path, output: Path, options: Any, quiet: bool) -> None:
    from mou_builder.batch import build_file
    from mou_builder.report import summary_line

    result = build_file(spec, output, options)
    if result.findings:
        click.echo(_findings_text(str(spec), result.profile or "", result.findings, quiet), err=True, nl=False)
    for path in result.written if not quiet else ():
        click.echo(f"wrote {path}")
    if result.status == "not-written":
        click.echo(f"{spec}: not written: {summary_line(result.findings)} (--strict)", err=True)
    for error in (result.error, result.pdf_error):
        if error:
            click.echo(error, err=True)
    if not result.ok:
        sys.exit(1)


def _build_batch(specs: Sequence[Path], outdir: Path, options: Any, jobs: int | None, quiet: bool) -> None:
    from mou_builder.batch import build_inputs, build_many, plan_outputs, prepare
    from mou_builder.errors import OutputError

    # Refuse clashing names and outputs that are inputs before creating anything.
    plan = plan_outputs(specs, outdir, options.fmt, inputs=build_inputs(specs, options), pdf=options.pdf,
                        force=options.force)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: cannot create the output folder ({exc.strerror})") from None
    counts = {"built": 0, "incomplete": 0, "not-written": 0, "failed": 0}
    pdfs = {"written": 0, "failed": 0}
    # A progress bar only where someone watches it: in a log (CI, a pipe) click would print
    # a bare "Building" and nothing until the end, so each finished spec gets its line there.
    watching = not quiet and _on_terminal()
    prepare(options)  # before the bar starts: its time-left estimate then starts right
    _startup_done()  # and before the workers fork, which then share start-up's pages
    bar = click.progressbar(length=len(plan), label="Building", file=sys.stderr) if watching else None
    with bar if bar is not None else nullcontext():
        for done, result in enumerate(build_many(plan, options, jobs=jobs), start=1):
            counts[result.status] += 1
            pdfs["written"] += result.pdf is not None
            pdfs["failed"] += result.pdf_error is not None
            problems = _batch_problems(result)
            if bar is not None:
                for line in problems:
                    click.echo(f"\n{line}", err=True)
                bar.update(1)
            elif quiet:
                for line in problems:
                    click.echo(line, err=True)
            else:
                click.echo(_batch_line(result, f"[{done}/{len(plan)}]"), err=True)
                for line in (result.error, result.pdf_error):  # the line says what happened; these say why
                    if line:
                        click.echo(line, err=True)
    written = counts["built"] + counts["incomplete"]
    pdf_summary = f"; PDF: {pdfs['written']} written, {pdfs['failed']} failed" if options.pdf else ""
    if not quiet:
        click.echo(
            f"{len(plan)} spec{'s' * (len(plan) != 1)}: {written} written to {outdir} ({counts['built']} complete, "
            f"{counts['incomplete']} incomplete), {counts['not-written']} not written (--strict), "
            f"{counts['failed']} failed{pdf_summary}",
            err=True,
        )
    if written != len(plan) or counts["incomplete"] or pdfs["failed"]:
        sys.exit(1)


def _on_terminal() -> bool:
    """Whether someone watches the messages: standard error is a terminal."""
    return sys.stderr.isatty()


def _batch_problems(result: Any) -> list[str]:
    """What went wrong with one spec of a batch, one message each (empty for a complete build)."""
    from mou_builder.report import summary_line

    lines = []
    if result.error:
        lines.append(result.error)
    elif result.status == "not-written":
        lines.append(f"{result.spec}: not written: {summary_line(result.findings)} (--strict)")
    elif result.status == "incomplete":
        lines.append(f"{result.spec}: {summary_line(result.findings)}")
    if result.pdf_error:
        lines.append(result.pdf_error)
    return lines


def _batch_line(result: Any, progress: str) -> str:
    """The line a finished spec gets in a log: what was written, or why not (a failure's first line)."""
    from mou_builder.report import summary_line

    if result.status == "failed":
        return f"{progress} {result.spec}: failed"
    if result.status == "not-written":
        return f"{progress} {result.spec}: not written: {summary_line(result.findings)} (--strict)"
    return f"{progress} {result.spec}: {summary_line(result.findings)}; wrote {', '.join(result.written)}"


def _findings_text(source: str, profile: str, findings: Sequence[Any], quiet: bool) -> str:
    """The findings report; with --quiet only the errors (no warnings, defaults or summary)."""
    from mou_builder.report import text_report

    if quiet:
        return "".join(f"{f}\n" for f in findings if f.severity == "error")
    return text_report(source, profile, findings)


@main.command()
@click.argument("specs", nargs=-1, required=True, type=_SPEC)
@click.option("--profile", help="Completeness profile: general, head_start, student_data, health_data, or a profile file.")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: the findings report (report_version, spec, profile, complete, counts, findings); with "
                   "several SPECS, a list of them. A SPEC that does not fit the model gets {spec, valid: false, "
                   "errors: [...]}, as in validate.")
@click.option("--strict", is_flag=True, help="Count each placeholder (such as [DATE]) as an error, not a warning.")
@click.option("--amends", "amends", type=_SPEC,
              help="SPEC is the new version of this signed agreement (its spec, or the .docx mou-builder built): "
                   "also check the amendment between them (something to amend; every party whose obligations "
                   "change signs).")
@_QUIET
@_guarded
def check(specs: tuple[Path, ...], profile: str | None, clause_dirs: tuple[Path, ...], fmt: str, quiet: bool,
          strict: bool, amends: Path | None) -> None:
    """Check that each SPEC covers every section its profile requires.

    One report per SPEC. Exit 0 when all are complete (warnings allowed), 1
    when a required section or detail is missing in any, or any does not fit
    the model. Every placeholder (such as [DATE]) is listed as a warning;
    with --strict as an error. With --amends ORIGINAL, SPEC is the new
    version of a signed agreement and the amendment between them is checked
    too: nothing to amend, or a party whose obligations change without a
    signatory, is an error (finding amendment-unsigned, nothing-to-amend), as is an
    effective date not after the agreement it amends (amendment-date).
    """
    if amends is not None and len(specs) != 1:
        raise click.UsageError("--amends checks one new version: give one SPEC")
    from mou_builder.library.clauses import load_library
    from mou_builder.library.completeness import check as check_spec
    from mou_builder.library.completeness import load_profile, strict_findings
    from mou_builder.errors import ProfileError, SpecError
    from mou_builder.spec.loader import load_spec
    from mou_builder.report import REPORT_VERSION, json_report

    library = load_library(clause_dirs)
    given = load_profile(profile) if profile else None  # a bad --profile stops the run before any report
    reports: list[dict[str, Any]] = []
    complete = True
    for spec in _one_by_one(specs):
        try:
            loaded = load_spec(spec)
            chosen = given or load_profile(loaded.agreement.profile)
        except (SpecError, ProfileError) as exc:
            # Reported with its spec; the other specs are still checked.
            complete = False
            if fmt == "json":
                unfit = _validity(spec, exc) if isinstance(exc, SpecError) else {"spec": str(spec), "error": str(exc)}
                reports.append({"report_version": REPORT_VERSION, "complete": False, **unfit})
            else:
                click.echo(str(exc), err=True)
            continue
        findings = check_spec(loaded, chosen, library)
        if amends is not None:
            findings = [*findings, *_amendment_findings(amends, loaded, library, profile)]
        if strict:
            findings = strict_findings(findings)
        complete &= not any(f.severity == "error" for f in findings)
        if fmt == "json":
            reports.append(json.loads(json_report(str(spec), chosen.id, findings)))
        else:
            click.echo(_findings_text(str(spec), chosen.id, findings, quiet), nl=False)
    if fmt == "json":
        # One SPEC keeps the single report that docs/findings.md documents.
        click.echo(json.dumps(reports[0] if len(specs) == 1 else reports, indent=2, ensure_ascii=False))
    if not complete:
        sys.exit(1)


def _amendment_findings(original: Path, new_spec: Any, library: Any, profile: str | None) -> list[Any]:
    """What keeps the amendment from ORIGINAL to ``new_spec`` from being signed, as findings of the new version."""
    from mou_builder.amendment import AmendmentError, amendment_items, amendment_problems, effective_date_problems
    from mou_builder.document import Finding

    old_spec = _signed_spec(original, new_spec)
    source = str(new_spec.source.source) if new_spec.source is not None else None
    try:
        amendment = amendment_items(old_spec, new_spec, library=library, profile=profile)
    except AmendmentError as exc:
        return [Finding("nothing-to-amend", "error", "amendment", "agreement", f"{exc} (against {original})",
                        "change the new version, or check it without --amends", source)]
    dated = list(effective_date_problems(amendment, old_spec))
    return [Finding("amendment-date", "error", "amendment", "agreement.document_date", problem,
                    "date the new version after the agreement it amends (its document_date is the amendment's "
                    "effective date)", source) for problem in dated] + [
        Finding("amendment-unsigned", "error", "signatories", "signatories", problem,
                "add the signatory, or leave that party's obligations as they were", source)
        for problem in amendment_problems(amendment, old_spec, new_spec) if problem not in dated]


@main.group()
def clauses() -> None:
    """Show, check and lock the clause library."""


@clauses.command("list")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@_guarded
def clauses_list(clause_dirs: tuple[Path, ...]) -> None:
    """List the clauses, section by section, with id@version and origin."""
    from mou_builder.library.clauses import load_library

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
    from mou_builder.library.clauses import check_library, load_library, lock_problems, read_lock
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
    from mou_builder.library.clauses import load_library, lock_problems, lock_text, read_lock
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
    from mou_builder.library.clauses import load_library
    from mou_builder.spec.loader import load_spec

    loaded = load_spec(spec)
    return loaded, assemble(loaded, load_library(clause_dirs), profile)


def _drafts(paths: Sequence[Path], clause_dirs: tuple[Path, ...], profile: str | None) -> list[Any]:
    """Load drafts (spec files or .docx files); the clause library only when a spec needs it."""
    from mou_builder.review.drafts import is_docx, load_draft

    library = None
    if not all(is_docx(p) for p in paths):
        from mou_builder.library.clauses import load_library

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
@click.option("--paths", is_flag=True,
              help="Name each change by its spec path (responsibilities[3].informed[0]) instead of the reader's words.")
@click.option("--author", default="mou-builder", show_default=True,
              help="Author of the tracked changes (not empty, no control characters, at most 255 characters).")
@click.option("--date", "when", type=_IsoDate(),
              help="Date of the tracked changes (YYYY-MM-DD) [default: NEW's document date].")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path),
              help="Your own Word template (.docx), for drafts given as specs.")
@_FORCE_DOCX
@_guarded
def diff(
    old: Path, new: Path, fmt: str, profile: str | None, clause_dirs: tuple[Path, ...], output: Path | None,
    summary_page: bool, paths: bool, author: str, when: Any, template: Path | None, force: bool,
) -> None:
    """Show what changed from draft OLD to draft NEW (spec files or .docx files).

    The summary lists changed spec fields with old and new values; clauses
    added, removed, moved, re-versioned or re-worded; how many paragraphs
    changed; and completeness findings that appeared or were resolved. With
    -o, writes a Word redline instead: the NEW draft with tracked changes a
    reviewer can accept or reject. A .docx mou-builder wrote is compared
    clause by clause; any other .docx paragraph by paragraph. Exit 0 whether
    or not anything changed. An existing -o file is replaced only when it
    is a draft mou-builder wrote, unchanged since (else --force).
    """
    from mou_builder.review.changes import summary_json, summary_markdown, summary_text
    from mou_builder.review.drafts import redline, summarize_changes, text_diff

    if summary_page and output is None:
        raise click.UsageError("--summary-page goes with -o/--output (it is a page of the Word redline)")
    if output is not None:
        from mou_builder.output import check_output, write_atomic

        inputs = _inputs([old, new], template, clause_dirs, profile)
        check_output(output, inputs, force=force)  # before the comparison, which can take a while
        if output.suffix.lower() != ".docx":
            raise click.UsageError(f"-o {output}: the redline is a Word file; name it .docx")
    old_draft, new_draft = _drafts([old, new], clause_dirs, profile)
    if output is not None:
        data = redline(old_draft, new_draft, author=author, date=when, template=template,
                       summary_page=summary_page)
        write_atomic(output, data, inputs=inputs, force=force)
        click.echo(f"wrote {output}")
        return
    if fmt == "unified":
        click.echo(text_diff(old_draft, new_draft), nl=False)
        return
    summary = summarize_changes(old_draft, new_draft)
    if fmt == "json":  # the JSON always carries the paths beside the reader's words
        click.echo(summary_json(summary), nl=False)
        return
    report = summary_text if fmt == "text" else summary_markdown
    click.echo(report(summary, paths=paths), nl=False)


@main.command("review-edits")
@click.argument("reviewed", type=_SPEC)
@click.option("--base", type=_SPEC,
              help="The draft REVIEWED came from (its spec or .docx) [default: rebuilt from the spec REVIEWED carries].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text", show_default=True)
@click.option("--profile", help="Profile the draft was built with [default: the one it records, else the spec's own].")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses the draft was built with. Repeatable.")
@click.option("--adopt", "adopt_spec", type=_SPEC,
              help="Write each edited clause into the spec ADOPT as a clause override (clauses.override).")
@click.option("--carry-comments", "next_docx", type=_SPEC,
              help="Put the comments on the same clauses of the next draft NEXT.docx (with -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="With --carry-comments: where to write the next draft with the comments.")
@_FORCE_DOCX
@_guarded
def review_edits_command(reviewed: Path, base: Path | None, fmt: str, profile: str | None,
                         clause_dirs: tuple[Path, ...], adopt_spec: Path | None, next_docx: Path | None,
                         output: Path | None, force: bool) -> None:
    """List what a reviewer did to a returned draft REVIEWED (.docx), clause by clause.

    Text edited (old -> new, word by word), clauses deleted or added,
    tracked changes still pending (who, when, what) and comments (who, when,
    the text they are on, what they say), each under the clause's number,
    heading and id. REVIEWED is read against the draft it came from: rebuilt
    from the spec every build carries, or given with --base. Exit 0 whether
    or not anything was edited.

    With --adopt SPEC, each clause the reviewer edited (pending tracked
    changes taken as accepted) is written into SPEC as an override of its
    library clause; later builds use those words, and `check` warns
    (override-stale) when the library clause or the values it shows change.
    """
    from mou_builder.library.clauses import load_library
    from mou_builder.review.edits import (
        base_from_embedded, load_base, report_json, report_markdown, report_text, review_edits,
    )
    from mou_builder.review.word_input import read_docx, read_docx_file

    if not str(reviewed).lower().endswith(".docx"):
        raise click.UsageError(f"{reviewed}: the returned draft is a Word file (.docx)")
    if (next_docx is None) != (output is None):
        raise click.UsageError("--carry-comments NEXT.docx and -o OUT.docx go together")
    if output is not None and output.suffix.lower() != ".docx":
        raise click.UsageError(f"-o {output}: the next draft is a Word file; name it .docx")
    library = load_library(clause_dirs)
    draft = read_docx(read_docx_file(reviewed), str(reviewed))
    base_draft = load_base(base, library, profile) if base is not None else base_from_embedded(draft, library, profile)
    report = review_edits(draft, base_draft)
    click.echo({"text": report_text, "json": report_json, "md": report_markdown}[fmt](report), nl=False)
    from mou_builder.output import check_output, seal_docx, write_atomic

    # Everything is read and made before anything is written: a next draft that cannot be read, or an
    # output that would replace an input, leaves the spec unadopted rather than half the work done.
    carried_out: tuple[bytes, int, list[str]] | None = None
    carry_inputs: list[Path] = []
    if next_docx is not None and output is not None:
        from mou_builder.review.edits import carry_comments

        data, carried, missed = carry_comments(report, read_docx(read_docx_file(next_docx), str(next_docx)))
        # sealed as every .docx mou-builder writes: carrying again to the same -o replaces it, until someone edits it
        carried_out = seal_docx(data), carried, missed
        # the base, the spec adopted into and the drafts read are all inputs: -o must not replace one
        carry_inputs = [reviewed, next_docx, *(p for p in (base, adopt_spec) if p is not None)]
        check_output(output, carry_inputs, force=force)
    if adopt_spec is not None:
        from mou_builder.spec.loader import load_spec
        from mou_builder.review.overrides import adopt_with_notes

        text, adopted, skipped, notes = adopt_with_notes(report, base_draft, adopt_spec, load_spec(adopt_spec))
        for reason in skipped:
            click.echo(f"not adopted: {reason}", err=True)
        for note in notes:
            click.echo(f"note: {note}", err=True)
        if adopted:
            # (the base may well be this spec: adopting into the spec the draft was built from is the use)
            write_atomic(adopt_spec, text.encode("utf-8"), inputs=[reviewed])
            click.echo(f"adopted {len(adopted)} clause{'s' * (len(adopted) != 1)} into {adopt_spec}: "
                       f"{', '.join(adopted)}", err=True)
        else:
            click.echo(f"nothing to adopt: {adopt_spec} is unchanged", err=True)
    if carried_out is not None and output is not None:
        data, carried, missed = carried_out
        for reason in missed:
            click.echo(f"comment not carried: {reason}", err=True)
        write_atomic(output, data, inputs=carry_inputs, force=force)
        click.echo(f"wrote {output} with {carried} comment{'s' * (carried != 1)}", err=True)


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
    from mou_builder.review.drafts import draft_text, is_docx

    if is_docx(spec):
        click.echo(draft_text(spec), nl=False)
        return
    from mou_builder.render.text import render_text

    click.echo(render_text(_assembled(spec, clause_dirs, profile)[1], fmt), nl=False)


# ---------------------------------------------------------------- starting out: init, examples, reference, template


def _check_new_file(path: Path, force: bool) -> None:
    """Refuse ``path`` when it is inside mou-builder's own files, or exists and ``force`` is not given.

    The package's files (its examples, schema, template, clauses) are refused
    even with --force: an upgrade would silently undo the change, and a broken
    copy would break every later build.
    """
    from mou_builder.errors import OutputError
    from mou_builder.output import check_output
    from mou_builder.resources import package_folders

    # a device or a named pipe: refused before anything (the schema beside) is written; an existing file is
    # refused below, with or without a seal, unless --force
    check_output(path, force=True)
    real = Path(os.path.realpath(path))
    for folder in package_folders():
        if real.is_relative_to(os.path.realpath(folder)):
            raise OutputError(f"{path}: not written: it is inside mou-builder's own files ({folder}); "
                              "choose a path outside that folder")
    if path.is_dir():
        raise OutputError(f"{path}: not written: it is a folder; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():  # said here, before the schema beside it is written
        raise OutputError(f"{path}: cannot write: the folder {folder} does not exist")
    if (path.exists() or path.is_symlink()) and not force:
        raise OutputError(f"{path}: already exists; not overwritten (add --force to replace it)")


def _check_spec_name(path: Path) -> None:
    """A spec these commands write is YAML: under another name, mou-build would read it wrongly or not at all."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise click.UsageError(f"{path}: a spec is written as YAML; name it .yaml")


def _write_spec(path: Path, text: str, force: bool) -> None:
    """Write a starter or example spec, and the schema its first line points at beside it."""
    from mou_builder.output import write_atomic

    _check_new_file(path, force)  # again after the interview: the file may have appeared meanwhile
    _check_spec_name(path)
    note = _schema_beside(path)
    write_atomic(path, text.encode("utf-8"))
    click.echo(f"wrote {path}")
    if note:
        click.echo(note, err=True)


def _schema_beside(spec: Path) -> str | None:
    """Write mou-spec.schema.json beside ``spec`` for editors, unless one is there; a note when it differs.

    The spec's ``$schema`` line names the file relatively, so it works
    wherever the spec is; a schema file the user already has is never
    replaced (it may be one they keep on purpose).
    """
    from mou_builder.output import write_atomic
    from mou_builder.resources import schema_path
    from mou_builder.starter import SCHEMA_FILE

    target = spec.parent / SCHEMA_FILE
    shipped = schema_path().read_bytes()
    if target.exists() or target.is_symlink():
        if target.is_file() and target.read_bytes() == shipped:
            return None
        return (f"{target}: kept as it is, but it is not this version's schema; for editor help that matches, "
                f"run: mou-build schema > {target}")
    write_atomic(target, shipped)
    click.echo(f"wrote {target} (editor completion and checks for the spec)")
    return None


def _choose(label: str, options: Sequence[str], default: str, notes: dict[str, str] | None = None) -> str:
    """Ask for one of ``options`` by number or by name."""
    notes = notes or {}
    click.echo(f"{label}:")
    for number, option in enumerate(options, start=1):
        click.echo(f"  {number}) {option}{f' - {notes[option]}' if notes.get(option) else ''}")

    def pick(answer: str) -> str:
        answer = answer.strip()
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1]
        if answer in options:
            return answer
        raise click.BadParameter(f"answer a number from 1 to {len(options)}, or one of: {', '.join(options)}")

    return click.prompt("Choose", default=str(options.index(default) + 1), value_proc=pick)


def _text(answer: str) -> str:
    """A non-blank answer, without surrounding spaces."""
    if not answer.strip():
        raise click.BadParameter("an answer is needed here (this question has no default)")
    return answer.strip()


def _ask(label: str, value_proc: Callable[[str], Any]) -> Any:
    """Ask a question that has no default: an empty answer is told why it is asked again.

    (click re-asks an empty answer silently when there is no default; an
    empty default, not shown, hands it to ``value_proc``, which says why.)
    """
    return click.prompt(label, default="", show_default=False, value_proc=value_proc)


def _no_answer(abort: BaseException) -> str:
    """Why init got no answer: the input ended (a pipe, /dev/null) or Ctrl-C at a prompt."""
    # click turns both into Abort, raised from the original exception (kept as its context)
    if isinstance(abort.__context__, KeyboardInterrupt):
        return "init: stopped at a question (Ctrl-C); nothing written"
    return ("init: no answer (the input ended); nothing written; run it in a terminal, or use --no-input "
            "(placeholders to fill in), or --from EXAMPLE")


def _interview(today: Any, kind: str | None, profile: str | None) -> Any:
    """The questions of `mou-build init`; returns starter.Answers."""
    from datetime import date
    from decimal import Decimal, InvalidOperation

    from mou_builder.library.completeness import builtin_profiles, load_profile
    from mou_builder.spec.reference import model_schema
    from mou_builder.starter import KIND_TITLES, Answers, MoneyAnswer, PartyAnswer, one_year_later, party_id

    click.echo("A few questions to start your spec (Enter keeps the [default]; Ctrl-C stops, writing nothing).\n")
    if kind is None:
        kind = _choose("Kind of agreement", list(KIND_TITLES), "memorandum_of_understanding")
    if profile is None:
        profiles = builtin_profiles()
        profile = _choose("Completeness profile (what a finished agreement must cover)", profiles, "general",
                          {p: load_profile(p).title for p in profiles})
    roles = model_schema()["$defs"]["Party"]["properties"]["role"]["enum"]
    parties: list[Any] = []
    while True:
        n = len(parties) + 1
        click.echo(f"\nParty {n}")
        legal_name = _ask("  Legal name (as it appears in the agreement)", _text)
        short_name = click.prompt("  Short name used in the text", default=legal_name, value_proc=_text)
        role = click.prompt("  Role", type=click.Choice(roles), default="lead" if n == 1 else "partner")
        pid = party_id(short_name, {p.id for p in parties})
        parties.append(PartyAnswer(pid, legal_name, short_name, role))
        click.echo(f"  (the spec calls this party '{pid}')")
        if n >= 2 and not click.confirm("\nAdd another party?", default=False):
            break
    ids = [p.id for p in parties]
    title = click.prompt("\nTitle of the agreement", default=KIND_TITLES[kind], value_proc=_text)

    money = None
    if click.confirm("\nDoes money move between the parties under this agreement?", default=False):
        payer = click.prompt("  Which party pays?", type=click.Choice(ids), default=ids[0])
        payees = [i for i in ids if i != payer]
        payee = click.prompt("  Which party receives it?", type=click.Choice(payees), default=payees[0])

        def amount(answer: str) -> Decimal:
            if not answer.strip():
                raise click.BadParameter("an answer is needed here (this question has no default); "
                                         "write the amount like 25000.00")
            try:
                value = Decimal(answer.strip().replace(",", "").removeprefix("$"))
            except InvalidOperation:
                raise click.BadParameter(f"{answer!r} is not an amount; write it like 25000.00") from None
            if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
                raise click.BadParameter(f"{answer!r}: give a positive amount with at most two decimals")
            return value

        value = _ask("  Amount in US dollars (e.g. 25000.00)", amount)
        purpose = click.prompt("  What does it pay for?", default="Program costs", value_proc=_text)
        money = MoneyAnswer(payer, payee, value, purpose)

    if profile in ("student_data", "health_data"):
        mode = "personal"
        records = "student records are" if profile == "student_data" else "protected health information is"
        click.echo(f"\nProfile {profile}: {records} personal data, so the data are shared as 'personal'.")
    else:
        mode = _choose("\nData about people shared between the parties", ["none", "de_identified", "personal"], "none",
                       {"none": "no data about individuals", "de_identified": "with names and identifiers removed",
                        "personal": "identifiable people (needs a legal basis)"})
    provider = recipient = None
    if mode != "none":
        provider = click.prompt("  Which party discloses the data?", type=click.Choice(ids), default=ids[0])
        others = [i for i in ids if i != provider]
        recipient = click.prompt("  Which party receives it?", type=click.Choice(others), default=others[0])

    def end_date(answer: str) -> date | None:
        if answer.strip().lower() in ("evergreen", "none"):
            return None
        try:
            end = date.fromisoformat(answer.strip())
        except ValueError:
            raise click.BadParameter(f"{answer!r}: write the date as YYYY-MM-DD, or 'evergreen'") from None
        if end <= today:
            raise click.BadParameter(f"{end.isoformat()} is not after today's draft date {today.isoformat()}")
        return end

    end = click.prompt("\nLast day of the agreement (YYYY-MM-DD), or 'evergreen' for no end date",
                       default=one_year_later(today).isoformat(), value_proc=end_date)
    return Answers(title, tuple(parties), today, kind, profile, money, mode, provider, recipient, end)


@main.command()
@click.argument("path", required=False, default="my-mou.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-input", is_flag=True, help="Ask nothing: two parties named by placeholders ([PARTY A LEGAL NAME]), no money, no personal data, "
                                                "a one-year term (for scripts).")
@click.option("--from", "example", metavar="EXAMPLE",
              help="Start from a bundled example instead (see: mou-build examples).")
@click.option("--kind", help="agreement.kind: memorandum_of_understanding, partnership_agreement or "
                             "data_sharing_agreement [default: asked, or memorandum_of_understanding].")
@click.option("--profile", help="Completeness profile: general, head_start, student_data or health_data [default: asked, or "
                                "general].")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@_guarded
def init(path: Path, no_input: bool, example: str | None, kind: str | None, profile: str | None, force: bool) -> None:
    """Write a starter spec at PATH [default: my-mou.yaml] after a short interview.

    Asks the kind of agreement and profile, the parties, whether money moves,
    whether data about people is shared, and the term. The spec it writes
    validates; the sections the profile still needs are in it as commented
    stubs naming their fields. Writes mou-spec.schema.json beside PATH (unless
    one is there) for editor completion; the spec's first line points at it.
    An existing PATH is not replaced without --force.
    """
    from datetime import date

    from mou_builder import __version__ as version
    from mou_builder.spec.reference import model_schema
    from mou_builder.starter import default_answers, example_text, starter_text, still_needed

    _check_new_file(path, force)  # before the questions: no interview for a file that would be refused
    _check_spec_name(path)
    if example is not None:
        if kind or profile:
            raise click.UsageError("--from copies an example as it is; leave out --kind and --profile")
        _write_spec(path, example_text(_example_name(example)), force)
        _write_example_files(path, _example_name(example), force)
        return
    kinds = model_schema()["$defs"]["Agreement"]["properties"]["kind"]["enum"]
    if kind is not None and kind not in kinds:
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(kinds)}", param_hint="--kind")
    if profile is not None:
        from mou_builder.library.completeness import builtin_profiles

        if profile not in builtin_profiles():
            raise click.BadParameter(f"{profile!r} is not one of {', '.join(builtin_profiles())}",
                                     param_hint="--profile")
    today = date.today()
    try:
        answers = default_answers(today, kind=kind, profile=profile) if no_input else _interview(today, kind, profile)
    except click.exceptions.Abort as abort:
        # not click's bare "Aborted!", nor an internal error: say what happened and what to do
        click.echo(f"\n{_no_answer(abort)}", err=True)
        sys.exit(1)
    text = starter_text(answers, file_name=path.name, version=version)
    _write_spec(path, text, force)
    todo = still_needed(text, answers.profile)
    if todo:
        click.echo(f"still to fill in for profile {answers.profile}: {', '.join(todo)} "
                   f"(commented out in {path.name}); then run: mou-build check {path}")


def _example_name(name: str) -> str:
    """``name`` if it is a bundled example; a usage error listing them if not."""
    from mou_builder.starter import example_names, example_path

    try:
        return example_path(name).stem
    except KeyError:
        raise click.BadParameter(f"no example {name!r}; the examples are: {', '.join(example_names())}",
                                 param_hint="EXAMPLE") from None


@main.command()
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to copy example NAME [default: NAME.yaml in the current folder].")
@click.option("--force", is_flag=True, help="Replace the output if it exists.")
@_guarded
def examples(name: str | None, output: Path | None, force: bool) -> None:
    """List the bundled example specs, or copy example NAME to start from.

    The copy's first line points editors at mou-spec.schema.json, which is
    written beside it (unless one is there). An existing file is not
    replaced without --force.
    """
    from mou_builder.starter import example_description, example_names, example_text

    if name is None:
        if output is not None:
            raise click.UsageError("-o needs the NAME of the example to copy (see: mou-build examples)")
        names = example_names()
        width = max(map(len, names), default=0)
        for example in names:
            click.echo(f"{example:<{width}}  {example_description(example)}")
        return
    stem = _example_name(name)
    _write_spec(output or Path(f"{stem}.yaml"), example_text(stem), force)
    _write_example_files(output or Path(f"{stem}.yaml"), stem, force)


def _write_example_files(spec: Path, name: str, force: bool) -> None:
    """Copy the exhibit files example ``name`` reads beside its copy ``spec``, at the same relative paths."""
    from mou_builder.output import write_atomic
    from mou_builder.starter import example_files

    for rel, data in example_files(name):
        target = spec.parent / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        if (target.exists() or target.is_symlink()) and not force:
            raise click.ClickException(f"{target} exists (an exhibit of the example); use --force to replace it")
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data, force=force)
        click.echo(f"wrote {target}")


@main.command()
@click.argument("section", required=False)
@_guarded
def reference(section: str | None) -> None:
    """Print the spec reference: every section and field, with types and defaults (Markdown).

    With SECTION (e.g. purpose, parties, financial, or a field's path such as
    financial.contributions), only that section and the types it uses.
    """
    import difflib

    from mou_builder.spec.reference import section_reference, sections, spec_reference

    if section is None:
        click.echo(spec_reference(links=False), nl=False)  # no links to pages an installed package lacks
        return
    # A field's path, as messages write it (financial.contributions[0].amount), shows its section.
    name = section.split(".", 1)[0].split("[", 1)[0]
    try:
        click.echo(section_reference(name), nl=False)
    except KeyError:
        close = difflib.get_close_matches(name, sections(), n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.BadParameter(f"no section {section!r}{hint}; the sections are: {', '.join(sections())}",
                                 param_hint="SECTION") from None


@main.group()
def template() -> None:
    """The Word template drafts are built with."""


@template.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the template (.docx).")
@click.option("--force", is_flag=True, help="Replace the output if it exists.")
@_guarded
def template_export(output: Path, force: bool) -> None:
    """Write the default Word template, to restyle and use with build --template.

    Change its styles (fonts, colours, spacing), margins, header and footer
    in Word; keep the MOU styles and the {{ body }} paragraph.
    """
    from mou_builder.output import write_atomic
    from mou_builder.resources import default_template_path

    if output.suffix.lower() != ".docx":
        raise click.UsageError(f"-o {output}: a Word template is a .docx file; name it .docx")
    _check_new_file(output, force)
    write_atomic(output, default_template_path().read_bytes(), force=force)
    click.echo(f"wrote {output}; use it with: mou-build build SPEC --template {output}")


# ---------------------------------------------------------------- amendments


def _signed_spec(original: Path, new_spec: Any) -> Any:
    """The signed agreement's spec: ORIGINAL's, or the one the .docx mou-builder built carries."""
    from mou_builder.spec.loader import load_spec

    if original.suffix.lower() in (".docx", ".docm"):
        from mou_builder.exhibits import base_folder
        from mou_builder.review.word_input import spec_from_docx

        # the spec the signed .docx carries; an exhibit file as signed is looked for beside it, then beside NEW
        return spec_from_docx(original, exhibit_folders=[base_folder(new_spec)])
    return load_spec(original)


@main.command()
@click.argument("original", type=_SPEC)
@click.argument("new", type=_SPEC)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the amendment (.docx, .md or .txt) [default: print it as Markdown].")
@click.option("--number", type=click.IntRange(min=1),
              help="The amendment's number (Amendment No. N) [default: the one after the last amendment "
                   "ORIGINAL lists in agreement.amendments, or 1].")
@click.option("--effective", type=_IsoDate(),
              help="The date the amendment takes effect (YYYY-MM-DD) [default: NEW's document date].")
@click.option("--title", help="The amendment's own title [default: Amendment No. N to <ORIGINAL's title>].")
@click.option("--format", "fmt", type=click.Choice(["md", "txt", "json"]),
              help="Without -o: the amendment as Markdown (md, the default) or plain text, or its items as JSON.")
@click.option("--profile", help="Completeness profile for both versions [default: each spec's own].")
@click.option("--clauses", "clause_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
              help="A folder of your own clauses. Repeatable.")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), help="Your own Word template (.docx).")
@click.option("--restated", is_flag=True,
              help="Write an amended and restated agreement instead: the whole of NEW, reciting ORIGINAL.")
@click.option("--conformed", "conformed_path", type=click.Path(dir_okay=False, path_type=Path),
              help="With -o: also write a conformed copy here (.docx, .md or .txt): ORIGINAL with the amendment "
                   "applied, a note under each amended clause.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; report what keeps the amendment from being signed (exit 1 if anything).")
@_FORCE_DOCX
@_guarded
def amend(
    original: Path, new: Path, output: Path | None, number: int | None, effective: Any, title: str | None, fmt: str | None,
    profile: str | None, clause_dirs: tuple[Path, ...], template: Path | None, restated: bool,
    conformed_path: Path | None, check_only: bool, force: bool,
) -> None:
    """Write the amendment that turns agreement ORIGINAL into its new version NEW.

    NEW is a spec; ORIGINAL is a spec, or the .docx mou-builder built from
    it (every build carries its spec; exhibit files it was built from must
    be beside it, or beside NEW, with the content they had then).

    Each change is a numbered item in ORIGINAL's section numbering: a
    clause deleted and replaced, a clause or section added after the last
    one, a clause or section deleted (later sections keep their numbers), a
    party added or renamed, an end date or amount changed, an exhibit
    replaced (Exhibit A-1), added or deleted. The signature page is NEW's
    signatories. Exit 1 when there is nothing to amend.
    With --restated, the whole of NEW titled "Amended and Restated ...",
    reciting ORIGINAL. --conformed FILE also writes ORIGINAL as amended,
    each amended clause noted. With --check, nothing is written: each party whose
    obligations change and that has no signatory in NEW is reported.
    An existing .docx output is replaced only when it is a draft
    mou-builder wrote, unchanged since (else --force).
    """
    from mou_builder.amendment import (
        amendment_document, amendment_items, amendment_problems, conformed, items_json, restate,
    )
    from mou_builder.library.clauses import load_library
    from mou_builder.spec.loader import load_spec

    ctx = click.get_current_context()
    given = [f"--{name}" for name in ("number", "effective")
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
    if restated and given:
        verb = "belongs" if len(given) == 1 else "belong"
        raise click.UsageError(f"{' and '.join(given)} {verb} to an amendment; a restated agreement is the whole of "
                               "NEW, dated and taking effect as NEW says")
    if restated and fmt == "json":
        raise click.UsageError("--format json gives an amendment's items; leave out --restated")
    if check_only and (output is not None or fmt is not None or restated or conformed_path is not None):
        raise click.UsageError("--check writes nothing; leave out -o, --format, --restated and --conformed")
    if conformed_path is not None and (output is None or restated):
        raise click.UsageError("--conformed goes with -o (the amendment it applies), not with --restated")
    inputs: list[Path] = []
    if output is not None:
        from mou_builder.output import check_output

        if fmt is not None:
            raise click.UsageError("--format is for printing; with -o the format follows the extension")
        inputs = _inputs([original, new], template, clause_dirs, profile)
        check_output(output, inputs, force=force)
        out_fmt = _format_of(output, None)
        if conformed_path is not None:
            check_output(conformed_path, [*inputs, output], force=force)
            conformed_fmt = _format_of(conformed_path, None)
    else:
        out_fmt = fmt or "md"
    if template is not None and out_fmt != "docx" and (conformed_path is None or conformed_fmt != "docx"):
        raise click.UsageError("--template applies to .docx output only")
    if new.suffix.lower() in (".docx", ".docm"):
        raise click.UsageError(f"{new}: give the new version's spec (YAML or JSON); only ORIGINAL may be the .docx "
                               "mou-builder built")
    library = load_library(clause_dirs)
    new_spec = load_spec(new)
    old_spec = _signed_spec(original, new_spec)
    amendment = amendment_items(old_spec, new_spec, number=number, effective=effective,
                                title=None if restated else title, library=library, profile=profile)
    if check_only:
        problems = amendment_problems(amendment, old_spec, new_spec)
        for problem in problems:
            click.echo(f"{new}: error: {problem}", err=True)
        if problems:
            sys.exit(1)
        count = len(amendment.items)
        click.echo(f"{new}: amendment of {original}: {count} item{'s' * (count != 1)}; every party whose "
                   "obligations change signs")
        return
    if out_fmt == "json":
        click.echo(items_json(amendment), nl=False)
        return
    if restated:
        document = restate(old_spec, new_spec, title=title, library=library, profile=profile)
    else:
        document = amendment_document(amendment, old_spec, new_spec)
    if output is None:
        from mou_builder.render.text import render_text

        click.echo(render_text(document, out_fmt), nl=False)
        return
    from mou_builder.output import write_atomic

    write_atomic(output, _amend_rendered(document, out_fmt, template), inputs=inputs, force=force)
    if restated:
        click.echo(f"wrote {output} (amended and restated)")
    else:
        click.echo(f"wrote {output} ({len(amendment.items)} item{'s' * (len(amendment.items) != 1)})")
    if conformed_path is not None:
        copy = conformed(amendment, old_spec, new_spec, library=library, profile=profile)
        write_atomic(conformed_path, _amend_rendered(copy, conformed_fmt, template), inputs=[*inputs, output],
                     force=force)
        click.echo(f"wrote {conformed_path} (conformed copy)")


def _amend_rendered(document: Any, fmt: str, template: Path | None) -> bytes:
    """An amendment, restatement or conformed copy as the bytes of a .docx, .md or .txt file."""
    if fmt == "docx":
        from mou_builder.render.word import render_docx

        return render_docx(document, template=template)
    from mou_builder.render.text import render_text

    return render_text(document, fmt).encode("utf-8")


def run() -> None:
    """The ``mou-build`` command (and ``python -m mou_builder``): :func:`main`, then a quick exit.

    A build leaves tens of thousands of objects behind (the spec model's
    classes, lxml trees, compiled templates). Tearing them down one by one
    at interpreter exit took longer than rendering the document, for memory
    the operating system takes back at once. So once the command has
    finished, the exit handlers have run and the output is flushed, the
    process ends with ``os._exit``. ``main`` itself (which tests and other
    programs call) exits as usual; so does importing ``mou_builder.__main__``,
    which runs nothing.

    The cyclic garbage collector is off while the command starts up.
    Importing the libraries and building the spec model's classes make some
    77,000 objects that live as long as the process; the collector went over
    them about 140 times in one build and found almost nothing to free, for
    about 50 ms, an eighth of the build. Once start-up is done the command
    calls :func:`_startup_done`: the objects made so far are frozen out of
    collection and the collector runs again, over what the work makes (a
    build's lxml trees are held in cycles). A command that reads one or two
    inputs may end before that point; the spec limits bound what it holds.
    """
    import atexit

    global _collection_deferred
    gc.disable()
    _collection_deferred = True
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = _exit_status(exc.code)
    atexit._run_exitfuncs()  # what a normal exit would run: temporary folders' finalizers, logging
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the stream closed (`>&-`): Python sets it to None
            continue
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader has gone, or the stream is closed: nothing to say
            code = code or 1
        except OSError as exc:  # a full disk under a redirected output: say so, as Python's own exit would
            code = code or 1
            if stream is sys.stdout:
                try:
                    sys.stderr.write(f"mou-build: could not write the output ({exc.strerror or exc})\n")
                    sys.stderr.flush()
                except (OSError, ValueError, AttributeError):  # AttributeError: no stderr (None)
                    pass
    os._exit(code)


_collection_deferred = False  # set by run(): the collector is off until start-up is done


def _startup_done() -> None:
    """Turn the garbage collector back on once start-up is done, if :func:`run` turned it off.

    What start-up made is frozen first (``gc.freeze``), so collections no
    longer go over it, and workers forked from here share those pages with
    the parent rather than copying them: the sequence the ``gc`` module's
    documentation gives for processes that fork (disable early, freeze
    before forking). Only the first call acts, and only under :func:`run`:
    ``main`` called by another program leaves its collector alone.
    """
    global _collection_deferred
    if _collection_deferred:
        _collection_deferred = False
        gc.freeze()
        gc.enable()


def _one_by_one(items: Sequence[Path]) -> Iterator[Path]:
    """The items of a loop over inputs; start-up is done once the first has been handled (see run)."""
    for index, item in enumerate(items):
        if index:
            _startup_done()
        yield item


def _exit_status(code: object) -> int:
    """The exit status ``sys.exit(code)`` gives: None is 0, a number itself, anything else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        click.echo(str(code), err=True)
    except (OSError, ValueError):
        pass
    return 1
