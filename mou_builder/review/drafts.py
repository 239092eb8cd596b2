"""Comparing two drafts: the change summary, the Word redline and the text diff.

A *draft* is a spec file (YAML or JSON), a .docx file (one mou-builder wrote,
or any other), a :class:`~mou_builder.spec.model.Spec`, an assembled
:class:`~mou_builder.document.Document`, or the bytes of a .docx file. How
much a comparison can say depends on what the drafts are:

- two specs: spec values, clauses, completeness findings and text;
- a .docx mou-builder wrote: clauses (from the manifest and bookmarks it
  carries) and text, not spec values or findings;
- any other .docx: its text, paragraph by paragraph.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

from mou_builder.review.changes import ChangeSummary, DraftFacts, compare, summary_groups, unified_diff
from mou_builder.document import Document
from mou_builder.review.word_input import (
    Formats, WordDraft, cleaned_segments, margin_lines, note_lines, outline, read_docx, read_docx_file,
    text_lines_and_formats,
)

if TYPE_CHECKING:
    from mou_builder.library.clauses import ClauseLibrary
    from mou_builder.library.completeness import Profile
    from mou_builder.spec.model import Spec

#: What can be compared: a path (spec or .docx), a Spec, a Document, or .docx bytes.
DraftSource = Union[str, "os.PathLike[str]", "Spec", Document, bytes]


@dataclass(frozen=True)
class Draft:
    """One draft, loaded: a spec and its assembled document, or a .docx file."""

    name: str
    spec: Spec | None = None
    document: Document | None = None
    word: WordDraft | None = None

    def facts(self) -> DraftFacts:
        """What a comparison can know about this draft."""
        if self.document is not None:
            return DraftFacts.of_document(self.name, self.document, self.spec)
        assert self.word is not None
        cleaned = [e for part in cleaned_segments(self.word.body) for e in part.elements]
        lines, formats = text_lines_and_formats(cleaned, Formats(self.word.styles, self.word.fonts))
        notes = note_lines(self.word, cleaned)
        del cleaned  # not held while the clauses are read from copies of their own
        clauses = outline(self.word) if self.word.from_mou_builder else ()
        # another program's file, or one without clause bookmarks (e.g. a redline): no clauses
        return DraftFacts(self.name, tuple(lines), clauses=clauses or None, complete=self.word.complete,
                          formats=tuple(formats), margins=margin_lines(self.word), footnotes=notes)


def is_docx(path: str | os.PathLike[str]) -> bool:
    """Whether a path names a Word file (by its extension)."""
    return str(path).lower().endswith((".docx", ".docm"))


def load_draft(
    source: DraftSource,
    *,
    name: str | None = None,
    profile: str | Path | Profile | None = None,
    library: ClauseLibrary | None = None,
) -> Draft:
    """Load a draft from a path, a Spec, a Document or .docx bytes (see the module's docstring)."""
    if isinstance(source, Document):
        return Draft(name or "document", document=source)
    if isinstance(source, (bytes, bytearray)):
        label = name or "document.docx"
        return Draft(label, word=read_docx(bytes(source), label))
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = name or str(source)
        if is_docx(path):
            return Draft(label, word=read_docx(read_docx_file(path), label))
        from mou_builder.spec.loader import load_spec

        spec = load_spec(path)
        return Draft(label, spec=spec, document=_assemble(spec, profile, library))
    from mou_builder.spec.model import Spec  # only now: a comparison of .docx files needs no pydantic

    if isinstance(source, Spec):
        return Draft(name or source.agreement.title, spec=source, document=_assemble(source, profile, library))
    raise TypeError(f"a draft is a path, a Spec, a Document or .docx bytes, not {type(source).__name__}")


def _assemble(spec: Spec, profile: str | Path | Profile | None, library: ClauseLibrary | None) -> Document:
    from mou_builder.assembly import assemble

    return assemble(spec, library, profile)


def summarize_changes(
    old: DraftSource | Draft,
    new: DraftSource | Draft,
    *,
    profile: str | Path | Profile | None = None,
    library: ClauseLibrary | None = None,
) -> ChangeSummary:
    """What changed from draft ``old`` to draft ``new``: spec values, clauses, text and findings."""
    a, b = _loaded(old, "old", profile, library), _loaded(new, "new", profile, library)
    return compare(a.facts(), b.facts())


def text_diff(
    old: DraftSource | Draft,
    new: DraftSource | Draft,
    *,
    profile: str | Path | Profile | None = None,
    library: ClauseLibrary | None = None,
) -> str:
    """A unified diff of two drafts' text (their Markdown when both come from specs)."""
    a, b = _loaded(old, "old", profile, library), _loaded(new, "new", profile, library)
    return unified_diff(a.facts(), b.facts())


def redline(
    old: DraftSource | Draft,
    new: DraftSource | Draft,
    *,
    author: str = "mou-builder",
    date: _dt.date | None = None,
    template: str | Path | None = None,
    summary_page: bool = False,
    profile: str | Path | Profile | None = None,
    library: ClauseLibrary | None = None,
) -> bytes:
    """The ``new`` draft as .docx bytes with Word tracked changes against ``old``.

    ``date`` (of the revisions) defaults to the new draft's date, so the same
    drafts always give the same bytes. ``summary_page`` puts the change
    summary on a cover page. ``template`` is used for drafts given as specs.
    An empty or blank ``author`` (or one Word cannot carry) raises
    :class:`~mou_builder.review.tracked_changes.RedlineError`.
    """
    from mou_builder.review.tracked_changes import Cover, checked_author, redline_docx, render_redline

    checked_author(author)  # before the drafts are read: a bad author is refused at once
    a, b = _loaded(old, "old", profile, library), _loaded(new, "new", profile, library)
    cover = None
    if summary_page:
        groups = summary_groups(compare(a.facts(), b.facts()))
        cover = Cover(
            title="Changes in this draft",
            subtitle=f"{b.name} compared with {a.name}",
            groups=tuple((title, tuple(lines)) for title, lines in groups),
        )
    if a.document is not None and b.document is not None:
        return render_redline(a.document, b.document, author=author, when=date, template=template, cover=cover)
    old_word = a.word if a.word is not None else _docx_of(a, template)
    new_data = b.word.data if b.word is not None else _docx_of(b, template).data
    return redline_docx(old_word, new_data, author=author, when=date, cover=cover, old_name=a.name, new_name=b.name)


def _docx_of(draft: Draft, template: str | Path | None) -> WordDraft:
    from mou_builder.render.word import render_docx

    assert draft.document is not None
    return read_docx(render_docx(draft.document, template=template), draft.name)


def draft_text(source: DraftSource | Draft) -> str:
    """A draft's text, paragraphs and table rows separated by blank lines (for a .docx, e.g. as a git textconv)."""
    return "".join(line + "\n\n" for line in _loaded(source, "draft", None, None).facts().lines)


def _loaded(source: DraftSource | Draft, name: str, profile: str | Path | Profile | None,
            library: ClauseLibrary | None) -> Draft:
    if isinstance(source, Draft):
        return source
    label = None if isinstance(source, (str, os.PathLike)) else name
    return load_draft(source, name=label, profile=profile, library=library)
