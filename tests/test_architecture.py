"""The domain stays free of Discord: only the adapter may import it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADAPTER = ROOT / "bot" / "discord_adapter"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_discord_adapter_imports_discord() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in (ROOT / "bot", ROOT / "knowledge")
        for path in folder.rglob("*.py")
        if ADAPTER not in path.parents and "discord" in imports_of(path)
    ]
    assert offenders == []


def test_the_adapter_is_really_there() -> None:
    assert "discord" in imports_of(ADAPTER / "client.py")
