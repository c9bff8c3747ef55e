"""Interaction and webhook tokens are scrubbed from log records (issue 13)."""

from __future__ import annotations

from bot.logging_setup import REDACTED, redact

TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDpYWFhYWFhYWA-_token"


def test_gateway_event_tokens_are_redacted_as_dict_repr_and_json() -> None:
    as_repr = f"WebSocket Event: {{'t': 'INTERACTION_CREATE', 'd': {{'token': '{TOKEN}'}}}}"
    as_json = f'{{"t": "INTERACTION_CREATE", "d": {{"token": "{TOKEN}", "id": "1"}}}}'
    for line in (as_repr, as_json):
        cleaned = redact(line, [])
        assert TOKEN not in cleaned and REDACTED in cleaned


def test_rest_paths_with_tokens_are_redacted() -> None:
    for url in (
        f"POST https://discord.com/api/v10/interactions/1234/{TOKEN}/callback with None",
        f"PATCH https://discord.com/api/v10/webhooks/5678/{TOKEN}/messages/@original",
        f"POST https://discord.com/api/v10/webhooks/5678/{TOKEN}?wait=true",
    ):
        cleaned = redact(url, [])
        assert TOKEN not in cleaned
        assert "/1234/[redacted]" in cleaned or "/5678/[redacted]" in cleaned


def test_ordinary_text_is_left_alone() -> None:
    line = "dialogue 12: sent event 3 to channel 99; webhooks configured: 2"
    assert redact(line, []) == line
