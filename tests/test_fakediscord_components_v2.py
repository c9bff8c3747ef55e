"""The fake Discord's Components V2 and modal inputs, proven against a real discord.py client.

A V2 message (flag 1 << 15) is laid out only in components; the fake accepts what
discord.py's ``LayoutView`` sends and refuses, with Discord's 400 / 50035, what Discord
refuses: content or embeds beside the flag, more than 40 components, more than 4,000
characters of text display, modal-only inputs on a message, and form inputs outside
their limits. Modal submissions carry checkbox, radio and file-upload answers back in
the shape discord.py reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord.ext import commands

from tests.fakediscord import FakeDiscord, PracticeClub
from tests.fakediscord.plugin import fake_discord, practice_club

__all__ = ["fake_discord", "practice_club"]
pytestmark = pytest.mark.mentions_unchecked

V2 = 1 << 15


class Card(discord.ui.LayoutView):
    """One container: a heading, a section with a button beside its text, a separator."""

    def __init__(self, clicks: list[str]) -> None:
        super().__init__(timeout=None)
        button: discord.ui.Button[Card] = discord.ui.Button(label="Open", custom_id="card:open")

        async def clicked(interaction: discord.Interaction) -> None:
            clicks.append(button.custom_id or "")
            await interaction.response.send_message("opened", ephemeral=True)

        button.callback = clicked  # type: ignore[method-assign]
        self.add_item(
            discord.ui.Container(
                discord.ui.TextDisplay("## A card"),
                discord.ui.Section(discord.ui.TextDisplay("beside a button"), accessory=button),
                discord.ui.Separator(),
                discord.ui.TextDisplay("the end"),
            )
        )


class Survey(discord.ui.Modal, title="Survey"):
    """Every modal input Discord added in 2025, each in a label."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        super().__init__(custom_id="survey")
        self.answers = answers
        self.days: discord.ui.CheckboxGroup[Survey] = discord.ui.CheckboxGroup(
            custom_id="days",
            options=[discord.CheckboxGroupOption(label=d, value=d) for d in ("mon", "wed", "fri")],
            min_values=1,
            max_values=3,
        )
        self.intent: discord.ui.RadioGroup[Survey] = discord.ui.RadioGroup(
            custom_id="intent",
            options=[discord.RadioGroupOption(label=v, value=v) for v in ("share", "ask")],
        )
        self.upload: discord.ui.FileUpload[Survey] = discord.ui.FileUpload(
            custom_id="file", max_values=1
        )
        self.agree: discord.ui.Checkbox[Survey] = discord.ui.Checkbox(custom_id="agree")
        self.add_item(discord.ui.Label(text="Days", component=self.days))
        self.add_item(discord.ui.Label(text="Intent", component=self.intent))
        self.add_item(discord.ui.Label(text="Note file", component=self.upload))
        self.add_item(discord.ui.Label(text="Agree", component=self.agree))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        files = [(a.filename, await a.read()) for a in self.upload.values]
        self.answers.append(
            {
                "days": list(self.days.values),
                "intent": self.intent.value,
                "agree": self.agree.value,
                "files": files,
            }
        )
        await interaction.response.send_message("saved", ephemeral=True)


class LayoutBot(commands.AutoShardedBot):
    """Sends a V2 card and opens the survey; collects what comes back."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=0.1,
        )
        self.ready = asyncio.Event()
        self.clicks: list[str] = []
        self.answers: list[dict[str, Any]] = []
        self.raw_modal: dict[str, Any] = {}
        self.refusals: list[discord.HTTPException] = []

        @self.tree.command(description="Show a card")
        async def card(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(view=Card(self.clicks))

        @self.tree.command(description="Fill in the survey")
        async def survey(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Survey(self.answers))

        @self.tree.command(description="Open the raw modal the test set")
        async def rawmodal(interaction: discord.Interaction) -> None:
            # Bypass discord.py's own validation to reach Discord's.
            route = discord.http.Route(
                "POST",
                "/interactions/{interaction_id}/{token}/callback",
                interaction_id=interaction.id,
                token=interaction.token,
            )
            try:
                await self.http.request(route, json={"type": 9, "data": self.raw_modal})
            except discord.HTTPException as exc:
                self.refusals.append(exc)
            await interaction.response.send_message("refused")

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No wait between IDENTIFYs."""

    async def on_ready(self) -> None:
        self.ready.set()


@pytest.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[LayoutBot]:
    running = LayoutBot()
    with fake_discord.patch_discord():
        task = asyncio.create_task(running.start(fake_discord.token))
        try:
            await asyncio.wait_for(running.ready.wait(), 10)
            yield running
        finally:
            await running.close()
            await asyncio.wait_for(task, 10)


async def _post(bot: LayoutBot, channel_id: int, body: dict[str, Any]) -> discord.HTTPException:
    """Send a raw message body (bypassing discord.py's own checks) and return Discord's refusal."""
    route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
    with pytest.raises(discord.HTTPException) as info:
        await bot.http.request(route, json=body)
    return info.value


def _text(content: str) -> dict[str, Any]:
    return {"type": 10, "content": content}


