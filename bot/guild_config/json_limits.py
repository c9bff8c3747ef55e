"""Reading an uploaded JSON file within stated limits, so a hostile file gets a clear no.

``json.loads`` recurses once per nesting level (60,000 ``[`` is a ``RecursionError``)
and turns a 5,000-digit number into a ``ValueError`` about integer conversion. Both used
to surface as a generic error with a traceback in the log. Here the nesting depth is
measured before parsing, numbers are bounded while parsing, and every refusal is a
sentence that states the limit.
"""

from __future__ import annotations

import json
from typing import Any

from bot.errors import Refusal

#: A settings file is four levels deep at most (file → section → map → value); the
#: margin lets a wrongly nested value reach validation, which names its key.
MAX_JSON_DEPTH = 32
#: Far more digits than any setting needs (channel ids have about 19), far fewer than
#: Python's 4,300-digit conversion limit.
MAX_NUMBER_DIGITS = 100


class JsonLimitError(Refusal, ValueError):
    """The file is over a stated limit; ``str(error)`` says which and what the limit is."""


def nesting_depth(text: str, stop_at: int) -> int:
    """How deeply ``[`` and ``{`` nest outside strings (stops counting past ``stop_at``)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_at:
                    return deepest
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise JsonLimitError(
            f"a number has {len(literal.lstrip('-'))} digits; the limit is {MAX_NUMBER_DIGITS}"
        )
    return int(literal)


def _bounded_float(literal: str) -> float:
    digits = sum(char.isdigit() for char in literal)
    if digits > MAX_NUMBER_DIGITS:
        raise JsonLimitError(f"a number has {digits} digits; the limit is {MAX_NUMBER_DIGITS}")
    return float(literal)


def load_limited(text: str) -> Any:
    """``json.loads`` with depth and number-size limits; :class:`JsonLimitError` if over.

    ``json.JSONDecodeError`` still means "not JSON" and is left to the caller.
    """
    if nesting_depth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise JsonLimitError(
            f"the file nests lists or objects more than {MAX_JSON_DEPTH} levels deep; "
            f"the limit is {MAX_JSON_DEPTH} (a settings file needs 4)"
        )
    try:
        return json.loads(
            text,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except RecursionError:  # the depth check makes this unreachable; keep the message anyway
        raise JsonLimitError(
            f"the file nests too deeply; the limit is {MAX_JSON_DEPTH} levels"
        ) from None
