"""Fault-injection kit (issue 13 "Evidence and acceptance"): replays faults, prints figures.

The real bot process runs against the fake Discord (tests/e2e/harness.py) and is killed
with SIGKILL at random moments, many times per flow, then restarted on the same data.
Each trial checks what a member would notice:

* nothing they typed and saw acknowledged is lost: it is stored and, after the restart,
  reaches its destination (the thread, the channel, the DM) or is shown back to them;
* nothing is sent twice (messages are counted at the fake Discord);
* no dialogue waits on another's channel (a persistent 429 on one thread).

Flows: ``dialogue`` (an answer through its form), ``advice`` ("Reply with care": the
form, then the Post button), ``crux`` (double crux answers through the private form),
``shards`` (scheduled DMs over two shard processes on PostgreSQL, one killed mid-batch),
``ratelimit`` (a persistent 429 on one thread while other dialogues proceed) and
``starts`` (simultaneous dual-shard starts on a fresh PostgreSQL database).

    python -m tests.reliability.fault_kit [--trials N] [--flows dialogue advice ...] [--seed S]

prints the seed and a table (flow, trials, acknowledged, lost, duplicated, waited,
max recovery). ``tests/reliability/test_fault_kit.py`` runs the same flows with a few
trials. The shard flows need TOUCHSTONE_TEST_DATABASE_URL (a real PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import sqlite3
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.harness import BotProcess, build_index, launch_bot
from tests.e2e.test_dialogues import said
from tests.fakediscord.components_v2 import texts as card_texts
from tests.fakediscord.components_v2 import walk
from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.mentions import mention_leaks
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Message, User
from tests.fakediscord.world import PracticeClub, build_practice_club

FLOWS = ("dialogue", "advice", "crux", "shards", "ratelimit", "starts")
#: Waiting for something the member is owed (an answer, a report, a DM) gives up here.
DUE = 30.0
#: The survivor of a killed shard sends every unattempted DM within this long.
TAKEOVER = 120.0
STARTS = 20
SHARDS = 2
#: Per-person limits off (every trial is one more start or check); recovery each second.
BOT_ENV = {
    "TOUCHSTONE_LIMIT_DIALOGUE_STARTS_PER_10_MINUTES": "0",
    "TOUCHSTONE_LIMIT_ADVICE_CHECKS_PER_MINUTE": "0",
    "TOUCHSTONE_LIMIT_ASK_PER_MINUTE": "0",
    "TOUCHSTONE_RECOVERY_INTERVAL_SECONDS": "1",
}
ADVICE_POST = "I've just started running again! Did 2km today, mostly walking."
ADVICE_DRAFT = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of "
    "runs in zone 2. Don't run two days in a row. Also get proper shoes, the cheap ones will "
    "wreck your knees."
)
CLOCK_START = datetime.fromisoformat("2026-04-01T08:00:00+00:00")


@dataclass
class FlowResult:
    flow: str
    trials: int = 0
    acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    waited: int = 0
    max_recovery: float = 0.0
    problems: list[str] = field(default_factory=list)
    skipped: str = ""
    #: Where the kills landed, e.g. {"after the form": 14, "after Post": 16}.
    kills: Counter[str] = field(default_factory=Counter)

    def recovered(self, seconds: float) -> None:
        self.max_recovery = max(self.max_recovery, seconds)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def check_threads(self, fake: FakeDiscord, threads: Iterable[int]) -> None:
        """Count every thread where the bot said the same public thing twice."""
        for thread in threads:
            twice = repeated(fake, thread)
            if twice:
                self.duplicated += 1
                self.problem(f"thread {thread}: sent twice: {twice}")

    def check_mentions(self, fake: FakeDiscord) -> None:
        leaks = mention_leaks(fake.requests)
        if leaks:
            self.problem(f"mentions parsed: {leaks[:3]}")

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.waited or self.problems)


def kill_delay(rng: random.Random) -> float:
    """Most kills land 0-50 ms after the submit or click; the rest anywhere in 1.5 s."""
    return rng.uniform(0.0, 0.050) if rng.random() < 0.7 else rng.uniform(0.050, 1.5)


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'touchstone.db'}"


def stored(data_dir: Path, marker: str) -> bool:
    """Whether ``marker`` is anywhere in the bot's SQLite database (as a row's text)."""
    with contextlib.closing(sqlite3.connect(data_dir / "touchstone.db", timeout=30)) as conn:
        return any(marker in line for line in conn.iterdump() if line.startswith("INSERT"))


def bot_messages(fake: FakeDiscord, channel: int) -> list[Message]:
    return [m for m in fake.messages_in(channel) if m.author_id == fake.bot_user.id]


def said_in(fake: FakeDiscord, channel: int, fragment: str) -> list[Message]:
    return [m for m in bot_messages(fake, channel) if fragment in said(m)]


def repeated(fake: FakeDiscord, channel: int) -> list[str]:
    """Bot messages everyone in a channel sees with the very same text, sent more than once
    (ephemeral answers such as "Recorded: I agree" go to one person each)."""
    texts = Counter(said(m) for m in bot_messages(fake, channel) if said(m) and not m.ephemeral)
    return [text[:80] for text, count in texts.items() if count > 1]


def button(message: Message, label: str | None = None, *, action: str | None = None) -> str:
    for component in walk(message.components):
        cid = str(component.get("custom_id", ""))
        if (label and component.get("label") == label) or (action and cid.endswith(f":{action}")):
            return cid
    raise AssertionError(f"no button {label or action!r} on {said(message)[:80]!r}")


def thread_link(interaction: FakeInteraction) -> int | None:
    for response in interaction.responses:
        match = re.search(r"<#(\d+)>", response.content or "")
        if match:
            return int(match.group(1))
    return None


class Kit:
    """One fake Discord, one prebuilt index, and the bots of a flow (restarted at will)."""

    def __init__(self, index: Path, root: Path, rng: random.Random, log: Callable[[str], None]):
        self.index, self.root, self.rng, self.say = index, root, rng, log
        self._users = 0

    async def launch(
        self,
        fake: FakeDiscord,
        data_dir: Path,
        database_url: str | None = None,
        env: dict[str, str] | None = None,
    ) -> BotProcess:
        return await launch_bot(
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
            token=fake.token,
            index=self.index,
            data_dir=data_dir,
            database_url=database_url or sqlite_url(data_dir),
            env={**BOT_ENV, **(env or {})},
        )

    def person(self, fake: FakeDiscord, club: PracticeClub) -> User:
        """A fresh member per trial, so no per-person state carries from one to the next."""
        self._users += 1
        user = fake.add_user(f"trial_member_{self._users}")
        fake.add_member(club.guild, user)
        return user


async def stop_all(bots: Sequence[BotProcess | None]) -> None:
    for bot in bots:
        if bot is not None and bot.process is not None and bot.process.returncode is None:
            await bot.stop()


async def seen(fake: FakeDiscord, predicate: Callable[[], Any], timeout: float = DUE) -> Any:
    """The predicate's value once truthy, or None when it stays false for ``timeout``."""
    try:
        return await fake.wait_for(predicate, timeout)
    except TimeoutError:
        return None


