"""The library: the shipped notes plus the notes added with ``touchstone ingest PATH``.

The index is a cache of the library: every start (``ensure_index``) brings it back in
line with the notes on disk and deletes chunks of notes that are not there. So a note
that only reached the index would vanish at the next start; added notes are therefore
copied, as ``<id>.md``, into one directory of their own (``<data dir>/notes`` unless
``TOUCHSTONE_NOTES_DIR`` says otherwise) that is read together with the shipped notes.
Copies, not references: the library must not change when the file it came from is
edited, moved or deleted, and the data directory's backup then holds everything.

``--replace`` makes that directory the whole library; a marker file in it records the
choice, so the next start and ``doctor`` see the same library as the ingest that
replaced it, and a person who opens the directory reads how to undo it.

Everything here blocks (files only; no index): the knowledge base calls it from a
worker thread.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.note import (
    MAX_NOTE_BYTES,
    SHIPPED_NOTES_DIR,
    Note,
    NoteError,
    NoteProblem,
    check_note_text,
    note_files,
)

#: In the added notes' directory: the notes there replace the shipped ones.
REPLACED_MARKER = "REPLACES-SHIPPED-NOTES.txt"

_MARKER_TEXT = """\
The notes in this directory replace the notes shipped with Touchstone
(`touchstone ingest --replace` wrote this file).

To use the shipped notes again, together with the notes here, delete this file
and run `touchstone ingest`.
"""


def library_dirs(shipped_dirs: Sequence[Path], added_dir: Path | None) -> list[Path]:
    """Where the library is read from: the shipped notes and the added ones.

    A missing added directory is simply not read (nothing was added yet); with the
    replace marker, the added directory alone is the library.
    """
    if added_dir is None or not added_dir.is_dir():
        return list(shipped_dirs)
    if (added_dir / REPLACED_MARKER).exists():
        return [added_dir]
    return [*shipped_dirs, added_dir]


@dataclass(frozen=True)
class IncomingNote:
    """A validated note handed to ``ingest``, with its text exactly as it will be stored."""

    note: Note
    text: str


@dataclass(frozen=True)
class SavedNotes:
    """Which ids a save added, changed, or found already stored as they are."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _read_text(path: Path) -> str:
    """The file's text; the size is checked before reading so a stray huge file costs nothing."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_NOTE_BYTES:
            raise NoteError(
                [NoteProblem(where, None, f"the note is larger than {MAX_NOTE_BYTES} bytes")]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise NoteError(
            [NoteProblem(where, None, f"cannot read file: {exc.strerror or exc}")]
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError([NoteProblem(where, None, "not UTF-8 text")]) from None


def read_incoming(
    paths: Sequence[Path], shipped: Sequence[Note] = ()
) -> tuple[list[IncomingNote], list[NoteProblem]]:
    """Read and validate every note named by ``paths`` (files or directories).

    Each note is checked as ``/knowledge add`` checks one (:func:`check_note_text`).
    Also problems: a missing path, a directory without notes, two given notes with one
    id, and the id of a note in ``shipped``: the loader would keep the shipped note
    and skip the added one at every start, so it is refused now, while the person
    can still rename it.
    """
    problems: list[NoteProblem] = []
    existing: list[Path] = []
    for path in paths:
        if not path.exists():
            problems.append(NoteProblem(str(path), None, "no such file or directory"))
        elif path.is_dir() and not note_files([path]):
            problems.append(NoteProblem(str(path), None, "no .md notes in this directory"))
        else:
            existing.append(path)
    taken = {note.id: note for note in shipped}
    incoming: list[IncomingNote] = []
    seen: dict[str, str] = {}
    for file in note_files(existing):
        try:
            text = _read_text(file)
            note = check_note_text(text, file)
        except NoteError as exc:
            problems.extend(exc.problems)
            continue
        if note.id in seen:
            problems.append(
                NoteProblem(str(file), "id", f"{note.id!r} is also the id of {seen[note.id]}")
            )
            continue
        seen[note.id] = str(file)
        if note.id in taken:
            problems.append(NoteProblem(str(file), "id", _taken_message(note.id, taken[note.id])))
            continue
        incoming.append(IncomingNote(note, text))
    return incoming, problems


def _taken_message(note_id: str, shipped: Note) -> str:
    where = f" ({shipped.path})" if shipped.path else ""
    message = f"{note_id!r} is already the id of a shipped note{where}; give this note another id"
    if shipped.path is not None and shipped.path.is_relative_to(SHIPPED_NOTES_DIR):
        message += (
            " (after editing a shipped note, run `touchstone ingest` without a path to re-index)"
        )
    return message


def save_notes(added_dir: Path, incoming: Sequence[IncomingNote], *, replace: bool) -> SavedNotes:
    """Store the notes as ``<id>.md`` in ``added_dir``; with ``replace``, as its only notes.

    Every file is written beside its target and then renamed over it, so a note is
    never half-written. Replacing builds the new directory (notes and marker) next to
    the old one and swaps them, so the library is the old set or the new one.
    """
    previous = {
        path.stem: path.read_bytes()
        for path in (added_dir.glob("*.md") if added_dir.is_dir() else [])
        if path.is_file()
    }
    saved = SavedNotes()
    for item in incoming:
        note_id = item.note.id
        if note_id not in previous:
            saved.added.append(note_id)
        elif previous[note_id] == item.text.encode("utf-8"):
            saved.unchanged.append(note_id)
        else:
            saved.updated.append(note_id)
    if replace:
        _swap_in(added_dir, incoming)
    else:
        _write_beside_then_rename(added_dir, incoming)
    return saved


def _write_beside_then_rename(added_dir: Path, incoming: Sequence[IncomingNote]) -> None:
    added_dir.mkdir(parents=True, exist_ok=True)
    temporary: list[tuple[Path, Path]] = []
    try:
        for item in incoming:
            # A dot name ending in .tmp is never read as a note (see note_files).
            scratch = added_dir / f".{item.note.id}.{uuid.uuid4().hex}.tmp"
            scratch.write_text(item.text, encoding="utf-8")
            temporary.append((scratch, added_dir / f"{item.note.id}.md"))
        for scratch, target in temporary:
            os.replace(scratch, target)
    finally:
        for scratch, _target in temporary:
            scratch.unlink(missing_ok=True)


def _swap_in(added_dir: Path, incoming: Sequence[IncomingNote]) -> None:
    added_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = added_dir.with_name(f".{added_dir.name}.{uuid.uuid4().hex}.new")
    retired = added_dir.with_name(f".{added_dir.name}.{uuid.uuid4().hex}.old")
    staging.mkdir()
    try:
        for item in incoming:
            (staging / f"{item.note.id}.md").write_text(item.text, encoding="utf-8")
        (staging / REPLACED_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
        if added_dir.exists():
            os.replace(added_dir, retired)
        try:
            os.replace(staging, added_dir)
        except OSError:
            if retired.exists():
                os.replace(retired, added_dir)  # put the old library back
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(retired, ignore_errors=True)
