"""A PNG bar chart of practice minutes per day, for reviews and /practice stats.

matplotlib is CPU work and not thread-safe through pyplot, so the chart is drawn
with the object API on the Agg canvas, in a worker thread.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import date

BAR = "#588278"
TARGET = "#c08040"


def draw_practice_chart(
    days: Sequence[date], minutes: Sequence[int], title: str, target: int = 15
) -> bytes:
    """Minutes per day as bars, with the daily target as a dashed line."""
    if len(days) != len(minutes):
        raise ValueError("one minutes value per day")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported when drawing
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(days)))
    axes.bar(positions, list(minutes), color=BAR)
    if target:
        axes.axhline(target, color=TARGET, linestyle="--", linewidth=1, label=f"{target} min")
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    step = max(1, len(days) // 10)
    axes.set_xticks(positions[::step])
    axes.set_xticklabels(
        [d.strftime("%a %d" if len(days) <= 10 else "%d %b") for d in days][::step], fontsize=8
    )
    axes.set_ylabel("minutes")
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def render_practice_chart(
    days: Sequence[date], minutes: Sequence[int], title: str, target: int = 15
) -> bytes:
    return await asyncio.to_thread(draw_practice_chart, list(days), list(minutes), title, target)
