"""The /coach start form's answers become the same start request as the options."""

from __future__ import annotations

import pytest

from bot.coaching import InputProblem
from bot.coaching.start_form import COMMON_TIMEZONES, OTHER_ZONE, StartAnswers


def test_ticked_days_and_a_listed_zone() -> None:
    answers = StartAnswers(days=("fri", "mon", "wed"), zone_choice="Europe/Berlin")
    assert answers.days_text() == "mon,wed,fri" and answers.timezone() == "Europe/Berlin"


def test_other_reads_a_typed_city() -> None:
    answers = StartAnswers(days=("sat",), zone_choice=OTHER_ZONE, typed_zone="toronto")
    assert answers.timezone() == "America/Toronto"


def test_no_zone_and_no_day_are_named() -> None:
    with pytest.raises(InputProblem, match="choose Other"):
        StartAnswers(days=("mon",), zone_choice=None).timezone()
    with pytest.raises(InputProblem, match="Tick at least one day"):
        StartAnswers(days=(), zone_choice="UTC").days_text()


def test_the_list_fits_a_select_with_other() -> None:
    assert len(COMMON_TIMEZONES) + 1 <= 25 and len(set(COMMON_TIMEZONES)) == len(COMMON_TIMEZONES)
