"""Where each command can be installed and used (Discord's user-installable apps).

Discord registers, per command, ``integration_types`` (0 = installed to a server,
1 = installed to a user's account) and ``contexts`` (0 = a server, 1 = the DM with the
bot, 2 = other DMs and group DMs); discord.py sends both from ``allowed_installs`` and
``allowed_contexts`` (``Command.to_dict``). The personal commands below work wherever
their user is; moderator and server-only commands stay installed to servers, with the
tree's default (``GUILD_ONLY_INSTALL``) applying to every command not listed here.
https://discord.com/developers/docs/interactions/application-commands#application-command-object
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from discord import app_commands

T = TypeVar("T")

#: The commands a person can add to their own account and use in any server or DM.
USER_INSTALLABLE: frozenset[str] = frozenset(
    {
        "Reply with care",
        "advise",
        "ask",
        "note",
        "techniques",
        "impossible",
        "exercise",
        "crux",
        "practice",
        "coach",
        "mydata",
        "about",
    }
)


def guild_only_install() -> app_commands.AppInstallationType:
    """The tree's default: installed with the bot to a server, never to an account."""
    return app_commands.AppInstallationType(guild=True, user=False)


def everywhere_installs() -> app_commands.AppInstallationType:
    return app_commands.AppInstallationType(guild=True, user=True)


def everywhere_contexts() -> app_commands.AppCommandContext:
    return app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True)


def everywhere() -> Callable[[T], T]:
    """Decorate a command: server or user install, in servers, the bot's DM and other DMs."""

    def decorate(func: T) -> T:
        func = app_commands.allowed_installs(guilds=True, users=True)(func)
        return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(func)

    return decorate


def server_only_contexts() -> app_commands.AppCommandContext:
    """Moderator commands: registered for servers only (``contexts`` [0])."""
    return app_commands.AppCommandContext(guild=True, dm_channel=False, private_channel=False)
