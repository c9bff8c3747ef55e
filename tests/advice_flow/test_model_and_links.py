"""The optional model's gentler version, and reading pasted message links."""

from __future__ import annotations

import json

import pytest

from bot.advice import Intent
from bot.advice_flow import BadLink, PostContext, intent_from_tags, parse_message_link
from bot.storage import Database
from tests.advice_flow.conftest import ALICE, BOB, CHANNEL, GUILD, KIND, POSTER, WRITER, make_flow
from tests.llm_fakes import RecordingChatModel

REWRITE = "Well done on getting out there! If you ever want tips on shoes, just ask."


def context() -> PostContext:
    return PostContext(ALICE, GUILD, CHANNEL, None, 5, POSTER)


async def test_a_configured_model_writes_the_gentler_version_but_not_the_verdict(
    database: Database,
) -> None:
    model = RecordingChatModel(reply="Here is a gentler version:\n" + REWRITE)
    flow = make_flow(database, model)
    draft = await flow.start(WRITER, context(), BOB)
    improved = await flow.improve(draft)
    assert improved is not None
    assert improved.gentle_text == REWRITE and improved.gentle_source == "model"
    assert improved.flagged and improved.report == draft.report
    # Member text travels only as data, never in the instructions.
    system, human = model.received[0]
    assert BOB not in str(system.content) and ALICE not in str(system.content)
    data = json.loads(str(human.content).split("<data>")[1].split("</data>")[0])
    assert data["draft_reply"] == BOB and data["post"] == ALICE


async def test_a_slow_model_leaves_the_checkers_version(database: Database) -> None:
    model = RecordingChatModel(reply=REWRITE, delay=3.0)
    flow = make_flow(database, model)  # budget 0.5 s
    draft = await flow.start(WRITER, context(), BOB)
    assert await flow.improve(draft) is None
    kept = await flow.get_for(draft.id, WRITER)
    assert kept.gentle_source == "checker" and kept.gentle_text == draft.report.suggestion


async def test_the_model_is_not_asked_about_a_reply_that_is_fine(database: Database) -> None:
    model = RecordingChatModel(reply=REWRITE)
    flow = make_flow(database, model)
    draft = await flow.start(WRITER, context(), KIND)
    assert await flow.improve(draft) is None
    assert model.received == []


async def test_a_rewrite_of_an_older_text_is_dropped(database: Database) -> None:
    model = RecordingChatModel(reply=REWRITE)
    flow = make_flow(database, model)
    draft = await flow.start(WRITER, context(), BOB)
    await flow.revise(draft.id, WRITER, BOB + " Also stretch.")
    assert await flow.improve(draft) is None


def test_message_links_from_this_server_are_understood() -> None:
    link = parse_message_link("https://discord.com/channels/10/20/30", 10)
    assert (link.guild_id, link.channel_id, link.message_id) == (10, 20, 30)
    assert parse_message_link("<https://ptb.discordapp.com/channels/10/20/30>", 10).message_id == 30


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("hello", "isn't a message link"),
        ("https://discord.com/channels/10/20", "isn't a message link"),
        ("https://discord.com/channels/11/20/30", "another server"),
        ("https://discord.com/channels/@me/20/30", "another server"),
    ],
)
def test_bad_links_get_a_clear_reason(text: str, why: str) -> None:
    with pytest.raises(BadLink, match=why):
        parse_message_link(text, 10)


def test_a_details_tag_wins_over_a_sharing_tag() -> None:
    assert (
        intent_from_tags(["Just started", "details welcome"], ["just started"], ["Details Welcome"])
        is Intent.DETAILS
    )
    assert intent_from_tags(["just started"], ["just started"], []) is Intent.SHARING
    assert intent_from_tags(["other"], ["just started"], ["details"]) is Intent.UNKNOWN
