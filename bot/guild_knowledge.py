"""A server's own notes: validated like shipped notes, stored in the database (so they
move with the data and are shared by every shard), and indexed for that server only."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.storage.repositories import GuildNoteRepository
from knowledge.note import Note, NoteError, check_note_text, parse_note
from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AddResult:
    note: Note | None
    problems: list[str]
    replaced: bool = False


class GuildKnowledge:
    def __init__(self, repo: GuildNoteRepository, knowledge: KnowledgeBase) -> None:
        self.repo = repo
        self.knowledge = knowledge

    async def add(
        self, guild_id: int, text: str, author_id: int, origin: str = "note"
    ) -> AddResult:
        """Validate, store and index a note; every problem is returned, nothing half-done."""
        try:
            note = check_note_text(text, origin, guild_id=guild_id)
        except NoteError as exc:
            return AddResult(None, [str(problem) for problem in exc.problems])
        existing = {row.note_id for row in await self.repo.list_for_guild(guild_id)}
        await self.repo.upsert(guild_id, note.id, text, author_id)
        await self.knowledge.add_guild_note(guild_id, note)
        return AddResult(note, [], replaced=note.id in existing)

    async def remove(self, guild_id: int, note_id: str) -> bool:
        removed = await self.repo.remove(guild_id, note_id)
        await self.knowledge.remove_guild_note(guild_id, note_id)
        return removed

    async def list(self, guild_id: int) -> list[Note]:
        return [n for n in self.knowledge.list_notes(guild_id=guild_id) if n.guild_id == guild_id]

    async def restore_all(self) -> int:
        """Index every stored server note (on start); a note that no longer validates is logged."""
        count = 0
        for row in await self.repo.all():
            try:
                note = parse_note(
                    row.text, f"server {row.guild_id} note {row.note_id}", guild_id=row.guild_id
                )
            except NoteError as exc:
                log.warning("skipping stored server note: %s", exc)
                continue
            await self.knowledge.add_guild_note(row.guild_id, note)
            count += 1
        return count


def slug(title: str) -> str:
    import re

    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words)[:60].strip("-") or "server-note"


def note_from_form(
    *,
    title: str,
    summary: str,
    five_minute_version: str,
    steps: str,
    body: str,
    author: str,
    server_name: str,
    date: str,
) -> str:
    """Markdown with front matter from the five fields of the /knowledge add form.

    A form can't hold every front-matter field, so the rest are derived: the kind is
    'technique' when steps are given, 'principle' otherwise; the moderator is the source.
    """
    import yaml

    step_list = [line.strip(" -*\t") for line in steps.splitlines() if line.strip(" -*\t")]
    front = {
        "id": slug(title),
        "title": title.strip(),
        "kind": "technique" if step_list else "principle",
        "tags": ["server-note"],
        "source": {"title": f"{server_name} notes", "author": author, "date": date},
        "summary": summary.strip(),
        "when_to_use": summary.strip(),
        "five_minute_version": five_minute_version.strip(),
    }
    if step_list:
        front["steps"] = step_list
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n{body.strip()}\n"
