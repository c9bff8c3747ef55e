"""Watch mode decisions: off by default, nudge or hold per channel, never lose the reply."""

from __future__ import annotations

import pytest

from bot.advice_flow import (
    AdviceFlowService,
    DraftStatus,
    FlowRefused,
    PostContext,
    Version,
    WatchAction,
    WatchedReply,
)
from bot.guild_config.model import AdvicePolicy
from tests.advice_flow.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    FORUM,
    GUILD,
    KIND,
    POSTER,
    THREAD,
    WRITER,
    Configure,
)


def reply(
    text: str = BOB,
    *,
    channel: int = CHANNEL,
    parent: int | None = None,
    author: int = WRITER,
    bot: bool = False,
    tags: tuple[str, ...] = (),
) -> WatchedReply:
    context = PostContext(
        post_text=ALICE,
        guild_id=GUILD,
        channel_id=channel,
        parent_id=parent,
        post_message_id=5,
        post_author_id=POSTER,
        tags=tags,
    )
    return WatchedReply(context, message_id=77, author_id=author, text=text, author_is_bot=bot)


async def test_watch_mode_is_off_unless_a_moderator_turns_it_on(
    flow: AdviceFlowService,
) -> None:
    plan = await flow.plan_watch(reply())
    assert plan.action is WatchAction.NONE and plan.draft is None
    assert await flow.store.get(1) is None  # nothing about the reply was stored


async def test_nudge_plans_a_dm_and_keeps_the_reply_up(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.NUDGE})
    plan = await flow.plan_watch(reply())
    assert plan.action is WatchAction.NUDGE and plan.draft is not None
    assert plan.draft.text == BOB and plan.draft.status is DraftStatus.WATCHED
    assert not plan.may_remove(dm_delivered=True)
    with pytest.raises(FlowRefused, match="already in the channel"):
        await flow.claim_post(plan.draft.id, WRITER, Version.GENTLER)


async def test_hold_removes_only_after_the_text_reached_the_writer(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.HOLD})
    closed = await flow.plan_watch(reply())
    assert closed.action is WatchAction.HOLD and not closed.may_remove(dm_delivered=False)
    await flow.watch_outcome(closed, dm_delivered=False, removed=False)
    assert closed.draft is not None
    assert (await flow.get_for(closed.draft.id, WRITER)).status is DraftStatus.KEPT

    open_ = await flow.plan_watch(reply())
    assert open_.may_remove(dm_delivered=True)
    await flow.watch_outcome(open_, dm_delivered=True, removed=True)
    assert open_.draft is not None
    held = await flow.get_for(open_.draft.id, WRITER)
    assert held.status is DraftStatus.HELD
    # From the DM, the writer can still publish it (gentler or as written).
    plan = await flow.claim_post(held.id, WRITER, Version.GENTLER)
    assert plan.text == held.gentle_text and plan.post_message_id == 5


async def test_a_forum_thread_inherits_its_forum_policy_and_tags(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(policies={FORUM: AdvicePolicy.NUDGE}, details_tags=("details welcome",))
    asked = await flow.plan_watch(reply(channel=THREAD, parent=FORUM, tags=("Details Welcome",)))
    assert asked.action is WatchAction.NONE
    untagged = await flow.plan_watch(reply(channel=THREAD, parent=FORUM))
    assert untagged.action is WatchAction.NUDGE


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"text": KIND}, "not flagged"),
        ({"bot": True}, "written by a bot"),
        ({"author": POSTER}, "a reply to their own post"),
    ],
)
async def test_replies_watch_mode_leaves_alone(
    flow: AdviceFlowService, configure: Configure, kwargs: dict[str, object], why: str
) -> None:
    await configure(policies={CHANNEL: AdvicePolicy.HOLD})
    plan = await flow.plan_watch(reply(**kwargs))  # type: ignore[arg-type]
    assert plan.action is WatchAction.NONE and plan.reasons == (why,)
