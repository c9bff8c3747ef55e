"""The shape every benchmark prints and saves, so ``bench.all`` can gather them into one table.

A benchmark builds a :class:`BenchResult` of rows, each row naming a metric with the
figure for Touchstone and the figure for the baseline measured in the same run.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    metric: str
    touchstone: float | str
    baseline: float | str | None = None
    unit: str = ""
    note: str = ""


@dataclass
class BenchResult:
    name: str
    baseline_name: str
    rows: list[Row] = field(default_factory=list)

    def add(
        self,
        metric: str,
        touchstone: float | str,
        baseline: float | str | None = None,
        unit: str = "",
        note: str = "",
    ) -> None:
        self.rows.append(Row(metric, touchstone, baseline, unit, note))

    def render(self) -> str:
        header = ("metric", "touchstone", self.baseline_name, "unit", "note")
        lines = [
            [r.metric, _fmt(r.touchstone), _fmt(r.baseline), r.unit, r.note] for r in self.rows
        ]
        widths = [max(len(str(c)) for c in col) for col in zip(header, *lines, strict=False)]
        out = [f"== {self.name} =="]
        for cells in (header, *lines):
            out.append(
                "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()
            )
        return "\n".join(out)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "baseline": self.baseline_name,
            "rows": [asdict(r) for r in self.rows],
        }

    def emit(self, json_path: Path | None = None) -> None:
        """Print the table, and save it as JSON when asked."""
        print(self.render(), flush=True)
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")


def _fmt(value: float | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank-interpolated percentile of a list of samples."""
    if not samples:
        return float("nan")
    if len(samples) == 1:
        return samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    index = min(max(round(pct) - 1, 0), len(cuts) - 1)
    return cuts[index]
