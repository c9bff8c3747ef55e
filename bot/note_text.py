"""How a note reads when shown whole (``/note``, the console's ``note``)."""

from __future__ import annotations

from knowledge.note import Note

BODY_PREVIEW_CHARS = 1500


def note_markdown(note: Note, *, body_chars: int = BODY_PREVIEW_CHARS) -> str:
    lines = [f"*{note.kind}* · {', '.join(note.tags) or 'no tags'}", "", note.summary, ""]
    lines += [f"**When to use it:** {note.when_to_use}", ""]
    lines += [f"**Five-minute version:** {note.five_minute_version}"]
    if note.steps:
        lines += ["", "**Steps**"]
        lines += [f"{number}. {step}" for number, step in enumerate(note.steps, start=1)]
    if note.body and body_chars > 0:
        body = (
            note.body
            if len(note.body) <= body_chars
            else note.body[:body_chars].rsplit(" ", 1)[0] + " …"
        )
        lines += ["", body]
    lines += ["", f"Source: {note.source.credit()}"]
    return "\n".join(lines)


def note_line(note: Note) -> str:
    return f"**{note.title}** (`{note.id}`): {note.summary}"
