"""A user filling in a modal: the MODAL_SUBMIT ``data.components`` Discord's client sends.

The submission mirrors the modal the bot opened (action rows or labels) and carries
each input's answer in the shape discord.py reads back
(``discord/types/interactions.py``, ``ModalSubmit*InteractionData``): text inputs a
``value``, selects, checkbox groups and file uploads ``values``, a radio group a
``value`` (or null), a single checkbox a boolean ``value``. Uploaded files become
attachments listed in ``data.resolved.attachments``, as Discord sends them:
https://docs.discord.com/developers/components/reference#file-upload
Values are checked the way the client enforces them before it lets the user submit
(required inputs, lengths, known options, value counts), raising ``ValueError``: a
test that asks for an impossible submission is wrong, not the bot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import components_v2 as v2
from .form_body import JSON

TEXT_INPUT_VALUE_MAX = 4000

Upload = Callable[[Any], JSON]
"""Turns a test's file spec (``(filename, bytes)`` or an ``Attachment``) into an
attachment payload stored on the fake's CDN."""


class _Submission:
    def __init__(self, values: Mapping[str, Any], upload: Upload) -> None:
        self.values = values
        self.upload = upload
        self.known: set[str] = set()
        self.resolved: JSON = {}

    def field(self, component: Mapping[str, Any]) -> JSON:
        cid = str(component.get("custom_id"))
        self.known.add(cid)
        ctype = component.get("type")
        base: JSON = {"type": ctype, "id": component.get("id"), "custom_id": cid}
        if ctype == v2.TEXT_INPUT:
            return {**base, "value": self._text(component, cid)}
        if ctype == v2.CHECKBOX:
            value = self.values.get(cid, bool(component.get("default")))
            if not isinstance(value, bool):
                raise ValueError(f"checkbox {cid!r} takes True or False")
            return {**base, "value": value}
        if ctype == v2.RADIO_GROUP:
            chosen = self.values.get(cid)
            if chosen is not None and not isinstance(chosen, str):
                raise ValueError(f"radio group {cid!r} takes one option value")
            self._check_options(component, cid, [chosen] if chosen else [])
            if chosen is None and component.get("required", True):
                raise ValueError(f"radio group {cid!r} is required")
            return {**base, "value": chosen}
        if ctype == v2.FILE_UPLOAD:
            specs = self.values.get(cid, [])
            files = list(specs) if isinstance(specs, list) else [specs]
            self._check_count(component, cid, len(files))
            ids: list[str] = []
            for spec in files:
                payload = self.upload(spec)
                self.resolved.setdefault("attachments", {})[str(payload["id"])] = payload
                ids.append(str(payload["id"]))
            return {**base, "values": ids}
        chosen_many = self.values.get(cid, [])
        picked = [chosen_many] if isinstance(chosen_many, str) else list(chosen_many)
        if ctype == v2.CHECKBOX_GROUP:
            self._check_options(component, cid, picked)
            self._check_count(component, cid, len(picked))
        return {**base, "values": picked}

    def _text(self, component: Mapping[str, Any], cid: str) -> str:
        value = self.values.get(cid, component.get("value") or "")
        if not isinstance(value, str):
            raise ValueError(f"text input {cid!r} takes a string")
        if component.get("required", True) and not value:
            raise ValueError(f"text input {cid!r} is required")
        max_length = component.get("max_length") or TEXT_INPUT_VALUE_MAX
        min_length = component.get("min_length") or 0
        if len(value) > max_length or (value and len(value) < min_length):
            raise ValueError(
                f"text input {cid!r} must be {min_length}-{max_length} characters, got {len(value)}"
            )
        return value

    @staticmethod
    def _check_options(component: Mapping[str, Any], cid: str, picked: Sequence[str]) -> None:
        offered = {str(o.get("value")) for o in component.get("options") or []}
        unknown = [p for p in picked if p not in offered]
        if unknown:
            raise ValueError(f"{cid!r} offers no option(s) {unknown}; it has {sorted(offered)}")

    @staticmethod
    def _check_count(component: Mapping[str, Any], cid: str, count: int) -> None:
        required = component.get("required", True)
        low = component.get("min_values")
        low = (1 if required else 0) if low is None else low
        high = component.get("max_values")
        if high is None:
            high = (
                1
                if component.get("type") == v2.FILE_UPLOAD
                else len(component.get("options") or [])
            )
        if count == 0 and not required:
            return
        if not low <= count <= high:
            raise ValueError(f"{cid!r} takes {low}-{high} values, got {count}")


def modal_submission(
    rows: Sequence[JSON], values: Mapping[str, Any], upload: Upload
) -> tuple[list[JSON], JSON]:
    """``(data.components, data.resolved)`` for a user's answers to the modal ``rows``."""
    submission = _Submission(values, upload)
    submitted: list[JSON] = []
    for row in rows:
        if row.get("type") == v2.ACTION_ROW:
            fields = [submission.field(c) for c in row.get("components") or []]
            submitted.append({"type": 1, "components": fields})
        elif row.get("type") == v2.LABEL and isinstance(row.get("component"), dict):
            submitted.append(
                {"type": 18, "id": row.get("id"), "component": submission.field(row["component"])}
            )
        elif row.get("type") == v2.TEXT_DISPLAY:
            submitted.append({"type": 10, "id": row.get("id"), "content": row.get("content")})
    unknown = set(values) - submission.known
    if unknown:
        raise ValueError(f"the modal has no field(s) {sorted(unknown)}")
    return submitted, submission.resolved
