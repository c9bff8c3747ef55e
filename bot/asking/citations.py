"""An answer's text split into what it says and the notes it cites, for layouts.

Discord shows each cited note as its own block with an "Open note" button beside it,
the console prints the same lines under the answer; both get them from here so the
two never disagree about which notes an answer rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.answer import Citation

SOURCES_HEADING = "**Sources**"


@dataclass(frozen=True)
class CitedNote:
    """One source line of an answer and the note it names."""

    number: int
    note_id: str
    title: str
    line: str


def split_sources(text: str, citations: Sequence[Citation]) -> tuple[str, list[CitedNote]]:
    """(the answer without its trailing source lines, one :class:`CitedNote` per source).

    The source lines end the text (``[n] Title — credit``, after a "Sources" heading in
    the offline answer). Their wording is kept as the text shows it; a citation whose
    line isn't found at the end still gets its entry, from :meth:`Citation.line`.
    """
    lines = text.rstrip().splitlines()
    by_number = {c.number: c for c in citations}
    found: dict[int, str] = {}
    while lines:
        last = lines[-1].strip()
        number = _leading_number(last)
        if number is None or number not in by_number or number in found:
            break
        found[number] = last
        lines.pop()
    if found and lines and lines[-1].strip() == SOURCES_HEADING:
        lines.pop()
    body = "\n".join(lines).strip() if found else text.strip()
    cited = [
        CitedNote(c.number, c.note_id, c.title, found.get(c.number, c.line()))
        for c in sorted(citations, key=lambda c: c.number)
    ]
    return body, cited


def _leading_number(line: str) -> int | None:
    """``n`` for a line starting ``[n] ``."""
    if not line.startswith("["):
        return None
    end = line.find("] ")
    digits = line[1:end] if end > 1 else ""
    return int(digits) if digits.isdigit() else None
