"""A pair's introduction cut off by a crash opens no second private thread.

The real Discord deliverer runs in-process against the fake Discord, fed by the real
scheduler and pair service. A process "dies" (an exception no handler catches) either
after the private thread exists but before its members are added, or in the instant
after Discord created it, before the bot even learned its id. The retry, as "uncertain",
must finish the introduction in that same thread: one thread, both partners in it, one
introduction, and the pair pointing at it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import discord
import pytest

from bot.discord_adapter.dm_delivery import DiscordDeliverer
from bot.scheduling import ItemStatus
from bot.storage import Database
from tests.club.test_club import GUILD
from tests.club.test_social import build, started
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Channel
from tests.fakediscord.world import PracticeClub


class Crash(BaseException):
    """The process dies here: nothing in the scheduler catches it."""


class Client(discord.Client):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(intents=intents, chunk_guilds_at_startup=False, guild_ready_timeout=0.1)
        self.ready = asyncio.Event()

    async def on_ready(self) -> None:
        self.ready.set()


@asynccontextmanager
async def process(fake: FakeDiscord) -> AsyncIterator[DiscordDeliverer]:
    """A fresh bot connection: a restarted process knows nothing the last one cached."""
    client = Client()
    with fake.patch_discord():
        task = asyncio.create_task(client.start(fake.token))
        try:
            await asyncio.wait_for(client.ready.wait(), 10)
            yield DiscordDeliverer(client)
        finally:
            await client.close()
            await asyncio.wait_for(task, 10)


def crash_once(
    monkeypatch: pytest.MonkeyPatch, owner: type, name: str, *, after_call: bool
) -> None:
    """The first call of ``owner.name`` dies, before or just after doing its work."""
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)
    calls = 0

    async def dying(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > 1:
            return await original(*args, **kwargs)
        if after_call:
            await original(*args, **kwargs)
        raise Crash

    monkeypatch.setattr(owner, name, dying)


def threads_under(fake: FakeDiscord, channel: Channel) -> list[Channel]:
    return [c for c in fake.world.channels.values() if c.parent_id == channel.id]


@pytest.mark.parametrize("dies", ["adding members", "as the thread opens"])
async def test_a_retried_introduction_reuses_the_thread_it_opened(
    database: Database,
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    monkeypatch: pytest.MonkeyPatch,
    dies: str,
) -> None:
    """Another pair's thread is already open in the channel, so a look-up by name
    must not mistake it for the cut-off one."""
    fake, club = fake_discord, practice_club
    ana, ben, cy, dee = club.member, fake.add_user("ben"), fake.add_user("cy"), fake.add_user("dee")
    for user in (ben, cy, dee):
        fake.add_member(club.guild, user)
    world = await started(database)

    async def pair_up(first: int, second: int) -> None:
        for user, zone in ((first, "Europe/Berlin"), (second, "Europe/London")):
            await world.social.pairs.request(
                GUILD, user, channel_id=club.general.id, timezone=zone, skill="piano"
            )
        world.clock.advance(timedelta(minutes=1))

    await pair_up(cy.id, dee.id)
    async with process(fake) as deliverer:
        assert (await world.scheduler.run_due(deliverer)).sent == ["club.pair.intro:1"]
    (theirs,) = threads_under(fake, club.general)

    await pair_up(ana.id, ben.id)
    if dies == "adding members":
        crash_once(monkeypatch, discord.Thread, "add_user", after_call=False)
    else:
        crash_once(monkeypatch, discord.TextChannel, "create_thread", after_call=True)
    async with process(fake) as deliverer:
        with pytest.raises(Crash):
            await world.scheduler.run_due(deliverer)
    assert len(threads_under(fake, club.general)) == 2  # opened, then the process died

    # A restarted process (a new worker) takes the cut-off item over and retries it.
    restarted = build(database, world.clock, worker="w2")

    async def alive(worker: str | None) -> bool:
        return worker == "w2"

    restarted.scheduler.alive = alive
    world.clock.advance(timedelta(minutes=1))
    async with process(fake) as deliverer:
        report = await restarted.scheduler.run_due(deliverer)
    assert report.sent == ["club.pair.intro:2"]

    (ours,) = [t for t in threads_under(fake, club.general) if t.id != theirs.id]
    for thread, members, others in ((ours, (ana, ben), (cy, dee)), (theirs, (cy, dee), (ana, ben))):
        assert {u.id for u in members} <= set(thread.thread_member_ids)
        assert not {u.id for u in others} & set(thread.thread_member_ids)
        intros = [e.get("title") for m in fake.messages_in(thread) for e in m.embeds]
        assert intros == ["Practice partners"]
    pair = await restarted.social.pairs.store.active_pair_of(1, ana.id)
    assert pair is not None and pair.thread_id == ours.id
    found = await restarted.social.pairs.outbox.get(f"club.pair.intro:{pair.id}")
    assert found is not None and found[1] == ItemStatus.SENT
