"""The static word-piece table is read from a mapped file, with the stored values."""

from __future__ import annotations

import mmap

import numpy as np

from knowledge.file_backed import mapped_copy
from knowledge.static_vectors import TABLE_PATH, StaticVectors


def test_static_vectors_come_from_a_mapped_file_with_the_stored_values() -> None:
    vectors = StaticVectors()
    table = vectors._vectors
    owner = table
    while isinstance(owner, np.ndarray) and owner.base is not None:
        owner = owner.base
    assert isinstance(owner, memoryview)
    assert isinstance(owner.obj, mmap.mmap)
    with np.load(TABLE_PATH) as data:
        assert np.array_equal(table, np.asarray(data["vectors"], np.float16))
    texts = ["finally finished my first 5k today!!", "lol good luck with that", ""]
    in_memory = np.asarray(table, dtype=np.float16).copy()
    vectors._vectors = in_memory
    same = vectors.embed(texts)
    vectors._vectors = table
    assert np.array_equal(vectors.embed(texts), same)
    assert not same[2].any()  # an empty text is zeros, as before


def test_a_mapped_copy_holds_exactly_what_was_written() -> None:
    mapped = mapped_copy(lambda file: file.write(b"touchstone"), "touchstone-test-")
    assert mapped is not None
    assert mapped[:] == b"touchstone"
