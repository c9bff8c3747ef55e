"""Dotted keys into the configuration, and values typed by people as plain strings.

``/config set advice.sensitivity 0.7`` and the console's ``config set`` both go through
:func:`with_value`; every problem names its key, so a moderator always knows what to fix.
The list of keys is derived from the pydantic model, so a new setting is settable,
resettable, autocompleted, shown and audited without touching this file.
"""

from __future__ import annotations

import json
import re
import types
from dataclasses import dataclass
from enum import Enum
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from bot.errors import Refusal
from bot.guild_config.model import GuildConfig, Section, Weekday


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class ConfigError(Refusal, ValueError):
    """One or more problems, each with its dotted key; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class KeySpec:
    """One settable key. ``kind`` is bool, int, float, str, enum, list or map."""

    path: str
    kind: str
    item: Any  # the scalar type (of the items for lists, of the values for maps)
    optional: bool
    description: str
    id_kind: str | None  # "channel" or "role" for Discord ids (also a map's keys)

    @property
    def is_map(self) -> bool:
        return self.kind == "map"

    @property
    def separator(self) -> str:
        """How several items are typed: prompts and questions contain commas, so they use ``|``."""
        return "|" if self.path.endswith(("prompts", "questions")) else ","

    def hint(self) -> str:
        """A short description of accepted values, for errors and autocomplete."""
        if self.kind == "map":
            return f"{self.path}.<channel> = {_scalar_hint(self.item, None)}"
        if self.kind == "list":
            sep = " | " if self.separator == "|" else ", "
            return f"a list separated by {sep.strip()!r} of {_scalar_hint(self.item, self.id_kind)}"
        base = _scalar_hint(self.item, self.id_kind)
        return f"{base}, or none" if self.optional else base


def _scalar_hint(item: Any, id_kind: str | None) -> str:
    if id_kind == "channel":
        return "a #channel"
    if id_kind == "role":
        return "a @role"
    if isinstance(item, type) and issubclass(item, Enum):
        return " / ".join(str(m.value) for m in item)
    return {bool: "on / off", int: "a whole number", float: "a number", str: "text"}.get(
        item, "a value"
    )


def _id_kind(name: str) -> str | None:
    if "channel" in name:
        return "channel"
    if "role" in name:
        return "role"
    return None


def _specs(model: type[BaseModel], prefix: str) -> list[KeySpec]:
    out: list[KeySpec] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            out.extend(_specs(annotation, path + "."))
            continue
        optional = False
        if get_origin(annotation) in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional, annotation = True, args[0]
        origin = get_origin(annotation)
        if origin is list:
            kind, item = "list", get_args(annotation)[0]
        elif origin is dict:
            kind, item = "map", get_args(annotation)[1]
        else:
            item = annotation
            kind = (
                "enum"
                if isinstance(item, type) and issubclass(item, Enum)
                else getattr(item, "__name__", "value")
            )
        id_kind = _id_kind(name) if (name.endswith(("_id", "_ids")) or kind == "map") else None
        out.append(KeySpec(path, kind, item, optional, info.description or "", id_kind))
    return out


KEYS: tuple[KeySpec, ...] = tuple(_specs(GuildConfig, ""))
_BY_PATH = {spec.path: spec for spec in KEYS}
SECTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(spec.path.split(".")[0] if "." in spec.path else "moderation" for spec in KEYS)
)


def section_of(key: str) -> str:
    return key.split(".")[0] if "." in key else "moderation"


def keys_in(section: str) -> list[KeySpec]:
    return [spec for spec in KEYS if section_of(spec.path) == section]


def resolve(key: str) -> tuple[KeySpec, int | None]:
    """The key's spec, and the map entry (a channel id) for ``map.<id>`` keys."""
    key = key.strip()
    spec = _BY_PATH.get(key)
    if spec is not None:
        return spec, None
    head, _, tail = key.rpartition(".")
    spec = _BY_PATH.get(head)
    if spec is not None and spec.is_map:
        try:
            return spec, parse_id(tail, spec.id_kind)
        except ValueError as exc:
            raise ConfigError([Problem(key, str(exc))]) from None
    close = [s.path for s in KEYS if key.split(".")[-1] in s.path][:3]
    suggestion = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConfigError([Problem(key, f"unknown key{suggestion}")])


# ------------------------------------------------------------------ parsing values

_MENTION = re.compile(r"^<(#|@&|@!?)(\d+)>$")
_TRUE = {"true", "yes", "on", "1", "enable", "enabled"}
_FALSE = {"false", "no", "off", "0", "disable", "disabled"}
_NONE = {"", "none", "null", "-", "default"}
_DAY_GROUPS = {
    "weekdays": list(Weekday)[:5],
    "weekends": list(Weekday)[5:],
    "daily": list(Weekday),
    "every day": list(Weekday),
    "all": list(Weekday),
}


def parse_id(raw: str, id_kind: str | None) -> int:
    """A channel mention ``<#1>``, a role mention ``<@&1>``, or a bare id."""
    raw = raw.strip()
    match = _MENTION.match(raw)
    if match:
        sigil, digits = match.groups()
        if id_kind == "channel" and sigil != "#":
            raise ValueError("expected a #channel")
        if id_kind == "role" and sigil != "@&":
            raise ValueError("expected a @role")
        return int(digits)
    if raw.isdigit() and 0 < int(raw) < 2**63:
        return int(raw)
    raise ValueError(f"expected {_scalar_hint(None, id_kind)} (a mention or an id)")


