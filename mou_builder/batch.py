"""Building spec files into output files: one, or many on all cores.

:func:`build_file` is what ``mou-build SPEC`` does; :func:`build_many` runs it
for many specs in worker processes, yielding each result as it completes, so
that one bad spec never stops the others. Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

from mou_builder.document import Finding
from mou_builder.errors import MouError, OutputError
from mou_builder.output import check_output
from mou_builder.render.pdf import DEFAULT_TIMEOUT as DEFAULT_PDF_TIMEOUT

Status = Literal["built", "incomplete", "not-written", "failed"]


@dataclass(frozen=True)
class BuildOptions:
    """How to build: output format, template, clause folders, profile, strictness, PDF and its time limit.

    ``force`` lets a build replace an existing .docx that is not an
    unchanged mou-builder draft (a reviewer's returned copy, another
    program's file); without it such an output is refused.
    """

    fmt: Literal["docx", "md", "txt"] = "docx"
    template: str | None = None
    clauses: tuple[str, ...] = ()
    profile: str | None = None
    strict: bool = False
    pdf: bool = False
    pdf_timeout: float = DEFAULT_PDF_TIMEOUT
    force: bool = False


@dataclass(frozen=True)
class BuildResult:
    """What became of one spec.

    ``status`` is what became of the output named by ``output``: *built*
    (complete), *incomplete* (written, with missing sections marked),
    *not-written* (incomplete, or holding a placeholder, under ``strict``), or *failed* (``error``
    says why; nothing was written). With ``pdf``, the PDF is reported
    apart: ``pdf`` is its path once written, ``pdf_error`` says why it was
    not (the .docx, already written, stays).
    """

    spec: str
    output: str | None
    status: Status
    profile: str | None = None
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    pdf: str | None = None
    written: tuple[str, ...] = field(default=())
    pdf_error: str | None = None

    @property
    def ok(self) -> bool:
        """Complete, and every output asked for was written."""
        return self.status == "built" and self.pdf_error is None


@lru_cache(maxsize=8)
def _library(clause_dirs: tuple[str, ...]):  # noqa: ANN202 - a ClauseLibrary; imported lazily
    from mou_builder.library.clauses import load_library

    return load_library(clause_dirs)


def prepare(options: BuildOptions = BuildOptions()) -> None:
    """Do, once, the work every build of a batch shares: import the renderer, load and compile the
    clause library, make the spec validator ready.

    :func:`build_many` calls it before its first spec (and before starting
    workers, which inherit the result); a progress bar started after it
    times the first spec as it times the others, so its first estimate of
    the time left is not inflated by start-up. A clause library that cannot
    be loaded is left for each build to report.
    """
    from mou_builder.cache import compiled
    from mou_builder.library.clauses import compile_library
    from mou_builder.spec.model import Spec

    compiled(Spec)
    if options.fmt == "docx":
        import mou_builder.render.word  # noqa: F401 - imported now rather than during the first build
    try:
        compile_library(_library(options.clauses))
    except MouError:
        pass


def build_inputs(specs: Iterable[str | Path], options: BuildOptions = BuildOptions()) -> list[Path]:
    """Every file a build of ``specs`` reads that the user gave: the specs, template, profile file, clause files.

    An output may not be any of these (see :func:`mou_builder.output.check_output`).
    """
    from mou_builder.library.clauses import clause_files

    inputs = [Path(spec) for spec in specs]
    if options.template:
        inputs.append(Path(options.template))
    if options.profile and Path(options.profile).is_file():
        inputs.append(Path(options.profile))
    for folder in map(Path, options.clauses):
        if folder.is_dir():  # a missing folder is reported by the clause loader
            inputs += clause_files(folder)
    return inputs


def pdf_path(output: str | Path) -> Path:
    """Where ``--pdf`` writes the PDF of ``output``: beside it, with the suffix .pdf."""
    return Path(output).with_suffix(".pdf")


def build_file(spec: str | Path, output: str | Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    """Build one spec file into ``output`` (written atomically). Bad input gives a *failed* result.

    An ``output`` (or, with ``pdf``, a PDF) that would overwrite one of the
    build's inputs (:func:`build_inputs`) or is not a regular file is
    refused before anything is written; so is an existing .docx that
    mou-builder did not write or that changed since, unless ``options.force``.
    """
    from mou_builder.assembly import assemble
    from mou_builder.spec.loader import load_spec
    from mou_builder.output import write_atomic

    spec, output = str(spec), str(output)
    inputs = build_inputs([spec], options)
    try:
        check_output(output, inputs, force=options.force)
        if options.pdf:
            check_output(pdf_path(output), [*inputs, output])
        loaded = load_spec(spec)
        if loaded.exhibits:
            from mou_builder.exhibits import exhibit_files

            # The exhibit files are inputs too, known once the spec is read (relative to its folder).
            inputs = [*inputs, *exhibit_files(loaded)]
            check_output(output, inputs, force=True)  # the existing .docx was checked above: not read again
            if options.pdf:
                check_output(pdf_path(output), [*inputs, output])
        document = assemble(loaded, _library(options.clauses), options.profile)
        if options.strict:
            from mou_builder.library.completeness import strict_findings

            findings = strict_findings(document.findings)  # a placeholder left in is an error here
            if any(f.severity == "error" for f in findings):
                return BuildResult(spec, None, "not-written", document.profile, tuple(findings))
        if options.fmt == "docx":
            from mou_builder.render.word import render_docx

            data = render_docx(document, template=options.template)
        else:
            from mou_builder.render.text import render_text

            data = render_text(document, options.fmt).encode("utf-8")
        write_atomic(output, data, inputs=inputs, force=options.force)
    except MouError as exc:
        return BuildResult(spec, None, "failed", error=str(exc))
    status: Status = "built" if document.complete else "incomplete"
    result = BuildResult(spec, output, status, document.profile, document.findings, written=(output,))
    if options.pdf:
        from mou_builder.render.pdf import convert_to_pdf

        try:
            pdf = str(convert_to_pdf(output, pdf_path(output), timeout=options.pdf_timeout, inputs=inputs))
        except MouError as exc:
            return replace(result, pdf_error=str(exc))
        result = replace(result, pdf=pdf, written=(output, pdf))
    return result


def plan_outputs(
    specs: Sequence[str | Path], outdir: str | Path, fmt: str, *, inputs: Iterable[str | Path] = (),
    pdf: bool = False, force: bool = False,
) -> list[tuple[str, str]]:
    """(spec, output) pairs for a batch: OUTDIR/<spec name>.<fmt>.

    Two specs may not share an output, and no output (nor, with ``pdf``, its
    PDF) may overwrite one of ``inputs``, nor, unless ``force``, an existing
    .docx that is not an unchanged mou-builder draft: each refuses the whole
    batch before anything is written.
    """
    outdir = Path(outdir)
    inputs = list(inputs)
    taken: dict[Path, str] = {}
    plan = []
    for spec in specs:
        output = outdir / f"{Path(spec).stem}.{fmt}"
        if output in taken:
            raise OutputError(f"{output}: both {taken[output]} and {spec} would be written here; rename one of them")
        check_output(output, inputs, force=force)
        if pdf:
            check_output(pdf_path(output), inputs)
        taken[output] = str(spec)
        plan.append((str(spec), str(output)))
    return plan


def _build_safely(spec: str, output: str, options: BuildOptions) -> BuildResult:
    """Runs in a worker: even a bug in mou-builder becomes a failed result, so the batch carries on."""
    try:
        return build_file(spec, output, options)
    except Exception as exc:  # noqa: BLE001 - reported per spec, never lost
        return BuildResult(spec, None, "failed", error=f"{spec}: internal error ({type(exc).__name__}: {exc}); "
                                                      "this is a bug in mou-builder, please report it")


def build_many(
    plan: Iterable[tuple[str, str]], options: BuildOptions = BuildOptions(), *, jobs: int | None = None
) -> Iterator[BuildResult]:
    """Build each (spec, output) pair, ``jobs`` at a time (default: every core), yielding results as they finish."""
    plan = list(plan)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(plan) or 1))
    if plan:
        prepare(options)
    if jobs == 1:
        for spec, output in plan:
            yield _build_safely(spec, output, options)
        return
    # Imported here, for batches only: a single build (``mou-build SPEC``) never starts a worker, and
    # its start-up is held to 1.5 x a bare python-docx process (benchmarks/run.py).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork, where there is one, starts workers with mou-builder already imported.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_build_safely, spec, output, options) for spec, output in plan]
        for future in as_completed(futures):
            yield future.result()
