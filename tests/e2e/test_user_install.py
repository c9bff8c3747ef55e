"""User installs, end to end: the real bot process against the fake Discord.

A member who added Touchstone to their own account uses it in a server whose moderators
never added the bot (the bot gets no events there and can't read its channels), and in
their DM with the bot. The fake enforces what Discord does there (authorizing owners,
five follow-ups, 50001 on the channel) so a flow that leans on the bot being present
fails here.
"""

from __future__ import annotations

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.members import Member
from tests.e2e.test_advice import ALICE, BOB, button, embed_text
from tests.e2e.test_ask_feedback import QUESTION, TIMEOUT, sources, text_of
from tests.fakediscord.components_v2 import walk
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Channel, ChannelType, Guild, Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e


def elsewhere(fake: FakeDiscord, club: PracticeClub) -> tuple[Guild, Channel]:
    """ "Running Club": no Touchstone bot; Pat (who installed the app) is a member."""
    guild = fake.add_guild("Running Club", add_bot=False)
    fake.add_member(guild, club.member)
    return guild, fake.add_channel(guild, "beginners", ChannelType.GUILD_TEXT)


def published(fake: FakeDiscord, channel: Channel) -> list[Message]:
    return [
        m
        for m in fake.messages_in(channel, include_ephemeral=False)
        if m.author_id == fake.bot_user.id
    ]


async def test_reply_with_care_from_draft_to_posted_reply_where_the_bot_is_not_a_member(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, pat = fake_discord, practice_club.member
    guild, beginners = elsewhere(fake, practice_club)
    post = await fake.send_message(beginners, guild.owner_id, ALICE)

    opened = await fake.send_message_command(pat, "Reply with care", post)
    await opened.first_response(timeout=3)
    assert opened.user_install_only and opened.modal is not None
    fields = [c["custom_id"] for c in walk(opened.modal["components"]) if "custom_id" in c]
    # The post's text came with the command: nothing to paste; the poster's intent is asked.
    assert fields == ["reply", "intent"]

    submitted = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": BOB})
    await submitted.first_response(timeout=3)
    await submitted.wait_for_edit(1, timeout=10)
    report = fake.world.message(submitted.original_message_id or 0)
    assert report.ephemeral  # the report is private
    shown = embed_text(report)
    assert "pile of advice" in shown and "A gentler version" in shown
    assert published(fake, beginners) == []

    click = await fake.send_component(report, button(report, "gentle"))
    assert click.user_install_only  # the button acts for Pat's install too
    await click.first_response(timeout=3)
    (reply,) = await click.wait_for_followups(1, timeout=10)
    assert not reply.ephemeral
    (posted,) = published(fake, beginners)
    assert posted.interaction_id == click.id  # the button's own response, in the channel
    (embed,) = posted.embeds
    assert embed["author"]["name"] == "Pat Member"
    assert embed["description"] != BOB and embed["description"] in shown.replace("> ", "")
    link = f"https://discord.com/channels/{guild.id}/{beginners.id}/{post.id}"
    assert link in embed["fields"][0]["value"]
    assert posted.request.get("allowed_mentions") == {"parse": []}
    await click.wait_for_edit(1, timeout=5)
    assert "Posted" in embed_text(fake.world.message(report.id))
    # Never a channel call the bot has no access to (no fetch, no bot message).
    assert [r.key for r in fake.requests if r.status == 403] == []


async def test_advise_by_link_asks_for_the_post_where_the_bot_cannot_read_it(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, pat = fake_discord, practice_club.member
    guild, beginners = elsewhere(fake, practice_club)
    post = await fake.send_message(beginners, guild.owner_id, ALICE)
    link = f"https://discord.com/channels/{guild.id}/{beginners.id}/{post.id}"
    opened = await Member(fake, guild, beginners, pat).run("/advise", message_link=link)
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    fields = [c["custom_id"] for c in walk(opened.modal["components"]) if "custom_id" in c]
    assert fields == ["post", "reply", "intent"]
    submitted = await fake.send_modal_submit(
        opened.modal["custom_id"], {"post": ALICE, "reply": BOB}
    )
    await submitted.wait_for_edit(1, timeout=10)
    report = fake.world.message(submitted.original_message_id or 0)
    assert report.ephemeral and "pile of advice" in embed_text(report)


async def test_ask_in_a_dm_with_a_user_install(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    pat = practice_club.member
    dm = fake_discord.world.dm_channel(pat)
    asked = await Member(fake_discord, None, dm, pat).run(
        "/ask", user_install=True, question=QUESTION
    )
    await asked.first_response(timeout=3)
    assert asked.authorizing_integration_owners == {"1": str(pat.id)} and asked.context == 1
    (answer,) = await asked.wait_for_followups(1, timeout=TIMEOUT)
    assert sources(text_of(answer)), text_of(answer)
    assert asked.rejections == []


async def test_a_dialogue_where_the_bot_is_not_a_member_points_to_the_dm(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    """A dialogue needs a thread the bot can write in; there it can't, so it says where
    to run it instead of failing on the channel."""
    fake, pat = fake_discord, practice_club.member
    guild, beginners = elsewhere(fake, practice_club)
    started = await Member(fake, guild, beginners, pat).run(
        "/impossible", user_install=True, goal="run a marathon"
    )
    await started.first_response(timeout=3)
    (said,) = await started.wait_for_followups(1, timeout=TIMEOUT)
    assert said.ephemeral
    assert "DM" in text_of(said), text_of(said)
    assert published(fake, beginners) == []
    assert [r.key for r in fake.requests if r.status == 403] == []
