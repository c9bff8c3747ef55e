"""Static word-piece vectors distilled from the shipped MiniLM, for millisecond judgements.

Running MiniLM costs about 0.4 ms per token on two cores here, so a 100-word reply
takes 40 ms: too slow to embed every sentence of a draft while its writer waits.
Following the model2vec recipe, each word piece of MiniLM's vocabulary is passed
through the model once, alone, and its pooled output kept; PCA then keeps the
``DIMENSIONS`` directions that carry most of the variance. A sentence vector is the
mean of its pieces' vectors: microseconds, deterministic, and still MiniLM's notion
of meaning (it loses word order, which the advice check's surface features make up
for).

The table is built once by ``python -m knowledge.static_vectors`` (a few minutes)
and committed; nothing is downloaded, and the bot never rebuilds it at run time.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.embeddings import TOKENIZER_PATH, MiniLMEmbeddings, release_freed_memory
from knowledge.file_backed import mapped_copy

TABLE_PATH: Path = Path(__file__).resolve().parent / "model" / "static-minilm.npz"
DIMENSIONS = 128
#: Pieces per sentence that count; a longer sentence is cut (it is rare and rambling).
MAX_PIECES = 128

FloatArray = npt.NDArray[np.float32]


class StaticVectors:
    """Sentence vectors as the mean of distilled word-piece vectors (unit length)."""

    def __init__(self, table: Path = TABLE_PATH, tokenizer: Path = TOKENIZER_PATH) -> None:
        from tokenizers import Tokenizer

        # Kept in float16, as stored (7.8 MB, not 15.6): widening the few rows a sentence
        # reads is exact, so the vectors are the same to the bit. Served from a mapped
        # file (knowledge.file_backed), only the pages of the pieces in use are resident.
        with np.load(table) as data:
            vectors = np.asarray(data["vectors"], np.float16)
        mapped = mapped_copy(vectors.tofile, "touchstone-static-")
        self._vectors: npt.NDArray[np.float16] = (
            vectors
            if mapped is None
            else np.frombuffer(mapped, dtype=np.float16).reshape(vectors.shape)
        )
        del vectors
        tok = Tokenizer.from_file(str(tokenizer))
        tok.no_padding()
        tok.no_truncation()
        self._tokenizer = tok
        self._special = {tok.token_to_id(t) for t in ("[CLS]", "[SEP]", "[PAD]")}
        # Reading the compressed table goes through temporary copies; hand them back.
        release_freed_memory()

    def piece_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Word-piece ids of each text, without the special tokens."""
        encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=False)
        return [[i for i in e.ids if i not in self._special][:MAX_PIECES] for e in encodings]

    def embed(self, texts: Sequence[str]) -> FloatArray:
        """An (n, DIMENSIONS) array of unit vectors; an empty text gives zeros."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, ids in enumerate(self.piece_ids(texts)):
            if not ids:
                continue
            mean = self._vectors[ids].astype(np.float32).mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm > 1e-9:
                out[row] = mean / norm
        return out


@functools.cache
def shared_static_vectors() -> StaticVectors:
    """The process-wide table (about 8 MB in memory); loaded on first use."""
    return StaticVectors()


def distil(batch: int = 512) -> FloatArray:
    """Pass every vocabulary piece through MiniLM alone; PCA to ``DIMENSIONS``."""
    from tqdm import tqdm

    embedder = MiniLMEmbeddings()
    session, tokenizer = embedder._load()
    size = tokenizer.get_vocab_size()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    pooled = np.zeros((size, 384), dtype=np.float32)
    for start in tqdm(range(0, size, batch), desc="distilling word pieces", unit="batch"):
        ids = np.arange(start, min(start + batch, size), dtype=np.int64)
        seq = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        mask = np.ones_like(seq)
        hidden = session.run(
            None, {"input_ids": seq, "attention_mask": mask, "token_type_ids": np.zeros_like(seq)}
        )[0]
        pooled[ids] = hidden.mean(axis=1)
    centred = pooled - pooled.mean(axis=0, keepdims=True)
    # Principal directions from the SVD of the centred table (deterministic up to sign;
    # each direction's sign is fixed so its largest loading is positive).
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:DIMENSIONS]
    signs = np.sign(components[np.arange(DIMENSIONS), np.abs(components).argmax(axis=1)])
    projected: FloatArray = (centred @ (components * signs[:, None]).T).astype(np.float32)
    return projected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Distil MiniLM's word pieces to a table.")
    parser.add_argument("--out", type=Path, default=TABLE_PATH)
    args = parser.parse_args(argv)
    vectors = distil()
    np.savez_compressed(args.out, vectors=vectors.astype(np.float16))
    print(f"wrote {args.out} ({vectors.shape[0]} pieces x {vectors.shape[1]} dimensions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