async def open_dialogue(fake: FakeDiscord, club: PracticeClub, user: User, goal: str) -> int:
    started = await fake.send_slash_command(
        club.guild, club.general, user, "impossible", {"goal": goal}
    )
    await started.wait_for(lambda i: thread_link(i) is not None, DUE)
    thread = thread_link(started)
    assert thread is not None
    await fake.wait_for(lambda: said_in(fake, thread, "How likely"), DUE, "the first question")
    return thread


# ------------------------------------------------------------------ 1. dialogue form


async def dialogue_flow(kit: Kit, trials: int, result: FlowResult) -> None:
    fake = FakeDiscord()
    club = build_practice_club(fake)
    await fake.start()
    data_dir = kit.root / "dialogue"
    bot: BotProcess | None = None
    threads: list[int] = []
    try:
        bot = await kit.launch(fake, data_dir)
        for n in range(trials):
            user = kit.person(fake, club)
            thread = await open_dialogue(fake, club, user, f"Finish chapter {n} this year")
            threads.append(thread)
            await fake.send_message(thread, user, "25%")
            reasons = await fake.wait_for(
                lambda t=thread: next(iter(said_in(fake, t, "List every reason")), None), DUE
            )
            first, second = f"No time for chapter {n} (k{n})", f"I write slowly (k{n})"
            answer = f"{first}\n{second}"

            async def submit(
                reasons: Message = reasons, user: User = user, answer: str = answer
            ) -> FakeInteraction:
                opened = await fake.send_component(
                    reasons, button(reasons, "Write a long answer"), user_id=user
                )
                modal = (await opened.first_response(timeout=5)).data
                return await fake.send_modal_submit(modal["custom_id"], {"answer": answer})

            submitted = await submit()
            await asyncio.sleep(delay := kill_delay(kit.rng))
            await bot.kill()
            killed = time.monotonic()
            acknowledged = submitted.callback is not None
            result.kills["0-50 ms after the form" if delay < 0.05 else "50-1500 ms after"] += 1
            result.trials += 1
            result.acknowledged += acknowledged
            kept = stored(data_dir, first)
            if acknowledged and not kept:
                result.lost += 1
                result.problem(f"dialogue {n}: an acknowledged answer is not stored")
            bot = await kit.launch(fake, data_dir)

            def shown(thread: int = thread, first: str = first) -> list[Message]:
                return said_in(fake, thread, f"1. {first}")

            if kept:
                if await seen(fake, shown):
                    result.recovered(time.monotonic() - killed)
                else:
                    result.lost += 1
                    result.problem(f"dialogue {n}: a stored answer never reached the thread")
                    continue
            else:  # never stored, never acknowledged: the member submits it again
                again = await submit()
                if not await seen(fake, shown):
                    result.problem(f"dialogue {n}: the resubmitted answer did not arrive")
                    continue
                if again.callback is None:
                    result.problem(f"dialogue {n}: the resubmitted answer was not acknowledged")
        await asyncio.sleep(1)  # room for a late duplicate to show up
        result.check_threads(fake, threads)
    finally:
        await stop_all([bot])
        await fake.stop()
    result.check_mentions(fake)


