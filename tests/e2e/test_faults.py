"""Faults end to end: Discord, the database, the vector store and the model misbehave.

The real bot process runs against the fake Discord; each test injects one kind of
failure and checks what a member notices: an answer arrives once the fault clears,
a clear "try again shortly" while it lasts, nothing sent twice, no crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from tests.databases import postgres_database
from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.members import Member, club_member
from tests.fakediscord.components_v2 import texts
from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import User
from tests.fakediscord.world import PracticeClub
from tests.llm_fakes import steerable_openai_server
from tests.ops.proxy import TcpProxy, free_port

pytestmark = pytest.mark.e2e
TRY_AGAIN = "try again shortly"
MODEL_FOOTER = "Answer written with a language model"


def said(interaction: FakeInteraction) -> str:
    """Everything the bot showed for an interaction: contents and embed texts."""
    parts: list[str] = []
    for response in interaction.responses:
        parts.append(response.content or "")
        for embed in response.embeds:
            parts.append(str(embed.get("title") or ""))
            parts.append(str(embed.get("description") or ""))
            parts.append(str((embed.get("footer") or {}).get("text") or ""))
        parts += texts(response.components)
    return "\n".join(p for p in parts if p)


async def wait_said(interaction: FakeInteraction, needle: str, timeout: float = 20) -> str:
    await interaction.wait_for(lambda i: needle.lower() in said(i).lower(), timeout)
    return said(interaction)


async def answered(interaction: FakeInteraction, timeout: float = 20) -> str:
    """Wait for the bot's real answer (not just the 'thinking' defer)."""
    await interaction.wait_for(lambda i: bool(said(i)), timeout)
    return said(interaction)


async def wait(
    fake: FakeDiscord, bot: BotProcess, predicate: object, timeout: float, what: str
) -> None:
    """``fake.wait_for`` that shows the bot's log and Discord's answers when it times out."""
    try:
        await fake.wait_for(predicate, timeout, what)  # type: ignore[arg-type]
    except TimeoutError as exc:
        recent = [f"{r.method} {r.path} -> {r.status}" for r in fake.requests[-25:]]
        raise AssertionError(
            f"{exc}\nrequests:\n" + "\n".join(recent) + "\nlog:\n" + bot.log[-4000:]
        ) from None


def assert_no_crash(bot: BotProcess) -> None:
    assert bot.process is not None and bot.process.returncode is None, "the bot died"


def bot_messages(fake: FakeDiscord) -> Counter[tuple[int, str]]:
    """(channel, text) of every message the bot created, to spot anything sent twice."""
    seen: Counter[tuple[int, str]] = Counter()
    for request in fake.requests:
        if request.status >= 400 or not isinstance(request.json, dict):
            continue
        if (
            request.route
            in (
                "/channels/{channel_id}/messages",
                "/webhooks/{webhook_id}/{webhook_token}",
            )
            and request.method == "POST"
        ):
            body = request.json
            text = (
                str(body.get("content") or "")
                + "".join(str(e.get("description") or "") for e in body.get("embeds") or [])
                + "".join(texts(body.get("components") or []))
            )
            seen[(hash(request.path), text)] += 1
    return seen


def assert_nothing_sent_twice(fake: FakeDiscord) -> None:
    twice = {key: n for key, n in bot_messages(fake).items() if n > 1}
    assert not twice, f"sent more than once: {twice}"


async def ask(
    fake: FakeDiscord, club: PracticeClub, question: str, user: User | None = None
) -> FakeInteraction:
    return await club_member(fake, club, user or club.member).run("/ask", question=question)


async def practice_log(
    fake: FakeDiscord, club: PracticeClub, minutes: int, skill: str, user: User | None = None
) -> FakeInteraction:
    return await club_member(fake, club, user or club.member).run(
        "/practice log", minutes=minutes, skill=skill
    )


# ------------------------------------------------------------------------- Discord


