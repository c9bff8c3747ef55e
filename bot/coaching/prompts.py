"""The default orient prompts, from the shipped note "morning-orient-prompts"."""

from __future__ import annotations

import asyncio
import logging

from bot.text_input import has_visible_text, trim
from knowledge.note import SHIPPED_NOTES_DIR, read_note_file

log = logging.getLogger(__name__)

NOTE_ID = "morning-orient-prompts"
#: Used only if the shipped note cannot be read (a broken install); same first prompts.
FALLBACK = (
    "What is the most important thing I could work on today?",
    "Am I on track with my bigger goals? If not, why not?",
    "What would make today go well?",
)
QUICK_TEXT = "Quick version: answer just the first two prompts, one line each, then start."
MAX_PROMPTS = 12
MAX_PROMPT_CHARS = 300

_cache: tuple[tuple[str, ...], str] | None = None
#: The practice club's default check-in questions come from this note's steps.
CHECK_IN_NOTE_ID = "monthly-practice-check-in"
CHECK_IN_FALLBACK = ("How did the last month go?", "Are we on track?")
_steps: dict[str, tuple[str, ...]] = {}


def _read() -> tuple[tuple[str, ...], str]:
    try:
        note = read_note_file(SHIPPED_NOTES_DIR / f"{NOTE_ID}.md")
    except Exception:
        log.exception("could not read the %s note; using the built-in prompts", NOTE_ID)
        return FALLBACK, QUICK_TEXT
    quick = note.five_minute_version or QUICK_TEXT
    return tuple(note.steps) or FALLBACK, quick


async def corpus_default() -> tuple[tuple[str, ...], str]:
    """The note's steps and its quick version (read once, off the event loop)."""
    global _cache
    if _cache is None:
        _cache = await asyncio.to_thread(_read)
    return _cache


async def note_steps(note_id: str) -> tuple[str, ...]:
    """A shipped note's steps (read once, off the event loop); the fallback if unreadable."""
    if note_id not in _steps:

        def read() -> tuple[str, ...]:
            try:
                return tuple(read_note_file(SHIPPED_NOTES_DIR / f"{note_id}.md").steps)
            except Exception:
                log.exception("could not read the %s note; using the built-in questions", note_id)
                return ()

        _steps[note_id] = await asyncio.to_thread(read) or CHECK_IN_FALLBACK
    return _steps[note_id]


def clean_prompts(lines: list[str]) -> list[str]:
    """Trim, drop blanks and list markers; refuse too many or too long."""
    from bot.coaching.timeparse import InputProblem

    cleaned: list[str] = []
    for line in lines:
        text = trim(trim(line).lstrip("-*•"))
        while text[:1].isdigit() and len(text) > 2 and text[1] in ".)":
            text = trim(text[2:])
        if has_visible_text(text):
            cleaned.append(text)
    if len(cleaned) > MAX_PROMPTS:
        raise InputProblem(f"At most {MAX_PROMPTS} prompts; keep the list short enough to use.")
    for text in cleaned:
        if len(text) > MAX_PROMPT_CHARS:
            raise InputProblem(f"Each prompt is at most {MAX_PROMPT_CHARS} characters.")
    return cleaned