# --------------------------------------------------------------- 2. Reply with care


def draft_rows(data_dir: Path, marker: str) -> list[tuple[int, str]]:
    with contextlib.closing(sqlite3.connect(data_dir / "touchstone.db", timeout=30)) as conn:
        return [
            (int(i), str(s))
            for i, s in conn.execute(
                "SELECT id, status FROM advice_drafts WHERE draft_text LIKE ? ORDER BY id",
                (f"%{marker}",),
            )
        ]


def reports(fake: FakeDiscord, writer: User, draft_id: int) -> list[Message]:
    """Every report of a draft the writer can see: the form's answer and DMs."""

    def about(footer: str) -> bool:
        footer = footer.removeprefix("-# ")
        return footer == f"draft {draft_id}" or footer.startswith(f"draft {draft_id} ")

    def footers(message: Message) -> list[str]:
        """An embed report's footer, or a V2 card's last line (its small-print footer)."""
        found = [str((e.get("footer") or {}).get("text", "")) for e in message.embeds]
        return found + card_texts(message.components)[-1:]

    return [
        m
        for m in list(fake.world.messages.values())
        if m.author_id == fake.bot_user.id
        and any(about(f) for f in footers(m))
        and (m.ephemeral or m.channel_id == fake.world.dm_channel_ids.get(writer.id))
    ]


def published(fake: FakeDiscord, club: PracticeClub, post: Message) -> list[Message]:
    return [
        m
        for m in fake.messages_in(club.general, include_ephemeral=False)
        if m.author_id == fake.bot_user.id and m.reference_message_id == post.id and m.embeds
    ]


