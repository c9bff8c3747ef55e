"""The obstacle tree of a "why is this impossible?" dialogue as a PNG.

Leaves are spread evenly left to right, each parent sits above the middle of its
children, and every obstacle is coloured by its label, with its next action underneath.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.rendering.common import box, new_figure, png_bytes, wrap

COLOURS = {
    "impossible": "#f4b6b6",
    "hard": "#f8dc9c",
    "inconvenient": "#bfe3c0",
    None: "#e3e8ef",
}
LABEL_TEXT = {"impossible": "impossible", "hard": "very hard", "inconvenient": "inconvenient"}


def _layout(nodes: dict[str, Any], roots: list[str]) -> dict[str, float]:
    xs: dict[str, float] = {}
    counter = [0.0]

    def place(nid: str) -> float:
        children = nodes[nid]["children"]
        if not children:
            xs[nid] = counter[0]
            counter[0] += 1
        else:
            positions = [place(child) for child in children]
            xs[nid] = sum(positions) / len(positions)
        return xs[nid]

    for root in roots:
        place(root)
    return xs


def render_obstacle_tree(data: dict[str, Any]) -> bytes:
    nodes: dict[str, Any] = data.get("nodes", {})
    roots: list[str] = data.get("roots", [])
    xs = _layout(nodes, roots)
    leaves = max(1, sum(1 for n in nodes.values() if not n["children"]))
    depth = max([n["depth"] for n in nodes.values()] or [1])
    figure, axes = new_figure(max(6.0, 2.2 * leaves), 2.0 + 1.9 * (depth + 1))
    axes.set_xlim(-0.8, leaves - 0.2)
    axes.set_ylim(-depth - 1.2, 0.6)
    centre = (leaves - 1) / 2
    box(axes, centre, 0, wrap("GOAL: " + str(data.get("goal", "")), 40), "#cfd8f6", 10)
    for nid, node in nodes.items():
        x, y = xs[nid], -node["depth"]
        parent = nid.rsplit(".", 1)[0] if "." in nid else None
        px, py = (xs[parent], -nodes[parent]["depth"]) if parent else (centre, 0)
        axes.plot([px, x], [py - 0.15, y + 0.15], color="#888888", linewidth=1, zorder=0)
        label = node.get("label")  # a reason's is the hardest of the obstacles under it
        text = f"{nid}. {wrap(node['text'])}"
        if label:
            text += f"\n[{LABEL_TEXT[label]}]"
        box(axes, x, y, text, COLOURS.get(label, COLOURS[None]))
        if label and node.get("action") and not node["children"]:
            prefix = "goal instead: " if label == "impossible" else "next: "
            axes.text(
                x,
                y - 0.32,
                wrap(prefix + node["action"], 24),
                ha="center",
                va="top",
                fontsize=7,
                style="italic",
            )
    return png_bytes(figure)


async def obstacle_tree_png(data: dict[str, Any]) -> bytes:
    return await asyncio.to_thread(render_obstacle_tree, data)
