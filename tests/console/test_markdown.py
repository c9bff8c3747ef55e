"""Issue 14: the console renders Discord markdown as terminal formatting (rich) for a
person at a terminal; scripts and pipes keep plain text."""

from __future__ import annotations

import io

import pytest

from bot.console.app import ConsoleContext
from bot.console.markdown import styled_terminal, to_text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def styles_of(text: str) -> dict[str, str]:
    rendered = to_text(text)
    return {rendered.plain[s.start : s.end]: str(s.style) for s in rendered.spans}


def test_discord_markdown_becomes_formatting_without_markers() -> None:
    rendered = to_text("**Goal:** write *daily*, run `coach start`\n> a quote\n# Title\n-# fine")
    assert rendered.plain == "Goal: write daily, run coach start\n│ a quote\nTitle\nfine"
    styles = styles_of("**Goal:** write *daily*, run `coach start` __now__ ~~never~~")
    assert styles["Goal:"] == "bold"
    assert styles["daily"] == "italic"
    assert styles["coach start"] == "cyan"
    assert styles["now"] == "underline"
    assert styles["never"] == "strike"


def test_nested_and_literal_asterisks() -> None:
    styles = styles_of("**Ship *it* today** *As Planner:* say")
    assert styles["Ship "] == "bold" and styles["it"] == "bold italic"
    assert styles["As Planner:"] == "italic"
    assert to_text("2 * 3 * 4 is 24").plain == "2 * 3 * 4 is 24"


def test_a_terminal_gets_formatting_and_a_pipe_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    screen = Terminal()
    assert styled_terminal(screen)
    ctx = ConsoleContext(services=None, out=screen, styled=styled_terminal(screen))  # type: ignore[arg-type]
    ctx.say_markdown("**Goal:** write *daily*")
    shown = screen.getvalue()
    assert "**" not in shown and "*daily*" not in shown
    assert "\x1b[1m" in shown and "\x1b[3m" in shown  # bold, italic

    pipe = io.StringIO()
    assert not styled_terminal(pipe)
    ctx = ConsoleContext(services=None, out=pipe, styled=styled_terminal(pipe))  # type: ignore[arg-type]
    ctx.say_markdown("**Goal:** write *daily*")
    assert pipe.getvalue() == "Goal: write *daily*\n"

    monkeypatch.setenv("NO_COLOR", "1")
    assert not styled_terminal(Terminal())
