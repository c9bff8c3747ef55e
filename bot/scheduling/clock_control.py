"""A simulated clock for end-to-end tests of the running bot (test-only).

When ``TOUCHSTONE_SIMULATED_CLOCK_START`` is set, the process runs on a
:class:`SimulatedClock` starting there, and the scheduler moves it forward to the
ISO time written in ``<data_dir>/simulated-clock`` before each pass. A file was
chosen over a control port: nothing listens on the network, and only someone who
can already write the bot's data directory can move its time.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import Clock, SimulatedClock, SystemClock
from bot.settings import Settings

log = logging.getLogger(__name__)
CONTROL_FILE = "simulated-clock"


def clock_from_settings(settings: Settings) -> Clock:
    """The system clock, or (test-only) a simulated one.

    A restarted process resumes the simulated time from the control file when that is
    later than the configured start: time never runs backwards across a restart, so
    the start-up catch-up (re-creating lost schedules) sees the present, not the past.
    """
    start = settings.simulated_clock_start
    if start is None:
        return SystemClock()
    resumed = read_moment(control_file(settings))
    if resumed is not None and resumed > start:
        start = resumed
    log.warning("running on a SIMULATED clock from %s (test-only setting)", start.isoformat())
    return SimulatedClock(start)


def read_moment(path: Path) -> datetime | None:
    """The timezone-aware ISO time in ``path``, or None when absent or unreadable."""
    try:
        text = path.read_text(encoding="utf-8").strip()
        moment = datetime.fromisoformat(text)
    except (OSError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def control_file(settings: Settings) -> Path:
    return settings.data_dir / CONTROL_FILE


class ClockFileWatcher:
    """Moves a simulated clock forward to the time in the control file (never back)."""

    def __init__(self, clock: SimulatedClock, path: Path) -> None:
        self.clock = clock
        self.path = path
        self._last = ""

    async def __call__(self) -> None:
        text = await asyncio.to_thread(self._read)
        if not text or text == self._last:
            return
        self._last = text
        try:
            target = datetime.fromisoformat(text)
        except ValueError:
            log.warning("ignoring unreadable simulated time %r", text)
            return
        if target.tzinfo is None:
            log.warning("ignoring simulated time without a time zone: %r", text)
            return
        if target > self.clock.now():
            self.clock.set(target)

    def _read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""


class SteerableClock:
    """Real time plus an offset that only grows: the console's ``clock advance`` moves
    it, and with no offset it is exactly the system clock."""

    def __init__(self) -> None:
        self._system = SystemClock()
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._system.now() + self._offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("time only moves forward")
        self._offset += delta
        return self.now()

    def set(self, moment: datetime) -> datetime:
        return self.advance(moment.astimezone(UTC) - self.now())
