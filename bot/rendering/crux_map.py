"""The crux map of a double crux as a PNG: the claim on top, each person's cruxes in
their own column, the double cruxes in the middle, and the agreed test underneath."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.rendering.common import box, new_figure, png_bytes, wrap


def render_crux_map(data: dict[str, Any]) -> bytes:
    names: dict[str, str] = data.get("names", {"a": "A", "b": "B"})
    rounds: list[dict[str, Any]] = data.get("rounds", [])
    rows = sum(
        max(len(r["cruxes"].get("a", [])), len(r["cruxes"].get("b", [])), 1) + 1 for r in rounds
    )
    height = 3.0 + 0.9 * rows
    figure, axes = new_figure(10.0, height)
    axes.set_xlim(0, 10)
    axes.set_ylim(-rows - 2.5, 1.2)
    box(axes, 5, 0.6, wrap("CLAIM: " + str(data.get("claim", "")), 60), "#cfd8f6", 10)
    confidence = data.get("confidence", {})
    for seat, x in (("a", 1.8), ("b", 8.2)):
        conf = confidence.get(seat)
        heading = names.get(seat, seat) + (f" ({conf}%)" if conf is not None else "")
        axes.text(x, -0.2, heading, ha="center", fontsize=10, weight="bold")
    y = -0.9
    for number, rnd in enumerate(rounds, 1):
        axes.text(0.1, y, f"round {number}", fontsize=7, color="#666666")
        y -= 0.5
        top = y
        for seat, x in (("a", 1.8), ("b", 8.2)):
            yy = top
            for item in rnd["cruxes"].get(seat, []):
                colour = "#bfe3c0" if item in rnd.get("double", []) else "#eef0f3"
                box(axes, x, yy, wrap(item, 30), colour, 7.5)
                yy -= 0.9
        count = max(len(rnd["cruxes"].get("a", [])), len(rnd["cruxes"].get("b", [])), 1)
        for index, crux in enumerate(rnd.get("double", [])):
            cy = top - index * 0.9
            box(axes, 5, cy, wrap("DOUBLE CRUX: " + crux, 30), "#f8dc9c", 8)
            axes.plot([3.2, 4.0], [cy, cy], color="#888888")
            axes.plot([6.0, 6.8], [cy, cy], color="#888888")
        y = top - 0.9 * count
    test = data.get("test") or {}
    if test:
        text = f"TEST ({test.get('kind', '')}): {test.get('detail', '')}"
        if test.get("date"):
            text += f" — by {str(test['date'])[:10]}"
        box(axes, 5, -rows - 1.8, wrap(text, 70), "#d9ecf7", 9)
    return png_bytes(figure)


async def crux_map_png(data: dict[str, Any]) -> bytes:
    return await asyncio.to_thread(render_crux_map, data)
