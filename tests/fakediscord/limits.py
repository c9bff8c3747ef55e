"""Discord's documented limits, enforced the way Discord reports violations.

Each ``validate_*`` function raises :class:`InvalidFormBody` (HTTP 400, code
50035) with an ``errors`` tree naming the offending field, e.g.
``{"embeds": {"0": {"title": {"_errors": [...]}}}}``, so a bot that only works
because the fake is lenient fails here instead of in production.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from . import components_v2 as v2
from .form_body import ErrorTree, InvalidFormBody

__all__ = ["ErrorTree", "InvalidFormBody"]  # re-exported: callers use limits.ErrorTree

JSON = dict[str, Any]

# Messages and embeds
CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_NAME_MAX = 256
EMBED_TOTAL_MAX = 6000

# Components
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
COMPONENTS_V2_TOTAL_MAX = v2.TOTAL_COMPONENTS_MAX

# Modals
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = v2.MODAL_COMPONENTS_MAX
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
TEXT_INPUT_PLACEHOLDER_MAX = 100

# Application commands
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
SLASH_COMMANDS_MAX = 100
USER_COMMANDS_MAX = 15
MESSAGE_COMMANDS_MAX = 15

COMPONENT_ACTION_ROW = 1
COMPONENT_BUTTON = 2
COMPONENT_TEXT_INPUT = 4
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
COMPONENT_LABEL = 18

_SLASH_NAME = re.compile(r"^[-_'\w\u0900-\u097F\u0E00-\u0E7F]{1,32}$")


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def check_message(
    errors: ErrorTree,
    body: Mapping[str, Any],
    *,
    require_body: bool = True,
    attachments: int = 0,
    path: Sequence[str | int] = (),
) -> None:
    """Content, embeds and components of a message create/edit payload."""
    p = list(path)
    errors.too_long([*p, "content"], body.get("content"), CONTENT_MAX)
    embeds = body.get("embeds") or []
    check_embeds(errors, embeds, path=p)
    flags = int(body.get("flags") or 0)
    is_v2 = bool(flags & v2.MESSAGE_FLAG_IS_COMPONENTS_V2)
    if is_v2:
        v2.check_legacy_fields(errors, body, p)
    check_components(errors, body.get("components") or [], components_v2=is_v2, path=p)
    if require_body and not any(
        (
            body.get("content"),
            embeds,
            body.get("components"),
            body.get("sticker_ids"),
            attachments,
            body.get("poll"),
        )
    ):
        raise EmptyMessage()


class EmptyMessage(Exception):
    """Discord's 400 / 50006 "Cannot send an empty message"."""


def check_embeds(
    errors: ErrorTree, embeds: Sequence[Mapping[str, Any]], *, path: Sequence[str | int] = ()
) -> None:
    """Embed count, per-field limits and the 6,000-character total."""
    p = list(path)
    errors.too_many([*p, "embeds"], embeds, EMBEDS_MAX)
    total = 0
    for i, embed in enumerate(embeds):
        ep = [*p, "embeds", i]
        errors.too_long([*ep, "title"], embed.get("title"), EMBED_TITLE_MAX)
        errors.too_long([*ep, "description"], embed.get("description"), EMBED_DESCRIPTION_MAX)
        total += _len(embed.get("title")) + _len(embed.get("description"))
        footer = embed.get("footer") or {}
        errors.too_long([*ep, "footer", "text"], footer.get("text"), EMBED_FOOTER_MAX)
        total += _len(footer.get("text"))
        author = embed.get("author") or {}
        errors.too_long([*ep, "author", "name"], author.get("name"), EMBED_AUTHOR_NAME_MAX)
        total += _len(author.get("name"))
        fields = embed.get("fields") or []
        errors.too_many([*ep, "fields"], fields, EMBED_FIELDS_MAX)
        for j, fld in enumerate(fields):
            fp = [*ep, "fields", j]
            for key, limit in (("name", EMBED_FIELD_NAME_MAX), ("value", EMBED_FIELD_VALUE_MAX)):
                value = fld.get(key)
                if not isinstance(value, str) or not value:
                    errors.add([*fp, key], "BASE_TYPE_REQUIRED", "This field is required")
                errors.too_long([*fp, key], value, limit)
                total += _len(value)
    if total > EMBED_TOTAL_MAX:
        errors.add(
            [*p, "embeds"],
            "MAX_EMBED_SIZE_EXCEEDED",
            f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
        )