def _parse_scalar(raw: str, item: Any, id_kind: str | None) -> Any:
    raw = raw.strip()
    if id_kind is not None:
        return parse_id(raw, id_kind)
    if item is bool:
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("must be on or off (true/false, yes/no)")
    if item is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError("must be a whole number") from None
    if item is float:
        try:
            return float(raw)
        except ValueError:
            raise ValueError("must be a number") from None
    if isinstance(item, type) and issubclass(item, Enum):
        lowered = raw.lower()
        for member in item:
            if lowered == str(member.value):
                return member
        raise ValueError(f"{raw!r} is not one of: {_scalar_hint(item, None)}")
    if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
        try:
            decoded = json.loads(raw)
        except json.JSONDecodeError:
            return raw
        return decoded if isinstance(decoded, str) else raw
    return raw


def _parse_list(raw: str, spec: KeySpec) -> list[Any]:
    text = raw.strip()
    if text.startswith("["):
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON list ({exc.msg})") from None
        if not isinstance(decoded, list):
            raise ValueError("must be a list")
        return decoded
    if text.lower() in _NONE:
        return []
    if spec.item is Weekday and text.lower() in _DAY_GROUPS:
        return list(_DAY_GROUPS[text.lower()])
    if spec.separator == "|":
        parts = re.split(r"\s*(?:\||\n)\s*", text)
    elif spec.id_kind is not None or (spec.kind == "list" and spec.item is not str):
        parts = re.split(r"[,\s]+", text)
    else:
        parts = text.split(",")
    return [_parse_scalar(part, spec.item, spec.id_kind) for part in parts if part.strip()]


def _parse_map(raw: str, spec: KeySpec) -> dict[int, Any]:
    text = raw.strip()
    if text.startswith("{"):
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not a valid JSON object ({exc.msg})") from None
        if not isinstance(decoded, dict):
            raise ValueError("must be an object")
        return decoded
    if text.lower() in _NONE:
        return {}
    out: dict[int, Any] = {}
    for pair in re.split(r"[,;]", text):
        if not pair.strip():
            continue
        match = re.match(r"^\s*(\S+?)\s*[=:]\s*(\S.*?)\s*$", pair)
        if match is None:
            raise ValueError("write pairs like <#123>=hold, <#456>=nudge")
        left, right = match.groups()
        out[parse_id(left, spec.id_kind)] = _parse_scalar(right, spec.item, None)
    return out


def parse_value(spec: KeySpec, entry: int | None, raw: str) -> Any:
    """A plain string (or JSON) typed by a person → the Python value for ``spec``."""
    if entry is not None:
        return _parse_scalar(raw, spec.item, None)
    if spec.kind == "list":
        return _parse_list(raw, spec)
    if spec.kind == "map":
        return _parse_map(raw, spec)
    if spec.optional and raw.strip().lower() in _NONE:
        return None
    return _parse_scalar(raw, spec.item, spec.id_kind)


# ------------------------------------------------------------------ changing a config


def validate(data: object) -> GuildConfig:
    """A whole configuration from plain data; every problem is reported with its key."""
    try:
        return GuildConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from(exc)) from None


def _container(data: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    *parents, last = path.split(".")
    for part in parents:
        data = data[part]
    return data, last


def with_value(config: GuildConfig, key: str, raw: str) -> GuildConfig:
    """``config`` with ``key`` set from the string ``raw``; ConfigError names the key."""
    spec, entry = resolve(key)
    try:
        value = parse_value(spec, entry, raw)
    except ValueError as exc:
        raise ConfigError([Problem(key.strip(), str(exc))]) from None
    data = config.model_dump()
    parent, name = _container(data, spec.path)
    if entry is None:
        parent[name] = value
    else:
        parent[name] = {**parent[name], entry: value}
    return validate(data)


def without_value(config: GuildConfig, key: str) -> GuildConfig:
    """``config`` with ``key`` back at its default (a map entry is removed)."""
    spec, entry = resolve(key)
    data = config.model_dump()
    parent, name = _container(data, spec.path)
    if entry is None:
        default_parent, _ = _container(GuildConfig().model_dump(), spec.path)
        parent[name] = default_parent[name]
    else:
        parent[name] = {k: v for k, v in parent[name].items() if k != entry}
    return validate(data)


def value_of(config: GuildConfig, key: str) -> Any:
    spec, entry = resolve(key)
    parent, name = _container(config.model_dump(), spec.path)
    value = parent[name]
    return value.get(entry) if entry is not None else value


# ------------------------------------------------------------------ pydantic errors

_MESSAGES = {
    "extra_forbidden": "unknown key",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def _message(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "less_than_equal":
        return f"must be <= {ctx['le']}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx['ge']}"
    if kind == "less_than":
        return f"must be < {ctx['lt']}"
    if kind == "greater_than":
        return f"must be > {ctx['gt']}"
    if kind == "enum":
        return f"must be one of {ctx.get('expected', '')}"
    if kind == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])


def problems_from(exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors():
        key, message = "", _message(error)
        for part in error["loc"]:
            if part == "[key]":
                message = "channel ids must be numbers"
            elif isinstance(part, int):
                key += f"[{part}]"
            else:
                key = f"{key}.{part}" if key else str(part)
        problems.append(Problem(key, message))
    return problems
