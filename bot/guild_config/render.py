"""Configuration as people read it: /config show, /config history, export and import.

Both adapters render through here, with a ``style``: ``"discord"`` writes channel and
role mentions (shown as names inside embeds, which never ping), ``"plain"`` writes ids
for the console.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal, Protocol

from bot.guild_config.json_limits import JsonLimitError, load_limited
from bot.guild_config.keys import (
    KEYS,
    ConfigError,
    KeySpec,
    Problem,
    keys_in,
    resolve,
    section_of,
    validate,
)
from bot.guild_config.model import TONE_GUIDANCE, AuditedChange, GuildConfig
from bot.llm.templates import render_template, template_fields

Style = Literal["discord", "plain"]

#: Large enough for any real configuration, small enough that a stray file is refused fast.
MAX_IMPORT_BYTES = 64 * 1024
MAX_VALUE_CHARS = 300
PAGE_CHARS = 3500

SECTION_TITLES = {
    "advice": "Advice check",
    "dialogues": "Dialogues",
    "coaching": "Coaching",
    "model": "Language model",
    "care": "Care",
    "club": "Practice club",
    "moderation": "Moderation",
}


def _id(value: int, id_kind: str | None, style: Style) -> str:
    if style == "plain":
        return f"{id_kind or 'id'} {value}"
    return (
        f"<#{value}>"
        if id_kind == "channel"
        else f"<@&{value}>"
        if id_kind == "role"
        else str(value)
    )


def _scalar(value: Any, id_kind: str | None, style: Style) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, int) and id_kind is not None:
        return _id(value, id_kind, style)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if value else '""'
    return str(value)


def display(spec: KeySpec, value: Any, style: Style = "discord", *, entry: bool = False) -> str:
    """One value, readably: mentions for ids, ``on``/``off``, lists joined."""
    if isinstance(spec.item, type) and issubclass(spec.item, Enum) and isinstance(value, str):
        value = spec.item(value) if value in {str(m.value) for m in spec.item} else value
    if isinstance(value, list) and isinstance(spec.item, type) and issubclass(spec.item, Enum):
        value = [spec.item(v) if v in {str(m.value) for m in spec.item} else v for v in value]
    if entry:
        text = _scalar(value, None, style)
    elif spec.kind == "list":
        sep = " | " if spec.separator == "|" else ", "
        text = sep.join(_scalar(v, spec.id_kind, style) for v in value) if value else "none"
    elif spec.kind == "map":
        text = (
            ", ".join(
                f"{_id(int(k), spec.id_kind, style)}={_scalar(v, None, style)}"
                for k, v in value.items()
            )
            if value
            else "none"
        )
    else:
        text = _scalar(value, spec.id_kind, style)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _value(config: GuildConfig, path: str) -> Any:
    current: Any = config
    for part in path.split("."):
        current = getattr(current, part)
    return current


def show_lines(
    config: GuildConfig, section: str | None = None, style: Style = "discord"
) -> list[str]:
    """Every key of one section (or all), with its value and what it means."""
    sections = [section] if section else list(SECTION_TITLES)
    lines: list[str] = []
    for name in sections:
        specs = keys_in(name)
        if not specs:
            continue
        if lines:
            lines.append("")
        lines.append(
            f"**{SECTION_TITLES.get(name, name)}**" if style == "discord" else name.upper()
        )
        for spec in specs:
            shown = display(spec, _value(config, spec.path), style)
            if style == "discord":
                lines.append(f"`{spec.path}`: {shown}")
            else:
                lines.append(f"  {spec.path} = {shown}")
    return lines


@dataclass(frozen=True)
class HistoryEntry:
    """One audited change, as the service returns it (plain data, no ORM row)."""

    actor_id: int
    key: str
    old: str  # JSON
    new: str  # JSON
    at: datetime


def _audit_value(key: str, encoded: str, style: Style) -> str:
    try:
        value = json.loads(encoded)
    except json.JSONDecodeError:
        return encoded
    try:
        spec, entry = resolve(key)
    except ConfigError:  # a key from an older version of the model
        return encoded
    return display(spec, value, style, entry=entry is not None)


def history_lines(entries: Sequence[HistoryEntry], style: Style = "discord") -> list[str]:
    lines = []
    for item in entries:
        when = item.at.strftime("%Y-%m-%d %H:%M UTC")
        old, new = _audit_value(item.key, item.old, style), _audit_value(item.key, item.new, style)
        if style == "discord":
            who = f"<@{item.actor_id}>" if item.actor_id else "a member who deleted their data"
            lines.append(f"`{when}` {who} {key_label(item.key)}: {old} → {new}")
        else:
            who = f"user {item.actor_id}" if item.actor_id else "a member who deleted their data"
            lines.append(f"{when}  {who}  {item.key}: {old} -> {new}")
    return lines


def key_label(key: str, style: Style = "discord") -> str:
    """The key in code style, with the channel it is about for per-channel keys."""
    try:
        spec, entry = resolve(key)
    except ConfigError:
        entry = None
    if style == "plain":
        return key
    if entry is None:
        return f"`{key}`"
    return f"`{key}` ({_id(entry, spec.id_kind, style)})"


def change_lines(changes: Sequence[AuditedChange], style: Style = "discord") -> list[str]:
    """What a set, reset or import just did, one line per key."""
    if style == "discord":
        return [
            f"{key_label(c.key)}: {_audit_value(c.key, c.old, style)} → "
            f"{_audit_value(c.key, c.new, style)}"
            for c in changes
        ]
    return [
        f"{c.key}: {_audit_value(c.key, c.old, style)} -> {_audit_value(c.key, c.new, style)}"
        for c in changes
    ]


class FalseAlarm(Protocol):
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def score(self) -> float: ...
    @property
    def post_text(self) -> str: ...
    @property
    def reply_text(self) -> str: ...


def _quote(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def false_alarm_lines(alarms: Sequence[FalseAlarm], style: Style = "discord") -> list[str]:
    """Replies the advice check flagged and their writers reported as mistakes."""
    lines = []
    for alarm in alarms:
        when = alarm.created_at.strftime("%Y-%m-%d") if alarm.created_at else "undated"
        if style == "discord":
            lines.append(
                f"`{when}` score {alarm.score:.2f}\n> reply: {_quote(alarm.reply_text)}\n"
                f"> to: {_quote(alarm.post_text)}"
            )
        else:
            lines.append(
                f"{when} score {alarm.score:.2f}\n  reply: {_quote(alarm.reply_text)}\n"
                f"  to: {_quote(alarm.post_text)}"
            )
    return lines


def paginate(lines: Sequence[str], limit: int = PAGE_CHARS) -> list[str]:
    """Whole lines grouped into pages of at most ``limit`` characters (at least one page)."""
    pages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        if current and size + len(line) + 1 > limit:
            pages.append("\n".join(current).strip("\n"))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    pages.append("\n".join(current).strip("\n"))
    return [page or "(nothing)" for page in pages]


# ------------------------------------------------------------------ import and export


def export_json(config: GuildConfig) -> str:
    """The whole configuration as pretty JSON; importing it gives back the same config."""
    return config.model_dump_json(indent=2) + "\n"


def import_json(raw: bytes) -> GuildConfig:
    """Parse and validate an uploaded file as a whole; ConfigError lists every problem."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ConfigError(
            [
                Problem(
                    "",
                    f"the file is larger than {MAX_IMPORT_BYTES // 1024} KB "
                    f"({len(raw):,} bytes); the limit is {MAX_IMPORT_BYTES // 1024} KB",
                )
            ]
        )
    if b"\x00" in raw:
        raise ConfigError([Problem("", "the file is not text (it looks binary)")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError([Problem("", "the file is not UTF-8 text")]) from None
    try:
        data = load_limited(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            [Problem("", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]
        ) from None
    except JsonLimitError as exc:
        raise ConfigError([Problem("", str(exc))]) from None
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem("", "the file must hold one JSON object, as /config export writes")]
        )
    return validate(data)


# ------------------------------------------------------------------ the model's instructions


#: What ``{topic}`` becomes in the system message. The topic itself is written by anyone
#: with Manage Channels, so it travels in the data block (as ``channel_topic``), never in
#: the instructions.
TOPIC_REFERENCE = "the channel topic (given as channel_topic in the data)"


def facilitator_instructions(config: GuildConfig, *, server_name: str) -> str | None:
    """The server's own instructions for the model, rendered in the sandbox.

    Only the server's name and the tone preset are pasted in; ``{topic}`` becomes a
    reference to the data (see :func:`uses_topic`). The tone preset is added even when
    the template does not mention ``{tone}``. Never raises (see
    :func:`bot.llm.templates.render_template`).
    """
    tone = TONE_GUIDANCE[config.model.tone]
    template = config.model.instructions_template
    if not template:
        return tone
    rendered = render_template(
        template, {"server_name": server_name, "topic": TOPIC_REFERENCE, "tone": tone}
    )
    return rendered if "tone" in template_fields(template) else f"{rendered}\n{tone}"


def uses_topic(config: GuildConfig) -> bool:
    """Whether the server's template asks for the channel topic (then it goes in the data)."""
    return "topic" in template_fields(config.model.instructions_template)


__all__ = [
    "KEYS",
    "MAX_IMPORT_BYTES",
    "SECTION_TITLES",
    "HistoryEntry",
    "change_lines",
    "display",
    "export_json",
    "facilitator_instructions",
    "false_alarm_lines",
    "history_lines",
    "import_json",
    "paginate",
    "section_of",
    "show_lines",
    "uses_topic",
]
