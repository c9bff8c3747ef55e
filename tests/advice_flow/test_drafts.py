"""The draft flow: saved first, checked with the server's settings, posted at most once."""

from __future__ import annotations

import pytest

from bot.advice import Intent
from bot.advice_flow import (
    AdviceFlowService,
    DraftStatus,
    FlowRefused,
    PostContext,
    PostPlan,
    Version,
)
from bot.storage import Database
from tests.advice_flow.conftest import (
    ALICE,
    BOB,
    CHANNEL,
    GUILD,
    KIND,
    NEUTRAL_POST,
    POSTER,
    WRITER,
    Configure,
    make_flow,
)


def context(post: str = ALICE, tags: tuple[str, ...] = ()) -> PostContext:
    return PostContext(
        post_text=post,
        guild_id=GUILD,
        channel_id=CHANNEL,
        post_message_id=5,
        post_author_id=POSTER,
        tags=tags,
    )


async def test_bobs_pile_of_warnings_is_flagged_with_a_gentler_version(
    flow: AdviceFlowService,
) -> None:
    draft = await flow.start(WRITER, context(), BOB)
    assert draft.flagged and draft.status is DraftStatus.DRAFT
    assert draft.offers_gentler and draft.gentle_text != BOB
    assert {r.code for r in draft.report.reasons} >= {"many_points"}
    assert (await flow.get_for(draft.id, WRITER)).text == BOB


async def test_a_kind_reply_is_not_flagged_and_posts_as_written(flow: AdviceFlowService) -> None:
    draft = await flow.start(WRITER, context(), KIND)
    assert not draft.flagged and not draft.offers_gentler
    with pytest.raises(FlowRefused, match="no gentler version"):
        await flow.claim_post(draft.id, WRITER, Version.GENTLER)
    plan = await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN)
    assert plan.text == KIND and plan.channel_id == CHANNEL and plan.post_message_id == 5


async def test_the_text_is_saved_even_when_the_check_fails(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = make_flow(database)

    async def broken(*args: object) -> None:
        raise RuntimeError("checker bug")

    monkeypatch.setattr(flow, "check", broken)
    with pytest.raises(RuntimeError):
        await flow.start(WRITER, context(), BOB)
    # The draft row exists with its text although no report was produced.
    assert await flow.saved_text(1, WRITER) == BOB
    assert await flow.saved_text(1, WRITER + 1) is None


async def test_the_gentler_button_posts_the_gentler_text_once(flow: AdviceFlowService) -> None:
    draft = await flow.start(WRITER, context(), BOB)
    plan = await flow.claim_post(draft.id, WRITER, Version.GENTLER)
    assert plan.text == draft.gentle_text and plan.version is Version.GENTLER
    with pytest.raises(FlowRefused, match="being posted"):
        await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN)
    await flow.posted(plan, 999)
    posted = await flow.get_for(draft.id, WRITER)
    assert posted.status is DraftStatus.POSTED and posted.posted_message_id == 999
    with pytest.raises(FlowRefused, match="already posted"):
        await flow.claim_post(draft.id, WRITER, Version.GENTLER)
    with pytest.raises(FlowRefused, match="already posted"):
        await flow.revise(draft.id, WRITER, KIND)


async def test_a_failed_send_reopens_the_draft(flow: AdviceFlowService) -> None:
    draft = await flow.start(WRITER, context(), BOB)
    plan = await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN)
    await flow.post_failed(plan)
    again = await flow.claim_post(draft.id, WRITER, Version.AS_WRITTEN)
    assert again.text == BOB


