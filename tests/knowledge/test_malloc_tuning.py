"""The allocator helpers are safe to call anywhere and defer to the operator's setting."""

from __future__ import annotations

import sys

import pytest

from knowledge.embeddings import limit_malloc_arenas, release_freed_memory


def test_an_operators_arena_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


def test_arenas_are_capped_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas() is sys.platform.startswith("linux")
    release_freed_memory()  # and trimming afterwards is harmless
