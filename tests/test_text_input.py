"""The shared rule for free text (issue 13 #12): invisible-only text is empty."""

from __future__ import annotations

import pytest

from bot.dialogues.model import InvalidAnswer
from bot.dialogues.parsing import parse_items
from bot.text_input import EmptyText, has_visible_text, require_visible, trim, visible_lines

INVISIBLES = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad", "\u3164", "\u2800"]


@pytest.mark.parametrize("char", INVISIBLES)
def test_invisible_characters_alone_are_empty(char: str) -> None:
    assert not has_visible_text(char * 3)
    assert not has_visible_text(f" {char}\n{char} ")
    with pytest.raises(EmptyText, match="invisible characters"):
        require_visible(char * 3)


def test_visible_text_is_kept_as_typed_inside() -> None:
    assert require_visible("\u200b hello\u200dworld \ufeff") == "hello\u200dworld"
    assert trim("❤️") == "❤️"  # the variation selector belongs to the heart
    assert has_visible_text("👩\u200d💻")
    assert visible_lines("one\n\u200b\n two ") == ["one", "two"]


def test_parse_items_skips_invisible_lines_and_refuses_all_invisible() -> None:
    assert parse_items("I have no time\n\u200b\u200b\nI can't write well") == [
        "I have no time",
        "I can't write well",
    ]
    with pytest.raises(InvalidAnswer):
        parse_items("\u200b\n\u200d\n\ufeff")
