"""Large read-only tables served from a memory-mapped file instead of the heap.

A table that a request reads a few rows of (a language identifier's transitions, the
static word-piece vectors) need not be resident for the life of the process. Written
once to an unlinked temporary file and mapped, only the pages that requests touch are
resident, and the kernel may drop them again under pressure, because they are clean
and file-backed. Where ``/tmp`` is a tmpfs the file itself is in RAM, which is no
worse than keeping the table on the heap.
"""

from __future__ import annotations

import mmap
import tempfile
from collections.abc import Callable
from typing import IO


def mapped_copy(write: Callable[[IO[bytes]], object], prefix: str) -> mmap.mmap | None:
    """A read-only map of what ``write`` puts in a fresh unlinked file; None when this
    system offers no temporary file or mmap (the caller keeps its table then)."""
    try:
        with tempfile.TemporaryFile(prefix=prefix) as file:
            write(file)
            file.flush()
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
