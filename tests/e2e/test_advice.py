"""Reply with care and watch mode, end to end: the real bot process against the fake Discord."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.guild_config import GuildConfigService
from bot.guild_config.model import AdvicePolicy, GuildConfig
from bot.guild_config.repository import GuildConfigRepository
from bot.storage import Database
from tests.e2e.conftest import StartBot
from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.fakediscord.components_v2 import custom_ids, texts
from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import ChannelType, Message
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
NO_PARSE: dict[str, list[str]] = {"parse": []}

ALICE = "I've just started running again! Did 2km today, mostly walking, but I'm proud of it."
BOB = (
    "You need to get a gait analysis before you run another step. Make sure you do 80% of runs "
    "in zone 2. Don't run two days in a row. You should be doing strength work twice a week, "
    "and watch out for shin splints. Also get proper shoes, the cheap ones will wreck your knees. "
    "@everyone listen up."
)
KIND = "That's a great start, well done! How did it feel to be out there again?"


async def seed_config(
    database_url: str, guild_id: int, change: Callable[[GuildConfig], None]
) -> None:
    """Configure the server in the bot's database before the bot starts, as /config would."""
    db = Database(database_url)
    try:
        await db.migrate()
        config = GuildConfig()
        change(config)
        await GuildConfigService(GuildConfigRepository(db)).replace(guild_id, config, actor_id=1)
    finally:
        await db.dispose()


async def start_configured(
    start_bot: StartBot, tmp_path: Path, guild_id: int, change: Callable[[GuildConfig], None]
) -> BotProcess:
    url = f"sqlite+aiosqlite:///{tmp_path / 'advice.db'}"
    await seed_config(url, guild_id, change)
    return await start_bot(database_url=url)


def button_ids(message: Message) -> list[str]:
    return custom_ids(message.components)


def button(message: Message, action: str) -> str:
    found = [cid for cid in button_ids(message) if cid.endswith(f":{action}")]
    assert found, f"no {action} button on the report: {button_ids(message)}"
    return found[0]


async def draft_reply(
    fake: FakeDiscord, club: PracticeClub, post: Message, text: str
) -> tuple[FakeInteraction, Message]:
    """Apps → Reply with care on ``post``, type ``text`` in the form; returns the report."""
    opened = await fake.send_message_command(club.moderator, "Reply with care", post)
    await opened.first_response(timeout=3)
    assert opened.modal is not None and opened.rejections == []
    submitted = await fake.send_modal_submit(opened.modal["custom_id"], {"reply": text})
    await submitted.first_response(timeout=3)
    report = await submitted.wait_for_edit(1, timeout=10)
    assert report.ephemeral or fake.world.message(submitted.original_message_id or 0).ephemeral
    assert submitted.original_message_id is not None
    return submitted, fake.world.message(submitted.original_message_id)


def is_published_reply(fake: FakeDiscord) -> Callable[[Message], bool]:
    """A reply the bot put in the channel for everyone (not an ephemeral report)."""
    return lambda m: m.author_id == fake.bot_user.id and not m.ephemeral and bool(m.embeds)


def embed_text(message: Message) -> str:
    """What a message shows: its embeds' titles and descriptions, or its V2 text displays."""
    embedded = [f"{e.get('title', '')}\n{e.get('description', '')}" for e in message.embeds]
    return "\n".join(embedded + texts(message.components))


