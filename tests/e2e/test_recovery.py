"""Nothing typed is lost, nothing stays stuck: kill -9 at the worst moments (issue 13).

Each test holds the bot at a precise point with an injected 429 (so the kill lands
there every time, not by luck), kills it, restarts it on the same data, and checks
what the member sees: the draft's report arrives, the dialogue answer is recorded, a
draft left ``posting`` is settled with the channel and its buttons work again.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.e2e.test_advice import (
    ALICE,
    BOB,
    KIND,
    button,
    draft_reply,
    embed_text,
    is_published_reply,
)
from tests.e2e.test_dialogues import said
from tests.fakediscord.components_v2 import walk
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 30.0
#: Look for unfinished work every second (15 s by default).
ENV = {"TOUCHSTONE_RECOVERY_INTERVAL_SECONDS": "1"}
GET_MESSAGE = "GET /channels/{channel_id}/messages/{message_id}"
CALLBACK = "POST /interactions/{interaction_id}/{interaction_token}/callback"
POST_MESSAGE = "POST /channels/{channel_id}/messages"


def sqlite_url(data_dir: Path) -> str:
    """These tests read and set draft rows directly, so their bots run on SQLite."""
    return f"sqlite+aiosqlite:///{data_dir / 'touchstone.db'}"


def drafts(data_dir: Path) -> list[tuple[int, str, str]]:
    """(id, status, text) of every stored draft."""
    with contextlib.closing(sqlite3.connect(data_dir / "touchstone.db")) as conn:
        return list(conn.execute("SELECT id, status, draft_text FROM advice_drafts ORDER BY id"))


def set_status(data_dir: Path, draft_id: int, status: str) -> None:
    with contextlib.closing(sqlite3.connect(data_dir / "touchstone.db")) as conn:
        conn.execute("UPDATE advice_drafts SET status = ? WHERE id = ?", (status, draft_id))
        conn.commit()


async def dm_with(fake: FakeDiscord, user_id: int, fragment: str, bot: BotProcess) -> Message:
    def found() -> Message | None:
        return next(
            (m for m in fake.dm_messages_to(user_id) if fragment in embed_text(m) + m.content),
            None,
        )

    try:
        message: Message = await fake.wait_for(found, TIMEOUT, f"a DM saying {fragment!r}")
    except TimeoutError:
        raise AssertionError(f"no DM saying {fragment!r}; log:\n{bot.log[-4000:]}") from None
    return message


async def test_a_kill_after_the_reply_form_is_acknowledged_loses_nothing(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    bot = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    post = await fake.send_message(club.general, club.member, ALICE)
    opened = await fake.send_message_command(club.moderator, "Reply with care", post)
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    # Looking the post up over REST stalls (a long 429): the kill lands right there.
    stall = fake.rate_limit(GET_MESSAGE, count=1, retry_after=60)
    submitted = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": BOB})
    await fake.wait_for(lambda: stall.hits, 10, "the post lookup")
    assert submitted.callback is not None  # "thinking…": acknowledged
    await bot.kill()

    assert [(status, text) for _, status, text in drafts(data_dir)] == [("received", BOB)]
    restarted = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    report = await dm_with(fake, club.moderator.id, "restarted while checking", restarted)
    assert "pile of advice" in embed_text(report)
    assert "gait analysis" in embed_text(report)  # the check ran against the real post
    assert drafts(data_dir)[0][1] == "draft"

    click = await fake.send_component(report, button(report, "gentle"), user_id=club.moderator)
    await click.first_response(timeout=5)
    posted = await fake.wait_for_message(club.general, is_published_reply(fake), TIMEOUT)
    assert posted.reference_message_id == post.id
    assert "Traceback" not in restarted.log


async def test_a_kill_while_a_dialogue_form_is_acknowledged_keeps_the_answer(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    bot = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    started = await club_member(fake, club).run("/impossible", goal="Write a novel this year")
    reply = await started.wait_for_followups(1, timeout=TIMEOUT)
    match = re.search(r"<#(\d+)>", reply[-1].content or "")
    assert match, reply[-1].content
    thread = int(match.group(1))

    def bot_says(fragment: str) -> Message | None:
        return next(
            (
                m
                for m in fake.messages_in(thread)
                if m.author_id == fake.bot_user.id and fragment in said(m)
            ),
            None,
        )

    await fake.wait_for(lambda: bot_says("How likely"), TIMEOUT, "the first question")
    await fake.send_message(thread, club.member, "25%")
    reasons: Message = await fake.wait_for(
        lambda: bot_says("List every reason"), TIMEOUT, "the reasons question"
    )
    write = next(
        c["custom_id"] for c in walk(reasons.components) if c.get("label") == "Write a long answer"
    )
    opened = await fake.send_component(reasons, write, user_id=club.member)
    modal = (await opened.first_response(timeout=3)).data
    # The acknowledgement itself stalls: the kill lands between submit and "thinking…".
    stall = fake.rate_limit(CALLBACK, count=1, retry_after=60)
    await fake.send_modal_submit(modal["custom_id"], {"answer": "I have no time\nI write slowly"})
    await fake.wait_for(lambda: stall.hits, 10, "the acknowledgement")
    await bot.kill()
    restarted = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    try:
        await fake.wait_for(lambda: bot_says("1. I have no time"), TIMEOUT, "the answer")
    except TimeoutError:
        raise AssertionError(f"the answer was lost; log:\n{restarted.log[-4000:]}") from None
    assert bot_says("I write slowly") is not None


async def test_a_draft_killed_while_posting_opens_again_with_working_buttons(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    bot = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    post = await fake.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake, club, post, KIND)
    stall = fake.rate_limit(POST_MESSAGE, count=1, retry_after=60)
    click = await fake.send_component(report, button(report, "post"))
    await fake.wait_for(lambda: stall.hits, 10, "the post being sent")
    await click.first_response(timeout=3)
    await bot.kill()
    trace = "\n".join(f"{r.method} {r.path} {r.status} {r.json}"[:300] for r in fake.requests[-12:])
    assert drafts(data_dir)[0][1] == "posting", trace + bot.log[-3000:]

    restarted = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    again = await dm_with(fake, club.moderator.id, "did not reach the channel", restarted)
    assert drafts(data_dir)[0][1] == "draft"
    # The old report's button works again (it said "being posted right now" for ever).
    retry = await fake.send_component(report, button(report, "post"))
    await retry.first_response(timeout=5)
    posted = await fake.wait_for_message(club.general, is_published_reply(fake), TIMEOUT)
    assert posted.embeds[0]["description"] == KIND
    assert posted.reference_message_id == post.id
    assert button(again, "post")
    published = [
        m
        for m in fake.messages_in(club.general, include_ephemeral=False)
        if m.author_id == fake.bot_user.id
    ]
    assert len(published) == 1


async def test_a_draft_posted_just_before_the_kill_is_marked_posted(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    bot = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    post = await fake.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake, club, post, KIND)
    click = await fake.send_component(report, button(report, "post"))
    await click.first_response(timeout=3)
    posted = await fake.wait_for_message(club.general, is_published_reply(fake), TIMEOUT)
    await click.wait_for_edit(1, timeout=5)
    await bot.stop()
    # As if the process died between sending and recording it: the row says posting.
    set_status(data_dir, drafts(data_dir)[0][0], "posting")

    restarted = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    note = await dm_with(fake, club.moderator.id, "Posted", restarted)
    assert "See it in the channel" in embed_text(note)
    assert drafts(data_dir)[0][1] == "posted"
    published = [
        m
        for m in fake.messages_in(club.general, include_ephemeral=False)
        if m.author_id == fake.bot_user.id
    ]
    assert published == [posted]


async def test_kills_10_to_50_ms_after_a_reply_form_submit_lose_nothing_acknowledged(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    """Random kill moments right after the submit: whatever was acknowledged is stored,
    and after the restarts every stored text has its report (none stays unchecked)."""
    fake, club, data_dir = fake_discord, practice_club, tmp_path / "data"
    rng = random.Random(13)
    post = await fake.send_message(club.general, club.member, ALICE)
    acknowledged: list[str] = []
    bot = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))
    for trial in range(6):
        opened = await fake.send_message_command(club.moderator, "Reply with care", post)
        await opened.first_response(timeout=5)
        assert opened.modal is not None
        text = f"{BOB} (trial {trial})"
        submitted = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": text})
        await asyncio.sleep(rng.uniform(0.010, 0.050))
        await bot.kill()
        if submitted.callback is not None:
            acknowledged.append(text)
        stored = {t for _, _, t in drafts(data_dir)}
        assert set(acknowledged) <= stored, "an acknowledged text was lost"
        bot = await start_bot(data_dir=data_dir, env=ENV, database_url=sqlite_url(data_dir))

    def unfinished() -> list[tuple[int, str, str]]:
        return [d for d in drafts(data_dir) if d[1] == "received"]

    await fake.wait_for(lambda: not unfinished(), TIMEOUT, "every stored text checked")
    assert "Traceback" not in bot.log
