"""Every table module, imported together: Alembic's autogenerate and the privacy tools
need the whole schema, while each feature keeps its tables in its own module."""

from __future__ import annotations

from bot.storage import (
    ask_models,
    club_models,
    club_social_models,
    coaching_models,
    config_models,
    dialogue_models,
    limit_models,
    models,
)
from bot.storage.models import Base

ALL_USER_COLUMNS: tuple[tuple[str, str], ...] = (
    *models.USER_COLUMNS,
    *dialogue_models.USER_COLUMNS,
    *coaching_models.USER_COLUMNS,
    *config_models.USER_COLUMNS,
    *limit_models.USER_COLUMNS,
    *ask_models.USER_COLUMNS,
    *club_models.USER_COLUMNS,
    *club_social_models.USER_COLUMNS,
)

__all__ = ["ALL_USER_COLUMNS", "Base"]