def check_components(
    errors: ErrorTree,
    components: Sequence[Mapping[str, Any]],
    *,
    components_v2: bool = False,
    path: Sequence[str | int] = (),
) -> None:
    """Action rows, buttons and selects of a (classic or v2) message."""
    p = [*path, "components"]
    if components_v2:
        v2.check_layout(errors, components, p)
        _check_interactive(errors, components, p)
        return
    errors.too_many(p, components, ACTION_ROWS_MAX)
    for i, row in enumerate(components):
        rp = [*p, i]
        if row.get("type") != COMPONENT_ACTION_ROW:
            errors.add(
                [*rp, "type"],
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "Top-level components must be action rows",
            )
            continue
        children = row.get("components") or []
        selects = [c for c in children if c.get("type") in SELECT_TYPES]
        if selects and len(children) > 1:
            errors.add(
                [*rp, "components"],
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "A select must be alone in its row",
            )
        errors.too_many([*rp, "components"], children, BUTTONS_PER_ROW_MAX)
        v2.check_message_row(errors, row, rp)
        _check_interactive(errors, children, [*rp, "components"])


def _check_interactive(
    errors: ErrorTree, components: Sequence[Mapping[str, Any]], path: list[str | int]
) -> None:
    for i, c in enumerate(components):
        _check_component(errors, c, [*path, i])


