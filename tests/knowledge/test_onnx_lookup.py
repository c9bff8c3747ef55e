"""The int8 word-embedding lookup changes memory, never an embedding.

The rewritten graph must give bit-identical vectors to the shipped one (the same float
products, only computed for the rows a batch reads), and a model that does not have
the expected shape must be loaded as it is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.embeddings import _model_file
from knowledge.onnx_lookup import gather_before_dequantise, int8_lookup_model

TEXTS = [
    "ok",
    "How do I run a premortem on our launch plan?",
    "¿Dónde está la biblioteca? Necesito estudiar para el examen.",
    "日本語のテキストです。",
    "bold strategy 🙄",
    "Calibration: assign probabilities to beliefs and check them against outcomes. " * 30,
]


def _embed(model: Path, texts: list[str]) -> np.ndarray:
    import onnxruntime
    from tokenizers import Tokenizer

    from knowledge.embeddings import TOKENIZER_PATH

    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.enable_truncation(max_length=256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(model), sess_options=options)
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    hidden: np.ndarray = session.run(None, feeds)[0]
    return hidden


def test_the_shipped_model_is_rewritten() -> None:
    model = _model_file().read_bytes()
    assert gather_before_dequantise(model) != model


def test_hidden_states_are_bit_identical() -> None:
    original = _embed(_model_file(), TEXTS)
    with int8_lookup_model(_model_file()) as rewritten:
        assert rewritten != _model_file()
        looked_up = _embed(rewritten, TEXTS)
    assert np.array_equal(original, looked_up)


def test_a_model_without_the_table_is_left_alone() -> None:
    model = _model_file().read_bytes()
    assert gather_before_dequantise(model, table="no.such.table") is model
    assert gather_before_dequantise(b"") == b""
