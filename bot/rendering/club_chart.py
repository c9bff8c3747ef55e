"""A PNG bar chart of the practice club's hours per week (members who chose to share).

Drawn like the coaching reviews' chart: the object API on the Agg canvas, in a thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

from bot.rendering.practice_chart import bar_chart


def draw_club_chart(weeks: Sequence[date], hours: Sequence[float], title: str) -> bytes:
    if len(weeks) != len(hours):
        raise ValueError("one hours value per week")
    labels = [f"wk of {w:%d %b}" for w in weeks]
    return bar_chart(labels, hours, ylabel="hours", title=title)


async def render_club_chart(weeks: Sequence[date], hours: Sequence[float], title: str) -> bytes:
    return await asyncio.to_thread(draw_club_chart, list(weeks), list(hours), title)
