"""Which language a draft is in, so the check never silently passes what it cannot read.

The learned check is trained on English and its word-piece vectors come from an
English model, so a Spanish pile of warnings would look like noise to it and pass
as "fine". Rather than guess, the checker says plainly that it can't check that
language yet. Detection uses ``py3langid``, whose model ships inside the package
(offline, under a millisecond per draft).

Short chat ("ok", "gg wp", "bold strategy 🙄") is where identifiers are weakest, so a
draft counts as another language only when the identifier is confident and the
text is long enough to judge, or written in a non-Latin script, and when it does
not read as English by its most common words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from dataclasses import dataclass
from typing import Any, Literal

from knowledge.embeddings import release_freed_memory
from knowledge.file_backed import mapped_copy

ENGLISH = "en"
#: Below this many words, Latin-script text is taken as English unless clearly not.
_MIN_WORDS = 3
_MIN_CONFIDENCE = 0.8
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "you",
        "your",
        "you're",
        "i",
        "i'm",
        "my",
        "me",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "not",
        "no",
        "yes",
        "so",
        "just",
        "if",
        "what",
        "how",
        "why",
        "when",
        "do",
        "does",
        "did",
        "don't",
        "can",
        "can't",
        "will",
        "would",
        "should",
        "could",
        "have",
        "has",
        "lol",
        "ok",
        "okay",
        "yeah",
        "nice",
        "good",
        "great",
        "thanks",
        "thank",
        "please",
    ]
)

_NAMES = {
    "ar": "Arabic",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class Language:
    """A detected language: ISO 639-1 code, its English name, and the detector's confidence."""

    code: str
    confidence: float

    @property
    def name(self) -> str:
        return _NAMES.get(self.code, self.code)

    @property
    def is_english(self) -> bool:
        return self.code == ENGLISH


_identifier: Any = None
_lock = threading.Lock()


def _classify(text: str) -> tuple[str, float]:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
            identifier.set_languages(sorted(_NAMES))
            _forget_full_model(identifier)
            identifier.tk_nextmove = _file_backed(identifier.tk_nextmove)
            release_freed_memory()
            _identifier = identifier
    code, confidence = _identifier.classify(text)
    return str(code), float(confidence)


def _forget_full_model(identifier: Any) -> None:
    """Drop the 97-language table that ``set_languages`` keeps to allow choosing again.

    We choose once, and the table is about 28 MB of resident memory for the life of the
    process. What remains is the table for our languages, which is all ``classify`` reads.
    """
    if hasattr(identifier, "_full_model"):
        identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)


#: The array typecodes py3langid stores its table in (see its ``modelio``).
_UNSIGNED_FORMATS: dict[str, Literal["H", "I", "L"]] = {"H": "H", "I": "I", "L": "L"}


def _file_backed(table: Any) -> Any:
    """The identifier's byte-transition table, read from a memory-mapped file instead.

    The table (9.8 M uint32, 39 MB) was resident for the life of the process, yet a
    draft walks only one row per byte of its text. Mapped from an (unlinked) temporary
    file, only the pages drafts touch are resident, and the kernel may drop them again:
    loading the identifier and checking 49 drafts now adds ~33 MB of RSS instead of
    ~52 MB. The values are the same, so every detection is too (checked on those 49);
    lookups are as fast (a memoryview indexes to a plain int, like the array). Where
    /tmp is a tmpfs the file itself is in RAM, which is no worse than before. Without a
    temporary file or mmap, the table stays as it was.
    """
    fmt = _UNSIGNED_FORMATS.get(table.typecode) if isinstance(table, array) else None
    if fmt is None:
        return table
    mapped = mapped_copy(table.tofile, "touchstone-langid-")
    return table if mapped is None else memoryview(mapped).cast(fmt)


def _non_latin_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    other = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN"))
    return other / len(letters)


def detect_language(text: str) -> Language:
    """The language of ``text``; English unless another language is clearly meant."""
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return Language(ENGLISH, 1.0)
    code, confidence = _classify(text)
    if code == ENGLISH:
        return Language(ENGLISH, confidence)
    if _non_latin_share(text) >= 0.5:
        return Language(code, confidence)
    english_share = sum(1 for w in words if w in _ENGLISH_WORDS) / len(words)
    if len(words) < _MIN_WORDS or confidence < _MIN_CONFIDENCE or english_share >= 0.25:
        return Language(ENGLISH, 1.0 - confidence)
    return Language(code, confidence)
