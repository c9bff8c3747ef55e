"""Shared pieces of the command line: errors and settings loading."""

from __future__ import annotations

from bot.settings import Settings, SettingsError, load_settings

EXIT_USAGE = 2
EXIT_FAILURE = 1


class CliError(Exception):
    """A problem to show the user as one line, with an exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def settings_or_exit() -> Settings:
    """Load settings or raise a CliError naming every bad variable on one line."""
    try:
        return load_settings()
    except SettingsError as exc:
        raise CliError("invalid settings: " + "; ".join(exc.problems), EXIT_USAGE) from None
