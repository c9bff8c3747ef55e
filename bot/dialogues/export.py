"""A dialogue's transcript as people may read it, and as Markdown for /dialogue export.

Presentation only: which lines a viewer sees and how they are written out; the engine
decides who may ask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.dialogues.model import OPEN_STATUSES, Seat
from bot.dialogues.records import DialogueInfo, TranscriptLine
from bot.storage.dialogue_models import DialogueEvent, DialogueRow


def transcript_lines(
    row: DialogueRow,
    seats: dict[str, Seat],
    events: Sequence[DialogueEvent],
    viewer_id: int | None,
) -> list[TranscriptLine]:
    """Every line so far; another person's private answers stay hidden until revealed."""
    open_step = row.step if row.status in OPEN_STATUSES else ""
    lines = []
    for event in events:
        who = "Touchstone"
        if event.seat is not None and event.seat in seats:
            who = seats[event.seat].name
        text = event.text
        if event.private and event.step == open_step and event.user_id != viewer_id:
            text = "(hidden until everyone has submitted)"
        lines.append(TranscriptLine(event.kind, who, text))
    return lines


def markdown(info: DialogueInfo, transcript: Iterable[TranscriptLine]) -> str:
    """The header (title, kind, status, people) and every transcript line."""
    lines = [
        f"# {info.title or info.kind}",
        "",
        f"- dialogue: #{info.id} ({info.kind}{', ' + info.spec if info.spec else ''})",
        f"- status: {info.status}",
        "- participants: " + ", ".join(s.name for s in info.seats.values()),
        "",
    ]
    lines.extend(_line(line) for line in transcript)
    return "\n".join(lines)


def _line(line: TranscriptLine) -> str:
    if line.kind == "question":
        return f"**Touchstone asks:** {line.text}\n"
    if line.kind == "answer":
        quoted = line.text.replace("\n", "\n> ")
        return f"**{line.who}:**\n> {quoted}\n"
    if line.kind == "summary":
        return f"## Summary\n\n{line.text}\n"
    if line.kind == "outcome":
        return f"## What happened\n\n**{line.who}:**\n> {line.text}\n"
    return f"*{line.text}*\n"
