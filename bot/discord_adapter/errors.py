"""One place where command failures turn into a short, private message for the user."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.discord_adapter.messages import respond
from bot.errors import Refusal
from bot.storage import StorageUnavailable
from knowledge.store import StoreUnavailable

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Something went wrong on Touchstone's side. It has been logged; please try again."
STORAGE_DOWN = "Touchstone can't reach its database right now. Please try again shortly."
LIBRARY_DOWN = (
    "Touchstone can't reach its notes library right now, so it can't answer from the notes. "
    "Everything else still works; please try again shortly."
)


def message_for(error: BaseException) -> tuple[str, bool]:
    """The text to show and whether the failure is worth a traceback in the log."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, StorageUnavailable):
        return STORAGE_DOWN, False
    if isinstance(original, StoreUnavailable):
        return LIBRARY_DOWN, False
    if isinstance(original, Refusal):
        return original.text, False
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You can't use this command here.", False
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down a little: try again in {error.retry_after:.0f} s.", False
    if isinstance(error, app_commands.TransformerError | app_commands.CommandSignatureMismatch):
        return (
            "That command's options didn't make sense to me; please check them and try again.",
            False,
        )
    return GENERIC_FAILURE, True


async def on_tree_error(
    interaction: discord.Interaction, error: app_commands.AppCommandError
) -> None:
    name = interaction.command.qualified_name if interaction.command else "?"
    await tell_failure(interaction, error, f"/{name}")


async def tell_failure(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    """Show a refusal's text (or the generic message for a bug) privately, log a bug once."""
    text, worth_logging = message_for(error)
    if worth_logging:
        log.error("%s failed", where, exc_info=error)
    else:
        log.info("%s refused: %s", where, text)
    try:
        await respond(interaction, text, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell the user about the failure of %s", where)
