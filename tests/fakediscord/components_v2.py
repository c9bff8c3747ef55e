"""Components V2 and modal form inputs, checked the way Discord checks them.

A message sent with the IS_COMPONENTS_V2 flag is laid out entirely in components
(sections, text displays, containers...), and a modal may hold labels wrapping
selects, file uploads, checkboxes and radio groups. A bot that mixes the two systems
or overfills a layout gets a 400 from Discord; the fake answers the same way, so the
bot cannot depend on leniency that production doesn't have.

Reference (type numbers, nesting and limits):
https://docs.discord.com/developers/components/reference
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .form_body import ErrorTree

MESSAGE_FLAG_IS_COMPONENTS_V2 = 1 << 15

ACTION_ROW = 1
BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
SECTION = 9
TEXT_DISPLAY = 10
THUMBNAIL = 11
MEDIA_GALLERY = 12
FILE = 13
SEPARATOR = 14
CONTAINER = 17
LABEL = 18
FILE_UPLOAD = 19
RADIO_GROUP = 21
CHECKBOX_GROUP = 22
CHECKBOX = 23

# "Messages allow up to 40 total components" (nested ones count):
# https://docs.discord.com/developers/components/reference
TOTAL_COMPONENTS_MAX = 40
# "The amount of text across all text display components cannot exceed 4000 characters":
# https://github.com/discordjs/guide/commit/4197a8ccbdeeef3fba42c581ee6cdcc16b54ee5f
# (the discord.js guide's display-components page, from the reference's Text Display).
TEXT_DISPLAY_TOTAL_MAX = 4000
# Section: one to three text displays beside a thumbnail or button accessory:
# https://docs.discord.com/developers/components/reference#section
SECTION_TEXTS_MAX = 3
# Media gallery: 1 to 10 media items:
# https://discord-discord-api-docs.mintlify.app/developers/components/overview
MEDIA_GALLERY_ITEMS_MAX = 10
# Thumbnail and media item alt text, max 1024 characters (discord-api-docs PR #7537):
# https://github.com/discord/discord-api-docs/pull/7537/files
MEDIA_DESCRIPTION_MAX = 1024
# Label: "The label text; max 45 characters", description "max 100 characters":
# https://discord.js.org/docs/packages/discord.js/14.26.2/APILabelComponent:Interface
# (mirrors https://discord.com/developers/docs/components/reference#label)
LABEL_TEXT_MAX = 45
LABEL_DESCRIPTION_MAX = 100
# Checkbox group: "Checkbox group option within the component; max 10", min_values
# 0-10, max_values 1-10:
# https://discord-api-types.dev/api/discord-api-types-v9/interface/APICheckboxGroupComponent
GROUP_OPTIONS_MAX = 10
GROUP_VALUES_MAX = 10
# Radio group: 2 to 10 options (Discord.Net's RadioGroupBuilder Min/MaxOptionCount):
# https://docs.discordnet.dev/api/Discord.RadioGroupBuilder.html
RADIO_OPTIONS_MIN = 2
# File upload: min_values 0-10, max_values 1-10 (the modal's File Upload component):
# https://github.com/discord/discord-api-docs/discussions/5883
FILE_UPLOAD_VALUES_MAX = 10
# Modals: "Modal forms must have at least one component, up to 5":
# https://docs.juniper.bot/en/message-templates/components/index
MODAL_COMPONENTS_MAX = 5

_V2_TOP_LEVEL = frozenset(
    {ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER}
)
_CONTAINER_CHILDREN = frozenset({ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR})
_MODAL_TOP_LEVEL = frozenset({ACTION_ROW, TEXT_DISPLAY, LABEL})
_LABEL_CHILDREN = frozenset({*SELECT_TYPES, TEXT_INPUT, FILE_UPLOAD, RADIO_GROUP, CHECKBOX_GROUP})
_LABEL_CHILDREN_ALL = _LABEL_CHILDREN | {CHECKBOX}

_LEGACY_FIELDS = ("content", "embeds", "poll", "sticker_ids")


def check_legacy_fields(errors: ErrorTree, body: Mapping[str, Any], path: list[str | int]) -> None:
    """With IS_COMPONENTS_V2, "the content and embeds fields will no longer work", and
    "the poll and stickers fields are disabled":
    https://docs.discord.com/developers/components/reference
    """
    for key in _LEGACY_FIELDS:
        if body.get(key):
            errors.add(
                [*path, key],
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                f"The '{key}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2",
            )


def count_components(components: Sequence[Mapping[str, Any]]) -> int:
    """Every component, nested ones and section accessories included."""
    count = 0
    for c in components:
        count += 1
        count += count_components(c.get("components") or [])
        for key in ("accessory", "component"):
            if isinstance(c.get(key), Mapping):
                count += 1
    return count


def check_layout(
    errors: ErrorTree, components: Sequence[Mapping[str, Any]], path: list[str | int]
) -> None:
    """A V2 message's component tree: allowed types where they stand, section and
    gallery sizes, the 40-component and 4,000-character totals.
    (Interactive children are checked by the classic rules in ``limits``.)"""
    if count_components(components) > TOTAL_COMPONENTS_MAX:
        errors.add(
            path, "BASE_TYPE_MAX_LENGTH", f"Must be {TOTAL_COMPONENTS_MAX} or fewer in length."
        )
    for i, c in enumerate(components):
        _check_layout_item(errors, c, [*path, i], allowed=_V2_TOP_LEVEL)
    if text_display_total(components) > TEXT_DISPLAY_TOTAL_MAX:
        errors.add(
            path,
            "COMPONENT_TEXT_DISPLAY_TOTAL_LENGTH_EXCEEDED",
            f"The total length of text display content must be {TEXT_DISPLAY_TOTAL_MAX} "
            "or fewer characters",
        )


def text_display_total(components: Sequence[Mapping[str, Any]]) -> int:
    """Characters across every text display in the tree."""
    total = 0
    for c in components:
        if c.get("type") == TEXT_DISPLAY and isinstance(c.get("content"), str):
            total += len(c["content"])
        total += text_display_total(c.get("components") or [])
    return total


def _bad_type(errors: ErrorTree, path: list[str | int], ctype: Any) -> None:
    errors.add(
        [*path, "type"],
        "UNION_TYPE_CHOICES",
        f'Value of field "type" must be one of the allowed component types here, got {ctype}.',
    )


def _check_layout_item(
    errors: ErrorTree, c: Mapping[str, Any], path: list[str | int], *, allowed: frozenset[int]
) -> None:
    ctype = c.get("type")
    if ctype not in allowed:
        _bad_type(errors, path, ctype)
        return
    children = c.get("components") or []
    if ctype == CONTAINER:
        if not children:
            errors.add(
                [*path, "components"], "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."
            )
        for j, child in enumerate(children):
            _check_layout_item(errors, child, [*path, "components", j], allowed=_CONTAINER_CHILDREN)
    elif ctype == SECTION:
        if not 1 <= len(children) <= SECTION_TEXTS_MAX:
            errors.add(
                [*path, "components"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {SECTION_TEXTS_MAX} in length.",
            )
        for j, child in enumerate(children):
            if child.get("type") != TEXT_DISPLAY:
                _bad_type(errors, [*path, "components", j], child.get("type"))
        accessory = c.get("accessory")
        if not isinstance(accessory, Mapping):
            errors.add([*path, "accessory"], "BASE_TYPE_REQUIRED", "This field is required")
        elif accessory.get("type") not in (BUTTON, THUMBNAIL):
            _bad_type(errors, [*path, "accessory"], accessory.get("type"))
        elif accessory.get("type") == THUMBNAIL:
            _check_media(errors, accessory, [*path, "accessory"])
    elif ctype == TEXT_DISPLAY:
        if not isinstance(c.get("content"), str) or not c.get("content"):
            errors.add([*path, "content"], "BASE_TYPE_REQUIRED", "This field is required")
    elif ctype == MEDIA_GALLERY:
        items = c.get("items") or []
        if not 1 <= len(items) <= MEDIA_GALLERY_ITEMS_MAX:
            errors.add(
                [*path, "items"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {MEDIA_GALLERY_ITEMS_MAX} in length.",
            )
        for j, item in enumerate(items):
            _check_media(errors, item, [*path, "items", j])
    elif ctype == FILE:
        url = (c.get("file") or {}).get("url")
        if not isinstance(url, str) or not url.startswith("attachment://"):
            errors.add(
                [*path, "file", "url"],
                "COMPONENT_INVALID_FILE_URL",
                "File components only support attachment:// URLs",
            )
    elif ctype == ACTION_ROW:
        check_message_row(errors, c, path)


def check_message_row(errors: ErrorTree, row: Mapping[str, Any], path: list[str | int]) -> None:
    """A message's action row holds buttons or one select; text inputs, file uploads,
    checkboxes and radio groups exist only in modals:
    https://docs.discord.com/developers/components/reference#component-object-component-types
    """
    for j, child in enumerate(row.get("components") or []):
        if child.get("type") not in (BUTTON, *SELECT_TYPES):
            _bad_type(errors, [*path, "components", j], child.get("type"))


def _check_media(errors: ErrorTree, item: Mapping[str, Any], path: list[str | int]) -> None:
    media = item.get("media")
    if not isinstance(media, Mapping) or not isinstance(media.get("url"), str):
        errors.add([*path, "media"], "BASE_TYPE_REQUIRED", "This field is required")
    errors.too_long([*path, "description"], item.get("description"), MEDIA_DESCRIPTION_MAX)


def check_modal_top_level(
    errors: ErrorTree, row: Mapping[str, Any], path: list[str | int]
) -> Mapping[str, Any] | None:
    """One top-level modal component: an action row (legacy text inputs), a text
    display or a label. Returns the label's input for the caller's per-input checks."""
    ctype = row.get("type")
    if ctype not in _MODAL_TOP_LEVEL:
        _bad_type(errors, path, ctype)
        return None
    if ctype == TEXT_DISPLAY:
        if not isinstance(row.get("content"), str) or not row.get("content"):
            errors.add([*path, "content"], "BASE_TYPE_REQUIRED", "This field is required")
        return None
    if ctype != LABEL:
        return None
    label = row.get("label")
    if not isinstance(label, str) or not label:
        errors.add([*path, "label"], "BASE_TYPE_REQUIRED", "This field is required")
    errors.too_long([*path, "label"], label, LABEL_TEXT_MAX)
    errors.too_long([*path, "description"], row.get("description"), LABEL_DESCRIPTION_MAX)
    child = row.get("component")
    if not isinstance(child, Mapping):
        errors.add([*path, "component"], "BASE_TYPE_REQUIRED", "This field is required")
        return None
    if child.get("type") not in _LABEL_CHILDREN_ALL:
        _bad_type(errors, [*path, "component"], child.get("type"))
        return None
    _check_modal_input(errors, child, [*path, "component"])
    return child


def _check_modal_input(errors: ErrorTree, c: Mapping[str, Any], path: list[str | int]) -> None:
    """Option counts and value ranges of the modal-only inputs."""
    ctype = c.get("type")
    options = c.get("options") or []
    if ctype == CHECKBOX_GROUP:
        if not 1 <= len(options) <= GROUP_OPTIONS_MAX:
            errors.add(
                [*path, "options"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {GROUP_OPTIONS_MAX} in length.",
            )
        _check_value_range(errors, c, path, minimum=0, maximum=GROUP_VALUES_MAX)
    elif ctype == RADIO_GROUP:
        if not RADIO_OPTIONS_MIN <= len(options) <= GROUP_OPTIONS_MAX:
            errors.add(
                [*path, "options"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between {RADIO_OPTIONS_MIN} and {GROUP_OPTIONS_MAX} in length.",
            )
    elif ctype == FILE_UPLOAD:
        _check_value_range(errors, c, path, minimum=0, maximum=FILE_UPLOAD_VALUES_MAX)


def _check_value_range(
    errors: ErrorTree, c: Mapping[str, Any], path: list[str | int], *, minimum: int, maximum: int
) -> None:
    for key, low in (("min_values", minimum), ("max_values", 1)):
        value = c.get(key)
        if value is not None and (not isinstance(value, int) or not low <= value <= maximum):
            errors.add(
                [*path, key],
                "NUMBER_TYPE_MAX"
                if isinstance(value, int) and value > maximum
                else "NUMBER_TYPE_MIN",
                f"int value should be between {low} and {maximum}.",
            )
    low_v, high_v = c.get("min_values"), c.get("max_values")
    if isinstance(low_v, int) and isinstance(high_v, int) and low_v > high_v:
        errors.add(
            [*path, "min_values"],
            "SELECT_COMPONENT_MIN_VALUES_TOO_HIGH",
            "min_values must be less than or equal to max_values",
        )


def texts(components: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every text display's content in a component tree, in reading order (for tests
    that read what a V2 message says the way they read an embed's description)."""
    found: list[str] = []
    for c in components:
        if c.get("type") == TEXT_DISPLAY and isinstance(c.get("content"), str):
            found.append(c["content"])
        found += texts(c.get("components") or [])
    return found


def custom_ids(components: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every interactive component's custom id, rows, containers and accessories included."""
    found: list[str] = []
    for c in components:
        if isinstance(c.get("custom_id"), str):
            found.append(c["custom_id"])
        found += custom_ids(c.get("components") or [])
        for key in ("accessory", "component"):
            child = c.get(key)
            if isinstance(child, Mapping):
                found += custom_ids([child])
    return found


def walk(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Every component of a tree, depth first: rows, containers, sections, accessories."""
    found: list[Mapping[str, Any]] = []
    for c in components:
        found.append(c)
        found += walk(c.get("components") or [])
        for key in ("accessory", "component"):
            child = c.get(key)
            if isinstance(child, Mapping):
                found += walk([child])
    return found
