"""Dialogue prompts as Components V2 cards across a restart (issue 17).

A prompt card sent by one process is answered in the next one (its buttons are dynamic
items), and a card that went out just before a kill, with its sending not yet recorded,
is recognised by its text and not sent a second time.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.members import club_member
from tests.e2e.test_dialogues import bot_says, button, said
from tests.fakediscord.components_v2 import CONTAINER, MESSAGE_FLAG_IS_COMPONENTS_V2
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 30.0
QUESTION = "List every reason"


def database(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'touchstone.db'}"


def forget_sending(data_dir: Path, fragment: str) -> int:
    """Make the prompt look sent-but-unrecorded, as after a kill between the two."""
    with contextlib.closing(sqlite3.connect(data_dir / "touchstone.db")) as conn:
        (event_id,) = conn.execute(
            "SELECT max(id) FROM dialogue_events WHERE text LIKE ?", (f"%{fragment}%",)
        ).fetchone()
        conn.execute(
            "UPDATE dialogue_events SET delivered_at = NULL, message_id = NULL WHERE id = ?",
            (event_id,),
        )
        conn.commit()
    return int(event_id)


def recorded_message(data_dir: Path, event_id: int) -> int | None:
    with contextlib.closing(sqlite3.connect(data_dir / "touchstone.db")) as conn:
        row = conn.execute(
            "SELECT message_id FROM dialogue_events WHERE id = ? AND delivered_at IS NOT NULL",
            (event_id,),
        ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


async def test_a_prompt_card_is_answered_after_a_restart_and_never_sent_twice(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    data_dir = tmp_path / "data"
    bot = await start_bot(data_dir=data_dir, database_url=database(data_dir))
    started = await club_member(fake, club).run("/impossible", goal="Write a novel this year")
    reply = await started.wait_for_followups(1, timeout=TIMEOUT)
    match = re.search(r"<#(\d+)>", reply[-1].content or "")
    assert match, reply[-1].content
    thread = int(match.group(1))
    await bot_says(fake, thread, "How likely")
    await fake.send_message(thread, club.member, "25%")
    card = await bot_says(fake, thread, QUESTION)
    assert card.flags & MESSAGE_FLAG_IS_COMPONENTS_V2 and not card.content
    assert [c["type"] for c in card.components] == [CONTAINER]
    write = button(card, "Write a long answer")

    await bot.stop()
    event_id = forget_sending(data_dir, QUESTION)
    await start_bot(data_dir=data_dir, database_url=database(data_dir))

    # The restarted process finds the card in the thread and records it instead of resending.
    await fake.wait_for(
        lambda: recorded_message(data_dir, event_id), TIMEOUT, "the card recorded as sent"
    )
    assert recorded_message(data_dir, event_id) == card.id
    cards = [m for m in fake.messages_in(thread) if QUESTION in said(m)]
    assert [m.id for m in cards] == [card.id]

    # The first process's button still opens the form; the answer arrives.
    opened = await fake.send_component(card, write, user_id=club.member)
    modal = (await opened.first_response(timeout=3)).data
    assert modal["custom_id"].startswith("ts:dlg:")
    await fake.send_modal_submit(modal["custom_id"], {"answer": "I have no time\nI write slowly"})
    await bot_says(fake, thread, "1. I have no time")
    assert [m.id for m in fake.messages_in(thread) if QUESTION in said(m)] == [card.id]
