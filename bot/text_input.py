"""What counts as "something typed": one rule for every place members write free text.

Discord happily delivers a message made only of zero-width spaces, joiners or a byte
order mark. ``str.strip`` keeps those, so without this rule an invisible line was
recorded as an obstacle, a reason or a draft that "looks good to post". Every domain
service asks :func:`has_visible_text` (or :func:`require_visible`) before it stores text,
so the rule lives here once and the adapters stay thin.

The text itself is stored as typed (only outer whitespace trimmed): removing format
characters inside it would break emoji sequences and scripts that need joiners.
"""

from __future__ import annotations

import unicodedata

from bot.errors import Refusal

#: Shown whenever text is refused for being empty once invisible characters are removed.
EMPTY_TEXT_MESSAGE = (
    "That is empty: it has only spaces or invisible characters (such as zero-width "
    "spaces). Write something that can be read."
)

#: Characters that render as nothing (or as blank space) but are not ``str.isspace``.
_BLANK_LOOKALIKES = frozenset(
    {
        "\u034f",  # combining grapheme joiner
        "\u115f",  # hangul choseong filler
        "\u1160",  # hangul jungseong filler
        "\u17b4",  # khmer vowel inherent aq
        "\u17b5",  # khmer vowel inherent aa
        "\u2800",  # braille pattern blank
        "\u3164",  # hangul filler
        "\uffa0",  # halfwidth hangul filler
    }
)


class EmptyText(Refusal, ValueError):
    """Text with nothing visible in it; ``str(error)`` is the message for the member."""

    def __init__(self, message: str = EMPTY_TEXT_MESSAGE) -> None:
        super().__init__(message)


def _invisible(char: str) -> bool:
    """Format (Cf), control and unassigned-looking blanks, variation selectors, spaces."""
    if char.isspace() or char in _BLANK_LOOKALIKES:
        return True
    category = unicodedata.category(char)
    if category in ("Cf", "Cc", "Zs", "Zl", "Zp"):
        return True
    code = ord(char)
    # Variation selectors only modify the character before them; alone they show nothing.
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def visible_part(text: str) -> str:
    """``text`` without any invisible characters (for the emptiness test, not for storage)."""
    return "".join(char for char in text if not _invisible(char))


def has_visible_text(text: str | None) -> bool:
    """True when at least one character of ``text`` would show on screen."""
    return bool(text) and any(not _invisible(char) for char in text or "")


def require_visible(text: str, message: str = EMPTY_TEXT_MESSAGE) -> str:
    """``text`` with outer whitespace and invisible edges trimmed; :class:`EmptyText` if blank."""
    if not has_visible_text(text):
        raise EmptyText(message)
    return trim(text)


#: Invisible characters that mean nothing at either end of a text, so :func:`trim` drops
#: them. Variation selectors and tag characters are not here: at the end they belong to
#: the emoji before them (❤️, flags).
_EDGE_ONLY = (
    frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")
    | _BLANK_LOOKALIKES
)


def _edge(char: str) -> bool:
    return char.isspace() or char in _EDGE_ONLY


def trim(text: str) -> str:
    """Strip whitespace and zero-width characters from both ends; keep the inside as typed."""
    start, end = 0, len(text)
    while start < end and _edge(text[start]):
        start += 1
    while end > start and _edge(text[end - 1]):
        end -= 1
    return text[start:end]


def visible_lines(text: str) -> list[str]:
    """The lines of ``text`` that have something visible in them, each trimmed."""
    return [trim(line) for line in text.splitlines() if has_visible_text(line)]