async def advice_flow(kit: Kit, trials: int, result: FlowResult) -> None:
    fake = FakeDiscord()
    club = build_practice_club(fake)
    await fake.start()
    data_dir = kit.root / "advice"
    bot: BotProcess | None = None
    writer = club.moderator
    try:
        bot = await kit.launch(fake, data_dir)
        for n in range(trials):
            post = await fake.send_message(club.general, club.member, f"{ADVICE_POST} ({n})")
            marker = f"(trial {n})"

            async def submit(post: Message = post, marker: str = marker) -> FakeInteraction:
                opened = await fake.send_message_command(writer, "Reply with care", post)
                await opened.first_response(timeout=5)
                assert opened.modal is not None
                return await fake.send_modal_submit(
                    opened.modal["custom_id"], {"reply": f"{ADVICE_DRAFT} {marker}"}
                )

            submitted = await submit()
            # Half the kills land right after the form, half right after the Post click.
            at_post = kit.rng.random() < 0.5
            click: FakeInteraction | None = None
            if at_post:
                await submitted.wait_for_edit(1, timeout=DUE)
                report = fake.world.message(submitted.original_message_id or 0)
                click = await fake.send_component(report, button(report, action="post"))
            await asyncio.sleep(delay := kill_delay(kit.rng))
            await bot.kill()
            killed = time.monotonic()
            window = "0-50 ms" if delay < 0.05 else "50-1500 ms"
            result.kills[f"{window} after {'Post' if at_post else 'the form'}"] += 1
            result.trials += 1
            acknowledged = (click or submitted).callback is not None
            result.acknowledged += acknowledged
            rows = draft_rows(data_dir, marker)
            if submitted.callback is not None and not rows:
                result.lost += 1
                result.problem(f"advice {n}: an acknowledged draft is not stored")
                continue
            bot = await kit.launch(fake, data_dir)
            if not rows:  # never acknowledged, never stored: the writer tries again
                submitted = await submit()
                await submitted.wait_for_edit(1, timeout=DUE)
                rows = draft_rows(data_dir, marker)
            draft_id = rows[0][0]

            def settled(draft_id: int = draft_id, marker: str = marker) -> str | None:
                status = dict(draft_rows(data_dir, marker)).get(draft_id)
                return status if status not in ("received", "posting") else None

            status = await seen(fake, settled)
            if status is None:
                result.lost += 1
                result.problem(f"advice {n}: draft {draft_id} stays unsettled after the restart")
                continue
            # The writer has the draft in front of them: a report from the form or a DM.
            shown = await seen(fake, lambda d=draft_id: reports(fake, writer, d))
            if not shown:
                result.lost += 1
                result.problem(f"advice {n}: draft {draft_id} was never shown back")
                continue
            if acknowledged:
                result.recovered(time.monotonic() - killed)
            if status == "draft":  # not posted: the writer clicks Post on the newest report
                latest = shown[-1]
                again = await fake.send_component(
                    latest, button(latest, action="post"), user_id=writer
                )
                await seen(fake, lambda a=again: a.callback)
            landed = await seen(fake, lambda p=post: published(fake, club, p))
            if not landed:
                result.lost += 1
                result.problem(f"advice {n}: the reply never reached the channel ({status})")
        await asyncio.sleep(1)
        posts = [m for m in fake.messages_in(club.general) if m.author_id == club.member.id]
        for post in posts:
            count = len(published(fake, club, post))
            if count > 1:
                result.duplicated += 1
                result.problem(f"post {post.id}: the reply was published {count} times")
    finally:
        await stop_all([bot])
        await fake.stop()
    result.check_mentions(fake)


# ----------------------------------------------------------------- 3. double crux


