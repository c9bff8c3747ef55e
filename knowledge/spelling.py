"""Typo tolerance: mend misspelt words in a question before it is searched.

Members type fast ("procrastinting", "expirement", "stratgy"). A misspelt word
matches no BM25 posting and splits into odd word pieces for the embedding model, so
the one word that carried the question is lost twice. This corrector maps such a
word to a word of the library (notes and their phrasings) within a small edit
distance, using the symmetric-delete idea: every library word is indexed under
itself and each of its one-letter deletions, so a lookup costs a handful of probes
instead of a scan of the vocabulary. The index holds only the keys' hashes, sorted in
one array beside the words they lead to: about 1 MB where a dict of strings and
lists took about 8 MB in every process.

A word is only corrected when it is unknown both to the library and to the
embedding model's own vocabulary (about 20,000 whole English words), so real words
that the notes happen not to use ("twitter", "violin") are left alone.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

TOKENIZER_FILE = Path(__file__).resolve().parent / "model" / "tokenizer.json"
#: Shorter words have too many neighbours at distance one to correct safely.
MIN_WORD_LENGTH = 5
_WORD_RE = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def model_vocabulary() -> frozenset[str]:
    """Whole words the embedding model knows (word pieces without the ``##`` prefix)."""
    try:
        data = json.loads(TOKENIZER_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    vocab = data.get("model", {}).get("vocab", {})
    return frozenset(word for word in vocab if word.isalpha() and word.islower())


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class SpellingCorrector:
    """Corrects words of a question towards the words of a library."""

    def __init__(self, texts: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(word.lower() for word in _WORD_RE.findall(text))
        self.counts = counts
        self.known = model_vocabulary() | set(counts)
        self._words = sorted(word for word in counts if len(word) >= MIN_WORD_LENGTH - 1)
        hashes: list[int] = []
        word_ids: list[int] = []
        for word_id, word in enumerate(self._words):
            for key in {word} | _deletes(word):
                hashes.append(hash(key))
                word_ids.append(word_id)
        keys = np.array(hashes, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._key_hashes = keys[order]
        self._word_ids = np.array(word_ids, dtype=np.int32)[order]

    def _candidates(self, word: str) -> set[str]:
        """Library words sharing ``word`` or one of its deletions as a key (a hash
        collision only adds a candidate, which the edit distance then rules out)."""
        probes = np.array([hash(key) for key in {word} | _deletes(word)], dtype=np.int64)
        starts = np.searchsorted(self._key_hashes, probes, side="left")
        ends = np.searchsorted(self._key_hashes, probes, side="right")
        return {
            self._words[int(i)]
            for start, end in zip(starts, ends, strict=True)
            for i in self._word_ids[start:end]
        }

    def correct_word(self, word: str) -> str:
        """The library word ``word`` was probably meant to be, or ``word`` itself."""
        lower = word.lower()
        if len(lower) < MIN_WORD_LENGTH or lower in self.known:
            return word
        candidates = self._candidates(lower)
        scored = [(edit_distance(lower, c), -self.counts[c], c) for c in candidates]
        scored = [item for item in scored if item[0] <= (1 if len(lower) < 8 else 2)]
        if not scored:
            return word
        return min(scored)[2]

    def correct(self, text: str) -> str:
        """``text`` with every unknown word replaced by its correction."""
        return _WORD_RE.sub(lambda match: self.correct_word(match.group(0)), text)