async def test_reply_with_care_posts_the_gentler_version_attributed_to_its_writer(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake_discord, club, post, BOB)
    shown = embed_text(report)
    assert "pile of advice" in shown and "A gentler version" in shown
    assert "gait analysis" in shown  # the reasons quote the sentences behind them
    assert len(button_ids(report)) == 5  # gentler, as written, edit, cancel, mistake

    click = await fake_discord.send_component(report, button(report, "gentle"))
    await click.first_response(timeout=3)
    posted = await fake_discord.wait_for_message(club.general, is_published_reply(fake_discord))
    (embed,) = posted.embeds
    assert posted.reference_message_id == post.id
    assert embed["author"]["name"] == "Mo Moderator"
    assert "Mo Moderator" in embed["footer"]["text"]
    assert embed["description"] != BOB and embed["description"] in shown.replace("> ", "")
    assert posted.request.get("allowed_mentions") == NO_PARSE
    await click.wait_for_edit(1, timeout=5)
    assert "Posted" in embed_text(fake_discord.world.message(report.id))
    assert button_ids(fake_discord.world.message(report.id)) == []
    bot_posts = [
        m
        for m in fake_discord.messages_in(club.general, include_ephemeral=False)
        if m.author_id == fake_discord.bot_user.id
    ]
    assert bot_posts == [posted]


async def test_a_fine_draft_is_posted_as_written_in_one_click(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake_discord, club, post, KIND)
    assert "looks good" in embed_text(report)
    assert not any(
        cid.endswith(":gentle") or cid.endswith(":mistake") for cid in button_ids(report)
    )

    click = await fake_discord.send_component(report, button(report, "post"))
    await click.first_response(timeout=3)
    posted = await fake_discord.wait_for_message(
        club.general,
        is_published_reply(fake_discord),
    )
    assert posted.embeds[0]["description"] == KIND
    assert posted.reference_message_id == post.id


async def test_cancel_keeps_the_draft_and_edit_again_is_prefilled_with_it(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake_discord, club, post, BOB)

    cancel = await fake_discord.send_component(report, button(report, "cancel"))
    await cancel.wait_for_edit(1, timeout=5)
    cancelled = fake_discord.world.message(report.id)
    assert "Your draft is kept" in embed_text(cancelled) and "gait analysis" in embed_text(
        cancelled
    )

    edit = await fake_discord.send_component(cancelled, button(cancelled, "edit"))
    await edit.first_response(timeout=3)
    assert edit.modal is not None
    (row,) = edit.modal["components"]
    field = row["components"][0] if "components" in row else row["component"]
    assert field["value"] == BOB

    resubmit = await fake_discord.send_modal_submit(edit.modal["custom_id"], {"reply": KIND})
    await resubmit.wait_for_edit(1, timeout=10)
    assert "looks good" in embed_text(fake_discord.world.message(report.id))
    # Nothing was posted in the channel along the way.
    assert [m.id for m in fake_discord.messages_in(club.general, include_ephemeral=False)] == [
        post.id
    ]


async def test_someone_else_cannot_press_the_writers_buttons(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake_discord, club, post, BOB)
    intruder = await fake_discord.send_component(
        report, button(report, "post"), user_id=club.member
    )
    await intruder.wait_for_followups(1, timeout=5)
    assert "Only the person who wrote" in (intruder.followups[0].content or "")
    assert [m.id for m in fake_discord.messages_in(club.general, include_ephemeral=False)] == [
        post.id
    ]


async def test_mistake_is_recorded_for_moderators(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    club = practice_club
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake_discord, club, post, BOB)
    mistake = await fake_discord.send_component(report, button(report, "mistake"))
    await mistake.wait_for_followups(1, timeout=5)
    assert "false alarm" in (mistake.followups[0].content or "")


