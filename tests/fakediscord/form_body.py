"""Discord's 400 / 50035 "Invalid Form Body" error tree, shared by every limit check.

Kept apart from the limits themselves so the classic limits (``limits``) and the
Components V2 rules (``components_v2``) build the same error shape without importing
each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

JSON = dict[str, Any]


class InvalidFormBody(Exception):
    """A 400 / 50035 response waiting to be sent. ``errors`` is Discord's error tree."""

    def __init__(self, errors: JSON) -> None:
        super().__init__(f"Invalid Form Body: {errors}")
        self.errors = errors


class ErrorTree:
    """Collects field errors into Discord's nested ``{"_errors": [...]}`` shape."""

    def __init__(self) -> None:
        self.tree: JSON = {}

    def add(self, path: Sequence[str | int], code: str, message: str) -> None:
        """Record an error at ``path`` (keys and list indexes, outermost first)."""
        node = self.tree
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def too_long(self, path: Sequence[str | int], value: Any, limit: int) -> None:
        """Record a max-length error when ``value`` is a string longer than ``limit``."""
        if isinstance(value, str) and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def too_many(self, path: Sequence[str | int], items: Sequence[Any], limit: int) -> None:
        """Record a max-items error when ``items`` has more than ``limit`` entries."""
        if len(items) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self, *, prefix: Sequence[str] = ()) -> None:
        """Raise :class:`InvalidFormBody` (nested under ``prefix``) if anything was recorded."""
        if not self.tree:
            return
        tree = self.tree
        for part in reversed(prefix):
            tree = {part: tree}
        raise InvalidFormBody(tree)