async def test_429_bursts_and_5xx_answers_delay_but_never_lose_or_duplicate_messages(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    followups = "POST /webhooks/{webhook_id}/{webhook_token}"
    messages = "POST /channels/{channel_id}/messages"
    fake.rate_limit(followups, count=3, retry_after=0.3)
    fake.rate_limit(followups, count=1, retry_after=0.5, global_=True)
    fake.fail_next(followups, status=502, count=1)
    # discord.py tries a request 5 times; a longer outage is the outbox's to retry
    # (a minute later), which tests/scheduling covers.
    fake.rate_limit(messages, count=1, retry_after=0.4, global_=True)
    fake.rate_limit(messages, count=1, retry_after=0.3)
    fake.fail_next(messages, status=500, count=1)

    question = await ask(fake, club, "How do I practise deliberately?")
    coach = await club_member(fake, club).run(
        "/coach start", timezone="Europe/Berlin", time="07:00"
    )
    text = await answered(question, timeout=30)
    assert "[1]" in text or "practice" in text.lower()
    await coach.first_response(timeout=3)
    await wait(fake, bot, lambda: fake.dm_messages_to(club.member.id), 30, "the welcome DM")
    await asyncio.sleep(1)  # room for a duplicate to show up
    assert len(question.followups) == 1
    assert len(fake.dm_messages_to(club.member.id)) == 1
    assert any(r.status == 429 for r in fake.requests), "the bursts were not exercised"
    assert any(r.status >= 500 for r in fake.requests), "the 5xx were not exercised"
    assert_nothing_sent_twice(fake)
    assert_no_crash(bot)
    assert "Traceback" not in bot.log


async def test_a_dropped_gateway_resumes_and_a_reidentify_recovers(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    assert await fake.drop_connection() == 1
    during = await club_member(fake, club).run("/about")
    await during.first_response(timeout=10)
    await fake.wait_for(lambda: len(fake.resumes) == 1, 10, "a RESUME")
    assert len(fake.identifies) == 1

    assert await fake.invalidate_sessions() == 1
    await fake.wait_for(lambda: len(fake.identifies) == 2, 20, "a second IDENTIFY")
    await fake.wait_until_ready(timeout=20)
    after = await club_member(fake, club).run("/about")
    await after.first_response(timeout=5)
    logged = await practice_log(fake, club, 15, "piano")
    assert "15" in await answered(logged)

    await asyncio.sleep(1)
    for interaction in (during, after, logged):
        assert interaction.callback is not None and interaction.rejections == []
        assert len([r for r in interaction.responses if r.kind == "callback"]) == 1
    assert_nothing_sent_twice(fake)
    assert_no_crash(bot)
    assert "Traceback" not in bot.log


# ------------------------------------------------------------------------- storage


def practice_rows(database: Path) -> list[tuple[int, str]]:
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return [
            (int(m), str(s))
            for m, s in conn.execute("SELECT minutes, skill FROM practice_logs ORDER BY id")
        ]


async def test_a_locked_sqlite_database_means_try_again_shortly_then_recovers(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    database = tmp_path / "locked.db"
    bot = await start_bot(
        database_url=f"sqlite+aiosqlite:///{database}",
        env={"TOUCHSTONE_SQLITE_BUSY_TIMEOUT": "0.5"},
    )
    first = await practice_log(fake, club, 10, "scales")
    assert "10" in await answered(first)

    lock = sqlite3.connect(database, isolation_level=None, timeout=10)
    try:
        lock.execute("BEGIN EXCLUSIVE")
        blocked = await practice_log(fake, club, 20, "arpeggios")
        text = await wait_said(blocked, TRY_AGAIN)
        assert all(r.ephemeral for r in blocked.responses if r.content)
        assert "Traceback" not in text
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    again = await practice_log(fake, club, 30, "arpeggios")
    assert "30" in await answered(again)
    assert practice_rows(database) == [(10, "scales"), (30, "arpeggios")], "half-written data"
    assert_no_crash(bot)


async def test_postgres_going_away_means_try_again_shortly_then_recovers_without_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    async with postgres_database() as url:
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await proxy.start()
        try:
            via_proxy = parsed.set(host="127.0.0.1", port=proxy.port)
            bot = await start_bot(database_url=via_proxy.render_as_string(hide_password=False))
            first = await practice_log(fake, club, 10, "scales")
            assert "10" in await answered(first)

            await proxy.stop()
            down = await practice_log(fake, club, 20, "arpeggios")
            assert TRY_AGAIN in (await wait_said(down, TRY_AGAIN)).lower()
            about = await club_member(fake, club).run("/about")
            await about.first_response(timeout=3)  # what needs no database keeps working

            await proxy.start()
            back = await practice_log(fake, club, 30, "arpeggios")
            await back.wait_for(lambda i: "30" in said(i) or TRY_AGAIN in said(i).lower(), 20)
            if TRY_AGAIN in said(back).lower():  # the pool noticed only now; one retry works
                back = await practice_log(fake, club, 30, "arpeggios")
            assert "30" in await answered(back)
            assert_no_crash(bot)
        finally:
            await proxy.stop()
            with contextlib.suppress(Exception):
                await bot.stop()
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(text("SELECT minutes FROM practice_logs ORDER BY id"))
                ).all()
        finally:
            await engine.dispose()
        assert [r[0] for r in rows] == [10, 30], "half-written or lost data"


# ------------------------------------------------------------------- vector store


@contextlib.asynccontextmanager
async def chroma_server(path: Path) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        str(chroma),
        "run",
        "--path",
        str(path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(240):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{url}/api/v2/heartbeat") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.25)
            else:
                raise AssertionError("the chroma server did not start")
        yield url, process
    finally:
        if process.returncode is None:
            process.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 10)
            if process.returncode is None:
                process.kill()
                await process.wait()


async def test_an_unreachable_vector_store_is_named_and_everything_else_works(
    start_bot: StartBot,
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    prebuilt_index: Path,
    tmp_path: Path,
) -> None:
    fake, club = fake_discord, practice_club
    shutil.copytree(prebuilt_index, tmp_path / "served")
    async with chroma_server(tmp_path / "served") as (url, process):
        bot = await start_bot(env={"TOUCHSTONE_CHROMA_URL": url})
        working = await ask(fake, club, "How do I practise deliberately?")
        assert "[1]" in await answered(working, timeout=30)
        process.terminate()
        await process.wait()

        down = await ask(fake, club, "How do I stop procrastinating?")
        text = (await answered(down, timeout=30)).lower()
        assert "library" in text and "reach" in text, text
        assert "something went wrong" not in text
        about = await club_member(fake, club).run("/about")
        await about.first_response(timeout=3)
        logged = await practice_log(fake, club, 5, "juggling")
        assert "5" in await answered(logged)
        assert_no_crash(bot)


# --------------------------------------------------------------------- the model


async def test_a_slow_failing_or_babbling_model_falls_back_to_the_offline_answer(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    async with steerable_openai_server("Start with a five-minute version [1].") as llm:
        llm.delay = 30
        bot = await start_bot(
            env={
                "TOUCHSTONE_LLM_MODEL": "openai:test-model",
                "TOUCHSTONE_LLM_BASE_URL": llm.base_url,
                "TOUCHSTONE_LLM_API_KEY": "sk-test-not-a-real-key-0123456789",
                "TOUCHSTONE_LLM_TIMEOUT": "2",
                "TOUCHSTONE_LIMIT_ASK_PER_MINUTE": "0",
            }
        )
        works = await ask(fake, club, "How do I practise deliberately?")
        assert MODEL_FOOTER in await answered(works, timeout=30)
        for mode in ("slow", "fail", "garbage", "empty", "nonsense"):
            llm.mode = mode
            calls = len(llm.received)
            interaction = await ask(fake, club, f"How do I practise deliberately? ({mode})")
            text = await answered(interaction, timeout=30)
            assert MODEL_FOOTER not in text, mode
            assert "[1]" in text, f"{mode}: no offline answer"
            assert len(llm.received) > calls, f"{mode}: the model was not even asked"
        llm.mode = "ok"
        recovered = await ask(fake, club, "How do I practise deliberately, again?")
        assert MODEL_FOOTER in await answered(recovered, timeout=30)
        assert_no_crash(bot)
        assert "Traceback" not in bot.log


async def test_expensive_commands_have_a_friendly_cooldown(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    await start_bot(env={"TOUCHSTONE_LIMIT_ASK_PER_MINUTE": "2"})
    for n in range(2):
        await answered(await ask(fake, club, f"How do I practise deliberately? {n}"), 30)
    refused = await ask(fake, club, "How do I practise deliberately? again")
    response = await refused.first_response(timeout=3)
    assert response.ephemeral
    assert "Slow down a little" in (response.content or "")
    assert "try again in" in (response.content or "")
    other = await ask(fake, club, "How do I practise deliberately?", user=club.moderator)
    assert "[1]" in await answered(other, 30)


# ------------------------------------------------------------------ kill -9 trials

TRIALS = 21
ADVICE_POST = "I've just started running again! Did 2km today, mostly walking."
ADVICE_DRAFT = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of "
    "runs in zone 2. Don't run two days in a row. You should be doing strength work twice a "
    "week, and watch out for shin splints. Also get proper shoes, the cheap ones will wreck "
    "your knees."
)


def rows(database: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as conn:
        return list(conn.execute(sql, args))


def thread_of(interaction: FakeInteraction) -> int | None:
    import re

    for response in interaction.responses:
        match = re.search(r"<#(\d+)>", response.content or "")
        if match:
            return int(match.group(1))
    return None


def bot_texts_in(fake: FakeDiscord, channel: int) -> list[str]:
    """What the bot said in a channel: contents, and V2 cards' texts (dialogue prompts)."""
    return [
        "\n".join([m.content, *texts(m.components)])
        for m in fake.messages_in(channel)
        if m.author_id == fake.bot_user.id
    ]


class Trials:
    """One kind of work per trial, killed at a random moment, checked after the restart."""

    def __init__(self, fake: FakeDiscord, club: PracticeClub, database: Path) -> None:
        self.fake, self.club, self.database = fake, club, database
        self.threads: list[int] = []

    # coaching: /practice log
    async def coaching_send(self, n: int) -> FakeInteraction:
        return await practice_log(self.fake, self.club, n + 1, f"trial-{n}")

    async def coaching_check(self, n: int, sent: FakeInteraction) -> None:
        def stored() -> int:
            return len(
                rows(self.database, "SELECT id FROM practice_logs WHERE skill = ?", f"trial-{n}")
            )

        confirmed = f"{n + 1}" in said(sent)
        if confirmed:
            assert stored() == 1, f"trial {n}: a confirmed practice log was lost"
        if stored() == 0:  # never confirmed, never stored: the member sends it again
            retry = await self.coaching_send(n)
            assert f"{n + 1}" in await answered(retry)
        assert stored() == 1, f"trial {n}: practice log stored {stored()} times"

    # advice: Reply with care, then the form
    async def advice_send(self, n: int) -> FakeInteraction:
        post = await self.fake.send_message(
            self.club.general, self.club.member, f"{ADVICE_POST} ({n})"
        )
        opened = await self.fake.send_message_command(self.club.moderator, "Reply with care", post)
        await opened.first_response(timeout=5)
        assert opened.modal is not None
        return await self.fake.send_modal_submit(
            opened.modal["custom_id"], {"reply": f"{ADVICE_DRAFT} (trial {n})"}
        )

    async def advice_check(self, n: int, sent: FakeInteraction) -> None:
        def stored() -> int:
            return len(
                rows(
                    self.database,
                    "SELECT id FROM advice_drafts WHERE draft_text LIKE ?",
                    f"%(trial {n})",
                )
            )

        shown = "pile of advice" in said(sent)
        if shown:
            assert stored() >= 1, f"trial {n}: a draft the writer saw was lost"
        if stored() == 0:
            retry = await self.advice_send(n)
            await wait_said(retry, "pile of advice")
        assert stored() >= 1

    # dialogues: /impossible, then one answer in the thread
    async def dialogue_send(self, n: int) -> FakeInteraction:
        return await Member(self.fake, self.club.guild, self.club.general, self.club.member).run(
            "/impossible", goal=f"Finish trial {n} this year"
        )

    async def dialogue_check(self, n: int, sent: FakeInteraction) -> None:
        fake = self.fake
        thread = thread_of(sent)
        started = rows(
            self.database, "SELECT id FROM dialogues WHERE title LIKE ?", f"%trial {n} %"
        )
        if thread is None and not started:  # the member never saw it start: tries again
            sent = await self.dialogue_send(n)
            await sent.wait_for(lambda i: thread_of(i) is not None, 30)
            thread = thread_of(sent)
        if thread is None:
            # Started but the link was lost with the process: the thread still exists.
            created = [
                c.id for c in fake.world.channels.values() if f"trial {n} " in (c.name or "")
            ]
            assert created, f"trial {n}: a started dialogue has no thread"
            thread = created[0]
        self.threads.append(thread)
        await fake.wait_for(
            lambda: any("How likely" in t for t in bot_texts_in(fake, thread)),
            30,
            f"trial {n}: the first question",
        )
        await fake.send_message(thread, self.club.member, "25%")
        await fake.wait_for(
            lambda: any("List every reason" in t for t in bot_texts_in(fake, thread)),
            30,
            f"trial {n}: the dialogue continues",
        )


async def test_kill_9_at_random_moments_loses_and_duplicates_nothing(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    fake, club = fake_discord, practice_club
    database = tmp_path / "trials.db"
    data_dir = tmp_path / "data"
    env = {"TOUCHSTONE_LIMIT_DIALOGUE_STARTS_PER_10_MINUTES": "0"}
    url = f"sqlite+aiosqlite:///{database}"
    trials = Trials(fake, club, database)
    kinds = ("coaching", "advice", "dialogue")
    rng = random.Random(9)
    bot = await start_bot(data_dir=data_dir, database_url=url, env=env)
    killed_at: list[float] = []
    for n in range(TRIALS):
        kind = kinds[n % len(kinds)]
        sent = await getattr(trials, f"{kind}_send")(n)
        delay = rng.uniform(0.0, 1.2)
        killed_at.append(delay)
        await asyncio.sleep(delay)
        await bot.kill()
        bot = await start_bot(data_dir=data_dir, database_url=url, env=env)
        await getattr(trials, f"{kind}_check")(n, sent)

    await asyncio.sleep(1)
    for thread in trials.threads:
        texts = bot_texts_in(fake, thread)
        repeated = [t for t, count in Counter(texts).items() if count > 1]
        assert repeated == [], f"thread {thread}: sent twice: {repeated}"
    assert_nothing_sent_twice(fake)
    public = [
        m
        for m in fake.messages_in(club.general, include_ephemeral=False)
        if m.author_id == fake.bot_user.id
    ]
    assert public == [], "an advice draft was posted without the writer's click"
    assert len(killed_at) >= 20


# ------------------------------------------------------------------------ secrets


async def test_secrets_never_appear_in_logs_or_messages_even_when_things_fail(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    import json

    fake, club = fake_discord, practice_club
    api_key = "sk-live-Secret-LLM-Key-0123456789abcdef"
    password = "Pg-Secret-Password-9876"
    async with postgres_database() as url, steerable_openai_server("Try this [1].") as llm:
        parsed = make_url(url)
        proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
        await proxy.start()
        try:
            secret_url = parsed.set(host="127.0.0.1", port=proxy.port, password=password)
            bot = await start_bot(
                database_url=secret_url.render_as_string(hide_password=False),
                env={
                    "TOUCHSTONE_LOG_LEVEL": "DEBUG",
                    "TOUCHSTONE_LLM_MODEL": "openai:test-model",
                    "TOUCHSTONE_LLM_BASE_URL": llm.base_url,
                    "TOUCHSTONE_LLM_API_KEY": api_key,
                    "TOUCHSTONE_LLM_TIMEOUT": "2",
                },
            )
            await answered(await ask(fake, club, "How do I practise deliberately?"), 30)
            llm.mode = "fail"
            await answered(await ask(fake, club, "How do I practise deliberately?"), 30)
            await proxy.stop()
            down = await practice_log(fake, club, 20, "scales")
            await wait_said(down, TRY_AGAIN)
            await answered(await ask(fake, club, "How do I stop procrastinating?"), 30)
            await proxy.start()
            await bot.stop()
        finally:
            await proxy.stop()

    assert any(api_key in h.get("Authorization", "") for h in llm.headers), "key not used"
    secrets = {"token": fake.token, "LLM API key": api_key, "database password": password}
    sent_to_discord = "\n".join(json.dumps(r.json, default=str) for r in fake.requests)
    sent_to_model = json.dumps(llm.received)
    for name, secret in secrets.items():
        assert secret not in bot.log, f"the {name} is in the log"
        assert secret not in sent_to_discord, f"the {name} was sent to Discord"
        assert secret not in sent_to_model, f"the {name} was sent to the model"
    assert "Pg-Secret" not in bot.log