async def test_watch_mode_hold_with_closed_dms_leaves_the_reply_in_place(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    club = practice_club
    mod_log = fake_discord.add_channel(club.guild, "mod-log", ChannelType.GUILD_TEXT)
    closed = fake_discord.add_user("quiet_quinn", dms_closed=True, global_name="Quiet Quinn")
    fake_discord.add_member(club.guild, closed)

    def hold_general(config: GuildConfig) -> None:
        config.advice.channel_policies = {club.general.id: AdvicePolicy.HOLD}
        config.report_channel_id = mod_log.id

    await start_configured(start_bot, tmp_path, club.guild.id, hold_general)
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    reply = await fake_discord.send_message(club.general, closed, BOB, reply_to=post)

    note = await fake_discord.wait_for_message(mod_log, timeout=10)
    assert "left in place" in note.content and note.request.get("allowed_mentions") == NO_PARSE
    assert not fake_discord.world.messages[reply.id].deleted
    assert reply.id in [m.id for m in fake_discord.messages_in(club.general)]
    assert (
        fake_discord.requests_matching("DELETE", "/channels/{channel_id}/messages/{message_id}")
        == []
    )


async def test_watch_mode_hold_returns_the_full_text_by_dm_before_removing_the_reply(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    club = practice_club

    def hold_general(config: GuildConfig) -> None:
        config.advice.channel_policies = {club.general.id: AdvicePolicy.HOLD}

    await start_configured(start_bot, tmp_path, club.guild.id, hold_general)
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    reply = await fake_discord.send_message(club.general, club.moderator, BOB, reply_to=post)

    await fake_discord.wait_for(
        lambda: fake_discord.world.messages[reply.id].deleted, 10, "removal"
    )
    dms = fake_discord.dm_messages_to(club.moderator)
    assert BOB in dms[0].content
    delete = fake_discord.requests_matching(
        "DELETE", "/channels/{channel_id}/messages/{message_id}"
    )[0]
    first_dm = next(
        r
        for r in fake_discord.requests
        if r.method == "POST" and r.json and BOB in str(r.json.get("content"))
    )
    assert first_dm.at < delete.at

    # The DM offers to post it again, as a reply to the same post, under the writer's name.
    options = await fake_discord.wait_for(
        lambda: next(
            (m for m in fake_discord.dm_messages_to(club.moderator) if m.components), None
        ),
        10,
        "the DM report",
    )
    click = await fake_discord.send_component(
        options, button(options, "gentle"), user_id=club.moderator
    )
    await click.first_response(timeout=3)
    posted = await fake_discord.wait_for_message(club.general, is_published_reply(fake_discord))
    assert (
        posted.reference_message_id == post.id
        and posted.embeds[0]["author"]["name"] == "Mo Moderator"
    )


async def test_watch_mode_hold_returns_a_long_reply_whole_as_a_file(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    """Issue 13 #10: a reply that fits the channel but not a DM with its explanation
    comes back whole, as a text file, not in pieces."""
    club = practice_club
    long_reply = "\n\n".join([BOB] * 6) + "\n\n" + " ".join(["Trust me, I have run for years."] * 7)
    assert 1800 < len(long_reply) < 2000

    def hold_general(config: GuildConfig) -> None:
        config.advice.channel_policies = {club.general.id: AdvicePolicy.HOLD}

    await start_configured(start_bot, tmp_path, club.guild.id, hold_general)
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    reply = await fake_discord.send_message(club.general, club.moderator, long_reply, reply_to=post)

    await fake_discord.wait_for(
        lambda: fake_discord.world.messages[reply.id].deleted, 10, "removal"
    )
    given = fake_discord.dm_messages_to(club.moderator)[0]
    (attachment,) = given.attachments
    assert attachment.filename.endswith(".txt")
    assert attachment.data.decode("utf-8") == long_reply
    assert "attached whole" in given.content and "…" not in given.content


async def test_watch_mode_nudges_in_a_forum_using_its_tags(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    club = practice_club

    def nudge_help(config: GuildConfig) -> None:
        config.advice.channel_policies = {club.help.id: AdvicePolicy.NUDGE}
        config.advice.sharing_tags = ["just started"]
        config.advice.details_tags = ["details welcome"]

    await start_configured(start_bot, tmp_path, club.guild.id, nudge_help)
    asked = fake_discord.add_thread(
        club.help, "10k plan?", club.member, applied_tags=[club.tag_details_welcome.id]
    )
    shared = fake_discord.add_thread(
        club.help, "Back to running", club.member, applied_tags=[club.tag_just_started.id]
    )
    for thread in (asked, shared):
        await fake_discord.dispatch_thread_create(thread)
    neutral = "Here is my running log for the week."
    await fake_discord.send_message(asked, club.member, neutral)
    await fake_discord.send_message(asked, club.moderator, BOB)
    await fake_discord.send_message(shared, club.member, neutral)
    nudged_reply = await fake_discord.send_message(shared, club.moderator, BOB)

    dm = await fake_discord.wait_for(
        lambda: next(iter(fake_discord.dm_messages_to(club.moderator)), None), 10, "a nudge DM"
    )
    assert "still posted" in embed_text(dm)
    assert button_ids(dm) and button_ids(dm)[0].endswith(":mistake")
    assert len(fake_discord.dm_messages_to(club.moderator)) == 1  # not for the "details" thread
    assert not fake_discord.world.messages[nudged_reply.id].deleted


async def test_advise_by_message_link_opens_the_form_and_bad_links_get_a_reason(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    bad = await club_member(fake_discord, club, club.moderator).run(
        "/advise", message_link="not a link"
    )
    answer = await bad.first_response(timeout=3)
    assert answer.ephemeral and "isn't a message link" in (answer.content or "")

    link = f"https://discord.com/channels/{club.guild.id}/{club.general.id}/{post.id}"
    opened = await club_member(fake_discord, club, club.moderator).run("/advise", message_link=link)
    await opened.first_response(timeout=3)
    assert opened.modal is not None
    submitted = await fake_discord.send_modal_submit(opened.modal["custom_id"], {"reply": BOB})
    await submitted.wait_for_edit(1, timeout=10)
    assert submitted.original_message_id is not None
    report = fake_discord.world.message(submitted.original_message_id)
    assert "pile of advice" in embed_text(report)


async def test_report_buttons_still_work_after_a_restart(
    start_bot: StartBot, fake_discord: FakeDiscord, practice_club: PracticeClub, tmp_path: Path
) -> None:
    club = practice_club
    first = await start_bot(data_dir=tmp_path / "data")
    post = await fake_discord.send_message(club.general, club.member, ALICE)
    _, report = await draft_reply(fake_discord, club, post, BOB)
    await first.stop()
    await start_bot(data_dir=tmp_path / "data")

    click = await fake_discord.send_component(report, button(report, "post"))
    await click.first_response(timeout=3)
    posted = await fake_discord.wait_for_message(club.general, is_published_reply(fake_discord))
    assert posted.embeds[0]["description"] == BOB


async def test_a_sarcastic_reply_is_flagged_in_reply_with_care(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(
        club.general, club.member, "Just started learning guitar, I can play 3 chords now!"
    )
    _, report = await draft_reply(fake_discord, club, post, "lol good luck with that")
    shown = embed_text(report)
    assert "Sarcastic or dismissive" in shown
    assert "> lol good luck with that" in shown  # the sentence behind the reason, quoted
    assert "shares a start" in shown  # which intent was used, and why
    assert any(cid.endswith(":gentle") for cid in button_ids(report))
    assert "good luck with that" not in shown.split("A gentler version")[1]


async def test_a_draft_in_another_language_is_named_not_passed_and_kept(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club = practice_club
    post = await fake_discord.send_message(
        club.general, club.member, "Empecé a correr esta semana, ¡ya hice 3 km!"
    )
    draft = (
        "Deberías calentar primero, no corras todos los días, compra mejores zapatillas y "
        "controla tu pulso siempre."
    )
    _, report = await draft_reply(fake_discord, club, post, draft)
    shown = embed_text(report)
    assert "can't check replies in Spanish yet" in shown
    assert "looks good" not in shown
    # Nothing the writer typed is lost: posting it as written publishes it whole.
    click = await fake_discord.send_component(report, button(report, "post"))
    await click.first_response(timeout=3)
    posted = await fake_discord.wait_for_message(club.general, is_published_reply(fake_discord))
    assert posted.embeds[0]["description"] == draft
