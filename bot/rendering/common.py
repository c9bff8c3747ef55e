"""Shared drawing helpers: a fresh Agg figure, wrapped text boxes, PNG bytes."""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib costs a second to import; only drawing pays for it
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_BOX_CHARS = 90


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_axis_off()
    return figure, axes


def wrap(text: str, width: int = 22) -> str:
    short = text if len(text) <= MAX_BOX_CHARS else text[: MAX_BOX_CHARS - 1] + "…"
    return "\n".join(textwrap.wrap(short, width)) or " "


def box(axes: Axes, x: float, y: float, text: str, colour: str, size: float = 8.0) -> None:
    axes.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=size,
        wrap=False,
        bbox={"boxstyle": "round,pad=0.4", "facecolor": colour, "edgecolor": "#555555"},
    )


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
