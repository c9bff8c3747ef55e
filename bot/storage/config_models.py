"""Per-server configuration and its audit log (issue: moderator configuration).

Import :class:`bot.storage.models.Base` and declare tables here; list every column that
holds a Discord user id in ``USER_COLUMNS`` so privacy export and erasure find it.
"""

from __future__ import annotations

from bot.storage.models import Base

__all__ = ["USER_COLUMNS", "Base"]

USER_COLUMNS: tuple[tuple[str, str], ...] = ()
