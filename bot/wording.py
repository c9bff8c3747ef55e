"""Small grammar helpers for every sentence the bot builds around a number or a name.

Messages are assembled from counts and display names; without these, people read
"1 reasons", "1 days" or, when the person is addressed as "you", "you invites" and
"you's cruxes". Shared by the domain and every adapter, with no Discord in sight.
"""

from __future__ import annotations

#: Irregular plurals the bot's messages use; everything else takes an "s".
_IRREGULAR = {"person": "people", "crux": "cruxes", "reply": "replies", "is": "are"}
YOU = "you"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 day"``, ``"2 days"``, ``"0 days"``: the count and the word, agreeing."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or _IRREGULAR.get(word, word + 's')}"


def possessive(name: str) -> str:
    """``"alice's"``, ``"James'"``, and ``"your"`` for the person addressed as you."""
    if name.strip().lower() == YOU:
        return "your"
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def verb(name: str, third: str, base: str | None = None) -> str:
    """The verb agreeing with a name: ``alice invites`` but ``you invite``.

    ``third`` is the third-person form ("invites", "has"); ``base`` the form for
    "you" when it is not simply ``third`` without its final "s" ("have").
    """
    if name.strip().lower() != YOU:
        return third
    if base is not None:
        return base
    return third[:-1] if third.endswith("s") else third
