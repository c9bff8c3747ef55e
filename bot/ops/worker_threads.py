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

When the pool has had nothing to do for half a second, the memory its work freed is
handed back to the operating system (:class:`TrimWhenIdle`). glibc keeps freed pages
for reuse, so without it the bot stayed as large as the busiest moment of its last
burst: after 200 interactions (``python -m bench.interaction_bench``) it held ~370 MB,
~20 MB above its resting size; with the trim, ~340-346 MB. A trim costs 1-10 ms of a
low-priority thread, once per quiet spell and at most every 5 s, never per request.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from knowledge.embeddings import release_freed_memory

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

#: How much lower than the event loop the workers run (0-19; 10 is a clear second).
WORKER_NICENESS = 10
#: Seconds the pool must stay idle before the memory its work freed is handed back...
TRIM_AFTER_IDLE = 0.5
#: ...and at least this long after the last time, so steady traffic is not trimmed per job.
TRIM_AT_MOST_EVERY = 5.0


def lower_this_threads_priority(niceness: int = WORKER_NICENESS) -> None:
    """Raise the calling thread's nice value (Linux: one thread, not the process)."""
    if sys.platform != "linux":
        return  # elsewhere the call would apply to the whole process
    try:
        current = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(current, niceness))
    except OSError as exc:  # a sandbox may forbid it; the threads then run as before
        log.debug("worker thread priority unchanged: %s", exc)


class TrimWhenIdle(ThreadPoolExecutor):
    """A pool that releases freed memory once it has stayed idle for ``idle_seconds``.

    Counts the jobs in flight; when the last one ends, a timer starts, and when it fires
    with no job having run meanwhile, :func:`release_freed_memory` runs on the timer's
    thread. A job in between defers the trim to the end of the next quiet spell, and
    trims are at least ``min_interval`` seconds apart.
    """

    def __init__(
        self,
        *args: Any,
        idle_seconds: float = TRIM_AFTER_IDLE,
        min_interval: float = TRIM_AT_MOST_EVERY,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._idle_seconds = idle_seconds
        self._min_interval = min_interval
        self._last_trim = -min_interval
        self._jobs_lock = threading.Lock()
        self._busy = 0
        self._started = 0  # jobs submitted so far: tells the timer whether any ran since
        self._timer: threading.Timer | None = None
        self._closed = False

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._jobs_lock:
            self._busy += 1
            self._started += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._job_ended()
            raise
        future.add_done_callback(lambda _future: self._job_ended())
        return future

    def _job_ended(self) -> None:
        with self._jobs_lock:
            self._busy -= 1
            if self._busy == 0 and self._timer is None and not self._closed:
                self._start_timer()

    def _start_timer(self) -> None:
        """Arm the timer for the quiet spell starting now (the caller holds the lock)."""
        delay = max(self._idle_seconds, self._last_trim + self._min_interval - time.monotonic())
        timer = threading.Timer(delay, self._trim_if_idle, args=(self._started,))
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _trim_if_idle(self, started: int) -> None:
        with self._jobs_lock:
            self._timer = None
            if self._busy:
                return  # the job running now arms the timer again when it ends
            if self._started != started:
                self._start_timer()  # jobs came and went: wait for a whole quiet spell
                return
            self._last_trim = time.monotonic()
        lower_this_threads_priority()  # this timer's thread, like the workers
        release_freed_memory()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._jobs_lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        super().shutdown(wait, cancel_futures=cancel_futures)


def background_executor(max_workers: int | None = None) -> ThreadPoolExecutor:
    """A thread pool whose threads run below the event loop's priority, and which hands
    freed memory back once it has been idle for :data:`TRIM_AFTER_IDLE` seconds."""
    return TrimWhenIdle(
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
