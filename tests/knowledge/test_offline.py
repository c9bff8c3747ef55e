"""With every socket refused, the knowledge base still embeds, indexes and answers.

The bot's machines reach no model hub; anything that tries the network at run time
(chromadb's default embedding function, telemetry, a tokenizer download) would fail
there. Here any attempt fails loudly instead of silently working on a developer box.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from knowledge.embeddings import MiniLMEmbeddings
from knowledge.service import KnowledgeBase
from tests.knowledge.conftest import copy_fixture_notes


class NetworkBlocked(AssertionError):
    pass


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise NetworkBlocked("network access attempted")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)


def test_the_block_is_real(no_network: None) -> None:
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 9))
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("127.0.0.1", 9))


async def test_embed_index_and_answer_without_network(no_network: None, tmp_path: Path) -> None:
    # A fresh embedder (not the shared one) so the model is loaded with sockets blocked.
    kb = KnowledgeBase(
        tmp_path / "chroma",
        notes_dirs=[copy_fixture_notes(tmp_path / "notes")],
        embeddings=MiniLMEmbeddings(),
    )
    report = await kb.ingest()
    assert report.chunks_added > 0 and report.ok
    results = await kb.search("I made a plan but keep scrolling my phone instead", k=3)
    assert results
    answer = await kb.answer(
        "should I keep going with a project just because I spent a year on it?"
    )
    assert answer.citations[0].note_id == "sunk-cost"
    assert await kb.check()
    kb.close()