def _check_component(errors: ErrorTree, c: Mapping[str, Any], cp: list[str | int]) -> None:
    """One component (and its children): custom_id, labels, select options."""
    ctype = c.get("type")
    errors.too_long([*cp, "custom_id"], c.get("custom_id"), CUSTOM_ID_MAX)
    if ctype == COMPONENT_BUTTON:
        errors.too_long([*cp, "label"], c.get("label"), BUTTON_LABEL_MAX)
        style = c.get("style")
        if style == 5 and not c.get("url"):
            errors.add([*cp, "url"], "BASE_TYPE_REQUIRED", "This field is required")
        if style not in (5, 6) and not c.get("custom_id"):
            errors.add([*cp, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
    elif ctype in SELECT_TYPES:
        errors.too_long([*cp, "placeholder"], c.get("placeholder"), SELECT_PLACEHOLDER_MAX)
        options = c.get("options") or []
        errors.too_many([*cp, "options"], options, SELECT_OPTIONS_MAX)
        for j, opt in enumerate(options):
            for key in ("label", "value", "description"):
                errors.too_long([*cp, "options", j, key], opt.get(key), SELECT_OPTION_TEXT_MAX)
    nested = c.get("components")
    if isinstance(nested, list):
        _check_interactive(errors, nested, [*cp, "components"])
    for key in ("accessory", "component"):
        child = c.get(key)
        if isinstance(child, Mapping):
            _check_component(errors, child, [*cp, key])


def check_modal(
    errors: ErrorTree, data: Mapping[str, Any], *, path: Sequence[str | int] = ()
) -> None:
    """A modal callback's ``data``: title, custom_id and up to five inputs."""
    p = list(path)
    title = data.get("title")
    if not title:
        errors.add([*p, "title"], "BASE_TYPE_REQUIRED", "This field is required")
    errors.too_long([*p, "title"], title, MODAL_TITLE_MAX)
    custom_id = data.get("custom_id")
    if not custom_id:
        errors.add([*p, "custom_id"], "BASE_TYPE_REQUIRED", "This field is required")
    errors.too_long([*p, "custom_id"], custom_id, CUSTOM_ID_MAX)
    rows = data.get("components") or []
    if not rows:
        errors.add([*p, "components"], "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
    errors.too_many([*p, "components"], rows, MODAL_COMPONENTS_MAX)
    for i, row in enumerate(rows):
        rp = [*p, "components", i]
        labelled = v2.check_modal_top_level(errors, row, rp)
        if row.get("type") == COMPONENT_ACTION_ROW:
            for j, child in enumerate(row.get("components") or []):
                _check_modal_input(errors, child, [*rp, "components", j])
        elif labelled is not None:
            _check_modal_input(errors, labelled, [*rp, "component"])


def _check_modal_input(errors: ErrorTree, c: Mapping[str, Any], path: list[str | int]) -> None:
    if c.get("type") != COMPONENT_TEXT_INPUT:
        _check_component(errors, c, path)
        return
    errors.too_long([*path, "custom_id"], c.get("custom_id"), CUSTOM_ID_MAX)
    errors.too_long([*path, "label"], c.get("label"), TEXT_INPUT_LABEL_MAX)
    errors.too_long([*path, "placeholder"], c.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX)
    errors.too_long([*path, "value"], c.get("value"), TEXT_INPUT_VALUE_MAX)
    for key in ("max_length", "min_length"):
        value = c.get(key)
        if isinstance(value, int) and not 0 <= value <= TEXT_INPUT_VALUE_MAX:
            errors.add(
                [*path, key],
                "NUMBER_TYPE_MAX",
                f"int value should be less than or equal to {TEXT_INPUT_VALUE_MAX}.",
            )


def check_autocomplete_choices(
    errors: ErrorTree, choices: Sequence[Mapping[str, Any]], *, path: Sequence[str | int] = ()
) -> None:
    """An autocomplete result: at most 25 choices, names and string values 1-100."""
    p = [*path, "choices"]
    errors.too_many(p, choices, COMMAND_CHOICES_MAX)
    for i, choice in enumerate(choices):
        _check_choice(errors, choice, [*p, i])


def _check_choice(errors: ErrorTree, choice: Mapping[str, Any], path: list[str | int]) -> None:
    name = choice.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
        errors.add(
            [*path, "name"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {CHOICE_NAME_MAX} in length.",
        )
    value = choice.get("value")
    if isinstance(value, str) and len(value) > CHOICE_STRING_VALUE_MAX:
        errors.add(
            [*path, "value"],
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {CHOICE_STRING_VALUE_MAX} or fewer in length.",
        )


def check_commands(commands: Sequence[Mapping[str, Any]]) -> None:
    """A bulk-overwrite body: names, descriptions, options, choices and per-type counts."""
    errors = ErrorTree()
    counts = {1: 0, 2: 0, 3: 0}
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        ctype = int(cmd.get("type") or 1)
        counts[ctype] = counts.get(ctype, 0) + 1
        name = cmd.get("name")
        _check_command_name(errors, name, [i, "name"], slash=ctype == 1)
        if isinstance(name, str):
            if (ctype, name) in seen:
                errors.add(
                    [i, "name"],
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {name}",
                )
            seen.add((ctype, name))
        description = cmd.get("description")
        if ctype == 1:
            if (
                not isinstance(description, str)
                or not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX
            ):
                errors.add(
                    [i, "description"],
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {COMMAND_DESCRIPTION_MAX} in length.",
                )
        elif description:
            errors.add(
                [i, "description"],
                "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                "Context menu commands cannot have a description",
            )
        _check_options(errors, cmd.get("options") or [], [i, "options"])
        _check_enum_array(errors, cmd.get("integration_types"), [i, "integration_types"], {0, 1})
        _check_enum_array(errors, cmd.get("contexts"), [i, "contexts"], {0, 1, 2})
    limits = {1: SLASH_COMMANDS_MAX, 2: USER_COMMANDS_MAX, 3: MESSAGE_COMMANDS_MAX}
    for ctype, limit in limits.items():
        if counts.get(ctype, 0) > limit:
            errors.add(
                [],
                "APPLICATION_COMMANDS_TOO_MANY",
                f"Maximum number of application commands of type {ctype} reached ({limit})",
            )
    errors.raise_if_any()


def _check_enum_array(
    errors: ErrorTree, value: Any, path: list[str | int], allowed: set[int]
) -> None:
    """``integration_types`` (0 guild install, 1 user install) and ``contexts`` (0 guild,
    1 the bot's DM, 2 other private channels): null, or a non-empty array of those.
    https://discord.com/developers/docs/interactions/application-commands#application-command-object
    https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-context-types
    """
    if value is None:
        return
    if not isinstance(value, list) or not value:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 3 in length.")
        return
    for j, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or item not in allowed:
            choices = ", ".join(str(a) for a in sorted(allowed))
            errors.add([*path, j], "BASE_TYPE_CHOICES", f"Value must be one of {{{choices}}}.")


def _check_command_name(
    errors: ErrorTree, name: Any, path: list[str | int], *, slash: bool
) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= COMMAND_NAME_MAX:
        errors.add(
            path, "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {COMMAND_NAME_MAX} in length."
        )
        return
    if slash and (name != name.lower() or not _SLASH_NAME.match(name)):
        errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name}")


def _check_options(
    errors: ErrorTree, options: Sequence[Mapping[str, Any]], path: list[str | int]
) -> None:
    errors.too_many(path, options, COMMAND_OPTIONS_MAX)
    seen_optional = False
    for j, opt in enumerate(options):
        op = [*path, j]
        _check_command_name(errors, opt.get("name"), [*op, "name"], slash=True)
        description = opt.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
            errors.add(
                [*op, "description"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {COMMAND_DESCRIPTION_MAX} in length.",
            )
        choices = opt.get("choices") or []
        errors.too_many([*op, "choices"], choices, COMMAND_CHOICES_MAX)
        for k, choice in enumerate(choices):
            _check_choice(errors, choice, [*op, "choices", k])
        if opt.get("type") in (1, 2):
            _check_options(errors, opt.get("options") or [], [*op, "options"])
            continue
        if opt.get("required"):
            if seen_optional:
                errors.add(
                    [*op, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
