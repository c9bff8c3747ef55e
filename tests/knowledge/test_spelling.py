"""Typo mending: misspelt words meet the library's words; real words are left alone."""

from __future__ import annotations

import pytest

from knowledge.note import NoteError, parse_note
from knowledge.spelling import SpellingCorrector, edit_distance

LIBRARY = [
    "When you keep procrastinating on an experiment, set a deadline.",
    "Deliberate practice means focused repetition with feedback.",
]


@pytest.fixture(scope="module")
def speller() -> SpellingCorrector:
    return SpellingCorrector(LIBRARY)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("procrastinting", "procrastinating"),
        ("experiemnt", "experiment"),
        ("deadlien", "deadline"),
        ("repetiton", "repetition"),
    ],
)
def test_a_misspelt_library_word_is_mended(
    speller: SpellingCorrector, typed: str, meant: str
) -> None:
    assert speller.correct(f"i keep {typed} tbh") == f"i keep {meant} tbh"


@pytest.mark.parametrize("word", ["twitter", "violin", "guitar", "thesis"])
def test_real_words_the_library_lacks_are_left_alone(speller: SpellingCorrector, word: str) -> None:
    assert speller.correct(f"my {word} habit") == f"my {word} habit"


def test_short_words_are_never_guessed(speller: SpellingCorrector) -> None:
    assert speller.correct("idk tbh lol") == "idk tbh lol"


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("experiemnt", "experiment") == 1
    assert edit_distance("abc", "abc") == 0
    assert edit_distance("kitten", "sitting") == 3


def test_phrasings_must_be_a_list() -> None:
    text = """---
id: tiny
title: Tiny
kind: principle
source: {title: T, author: A}
summary: S.
when_to_use: W.
five_minute_version: F.
phrasings: "just one string"
---
Body.
"""
    with pytest.raises(NoteError, match="phrasings"):
        parse_note(text, origin="tiny.md")