async def crux_to_the_form(
    fake: FakeDiscord, club: PracticeClub, alice: User, bob: User, n: int
) -> tuple[int, Message]:
    """A double crux between two fresh members, up to "List your cruxes" (its form)."""
    before = set(fake.world.channels)
    invited = {m.id for m in said_in(fake, club.general.id, "invites")}
    command = await fake.send_slash_command(
        club.guild,
        club.general,
        alice,
        "crux",
        {"claim": f"Remote work is better for junior engineers ({n})", "partner": bob.id},
    )
    await command.wait_for_followups(1, timeout=DUE)
    invitation = await fake.wait_for(
        lambda: next(
            (m for m in said_in(fake, club.general.id, "invites") if m.id not in invited), None
        ),
        DUE,
        "the invitation",
    )
    await fake.send_component(invitation, button(invitation, "Accept"), user_id=bob)
    thread: int = await fake.wait_for(
        lambda: next(
            (
                c
                for c in fake.world.channels
                if c not in before and fake.world.channel(c).type == 12
            ),
            None,
        ),
        DUE,
        "the private thread",
    )

    async def step(fragment: str) -> Message:
        found: Message = await fake.wait_for(
            lambda: next(iter(said_in(fake, thread, fragment)), None), DUE, repr(fragment)
        )
        return found

    rules = await step("Ground rules")
    await fake.send_component(rules, button(rules, "I agree"), user_id=alice)
    await fake.send_component(rules, button(rules, "I agree"), user_id=bob)
    await step("what is your position")
    await fake.send_message(thread, alice, "Juniors at home do just as well")
    await fake.send_message(thread, bob, "Juniors need to sit next to seniors")
    await step("How confident")
    await fake.send_message(thread, alice, "65")
    await fake.send_message(thread, bob, "70")
    await step("Operationalise")
    await fake.send_message(thread, bob, "none")
    await step("Restate your position")
    await fake.send_message(thread, alice, "Remote juniors close as many tickets by month 6")
    await fake.send_message(thread, bob, "Office juniors close more tickets by month 6")
    return thread, await step("List your cruxes")


async def crux_flow(kit: Kit, trials: int, result: FlowResult) -> None:
    fake = FakeDiscord()
    club = build_practice_club(fake)
    await fake.start()
    data_dir = kit.root / "crux"
    bot: BotProcess | None = None
    threads: list[int] = []
    try:
        bot = await kit.launch(fake, data_dir)
        for n in range(trials):
            alice, bob = kit.person(fake, club), kit.person(fake, club)
            thread, cruxes = await crux_to_the_form(fake, club, alice, bob, n)
            threads.append(thread)
            texts = {
                alice.id: f"Code review teaches juniors faster (c{n}a)",
                bob.id: f"Sitting together teaches juniors faster (c{n}b)",
            }

            async def submit(
                user: User, cruxes: Message = cruxes, texts: dict[int, str] = texts
            ) -> FakeInteraction:
                opened = await fake.send_component(
                    cruxes, button(cruxes, "Write my cruxes privately"), user_id=user
                )
                modal = (await opened.first_response(timeout=5)).data
                return await fake.send_modal_submit(
                    modal["custom_id"], {"answer": texts[user.id]}, user_id=user
                )

            def noted(thread: int = thread) -> list[Message]:
                return said_in(fake, thread, "submitted their cruxes (hidden)")

            # The kill lands after the first or after the second person's form.
            second = kit.rng.random() < 0.5
            if second:
                await submit(alice)
                await fake.wait_for(noted, DUE, "the first submission's note")
            killed_user = bob if second else alice
            submitted = await submit(killed_user)
            await asyncio.sleep(delay := kill_delay(kit.rng))
            await bot.kill()
            window = "0-50 ms" if delay < 0.05 else "50-1500 ms"
            result.kills[f"{window} after the {'second' if second else 'first'} form"] += 1
            killed = time.monotonic()
            result.trials += 1
            acknowledged = submitted.callback is not None
            result.acknowledged += acknowledged
            kept = stored(data_dir, texts[killed_user.id])
            if acknowledged and not kept:
                result.lost += 1
                result.problem(f"crux {n}: acknowledged cruxes are not stored")
            bot = await kit.launch(fake, data_dir)
            if not kept:
                await submit(killed_user)
            if not second:
                await seen(fake, noted)
                await submit(bob)

            def revealed(thread: int = thread) -> Message | None:
                return next(iter(said_in(fake, thread, "Both have submitted")), None)

            reveal = await seen(fake, revealed)
            if reveal is None or not all(t in said(reveal) for t in texts.values()):
                result.lost += 1
                result.problem(f"crux {n}: the reveal lacks a submitted crux")
                continue
            if kept:
                result.recovered(time.monotonic() - killed)
            public = "\n".join(
                said(m)
                for m in fake.messages_in(thread, include_ephemeral=False)
                if m.id < reveal.id
            )
            if texts[alice.id] in public or texts[bob.id] in public:
                result.problem(f"crux {n}: a crux was visible before the reveal")
        await asyncio.sleep(1)
        result.check_threads(fake, threads)
    finally:
        await stop_all([bot])
        await fake.stop()
    result.check_mentions(fake)