async def test_publish_confirms_a_sent_post_and_reopens_a_failed_one(
    flow: AdviceFlowService,
) -> None:
    draft = await flow.start(WRITER, context(), BOB)

    async def cut_off(plan: PostPlan) -> int:
        raise ConnectionError("the channel went away")

    with pytest.raises(ConnectionError):
        await flow.publish(draft.id, WRITER, Version.AS_WRITTEN, cut_off, id_of=lambda i: i)
    assert (await flow.get_for(draft.id, WRITER)).status is not DraftStatus.POSTED

    async def delivered(plan: PostPlan) -> int:
        return 4242

    plan, sent = await flow.publish(
        draft.id, WRITER, Version.AS_WRITTEN, delivered, id_of=lambda i: i
    )
    assert plan.text == BOB and sent == 4242
    posted = await flow.get_for(draft.id, WRITER)
    assert posted.status is DraftStatus.POSTED and posted.posted_message_id == 4242


async def test_only_the_writer_can_use_the_buttons(flow: AdviceFlowService) -> None:
    draft = await flow.start(WRITER, context(), BOB)
    other = WRITER + 1
    for attempt in (
        flow.claim_post(draft.id, other, Version.AS_WRITTEN),
        flow.cancel(draft.id, other),
        flow.revise(draft.id, other, KIND),
        flow.mistake(draft.id, other),
    ):
        with pytest.raises(FlowRefused, match="Only the person who wrote"):
            await attempt
    assert (await flow.get_for(draft.id, WRITER)).status is DraftStatus.DRAFT


async def test_cancel_keeps_the_draft_and_edit_again_reopens_it(flow: AdviceFlowService) -> None:
    draft = await flow.start(WRITER, context(), BOB)
    cancelled = await flow.cancel(draft.id, WRITER)
    assert cancelled.status is DraftStatus.CANCELLED and cancelled.text == BOB
    revised = await flow.revise(draft.id, WRITER, KIND)
    assert revised.status is DraftStatus.DRAFT and revised.text == KIND
    assert not revised.flagged


async def test_empty_or_oversized_drafts_are_refused_with_a_reason(
    flow: AdviceFlowService,
) -> None:
    with pytest.raises(FlowRefused, match="empty"):
        await flow.start(WRITER, context(), "   ")
    with pytest.raises(FlowRefused, match="limit is 4000"):
        await flow.start(WRITER, context(), "x" * 4001)


async def test_server_sensitivity_decides_what_is_flagged(
    flow: AdviceFlowService, configure: Configure
) -> None:
    # Two small unasked tips: borderline, so the server's setting decides.
    mild = "Nice work! Maybe think about proper shoes at some point, and stretch after runs."
    await configure(sensitivity=0.0)
    assert not (await flow.start(WRITER, context(), mild)).flagged
    await configure(sensitivity=1.0)
    assert (await flow.start(WRITER, context(), mild)).flagged


async def test_forum_tags_tell_the_check_what_was_asked(
    flow: AdviceFlowService, configure: Configure
) -> None:
    await configure(sharing_tags=("Just Started",), details_tags=("details welcome",))
    asked = await flow.start(WRITER, context(ALICE, tags=("details welcome",)), BOB)
    assert not asked.flagged and asked.report.intent is Intent.DETAILS
    sharing = await flow.start(WRITER, context(NEUTRAL_POST, tags=("just started",)), BOB)
    assert sharing.flagged and sharing.report.intent is Intent.SHARING
    assert sharing.report.intent_source == "given"
    untagged = await flow.start(WRITER, context(ALICE, tags=("unrelated",)), BOB)
    assert untagged.report.intent_source == "inferred"


async def test_false_alarms_are_recorded_once_and_listed_for_the_server(
    flow: AdviceFlowService,
) -> None:
    draft = await flow.start(WRITER, context(), BOB)
    assert await flow.mistake(draft.id, WRITER) is True
    assert await flow.mistake(draft.id, WRITER) is False
    (alarm,) = await flow.false_alarms(GUILD)
    assert (alarm.user_id, alarm.reply_text, alarm.post_text) == (WRITER, BOB, ALICE)
    assert await flow.false_alarms(GUILD + 1) == []
    fine = await flow.start(WRITER, context(), KIND)
    with pytest.raises(FlowRefused, match="wasn't flagged"):
        await flow.mistake(fine.id, WRITER)
