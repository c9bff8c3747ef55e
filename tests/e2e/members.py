"""A short driver for what a member types: ``await member.run("/coach start", timezone=...)``.

A :class:`Member` is bound to the fake Discord, a guild (``None`` in DMs), a channel and
a user, so a test reads like the member's own actions instead of repeating
``send_slash_command(guild, channel, user, name, {...}, subcommand=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tests.fakediscord.interactions import FakeInteraction
from tests.fakediscord.server import FakeDiscord
from tests.fakediscord.state import Channel, Guild, User
from tests.fakediscord.world import PracticeClub


def parse_command(command: str) -> tuple[str, str | None, str | None]:
    """``"/name [group] [subcommand]"`` -> ``(name, group, subcommand)``.

    Two words are a command and its subcommand; three are a command, a subcommand
    group and a subcommand (Discord has no group without a subcommand).
    """
    words = command.removeprefix("/").split()
    if not 1 <= len(words) <= 3:
        raise ValueError(f"expected '/name [group] [subcommand]', got {command!r}")
    name, *rest = words
    if len(rest) == 2:
        return name, rest[0], rest[1]
    return name, None, rest[0] if rest else None


@dataclass(frozen=True)
class Member:
    """A user typing slash commands in one place (a guild channel or a DM)."""

    fake: FakeDiscord
    guild: Guild | int | None
    channel: Channel | int
    user: User | int

    async def run(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        /,
        *,
        locale: str = "en-US",
        user_install: bool = False,
        **named: Any,
    ) -> FakeInteraction:
        """Run ``/name [group] [subcommand]`` with keyword options; returns the interaction.

        ``options`` (a mapping) is for option names that are not Python keywords or
        that clash with ``locale``/``user_install``; keyword options are merged over it.
        """
        name, group, subcommand = parse_command(command)
        merged = {**(options or {}), **named}
        return await self.fake.send_slash_command(
            self.guild,
            self.channel,
            self.user,
            name,
            merged or None,
            subcommand=subcommand,
            group=group,
            locale=locale,
            user_install=user_install,
        )

    def in_channel(self, channel: Channel | int, guild: Guild | int | None = None) -> Member:
        """The same user in another channel (of ``guild`` if given, else the same guild)."""
        return replace(self, channel=channel, guild=self.guild if guild is None else guild)

    def in_dm(self, channel: Channel | int) -> Member:
        """The same user in a DM channel (no guild)."""
        return replace(self, guild=None, channel=channel)

    def as_user(self, user: User | int) -> Member:
        """Another user in the same place."""
        return replace(self, user=user)


def club_member(
    fake: FakeDiscord,
    club: PracticeClub,
    user: User | int | None = None,
    channel: Channel | int | None = None,
) -> Member:
    """``user`` (default: the club's plain member) in the club's #general (or ``channel``)."""
    return Member(
        fake,
        club.guild,
        club.general if channel is None else channel,
        club.member if user is None else user,
    )
