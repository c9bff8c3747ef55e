"""Fixtures for the knowledge tests: real chromadb, real embeddings.

By default each knowledge base lives in a temporary directory. With
``TOUCHSTONE_TEST_CHROMA=server`` (CI's second pass) every one of them lives instead in
its own collections on a real ``chroma run`` server started for the session, so the
same tests prove the server deployment. Indexing costs a few seconds of embedding, so
modules share one ingested index (module-scoped) and tests that change the index build
their own small one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from knowledge.service import KnowledgeBase

FIXTURE_NOTES = Path(__file__).parent / "fixtures" / "notes"
CHROMA = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
ON_SERVER = os.environ.get("TOUCHSTONE_TEST_CHROMA") == "server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``chroma run`` server on 127.0.0.1, for the whole session."""
    if not Path(CHROMA).exists():
        pytest.skip("the chroma command-line tool (pip package chromadb) is not installed")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("w")
    server = subprocess.Popen(
        [CHROMA, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma server did not start: {(data / 'server.log').read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def open_kb(request: pytest.FixtureRequest) -> Iterator[object]:
    """Builds knowledge bases: in a directory, or (ON_SERVER) in fresh server collections."""
    url = request.getfixturevalue("chroma_url") if ON_SERVER else None

    def build(
        directory: Path,
        notes_dirs: Sequence[Path],
        collection: str | None = None,
        added_notes_dir: Path | None = None,
    ) -> KnowledgeBase:
        if url is None:
            return KnowledgeBase(directory, notes_dirs=notes_dirs, added_notes_dir=added_notes_dir)
        name = collection or f"t{uuid.uuid4().hex[:12]}"
        return KnowledgeBase(
            chroma_url=url, notes_dirs=notes_dirs, collection=name, added_notes_dir=added_notes_dir
        )

    yield build


def copy_fixture_notes(target: Path) -> Path:
    """A writable copy of the fixture notes (tests edit and delete notes in it)."""
    shutil.copytree(FIXTURE_NOTES, target)
    return target


@pytest.fixture(scope="module")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory, open_kb: Any) -> Iterator[KnowledgeBase]:
    """A knowledge base with the fixture notes ingested, shared by one test module.

    Tests using it must not change it (use ``fresh_kb`` for that).
    """
    root = tmp_path_factory.mktemp("kb")
    kb: KnowledgeBase = open_kb(root / "chroma", [copy_fixture_notes(root / "notes")])
    report = asyncio.run(kb.ingest())
    assert report.problems == []
    yield kb
    kb.close()


@pytest.fixture
def fresh_kb(tmp_path: Path, open_kb: Any) -> Iterator[KnowledgeBase]:
    """An empty knowledge base over a writable copy of the fixture notes."""
    kb: KnowledgeBase = open_kb(tmp_path / "chroma", [copy_fixture_notes(tmp_path / "notes")])
    yield kb
    kb.close()
