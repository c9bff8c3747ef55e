"""Discord markdown as terminal formatting, with the ``rich`` library.

At a terminal, **bold**, *italic*, __underline__, ~~strike~~, `code`, ``> quotes``,
``# headings`` and ``-# small print`` show as formatting rather than raw markers.
Piped output (scripts, tests) stays plain text, so it reads the same everywhere.
``NO_COLOR`` (https://no-color.org) turns the formatting off at a terminal too.
"""

from __future__ import annotations

import os
import re
from typing import TextIO

from rich.console import Console
from rich.style import Style
from rich.text import Text

#: Inline spans, longest markers first so ``**`` is not read as two ``*``.
_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|\*\*(?P<bold>.+?)\*\*"
    r"|__(?P<underline>.+?)__"
    r"|~~(?P<strike>.+?)~~"
    r"|\|\|(?P<spoiler>.+?)\|\|"
    r"|(?<![\w*])\*(?P<italic>[^\s*](?:[^*\n]*[^\s*])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic2>[^\s_](?:[^_\n]*[^\s_])?)_(?![\w_])"
)
_STYLES = {
    "bold": Style(bold=True),
    "underline": Style(underline=True),
    "strike": Style(strike=True),
    "spoiler": Style(reverse=True),
    "italic": Style(italic=True),
    "italic2": Style(italic=True),
}
CODE = Style(color="cyan")
HEADING = Style(bold=True, underline=True)
SMALL = Style(dim=True)
QUOTE_BAR = Style(color="bright_black")


def styled_terminal(out: TextIO) -> bool:
    """Format only for a person at a terminal that accepts it."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _inline(text: str, base: Style, into: Text) -> None:
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            into.append(text[position : match.start()], base)
        kind = match.lastgroup or ""
        if kind == "code":
            into.append(match.group(0)[1:-1], base + CODE)
        else:
            _inline(match.group(kind), base + _STYLES[kind], into)
        position = match.end()
    if position < len(text):
        into.append(text[position:], base)


def to_text(markdown: str) -> Text:
    """Discord markdown as styled terminal text, line by line."""
    out = Text()
    for number, line in enumerate(markdown.split("\n")):
        if number:
            out.append("\n")
        if heading := re.match(r"^#{1,3} (.+)$", line):
            _inline(heading.group(1), HEADING, out)
        elif line.startswith("-# "):
            _inline(line[3:], SMALL, out)
        elif quote := re.match(r"^>>?>? ?(.*)$", line):
            out.append("│ ", QUOTE_BAR)
            _inline(quote.group(1), Style(italic=True), out)
        else:
            _inline(line, Style(), out)
    return out


class TerminalMarkdown:
    """Prints Discord markdown to a terminal with its formatting."""

    def __init__(self, out: TextIO) -> None:
        self.console = Console(
            file=out,
            force_terminal=True,
            highlight=False,
            soft_wrap=True,
            emoji=False,
            markup=False,
        )

    def print(self, markdown: str) -> None:
        self.console.print(to_text(markdown))
        self.console.file.flush()