async def test_a_layout_view_is_stored_with_the_flag_and_its_button_works(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: LayoutBot
) -> None:
    club = practice_club
    command = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "card"
    )
    reply = await command.first_response()
    assert reply.flags & V2 and not reply.content and not reply.embeds
    stored = fake_discord.world.message(command.original_message_id or 0)
    container = stored.components[0]
    assert container["type"] == 17
    assert [c["type"] for c in container["components"]] == [10, 9, 14, 10]
    click = await fake_discord.send_component(stored, "card:open")
    assert (await click.first_response()).content == "opened"
    assert bot.clicks == ["card:open"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"content": "hi"}, "content"), ({"embeds": [{"title": "old style"}]}, "embeds")],
)
async def test_content_or_embeds_beside_the_v2_flag_are_refused(
    practice_club: PracticeClub, bot: LayoutBot, extra: dict[str, Any], field: str
) -> None:
    body = {"flags": V2, "components": [_text("fine")], **extra}
    refused = await _post(bot, practice_club.general.id, body)
    assert refused.status == 400 and refused.code == 50035
    assert field in refused.text


async def test_more_than_forty_components_are_refused(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: LayoutBot
) -> None:
    # A container of 39 text displays is 40 components: allowed. One more is not.
    allowed = {"flags": V2, "components": [{"type": 17, "components": [_text("x")] * 39}]}
    route = discord.http.Route(
        "POST", "/channels/{channel_id}/messages", channel_id=practice_club.general.id
    )
    await bot.http.request(route, json=allowed)
    too_many = {"flags": V2, "components": [{"type": 17, "components": [_text("x")] * 40}]}
    refused = await _post(bot, practice_club.general.id, too_many)
    assert refused.code == 50035
    assert "components" in fake_discord.requests[-1].response["errors"]


async def test_text_displays_share_four_thousand_characters(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: LayoutBot
) -> None:
    body = {"flags": V2, "components": [_text("a" * 2000), _text("b" * 2001)]}
    refused = await _post(bot, practice_club.general.id, body)
    assert refused.code == 50035
    errors = fake_discord.requests[-1].response["errors"]["components"]["_errors"]
    assert errors[0]["code"] == "COMPONENT_TEXT_DISPLAY_TOTAL_LENGTH_EXCEEDED"


async def test_v2_layout_types_need_the_flag_and_modal_inputs_stay_in_modals(
    practice_club: PracticeClub, bot: LayoutBot
) -> None:
    without_flag = {"components": [_text("no flag")]}
    assert (await _post(bot, practice_club.general.id, without_flag)).code == 50035
    checkbox_on_message = {
        "flags": V2,
        "components": [{"type": 1, "components": [{"type": 23, "custom_id": "c"}]}],
    }
    assert (await _post(bot, practice_club.general.id, checkbox_on_message)).code == 50035
    section_without_accessory = {
        "flags": V2,
        "components": [{"type": 9, "components": [_text("x")]}],
    }
    assert (await _post(bot, practice_club.general.id, section_without_accessory)).code == 50035


@pytest.mark.parametrize(
    ("component", "field"),
    [
        (
            {
                "type": 22,
                "custom_id": "g",
                "options": [{"label": str(i), "value": str(i)} for i in range(11)],
            },
            "component.options",
        ),
        (
            {"type": 21, "custom_id": "r", "options": [{"label": "one", "value": "one"}]},
            "component.options",
        ),
        ({"type": 19, "custom_id": "f", "max_values": 11}, "component.max_values"),
        ({"type": 23, "custom_id": "c"}, "label"),
    ],
)
async def test_modal_inputs_outside_their_limits_are_refused(
    fake_discord: FakeDiscord,
    practice_club: PracticeClub,
    bot: LayoutBot,
    component: dict[str, Any],
    field: str,
) -> None:
    label = "L" * 46 if field == "label" else "L"
    bot.raw_modal = {
        "custom_id": "m",
        "title": "Bad",
        "components": [{"type": 18, "label": label, "component": component}],
    }
    club = practice_club
    opened = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "rawmodal"
    )
    assert (await opened.first_response()).content == "refused"
    refused = bot.refusals[-1]
    assert refused.status == 400 and refused.code == 50035
    assert f"data.components.0.{field}" in refused.text


async def test_a_submitted_survey_carries_checkboxes_radio_and_the_uploaded_file(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: LayoutBot
) -> None:
    club = practice_club
    opened = await fake_discord.send_slash_command(
        club.guild.id, club.general.id, club.member.id, "survey"
    )
    await opened.first_response()
    assert opened.modal is not None
    assert [row["component"]["type"] for row in opened.modal["components"]] == [22, 21, 19, 23]
    with pytest.raises(ValueError, match="offers no option"):
        await fake_discord.send_modal_submit("survey", {"days": ["sun"], "intent": "ask"})
    submitted = await fake_discord.send_modal_submit(
        "survey",
        {
            "days": ["mon", "fri"],
            "intent": "ask",
            "file": ("note.md", b"# A note\n"),
            "agree": True,
        },
    )
    assert (await submitted.first_response()).content == "saved"
    assert "attachments" in submitted.payload["data"]["resolved"]
    assert bot.answers == [
        {
            "days": ["mon", "fri"],
            "intent": "ask",
            "agree": True,
            "files": [("note.md", b"# A note\n")],
        }
    ]


async def test_a_message_becomes_v2_on_edit_only_with_its_content_cleared(
    fake_discord: FakeDiscord, practice_club: PracticeClub, bot: LayoutBot
) -> None:
    channel = bot.get_channel(practice_club.general.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("plain text first")
    with pytest.raises(discord.HTTPException) as info:
        await sent.edit(view=Card(bot.clicks))
    assert info.value.code == 50035 and "content" in info.value.text
    await sent.edit(content=None, view=Card(bot.clicks))
    stored = fake_discord.world.message(sent.id)
    assert stored.flags & V2 and stored.content == "" and stored.components[0]["type"] == 17
