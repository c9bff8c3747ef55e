"""Where the bot is not a member of the server (a user install): the flow's rules."""

from __future__ import annotations

from bot.advice_flow import AdviceFlowService, DraftStatus, FlowRefused, PostContext, Version
from bot.advice_flow.reach import (
    Delivery,
    config_guild,
    delivery_for,
    may_publish_here,
    needs_pasted_post,
    post_link,
)
from tests.advice_flow.conftest import ALICE, BOB, CHANNEL, GUILD, POSTER, WRITER, Configure


def outside(post: str = ALICE, tags: tuple[str, ...] = ()) -> PostContext:
    return PostContext(
        post_text=post,
        guild_id=GUILD,
        channel_id=CHANNEL,
        post_message_id=5,
        post_author_id=POSTER,
        tags=tags,
        bot_present=False,
    )


def test_only_a_bot_member_replies_as_the_bot() -> None:
    assert delivery_for(PostContext(post_text=ALICE, guild_id=GUILD)) is Delivery.BOT_REPLY
    assert delivery_for(outside()) is Delivery.INTERACTION


def test_the_post_must_be_pasted_only_where_it_could_not_arrive() -> None:
    assert not needs_pasted_post(True, None)  # a member fetches it itself
    assert not needs_pasted_post(False, ALICE)  # a message command brought it
    assert needs_pasted_post(False, None)  # /advise with a link: nothing arrived
    assert needs_pasted_post(False, "   ")  # an image-only post


def test_an_interaction_response_posts_only_in_the_posts_channel() -> None:
    assert may_publish_here(outside(), CHANNEL)
    assert not may_publish_here(outside(), 999)  # e.g. the writer's DMs after a restart
    assert not may_publish_here(outside(), None)
    assert may_publish_here(PostContext(post_text=ALICE, channel_id=CHANNEL), 999)


def test_the_link_points_at_the_post() -> None:
    assert post_link(GUILD, CHANNEL, 5) == f"https://discord.com/channels/{GUILD}/{CHANNEL}/5"
    assert post_link(None, CHANNEL, 5) == f"https://discord.com/channels/@me/{CHANNEL}/5"
    assert post_link(GUILD, None, None) is None


async def test_a_servers_settings_do_not_apply_where_the_bot_is_not_a_member(
    flow: AdviceFlowService, configure: Configure
) -> None:
    """A strict configuration left from when the bot was there does not speak for the
    server now: the writer gets the defaults, as in a DM."""
    await configure(sensitivity=0.0, sharing_tags=("just sharing",))
    assert config_guild(outside()) is None
    inside = await flow.check(
        PostContext(post_text=ALICE, guild_id=GUILD, tags=("just sharing",)), "Nice!"
    )
    away = await flow.check(outside(tags=("just sharing",)), "Nice!")
    assert inside.threshold != away.threshold
    assert away.threshold == (await flow.check(PostContext(post_text=ALICE), "Nice!")).threshold


async def test_the_drafts_place_survives_storage_and_reaches_the_post_plan(
    flow: AdviceFlowService,
) -> None:
    draft_id = await flow.receive(WRITER, outside(), BOB)
    draft = await flow.finish(draft_id, outside())
    assert draft.context.bot_present is False
    revised = await flow.revise(draft.id, WRITER, BOB + " Good luck!")
    assert revised.context.bot_present is False
    assert (await flow.get_for(draft.id, WRITER)).context.bot_present is False
    plan = await flow.claim_post(draft.id, WRITER, Version.GENTLER, from_channel_id=CHANNEL)
    assert plan.bot_present is False and plan.channel_id == CHANNEL
    await flow.posted(plan, 77)
    assert (await flow.get_for(draft.id, WRITER)).status is DraftStatus.POSTED
    try:
        await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN)
    except FlowRefused:
        pass
    else:
        raise AssertionError("a posted draft was claimed again")


async def test_drafts_in_member_servers_read_as_before(flow: AdviceFlowService) -> None:
    draft = await flow.start(WRITER, PostContext(post_text=ALICE, guild_id=GUILD), BOB)
    assert (await flow.get_for(draft.id, WRITER)).context.bot_present is True


async def test_a_reply_the_bot_cannot_send_is_claimed_only_from_the_posts_channel(
    flow: AdviceFlowService,
) -> None:
    """After a restart the report reaches the writer by DM; a post button pressed there
    would answer in the DM, so it is refused and the draft stays open."""
    draft = await flow.start(WRITER, outside(), BOB)
    try:
        await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN, from_channel_id=999)
    except FlowRefused as exc:
        assert "channel of the post" in str(exc)
    else:
        raise AssertionError("claimed from another channel")
    assert (await flow.get_for(draft.id, WRITER)).status is DraftStatus.DRAFT
    plan = await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN, from_channel_id=CHANNEL)
    assert plan.bot_present is False
