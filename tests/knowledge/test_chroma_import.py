"""chromadb works without loading the gRPC exporter it never uses (~12 MB of memory)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.chroma_import import ExporterUnavailable, UnavailableSpanExporter

SCRIPT = """
import sys
from knowledge.chroma_import import import_chromadb
chromadb = import_chromadb()
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
notes = client.get_or_create_collection("notes")
notes.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]], documents=["first", "second"])
found = notes.query(query_embeddings=[[0.9, 0.1]], n_results=1)["documents"][0][0]
print(found, "grpc" in sys.modules)
"""


def test_a_local_index_is_searched_without_grpc_in_the_process(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "chroma")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run.stdout.split() == ["first", "False"]


def test_asking_chromadb_to_export_spans_is_a_clear_error() -> None:
    with pytest.raises(ExporterUnavailable, match="OpenTelemetry export is not available"):
        UnavailableSpanExporter(endpoint="http://collector:4317")
