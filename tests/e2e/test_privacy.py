"""/mydata export and /mydata delete through the fake Discord, with the real bot.

What a member sees: a private JSON file of what is stored about them, and a private
confirmation before anything is erased; afterwards their stats and export are empty,
and nobody else's data is touched.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.harness import BotProcess
from tests.e2e.members import club_member
from tests.fakediscord.interactions import CallbackType, FakeInteraction, InteractionResponse
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import User
from tests.fakediscord.world import PracticeClub

pytestmark = pytest.mark.e2e
TIMEOUT = 20.0


class PrivateMember:
    """One member using slash commands in #general; every reply must be private."""

    def __init__(self, fake: FakeDiscord, club: PracticeClub, user: User) -> None:
        self.fake, self.club, self.user = fake, club, user

    async def command(
        self, name: str, subcommand: str, options: dict[str, Any] | None = None
    ) -> FakeInteraction:
        return await club_member(self.fake, self.club, self.user).run(
            f"/{name} {subcommand}", options
        )

    async def answer(
        self, name: str, subcommand: str, options: dict[str, Any] | None = None
    ) -> InteractionResponse:
        """The one visible answer to a slow command: deferred privately, then a follow-up."""
        interaction = await self.command(name, subcommand, options)
        await interaction.wait_for_followups(1, TIMEOUT)
        assert interaction.deferred and interaction.callback is not None
        assert interaction.callback.ephemeral, f"/{name} {subcommand} must think privately"
        reply = interaction.followups[0]
        assert reply.ephemeral, f"/{name} {subcommand} must answer privately"
        return reply

    async def log(self, minutes: int, skill: str, **notes: str) -> None:
        reply = await self.answer("practice", "log", {"minutes": minutes, "skill": skill, **notes})
        assert f"Logged {minutes} min of {skill}" in (reply.content or "")

    async def stats(self) -> str:
        reply = await self.answer("practice", "stats")
        return "\n".join(str(e.get("description") or "") for e in reply.embeds)

    async def export(self) -> dict[str, Any]:
        reply = await self.answer("mydata", "export")
        assert "only you can see this" in (reply.content or "")
        (file,) = reply.files
        assert file.filename == f"touchstone-{self.user.id}.json"
        data: dict[str, Any] = json.loads(file.data)
        assert data["user_id"] == self.user.id
        return data

    async def ask_to_delete(self) -> tuple[int, dict[str, str]]:
        """/mydata delete: the private question and its buttons by label."""
        asking = await self.command("mydata", "delete")
        question = await asking.first_response(TIMEOUT)
        assert question.callback_type == CallbackType.CHANNEL_MESSAGE_WITH_SOURCE
        assert question.ephemeral
        assert "for good" in (question.content or "")
        buttons = {
            str(c["label"]): str(c["custom_id"])
            for row in question.components
            for c in row.get("components", [])
        }
        assert set(buttons) == {"Delete everything", "Cancel"}
        assert asking.original_message_id is not None
        return asking.original_message_id, buttons


async def test_export_then_delete_with_confirmation_erases_only_that_member(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    fake, club = fake_discord, practice_club
    me = PrivateMember(fake, club, club.member)
    other = PrivateMember(fake, club, club.admin)
    await me.log(25, "piano", practised="C major scales", noticed="left hand lags")
    await me.log(30, "sight-reading")
    await other.log(10, "writing", noticed="other person's note")

    # The export holds both of my log entries, word for word, and nothing of the other's.
    export = await me.export()
    logs = export["tables"]["practice_logs"]
    assert sorted((row["skill"], row["minutes"]) for row in logs) == [
        ("piano", 25),
        ("sight-reading", 30),
    ]
    piano = next(row for row in logs if row["skill"] == "piano")
    assert (piano["practised"], piano["noticed"]) == ("C major scales", "left hand lags")
    assert "other person's note" not in json.dumps(export)

    # Cancelling keeps everything, and the question loses its buttons.
    message_id, buttons = await me.ask_to_delete()
    cancel = await fake.send_component(message_id, buttons["Cancel"])
    kept = await cancel.first_response(TIMEOUT)
    assert kept.callback_type == CallbackType.UPDATE_MESSAGE
    assert fake.world.message(message_id).content == "Nothing was deleted."
    assert fake.world.message(message_id).components == []
    assert "55 min of practice" in await me.stats()

    # Confirming erases; the question turns into the result, with no button left to re-click.
    message_id, buttons = await me.ask_to_delete()
    confirm = await fake.send_component(message_id, buttons["Delete everything"])
    acknowledged = await confirm.first_response(TIMEOUT)
    assert acknowledged.callback_type == CallbackType.DEFERRED_UPDATE_MESSAGE
    await confirm.wait_for_edit(1, TIMEOUT)
    result = fake.world.message(message_id)
    assert result.content.startswith("Deleted everything Touchstone stored about you")
    assert "2 practice logs" in result.content
    assert result.components == []
    assert result.ephemeral

    stats = await me.stats()
    assert "0 min of practice over 30 days (0 days with practice)" in stats
    assert "piano" not in stats and "By skill" not in stats
    after = await me.export()
    assert "practice_logs" not in after["tables"]
    assert "piano" not in json.dumps(after)

    # The other member's log is untouched.
    theirs = await other.export()
    assert [row["noticed"] for row in theirs["tables"]["practice_logs"]] == ["other person's note"]
    assert "10 min of practice" in await other.stats()


async def test_delete_with_nothing_stored_says_so(
    bot: BotProcess, fake_discord: FakeDiscord, practice_club: PracticeClub
) -> None:
    newcomer = PrivateMember(fake_discord, practice_club, practice_club.moderator)
    assert (await newcomer.export())["tables"] == {}
    message_id, buttons = await newcomer.ask_to_delete()
    confirm = await fake_discord.send_component(message_id, buttons["Delete everything"])
    await confirm.wait_for_edit(1, TIMEOUT)
    assert fake_discord.world.message(message_id).content == (
        "Nothing was stored about you, so there was nothing to delete."
    )
