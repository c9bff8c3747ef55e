"""Issue 13 #5 and #3 in the domain: a received text is stored before anything else and
finished by a survivor; a draft left posting is settled by what the channel shows."""

from __future__ import annotations

from bot.advice_flow import AdviceFlowService, DraftStatus, DraftStore, PostContext, Version
from bot.guild_config import GuildConfigService
from bot.guild_config.repository import GuildConfigRepository
from bot.llm import ModelGateway
from bot.storage import Database
from tests.advice_flow.conftest import ALICE, BOB, CHANNEL, GUILD, KIND, POSTER, WRITER


def known(post: str = "") -> PostContext:
    return PostContext(post_text=post, guild_id=GUILD, channel_id=CHANNEL, post_message_id=5)


def full() -> PostContext:
    return PostContext(
        post_text=ALICE,
        guild_id=GUILD,
        channel_id=CHANNEL,
        post_message_id=5,
        post_author_id=POSTER,
    )


def process(database: Database, name: str, alive: set[str]) -> AdviceFlowService:
    async def is_alive(worker: str | None) -> bool:
        return worker in alive

    return AdviceFlowService(
        DraftStore(database),
        GuildConfigService(GuildConfigRepository(database)),
        ModelGateway(model=None),
        worker=name,
        alive=is_alive,
    )


async def test_a_received_text_is_finished_by_a_survivor_not_by_a_live_owner(
    database: Database,
) -> None:
    alive = {"a", "b"}
    a, b = process(database, "a", alive), process(database, "b", alive)
    draft_id = await a.receive(WRITER, known(), BOB)
    saved = await a.store.saved_text(draft_id)
    assert saved is not None and saved.text == BOB and saved.status == DraftStatus.RECEIVED
    assert await b.unfinished_checks() == []  # a is alive and on it
    assert await a.unfinished_checks() == []  # a is on it right now

    alive.discard("a")  # a is killed before the check finished
    (orphan,) = await b.unfinished_checks()
    assert orphan.id == draft_id and orphan.text == BOB
    assert await b.unfinished_checks() == []  # b is on it now
    draft = await b.finish(draft_id, full())
    assert draft.status is DraftStatus.DRAFT and draft.flagged
    assert draft.context.post_text == ALICE and draft.context.post_author_id == POSTER
    assert await b.unfinished_checks() == []


async def test_a_gone_post_closes_the_received_text(database: Database) -> None:
    a = process(database, "a", {"a"})
    draft_id = await a.receive(WRITER, known(), KIND)
    await a.abandon(draft_id)
    assert await a.unfinished_checks() == []
    saved = await a.store.saved_text(draft_id)
    assert saved is not None and saved.status == DraftStatus.CANCELLED and saved.text == KIND


async def test_a_draft_left_posting_is_posted_or_open_again(database: Database) -> None:
    alive = {"a", "b"}
    a, b = process(database, "a", alive), process(database, "b", alive)
    posted = await a.start(WRITER, full(), KIND)
    kept = await a.start(WRITER, full(), BOB)
    await a.claim_post(posted.id, WRITER, Version.AS_WRITTEN)
    await a.claim_post(kept.id, WRITER, Version.GENTLER)
    assert await b.stuck_posting() == []

    alive.discard("a")
    stuck = {d.id: d for d in await b.stuck_posting()}
    assert set(stuck) == {posted.id, kept.id}
    one = stuck[posted.id]
    assert one.published_as(5, KIND) and not one.published_as(6, KIND)
    assert not one.published_as(5, "something else")
    assert stuck[kept.id].published_as(5, stuck[kept.id].gentle_text)

    done = await b.reconcile(one, 999)
    assert done.status is DraftStatus.POSTED and done.posted_message_id == 999
    back = await b.reconcile(stuck[kept.id], None)
    assert back.status is DraftStatus.DRAFT and back.is_open
    # Open again: its buttons work (it can be posted now).
    plan = await b.claim_post(back.id, WRITER, Version.AS_WRITTEN)
    assert plan.text == BOB
