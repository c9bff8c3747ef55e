"""The MiniLM embedder as a real langchain ``Embeddings``, for langchain components.

Kept apart from :mod:`knowledge.embeddings` so that only code that hands the embedder
to langchain (a vector store, a retriever) pays for importing langchain's base class.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from knowledge.embeddings import MiniLMEmbeddings, shared_embeddings


class LangchainMiniLM(Embeddings):
    """Delegates every call to a :class:`MiniLMEmbeddings` (the async ones stay off the
    event loop, as there)."""

    def __init__(self, embedder: MiniLMEmbeddings) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await self.embedder.aembed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await self.embedder.aembed_query(text)


def as_langchain(embedder: MiniLMEmbeddings | None = None) -> Embeddings:
    """``embedder`` (the process-wide one by default) as a langchain ``Embeddings``."""
    return LangchainMiniLM(embedder or shared_embeddings())
