"""Notes: the validated unit of knowledge, and a loader that never lets one bad file stop the rest.

A note is a markdown file with YAML front matter. Contributors write them by hand, so
every mistake must come back as one line naming the file and the field, and the other
notes must still load: a typo in one note must not take the bot's knowledge offline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

#: The notes that ship with Touchstone.
SHIPPED_NOTES_DIR: Path = Path(__file__).resolve().parent / "notes"

#: Larger files are refused: a note is a page, not a book, and a huge file is usually a mistake.
MAX_NOTE_BYTES = 200 * 1024

NoteKind = Literal["technique", "principle", "exercise", "pattern"]
NOTE_KINDS: tuple[str, ...] = ("technique", "principle", "exercise", "pattern")
KINDS_WITH_STEPS: frozenset[str] = frozenset({"technique", "exercise"})

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def _plain_text(value: Any) -> Any:
    """YAML turns ``2022-11-05`` into a date; sources keep dates as written."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _required_text(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty")
    return value.strip() if isinstance(value, str) else value


class NoteSource(BaseModel):
    """Where a note's idea comes from, so every answer can credit its author."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str
    author: str
    date: str | None = None
    url: str | None = None
    document: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return _plain_text(value)

    @field_validator("title", "author", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        return _required_text(_plain_text(value))

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.strip()

    def credit(self) -> str:
        """One line crediting the source: author, "title" (date) <url>."""
        parts = [f'{self.author}, "{self.title}"']
        if self.date:
            parts.append(f"({self.date})")
        if self.url:
            parts.append(f"<{self.url}>")
        return " ".join(parts)


class Note(BaseModel):
    """A validated note: its front matter, its markdown body, and whose it is.

    ``guild_id`` is None for shipped notes and a server's id for notes a server added,
    which are only ever retrieved for that server.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    title: str
    kind: NoteKind
    tags: list[str] = Field(default_factory=list)
    source: NoteSource
    summary: str
    when_to_use: str
    five_minute_version: str
    steps: list[str] = Field(default_factory=list, validate_default=True)
    #: How members describe the situation this note helps with, in their own words
    #: (symptoms, complaints, slang; never the technique's name). Indexed so that a
    #: plain description of a situation finds the note.
    phrasings: list[str] = Field(default_factory=list)
    #: True when the note locates the problem in the reader ("the problem is you").
    #: Right for someone checking their own judgement; wrong for someone ashamed or
    #: hurting, so it is never given in answer to self-worth or distress.
    blame_framed: bool = False
    body: str = ""
    guild_id: int | None = None
    path: Path | None = None

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("must be kebab-case (lowercase letters, digits and hyphens)")
        return value

    @field_validator("title", "summary", "when_to_use", "five_minute_version", mode="before")
    @classmethod
    def _check_text(cls, value: Any) -> Any:
        return _required_text(_plain_text(value))

    @field_validator("tags", mode="before")
    @classmethod
    def _check_tags(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            raise ValueError("must be a list, e.g. [motivation, planning]")
        if isinstance(value, list):
            tags = [str(tag).strip().lower() for tag in value]
            for tag in tags:
                if not _TAG_RE.match(tag):
                    raise ValueError(f"tag {tag!r} must be lowercase words joined by hyphens")
            return list(dict.fromkeys(tags))
        return value

    @field_validator("steps", mode="before")
    @classmethod
    def _steps_shape(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            raise ValueError("must be a list of strings")
        if isinstance(value, list):
            return [_plain_text(step) for step in value]
        return value

    @field_validator("phrasings", mode="before")
    @classmethod
    def _phrasings_shape(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            raise ValueError("must be a list of strings")
        if isinstance(value, list):
            phrasings = [str(_plain_text(p)).strip() for p in value]
            return list(dict.fromkeys(p for p in phrasings if p))
        return value

    @field_validator("steps")
    @classmethod
    def _steps_required(cls, value: list[str], info: ValidationInfo) -> list[str]:
        steps = [step.strip() for step in value if step.strip()]
        kind = info.data.get("kind")
        if kind in KINDS_WITH_STEPS and not steps:
            raise ValueError(f"required for kind {kind!r}")
        return steps

    @property
    def scope(self) -> int:
        """0 for shipped notes, the server's id otherwise (the value stored with chunks)."""
        return self.guild_id or 0


@dataclass(frozen=True)
class NoteProblem:
    """One reason a note was skipped, naming the file and (when known) the field."""

    file: str
    field: str | None
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}: {self.field}: {self.message}"
        return f"{self.file}: {self.message}"


class NoteError(ValueError):
    """A note could not be parsed; ``problems`` says where and why."""

    def __init__(self, problems: list[NoteProblem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def _split_front_matter(text: str, origin: str) -> tuple[str, str]:
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise NoteError(
            [NoteProblem(origin, None, "missing front matter (the file must start with ---)")]
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise NoteError([NoteProblem(origin, None, "front matter is not closed (no second --- line)")])


def parse_note(
    text: str,
    origin: str | Path = "<note>",
    *,
    guild_id: int | None = None,
    expected_id: str | None = None,
) -> Note:
    """Parse and validate one note's text.

    ``origin`` names the note in problems (usually its path). When ``expected_id`` is
    given (the file stem), the note's id must match it, so links by id and by file name
    never disagree. Raises :class:`NoteError` listing every problem found.
    """
    where = str(origin)
    front, body = _split_front_matter(text, where)
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise NoteError(
            [NoteProblem(where, None, f"front matter is not valid YAML{at}: {problem}")]
        ) from None
    except ValueError as exc:  # a well-formed YAML scalar with an impossible value
        raise NoteError(
            [NoteProblem(where, None, f"front matter has an invalid value: {exc}")]
        ) from None
    except RecursionError:
        raise NoteError([NoteProblem(where, None, "front matter is nested too deeply")]) from None
    if not isinstance(data, dict):
        raise NoteError([NoteProblem(where, None, "front matter must be a YAML mapping of fields")])
    data = {str(key): value for key, value in data.items()}
    for internal in ("body", "guild_id", "path"):
        data.pop(internal, None)
    data["body"] = body.strip()
    data["guild_id"] = guild_id
    if isinstance(origin, Path):
        data["path"] = origin
    problems: list[NoteProblem] = []
    note: Note | None = None
    try:
        note = Note.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or None
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "required"
            elif error["type"] == "literal_error" and field == "kind":
                message = f"must be one of {', '.join(NOTE_KINDS)} (got {error['input']!r})"
            problems.append(NoteProblem(where, field, message))
    if note is not None and expected_id is not None and note.id != expected_id:
        problems.append(
            NoteProblem(where, "id", f"{note.id!r} must equal the file name {expected_id!r}")
        )
    if problems or note is None:
        raise NoteError(problems)
    return note


def check_note_text(text: str, origin: str | Path, *, guild_id: int | None = None) -> Note:
    """Validate a note someone hands in (``/knowledge add``, ``touchstone ingest PATH``).

    One function for both, so a note that one of them accepts is never refused by the
    other: the size limit, no binary content, then :func:`parse_note`. The file name
    is not checked against the id: a note handed in keeps the id it declares (it is
    stored under that id). Raises :class:`NoteError`.
    """
    where = str(origin)
    if len(text.encode("utf-8", errors="replace")) > MAX_NOTE_BYTES:
        raise NoteError(
            [NoteProblem(where, None, f"the note is larger than {MAX_NOTE_BYTES} bytes")]
        )
    if "\x00" in text:
        raise NoteError([NoteProblem(where, None, "binary content, not a markdown note")])
    return parse_note(text, origin, guild_id=guild_id)


def read_note_file(path: Path, *, guild_id: int | None = None) -> Note:
    """Read and parse one note file, refusing huge, binary and non-UTF-8 files."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_NOTE_BYTES:
            raise NoteError(
                [
                    NoteProblem(
                        where, None, f"file is too large ({size} bytes; limit {MAX_NOTE_BYTES})"
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise NoteError(
            [NoteProblem(where, None, f"cannot read file: {exc.strerror or exc}")]
        ) from None
    if b"\x00" in raw:
        raise NoteError([NoteProblem(where, None, "binary file, not a markdown note")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError([NoteProblem(where, None, "not UTF-8 text")]) from None
    return parse_note(text, path, guild_id=guild_id, expected_id=path.stem)


def note_files(paths: Iterable[Path]) -> list[Path]:
    """The ``.md`` files named by ``paths`` (files, or directories searched recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*.md") if p.is_file() and not p.name.startswith("."))
            )
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def load_notes(
    paths: Sequence[Path] | Path, *, guild_id: int | None = None
) -> tuple[list[Note], list[NoteProblem]]:
    """Load every note under ``paths``; a bad note is reported and skipped, the rest load.

    A missing path and a duplicate id are problems too (the first note with an id wins).
    """
    if isinstance(paths, Path):
        paths = [paths]
    notes: list[Note] = []
    problems: list[NoteProblem] = []
    seen: dict[str, str] = {}
    for path in paths:
        if not path.exists():
            problems.append(NoteProblem(str(path), None, "no such file or directory"))
    for file in note_files(p for p in paths if p.exists()):
        try:
            note = read_note_file(file, guild_id=guild_id)
        except NoteError as exc:
            problems.extend(exc.problems)
            continue
        if note.id in seen:
            problems.append(
                NoteProblem(str(file), "id", f"{note.id!r} is already used by {seen[note.id]}")
            )
            continue
        seen[note.id] = str(file)
        notes.append(note)
    return notes, problems