# ------------------------------------------------------ 4. scheduled DMs, two shards


def shard_env(shard: int) -> dict[str, str]:
    return {
        "TOUCHSTONE_SHARD_COUNT": str(SHARDS),
        "TOUCHSTONE_SHARD_IDS": f"[{shard}]",
        "TOUCHSTONE_SIMULATED_CLOCK_START": CLOCK_START.isoformat(),
    }


async def shards_flow(kit: Kit, trials: int, result: FlowResult) -> None:
    from sqlalchemy import func, select

    from bot.clock import SimulatedClock
    from bot.scheduling import Outbox
    from bot.storage import Database
    from bot.storage.coaching_models import ScheduledItem
    from tests.databases import postgres_database

    dms, recipients = 40, 10
    fake = FakeDiscord(shard_count=SHARDS)
    build_practice_club(fake, shard=(0, SHARDS))
    await fake.start()
    users = [fake.add_user(f"learner_{n}") for n in range(recipients)]
    bots: list[BotProcess | None] = [None] * SHARDS
    dirs = [kit.root / f"shard{s}" for s in range(SHARDS)]
    sends = re.compile(r"^POST /channels/\d+/messages$")
    try:
        async with postgres_database() as url:
            for shard in range(SHARDS):
                bots[shard] = await kit.launch(fake, dirs[shard], url, shard_env(shard))
            db = Database(url)
            try:
                outbox = Outbox(db, SimulatedClock(CLOCK_START).now)
                for n in range(trials):
                    due = CLOCK_START + timedelta(hours=n + 1)
                    keys = [f"kit-{n}-{k}" for k in range(dms)]
                    await asyncio.gather(
                        *(
                            outbox.schedule(
                                users[k % recipients].id,
                                "ops.test",
                                due,
                                {"text": f"trial {n} message #{k}"},
                                keys[k],
                                unsolicited=False,
                            )
                            for k in range(dms)
                        )
                    )
                    result.trials += 1
                    result.acknowledged += dms  # stored in the outbox: owed to the member
                    baseline = len(
                        [r for r in fake.requests if sends.match(f"{r.method} {r.path}")]
                    )
                    kill_after = kit.rng.randint(0, dms // 2)
                    for directory in dirs:
                        (directory / "simulated-clock").write_text(
                            (due + timedelta(seconds=30)).isoformat(), encoding="utf-8"
                        )
                    await fake.wait_for(
                        lambda b=baseline, k=kill_after: (
                            len([r for r in fake.requests if sends.match(f"{r.method} {r.path}")])
                            >= b + k
                        ),
                        60,
                        "the first DMs",
                    )
                    # Kill a process holding claims (mid-batch); if none holds any, either one.
                    async with db.session() as session:
                        holders = (
                            await session.scalars(
                                select(ScheduledItem.claimed_by)
                                .where(ScheduledItem.status == "claimed")
                                .group_by(ScheduledItem.claimed_by)
                                .having(func.count() > 0)
                            )
                        ).all()
                    pids = {int(str(h).split(":")[1]) for h in holders if h}
                    live = [s for s in range(SHARDS) if bots[s] is not None]
                    candidates = [s for s in live if bots[s].pid in pids] or live  # type: ignore[union-attr]
                    victim = kit.rng.choice(candidates)
                    result.kills["mid-batch" if pids else "between batches"] += 1
                    dead = bots[victim]
                    assert dead is not None
                    await dead.kill()
                    killed = time.monotonic()

                    def texts(n: int = n) -> Counter[str]:
                        return Counter(
                            m.content
                            for u in users
                            for m in fake.dm_messages_to(u)
                            if m.content.startswith(f"trial {n} ")
                        )

                    done = await seen(fake, lambda t=texts: len(t()) >= dms, TAKEOVER)
                    if done:
                        result.recovered(time.monotonic() - killed)
                    await asyncio.sleep(1)
                    got = texts()
                    statuses = await outbox.statuses(keys)
                    missing = dms - len(got)
                    if missing:
                        result.lost += missing
                        result.problem(
                            f"shards {n}: {missing} DMs not sent within {TAKEOVER:.0f} s; "
                            f"outbox {Counter(statuses.values())}"
                        )
                    twice = sum(c - 1 for c in got.values() if c > 1)
                    if twice:
                        result.duplicated += twice
                        result.problem(f"shards {n}: {twice} DMs sent twice")
                    if Counter(statuses.values()) != {"sent": dms}:
                        result.problem(f"shards {n}: outbox {Counter(statuses.values())}")
                    bots[victim] = await kit.launch(fake, dirs[victim], url, shard_env(victim))
            finally:
                await stop_all(bots)
                await db.dispose()
    finally:
        await stop_all(bots)
        await fake.stop()


# ------------------------------------------------------------- 5. persistent 429


async def ratelimit_flow(kit: Kit, trials: int, result: FlowResult) -> None:
    """One thread answers 429 to everything for the whole run; ``trials`` other
    dialogues each take a step meanwhile and must get their next question while the
    held thread still waits. Then the 429 lifts and the held thread gets its question,
    once."""
    fake = FakeDiscord()
    club = build_practice_club(fake)
    await fake.start()
    data_dir = kit.root / "ratelimit"
    bot: BotProcess | None = None
    try:
        bot = await kit.launch(fake, data_dir)
        slow = await open_dialogue(fake, club, club.member, "Write a novel this year")
        held = fake.rate_limit(f"POST /channels/{slow}/messages", count=10**9, retry_after=5)
        await fake.send_message(slow, club.member, "25%")
        result.acknowledged += 1
        await fake.wait_for(lambda: held.hits, DUE, "the held thread's 429")
        quick_threads = []
        for n in range(trials):
            user = kit.person(fake, club)
            quick = await open_dialogue(fake, club, user, f"Run a marathon ({n})")
            quick_threads.append(quick)
            await fake.send_message(quick, user, "30%")
            result.trials += 1
            result.acknowledged += 1
            answered = await seen(fake, lambda q=quick: said_in(fake, q, "List every reason"))
            if not answered or said_in(fake, slow, "List every reason"):
                result.waited += 1
                result.problem(f"ratelimit {n}: the other dialogue waited on the held thread")
        lifted = time.monotonic()
        held.remaining = 0
        if await seen(fake, lambda: said_in(fake, slow, "List every reason"), 120):
            result.recovered(time.monotonic() - lifted)
        else:
            result.lost += 1
            result.problem("the held thread never got its question after the 429 lifted")
        await asyncio.sleep(1)
        result.check_threads(fake, [slow, *quick_threads])
        if "Traceback" in bot.log:
            result.problem("a traceback in the log")
    finally:
        await stop_all([bot])
        await fake.stop()


# -------------------------------------------------- 6. simultaneous dual-shard starts


async def starts_flow(kit: Kit, trials: int, result: FlowResult) -> None:
    from tests.databases import postgres_database

    fake = FakeDiscord(shard_count=SHARDS)
    build_practice_club(fake, shard=(0, SHARDS))
    await fake.start()
    try:
        for n in range(min(trials, STARTS)):
            result.trials += 1
            bots: list[BotProcess] = []
            async with postgres_database() as url:
                began = time.monotonic()
                started = await asyncio.gather(
                    *(
                        kit.launch(fake, kit.root / f"start{n}-{s}", url, shard_env(s))
                        for s in range(SHARDS)
                    ),
                    return_exceptions=True,
                )
                bots = [b for b in started if isinstance(b, BotProcess)]
                failures = [b for b in started if not isinstance(b, BotProcess)]
                result.acknowledged += len(bots)
                if failures:
                    result.lost += len(failures)
                    result.problem(f"start {n}: {str(failures[0])[-600:]}")
                else:
                    result.recovered(time.monotonic() - began)
                for bot in bots:
                    errors = [
                        line
                        for line in bot.log_lines
                        if "Traceback" in line or " ERROR " in line or "CRITICAL" in line
                    ]
                    if errors:
                        result.problem(f"start {n}: {errors[:2]}")
                for bot in bots:
                    code = await bot.stop()
                    if code != 0:
                        result.problem(f"start {n}: a process exited with {code}")
    finally:
        await fake.stop()


RUNNERS: dict[str, Callable[[Kit, int, FlowResult], Awaitable[None]]] = {
    "dialogue": dialogue_flow,
    "advice": advice_flow,
    "crux": crux_flow,
    "shards": shards_flow,
    "ratelimit": ratelimit_flow,
    "starts": starts_flow,
}


async def run(
    flows: Sequence[str],
    trials: int,
    seed: int,
    index: Path,
    root: Path,
    log: Callable[[str], None] = print,
) -> list[FlowResult]:
    """Run the flows one after another; a flow that cannot run says why (``skipped``)."""
    results = []
    for name in flows:
        result = FlowResult(name)
        kit = Kit(index, root / name, random.Random(f"{seed}:{name}"), log)
        kit.root.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        try:
            await RUNNERS[name](kit, trials, result)
        except Exception as exc:
            if type(exc).__name__ == "Skipped":  # pytest.skip: no PostgreSQL configured
                result.skipped = str(exc)
            else:
                result.problem(f"the flow stopped: {''.join(traceback.format_exception(exc))}")
        log(f"{name}: done in {time.monotonic() - began:.0f} s")
        results.append(result)
    return results


def table(results: Sequence[FlowResult]) -> str:
    header = ("flow", "trials", "acknowledged", "lost", "duplicated", "waited", "max recovery")
    rows = [header]
    for r in results:
        if r.skipped:
            rows.append((r.flow, "skipped", "", "", "", "", ""))
            continue
        rows.append(
            (
                r.flow,
                str(r.trials),
                str(r.acknowledged),
                str(r.lost),
                str(r.duplicated),
                str(r.waited),
                f"{r.max_recovery:.1f} s",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        for problem in r.problems:
            lines.append(f"! {r.flow}: {problem}")
        if r.kills:
            where = ", ".join(f"{count} {what}" for what, count in sorted(r.kills.items()))
            lines.append(f"  {r.flow} kills: {where}")
        if r.skipped:
            lines.append(f"- {r.flow}: {r.skipped}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.fault_kit")
    parser.add_argument("--trials", type=int, default=30, help="trials per flow (30)")
    parser.add_argument("--flows", nargs="+", choices=FLOWS, default=list(FLOWS))
    parser.add_argument("--seed", type=int, default=None, help="replay a run's randomness")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"fault kit: seed {seed} (replay with --seed {seed}), {args.trials} trials per flow")
    with tempfile.TemporaryDirectory(prefix="fault-kit-") as tmp:
        root = Path(tmp)
        print("indexing the shipped notes once ...", flush=True)
        index = build_index(root / "index")
        results = asyncio.run(run(args.flows, args.trials, seed, index, root / "runs"))
    print(f"\nseed {seed}")
    print(table(results))
    return 0 if all(r.clean for r in results) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
