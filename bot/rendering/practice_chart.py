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


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    ylabel: str,
    title: str,
    target: float | None = None,
    target_label: str = "",
) -> bytes:
    """One PNG bar chart, the style every Touchstone chart shares (every tenth label
    shown when there are many bars; an optional dashed target line)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported when drawing
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(values)))
    axes.bar(positions, list(values), color=BAR)
    if target:
        axes.axhline(target, color=TARGET, linestyle="--", linewidth=1, label=target_label)
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    step = max(1, len(labels) // 10)
    axes.set_xticks(positions[::step])
    axes.set_xticklabels(list(labels)[::step], fontsize=8)
    axes.set_ylabel(ylabel)
    axes.set_title(title, fontsize=10)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def draw_practice_chart(
    days: Sequence[date], minutes: Sequence[int], title: str, target: int = 15
) -> bytes:
    """Minutes per day as bars, with the daily target as a dashed line."""
    if len(days) != len(minutes):
        raise ValueError("one minutes value per day")
    labels = [d.strftime("%a %d" if len(days) <= 10 else "%d %b") for d in days]
    return bar_chart(
        labels, minutes, ylabel="minutes", title=title, target=target, target_label=f"{target} min"
    )


async def render_practice_chart(
    days: Sequence[date], minutes: Sequence[int], title: str, target: int = 15
) -> bytes:
    return await asyncio.to_thread(draw_practice_chart, list(days), list(minutes), title, target)
