"""Form (modal) submissions handled by custom id, so a form opened before a restart
is still acknowledged and its text saved after it.

A :class:`discord.ui.Modal` object lives in one process's memory; Discord sends the
submission to whichever process runs when the person presses Submit. Forms therefore
carry everything needed in their custom id (``ts:form:...``), their ``on_submit`` does
nothing, and the cog handles the raw submission in ``on_interaction``.
"""

from __future__ import annotations

from typing import Any

FORM_PREFIX = "ts:form:"
#: Discord's radio group component type; it answers with ``value``, not ``values``.
RADIO_GROUP = 21


def form_custom_id(interaction_data: object) -> str:
    """The custom id of a submitted form ('' for anything else)."""
    if isinstance(interaction_data, dict):
        return str(interaction_data.get("custom_id") or "")
    return ""


def form_values(data: object) -> dict[str, str]:
    """``{field custom id: value}`` of a modal submission, whatever the nesting
    (action rows, or the newer label components)."""
    found: dict[str, str] = {}
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("custom_id"), str) and isinstance(item.get("value"), str):
                found[item["custom_id"]] = item["value"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def form_choices(data: object) -> dict[str, list[str]]:
    """``{field custom id: chosen values}`` for the inputs that answer with a list
    (selects, checkbox groups, file uploads' attachment ids) and radio groups (a single
    value, or none)."""
    found: dict[str, list[str]] = {}
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            custom_id = item.get("custom_id")
            if isinstance(custom_id, str) and isinstance(item.get("values"), list):
                found[custom_id] = [str(v) for v in item["values"]]
            elif isinstance(custom_id, str) and item.get("type") == RADIO_GROUP:
                value = item.get("value")
                found[custom_id] = [str(value)] if value else []
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def form_checks(data: object) -> dict[str, bool]:
    """``{field custom id: ticked}`` for single checkboxes."""
    found: dict[str, bool] = {}
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            custom_id = item.get("custom_id")
            if isinstance(custom_id, str) and isinstance(item.get("value"), bool):
                found[custom_id] = bool(item["value"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def uploaded_file(data: object, field: str) -> tuple[str, int, str] | None:
    """(filename, size, CDN url) of the file picked in a form's file upload ``field``,
    from the submission's ``resolved.attachments`` (where Discord lists uploaded files:
    the field itself answers only with attachment ids)."""
    chosen = form_choices(data).get(field) or []
    resolved = data.get("resolved") if isinstance(data, dict) else None
    attachments = resolved.get("attachments") if isinstance(resolved, dict) else None
    if not chosen or not isinstance(attachments, dict):
        return None
    found = attachments.get(chosen[0])
    if not isinstance(found, dict):
        return None
    return str(found.get("filename", "")), int(found.get("size") or 0), str(found.get("url", ""))
