"""chromadb, imported without the OpenTelemetry gRPC exporter it never uses here.

chromadb's telemetry module imports the OTLP gRPC span exporter when chromadb is
imported (grpc and its protobuf stubs: about 12 MB resident in the bot process), yet
it only constructs one when a chroma OpenTelemetry endpoint is configured, which
Touchstone never does. A stand-in installed before the first import keeps grpc out
of the process. Should anything ever construct the exporter, the stand-in raises
:class:`ExporterUnavailable` rather than dropping spans silently.
"""

from __future__ import annotations

import sys
import types
from typing import Any

EXPORTER_MODULE = "opentelemetry.exporter.otlp.proto.grpc.trace_exporter"


class ExporterUnavailable(RuntimeError):
    """chromadb was asked to export OpenTelemetry spans, which Touchstone does not ship."""


class UnavailableSpanExporter:
    """Stands in for ``OTLPSpanExporter``; constructing it is an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ExporterUnavailable(
            "chromadb's OpenTelemetry export is not available in Touchstone: "
            "leave chroma_otel_collection_endpoint unset"
        )


def _install_stand_in() -> None:
    if EXPORTER_MODULE in sys.modules:
        return  # the real exporter (or the stand-in) is already there
    module = types.ModuleType(EXPORTER_MODULE, __doc__)
    setattr(module, "OTLPSpanExporter", UnavailableSpanExporter)  # noqa: B010
    sys.modules[EXPORTER_MODULE] = module


def import_chromadb() -> types.ModuleType:
    """``import chromadb``, with the stand-in in place if chromadb is not loaded yet."""
    if "chromadb" not in sys.modules:
        _install_stand_in()
    import chromadb

    return chromadb
