"""Finding an exercise by what a person typed: its id, its title, or a near miss.

People type "resolve cycle", "Resolve Cycle", "resolve-cycle" or "resolv cycle"; all
mean the same note. Both adapters (the Discord command and the console) ask here, so the
rule is written once. A miss comes back with the closest titles to suggest.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.note import Note

#: How close a typo must be to count as a match (difflib ratio, 0-1).
CUTOFF = 0.75


def _squash(text: str) -> str:
    """Lower case, parenthesised asides and punctuation removed, single spaces."""
    text = re.sub(r"\([^)]*\)", " ", text.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class ExerciseLookup:
    """The exercise found (or None) and, on a miss, titles worth suggesting."""

    note: Note | None
    suggestions: tuple[str, ...] = ()


def find_exercise(notes: Sequence[Note], wanted: str) -> ExerciseLookup:
    """The one exercise among ``notes`` that ``wanted`` names, forgiving case and typos."""
    needle = _squash(wanted)
    exercises = [note for note in notes if note.steps]
    if not needle:
        return ExerciseLookup(None)
    keys: dict[str, Note] = {}
    for note in exercises:
        keys.setdefault(_squash(note.id), note)
        keys.setdefault(_squash(note.title), note)
    if needle in keys:
        return ExerciseLookup(keys[needle])
    containing = list({n.id: n for n in exercises if needle in _squash(n.title)}.values())
    if len(containing) == 1:
        return ExerciseLookup(containing[0])
    close = difflib.get_close_matches(needle, list(keys), n=3, cutoff=CUTOFF)
    found = list(dict.fromkeys(keys[key].id for key in close))
    if len(found) == 1 or (close and difflib.SequenceMatcher(None, needle, close[0]).ratio() > 0.9):
        return ExerciseLookup(keys[close[0]])
    candidates = containing or [keys[key] for key in close]
    if not candidates:
        loose = difflib.get_close_matches(needle, list(keys), n=3, cutoff=0.5)
        candidates = [keys[key] for key in loose]
    titles = tuple(dict.fromkeys(note.title for note in candidates))[:3]
    return ExerciseLookup(None, titles)


def describe_miss(wanted: str, lookup: ExerciseLookup) -> str:
    """The refusal a person reads when nothing matched, with what might have been meant."""
    text = f"No exercise called {wanted.strip()[:80]!r}."
    if lookup.suggestions:
        text += " Did you mean " + " or ".join(repr(t) for t in lookup.suggestions) + "?"
    return text
