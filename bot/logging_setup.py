"""Logging in text or JSON, with secrets scrubbed from every record.

Redaction happens in a handler filter rather than at call sites because secrets
leak through places nobody writes on purpose: exception messages, URLs in driver
errors, third-party library debug output.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.settings import LogFormat, Settings

REDACTED = "[redacted]"
# Passwords inside URLs (scheme://user:password@host) and bearer/bot tokens in headers.
_URL_PASSWORD = re.compile(
    r"(?P<prefix>[a-z][a-z0-9+.-]*://[^:/@\s]+:)(?P<secret>[^@\s]+)(?=@)", re.I
)
_AUTH_HEADER = re.compile(r"(?P<prefix>\b(?:Bot|Bearer)\s+)(?P<secret>[A-Za-z0-9._\-]{12,})")
# Interaction and webhook tokens: anyone holding one can answer as the bot for 15
# minutes. They travel in gateway events ("token": "...", logged whole at DEBUG) and in
# REST paths (/interactions/<id>/<token>/callback, /webhooks/<app id>/<token>/...).
_TOKEN_FIELD = re.compile(
    r"(?P<prefix>[\"']token[\"']\s*:\s*[\"'])(?P<secret>[^\"'\s]+)(?=[\"'])", re.I
)
_TOKEN_PATH = re.compile(r"(?P<prefix>/(?:interactions|webhooks)/\d+/)(?P<secret>[^/\s?#\"']+)")


def secrets_of(settings: Settings) -> list[str]:
    """Every configured secret value, longest first so overlapping values redact whole."""
    values: list[str] = []
    for secret in (settings.token, settings.llm_api_key):
        if secret is not None and secret.get_secret_value().strip():
            values.append(secret.get_secret_value().strip())
    for url in (settings.database_url,):
        if url:
            match = _URL_PASSWORD.search(url)
            if match:
                values.append(match.group("secret"))
    return sorted(set(values), key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    for pattern in (_URL_PASSWORD, _AUTH_HEADER, _TOKEN_FIELD, _TOKEN_PATH):
        text = pattern.sub(lambda m: m.group("prefix") + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message (and traceback text) with secrets removed."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = list(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            payload["exception"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(settings: Settings, stream: object = None) -> None:
    """Install one handler on the root logger; safe to call more than once."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    if settings.log_format is LogFormat.JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets_of(settings)))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level.value)
    # Chatty libraries stay at WARNING unless we debug.
    if settings.log_level.value != "DEBUG":
        for name in ("discord", "chromadb", "httpx", "urllib3", "asyncio", "alembic"):
            logging.getLogger(name).setLevel(logging.WARNING)
