"""The image for a dialogue summary, by name, so adapters need not know each renderer."""

from __future__ import annotations

from bot.dialogues.model import Summary
from bot.rendering.crux_map import crux_map_png
from bot.rendering.obstacle_tree import obstacle_tree_png


async def summary_png(summary: Summary) -> bytes | None:
    if summary.image == "obstacle_tree":
        return await obstacle_tree_png(summary.image_data)
    if summary.image == "crux_map":
        return await crux_map_png(summary.image_data)
    return None
