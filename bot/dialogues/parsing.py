"""Reading typed answers: confidences, dates, lists, yes/no.

People type "30%", "in two weeks", "- first\n- second"; each parser accepts the common
forms and otherwise raises :class:`InvalidAnswer` with an example of what works.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.dialogues.model import InvalidAnswer, Prompt
from bot.dialogues.records import MAX_ANSWER
from bot.text_input import EMPTY_TEXT_MESSAGE, has_visible_text, trim, visible_lines

MAX_ITEMS = 10
#: Choice values a plain "yes" or "no" stands for, whatever the choice is labelled.
AFFIRMATIVE = frozenset({"yes", "accept", "agree"})
NEGATIVE = frozenset({"no", "decline"})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "ten": 10,
}
UNITS = {"day": 1, "week": 7, "fortnight": 14, "month": 30}
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")


def parse_confidence(text: str) -> int:
    """A percentage 0-100 from "30", "30%", "0.3" or "30 percent"."""
    match = re.search(r"(\d{1,3}(?:[.,]\d+)?)", text)
    if not match:
        raise InvalidAnswer("Give your confidence as a number from 0 to 100, e.g. 30%.")
    value = float(match.group(1).replace(",", "."))
    if value < 1 and "." in match.group(1) and "%" not in text:
        value *= 100
    if not 0 <= value <= 100:
        raise InvalidAnswer("Confidence is a percentage: a number from 0 to 100.")
    return round(value)


def confidence_in(text: str) -> int | None:
    """The likelihood stated inside a sentence ("one evening back; 45% now"): the last
    number marked with %, else the last whole number from 0 to 100; None if there is none."""
    marked = re.findall(r"(\d{1,3}(?:[.,]\d+)?)\s*(?:%|percent\b)", text)
    plain = re.findall(r"(?<![\d.,])(\d{1,3})(?![\d.,]*\s*(?:%|\d))", text)
    for found in (marked, plain):
        for raw in reversed(found):
            value = float(raw.replace(",", "."))
            if 0 <= value <= 100:
                return round(value)
    return None


def parse_items(text: str, *, limit: int = MAX_ITEMS) -> list[str]:
    """One item per line (bullets and numbering removed); ';' separates items on one line."""
    lines = visible_lines(text)
    if len(lines) == 1 and ";" in lines[0]:
        lines = lines[0].split(";")
    items = [trim(_BULLET.sub("", line)) for line in lines]
    items = [item for item in items if has_visible_text(item)]
    if not items:
        raise InvalidAnswer("Write at least one item (one per line).")
    if len(items) > limit:
        raise InvalidAnswer(f"Please keep it to {limit} items; pick the ones that matter most.")
    return items


def parse_date(text: str, now: datetime) -> datetime:
    """A future moment from "tomorrow", "in 3 days", "2 weeks", "friday" or "2026-03-01".

    Dates are taken at the same time of day as ``now`` (UTC), between one hour and a
    year ahead, so a follow-up can't be scheduled in the past.
    """
    raw = text.strip().lower()
    moment: datetime | None = None
    iso = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if iso:
        try:
            day = datetime(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise InvalidAnswer("That date doesn't exist; use YYYY-MM-DD.") from None
        moment = now.replace(year=day.year, month=day.month, day=day.day)
    elif raw in ("today", "tonight"):
        moment = now + timedelta(hours=6)
    elif raw == "tomorrow":
        moment = now + timedelta(days=1)
    elif match := re.search(
        r"(\d+|" + "|".join(NUMBER_WORDS) + r")\s*(day|week|fortnight|month)s?", raw
    ):
        count_text = match.group(1)
        count = int(count_text) if count_text.isdigit() else NUMBER_WORDS[count_text]
        moment = now + timedelta(days=count * UNITS[match.group(2)])
    elif match := re.search(r"(day|week|fortnight|month)$", raw):
        moment = now + timedelta(days=UNITS[match.group(1)])
    else:
        for index, name in enumerate(WEEKDAYS):
            if name in raw or (len(raw) >= 3 and name.startswith(raw.removeprefix("next "))):
                ahead = (index - now.weekday()) % 7 or 7
                moment = now + timedelta(days=ahead)
                break
    if moment is None:
        raise InvalidAnswer(
            "I couldn't read that date. Try 'tomorrow', 'in 3 days', '2 weeks', 'friday' "
            "or 2026-03-01."
        )
    if moment <= now + timedelta(minutes=59):
        raise InvalidAnswer("Pick a date in the future.")
    if moment > now + timedelta(days=366):
        raise InvalidAnswer("Pick a date within the next year.")
    return moment


def parse_yes_no(text: str) -> bool | None:
    word = text.strip().lower().rstrip(".!")
    if word in ("y", "yes", "yep", "yeah", "agree", "i agree", "ok", "okay", "sure", "true"):
        return True
    if word in ("n", "no", "nope", "disagree", "false"):
        return False
    return None


def mentions_word(text: str, word: str) -> bool:
    """Whole-word (or whole-phrase) match, case-insensitive, allowing plural/-ing/-ed endings."""
    pattern = r"\b" + re.escape(word.lower()) + r"(?:s|es|ed|ing|ly)?\b"
    return re.search(pattern, text.lower()) is not None


def normalise_answer(prompt: Prompt, text: str) -> tuple[str, str]:
    """An answer to ``prompt`` as (value for the protocol, text for the transcript)."""
    if not has_visible_text(text):
        raise InvalidAnswer(EMPTY_TEXT_MESSAGE)
    text = trim(text)
    if len(text) > MAX_ANSWER:
        raise InvalidAnswer(f"Please keep an answer under {MAX_ANSWER} characters.")
    if prompt.choices:
        lowered = text.lower().rstrip(".!")
        for number, choice in enumerate(prompt.choices, 1):
            if lowered in (choice.value.lower(), choice.label.lower(), str(number)):
                return choice.value, choice.label
        # "yes" at "do you accept?" or "Ready?" means the affirmative choice.
        agreed = parse_yes_no(lowered)
        if agreed is not None:
            wanted = AFFIRMATIVE if agreed else NEGATIVE
            for choice in prompt.choices:
                if choice.value.lower() in wanted:
                    return choice.value, choice.label
        if not prompt.free_text:
            options = ", ".join(f"{c.label} ({c.value})" for c in prompt.choices)
            raise InvalidAnswer(f"Choose one of: {options}.")
    return text, text
