"""The suite-wide mention check: no message the bot sent may let Discord parse mentions.

A bot that echoes member text (drafts, answers, summaries) can ping @everyone or a
role if a single send forgets ``allowed_mentions``. Every fake Discord checks all the
messages it received when its test ends, so the whole suite is covered.
"""

from __future__ import annotations

from typing import Any

from .recording import RecordedRequest

MESSAGE_ROUTES = {
    "POST /channels/{channel_id}/messages",
    "PATCH /channels/{channel_id}/messages/{message_id}",
    "POST /interactions/{interaction_id}/{interaction_token}/callback",
    "POST /webhooks/{webhook_id}/{webhook_token}",
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    "POST /channels/{channel_id}/threads",
}


def message_payload(request: RecordedRequest) -> dict[str, Any] | None:
    body = request.json
    if not isinstance(body, dict):
        return None
    if request.route and request.route.endswith("/callback"):
        data = body.get("data")
        return data if isinstance(data, dict) and "content" in data else None
    if request.route == "/channels/{channel_id}/threads" and isinstance(body.get("message"), dict):
        first: dict[str, Any] = body["message"]  # a forum post's first message
        return first
    return body


def mention_leaks(requests: list[RecordedRequest]) -> list[str]:
    """Each accepted message with text whose mentions Discord would parse."""
    leaks = []
    for request in requests:
        if request.status >= 400 or f"{request.method} {request.route}" not in MESSAGE_ROUTES:
            continue
        payload = message_payload(request)
        if not payload or not payload.get("content"):
            continue
        allowed = payload.get("allowed_mentions")
        if not isinstance(allowed, dict) or allowed.get("parse"):
            leaks.append(
                f"{request.method} {request.path}: allowed_mentions={allowed!r} content={str(payload['content'])[:80]!r}"
            )
    return leaks
