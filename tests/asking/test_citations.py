"""An answer's text splits into its words and one entry per cited note (for V2 sections)."""

from __future__ import annotations

from bot.asking.citations import SOURCES_HEADING, split_sources
from knowledge.answer import Citation

ONE = Citation(1, "tiny-habits", "Tiny habits", author="B. J. Fogg")
TWO = Citation(2, "two-minute-rule", "The two-minute rule")


def test_the_offline_answers_sources_become_entries_and_leave_the_body() -> None:
    text = (
        f"Start small [1], then keep it short [2].\n\n{SOURCES_HEADING}\n{ONE.line()}\n{TWO.line()}"
    )
    body, cited = split_sources(text, [ONE, TWO])
    assert body == "Start small [1], then keep it short [2]."
    assert [(c.number, c.note_id, c.line) for c in cited] == [
        (1, "tiny-habits", ONE.line()),
        (2, "two-minute-rule", TWO.line()),
    ]


def test_a_model_answer_without_a_heading_splits_the_same_way() -> None:
    body, cited = split_sources(f"Keep it short [1].\n\n{ONE.line()}", [ONE])
    assert body == "Keep it short [1]." and [c.note_id for c in cited] == ["tiny-habits"]


def test_text_whose_sources_are_not_at_the_end_is_kept_whole() -> None:
    text = "No list here [1]."
    body, cited = split_sources(text, [ONE])
    assert body == text and cited[0].line == ONE.line()
