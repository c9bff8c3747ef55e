"""Worker threads that yield the CPU to the event loop.

Acknowledging an interaction is a little work on the event loop's thread, and Discord
drops any interaction not acknowledged within 3 seconds. The heavy work (the MiniLM
embeddings, the vector search, composing answers) runs in worker threads. On a busy
two-core machine, a burst's embeddings took the cores while the event loop waited its
turn, so every acknowledgement queued behind other people's answers.

The loop's default executor is therefore a pool whose threads run at a lower
priority (a higher nice value, per thread on Linux). The loop's thread keeps its own,
so when the cores are contended, acknowledging comes first; when they are not, the
workers run at full speed. onnxruntime's own threads are started from a worker (the
model is loaded there) and inherit its priority.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: How much lower than the event loop the workers run (0-19; 10 is a clear second).
WORKER_NICENESS = 10


def lower_this_threads_priority(niceness: int = WORKER_NICENESS) -> None:
    """Raise the calling thread's nice value (Linux: one thread, not the process)."""
    if sys.platform != "linux":
        return  # elsewhere the call would apply to the whole process
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, niceness))
    except OSError as exc:  # a sandbox may forbid it; the threads then run as before
        log.debug("worker thread priority unchanged: %s", exc)


def background_executor(max_workers: int | None = None) -> ThreadPoolExecutor:
    """A thread pool whose threads run below the event loop's priority."""
    return ThreadPoolExecutor(
        max_workers=max_workers,
        thread_name_prefix="touchstone-worker",
        initializer=lower_this_threads_priority,
    )


def use_background_workers(loop: asyncio.AbstractEventLoop) -> None:
    """Make ``asyncio.to_thread`` and ``run_in_executor(None, …)`` use the pool above."""
    loop.set_default_executor(background_executor())


_URGENT: ThreadPoolExecutor | None = None


def _urgent_executor() -> ThreadPoolExecutor:
    global _URGENT
    if _URGENT is None:
        _URGENT = ThreadPoolExecutor(max_workers=2, thread_name_prefix="touchstone-urgent")
    return _URGENT


async def run_before_acknowledging(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``func`` in a thread at the event loop's own priority, ahead of queued work.

    For the little work that must finish before an interaction is acknowledged (is
    this question distressed, so private?): in the shared pool it would wait behind
    every answer being composed.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_urgent_executor(), functools.partial(func, *args, **kwargs))
