"""The privilege ladder, enforced in code, through the fake Discord with the real bot.

Server owner, administrator, Manage Server and the configured moderator role may use
every /config and /knowledge command that changes something; a plain member may not,
and nobody can in a DM. ``default_permissions`` is only a hint, so the fake delivers
every command to everyone, exactly as a server that changed its integration settings
would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.members import Member, club_member
from tests.fakediscord.interactions import CallbackType, FakeInteraction, InteractionResponse
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import User
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
REFUSED_IN_SERVER = "Only this server's moderators can do that"
REFUSED_IN_DM = "only works inside a server"


@dataclass(frozen=True)
class Call:
    group: str
    subcommand: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"/{self.group} {self.subcommand}"


def text_of(response: InteractionResponse) -> str:
    parts = [response.content or ""]
    parts += [str(embed.get("description", "")) for embed in response.embeds]
    return "\n".join(parts)


async def outcome(interaction: FakeInteraction) -> str:
    """What the person saw: the reply, the follow-up after a defer, or that a form opened."""
    first = await interaction.first_response(timeout=3)
    assert first.ephemeral or first.callback_type == CallbackType.MODAL
    if first.callback_type == CallbackType.MODAL:
        return "(form opened)"
    if first.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
        (followup, *_) = await interaction.wait_for_followups(1, timeout=30)
        assert followup.allowed_mentions == {"parse": []}
        return text_of(followup)
    assert first.allowed_mentions == {"parse": []}
    return text_of(first)


async def test_only_the_moderator_ladder_can_change_configuration_and_knowledge(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    club, fake = practice_club, fake_discord
    # The "Moderator" role has no Manage Server permission: the owner configures it.
    setup = await club_member(fake, club, club.owner).run(
        "/config set", key="moderator_role_ids", value=f"<@&{club.moderator_role.id}>"
    )
    assert "moderator_role_ids" in await outcome(setup)

    export = await club_member(fake, club, club.owner).run("/config export")
    (exported,) = (await export.first_response(timeout=3)).files
    calls = [
        Call("config", "set", {"key": "advice.sensitivity", "value": "0.6"}),
        Call("config", "reset", {"key": "advice.sensitivity"}),
        Call("config", "reset"),
        Call("config", "import", {"file": ("settings.json", exported.data)}),
        Call("config", "panel"),
        Call("config", "show"),
        Call("config", "export"),
        Call("config", "history"),
        Call("config", "false-alarms"),
        Call("knowledge", "add"),
        Call("knowledge", "remove", {"note_id": "no-such-note"}),
    ]
    allowed: list[tuple[str, User]] = [
        ("owner", club.owner),
        ("administrator", club.admin),
        ("Manage Server", club.manager),
        ("moderator role", club.moderator),
    ]
    for who, user in [*allowed, ("member", club.member)]:
        for call in calls:
            interaction = await club_member(fake, club, user).run(call.label, call.options)
            seen = await outcome(interaction)
            if user is club.member:
                assert REFUSED_IN_SERVER in seen, f"{call.label} was not refused for a member"
            else:
                assert REFUSED_IN_SERVER not in seen, f"{call.label} refused for the {who}"
                assert REFUSED_IN_DM not in seen
            assert interaction.rejections == []

    for call in calls:  # even the owner has nothing to configure in a DM: Discord does
        # not offer server-only commands there (their contexts are guild only)
        with pytest.raises(ValueError, match="not offered in context"):
            await Member(fake, None, club.general, club.owner).run(call.label, call.options)

    # The settings panel's controls check the ladder too: a member who gets hold of a
    # panel (or forges its custom ids) changes nothing.
    panel = await club_member(fake, club, club.owner).run("/config panel")
    await panel.first_response(timeout=3)
    panel_message = panel.original_message_id or 0
    forged = [
        ("ts:cfg:sens", ["0.7"]),
        (f"ts:cfg:policy:{club.general.id}", ["hold"]),
        ("ts:cfg:model", None),
    ]
    for custom_id, values in forged:
        click = await fake.send_component(panel_message, custom_id, values, user_id=club.member)
        assert REFUSED_IN_SERVER in text_of(await click.first_response(timeout=3))

    show = await club_member(fake, club, club.owner).run("/config show", section="advice")
    shown = text_of(await show.first_response(timeout=3))
    assert "`advice.sensitivity`: 0.5" in shown
    assert "`advice.channel_policies`: none" in shown
    history = await club_member(fake, club, club.owner).run("/config history")
    history_text = "\n".join(text_of(r) for r in [await history.first_response(timeout=3)])
    assert f"<@{club.member.id}>" not in history_text
    for _who, user in allowed:
        assert f"<@{user.id}>" in history_text
