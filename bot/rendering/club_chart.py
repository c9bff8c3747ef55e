"""A PNG bar chart of the practice club's hours per week (members who chose to share).

Drawn like the coaching reviews' chart: the object API on the Agg canvas, in a thread.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import date

BAR = "#588278"


def draw_club_chart(weeks: Sequence[date], hours: Sequence[float], title: str) -> bytes:
    if len(weeks) != len(hours):
        raise ValueError("one hours value per week")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported when drawing
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(weeks)))
    axes.bar(positions, list(hours), color=BAR)
    axes.set_xticks(positions)
    axes.set_xticklabels([f"wk of {w:%d %b}" for w in weeks], fontsize=8)
    axes.set_ylabel("hours")
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def render_club_chart(weeks: Sequence[date], hours: Sequence[float], title: str) -> bytes:
    return await asyncio.to_thread(draw_club_chart, list(weeks), list(hours), title)
