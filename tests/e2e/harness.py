"""Run the real bot as a separate process, the way ``touchstone run`` does.

The process is pointed at the fake Discord through the two URL settings, keeps its
own data directory, and can be stopped politely or killed with SIGKILL for restart
tests. Its log is captured so tests can wait for milestones and scan for secrets.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_MARKER = "Touchstone ready as"
BOT_TOKEN = "fake-bot-token.Touchstone.e2e-secret-0123456789"


@dataclass
class BotProcess:
    """One bot process. ``start`` returns once it logged READY (or raises with its log)."""

    env: dict[str, str]
    args: tuple[str, ...] = ("-m", "bot", "run")
    process: asyncio.subprocess.Process | None = None
    log_lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def memory_mb(self) -> tuple[float, float]:
        """(resident, peak resident) memory of the process in MB, from /proc."""
        fields = {}
        status = Path(f"/proc/{self.pid}/status").read_text(encoding="ascii")
        for line in status.splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024

    @property
    def log(self) -> str:
        return "\n".join(self.log_lines)

    async def start(self, ready_timeout: float = 40.0) -> BotProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.args,
            cwd=str(REPO_ROOT),
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        await self.wait_for_log(READY_MARKER, ready_timeout)
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        while True:
            line = await self.process.stdout.readline()
            if not line:
                break
            self.log_lines.append(line.decode(errors="replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    async def wait_for_log(self, text: str, timeout: float = 15.0, *, count: int = 1) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while sum(text in line for line in self.log_lines) < count:
            if self.process is not None and self.process.returncode is not None:
                raise AssertionError(
                    f"bot exited ({self.process.returncode}) before {text!r}:\n{self.log}"
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"bot did not log {text!r} within {timeout} s:\n{self.log}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    async def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait: the bot closes its connections and exits cleanly."""
        return await self._end(signal.SIGTERM, timeout)

    async def kill(self) -> int:
        """SIGKILL: nothing gets a chance to clean up, as in a crash."""
        return await self._end(signal.SIGKILL, 10.0)

    async def _end(self, signum: int, timeout: float) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signum)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            await self._reader
        code = self.process.returncode
        assert code is not None
        return code


def bot_environment(
    *,
    api_base: str,
    gateway_url: str,
    data_dir: Path,
    database_url: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A clean environment: nothing from the developer's TOUCHSTONE_* leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHSTONE_")}
    env.update(
        {
            "TOUCHSTONE_TOKEN": BOT_TOKEN,
            "TOUCHSTONE_DISCORD_API_BASE": api_base,
            "TOUCHSTONE_DISCORD_GATEWAY_URL": gateway_url,
            "TOUCHSTONE_DATA_DIR": str(data_dir),
            "TOUCHSTONE_LOG_LEVEL": "INFO",
            "TOUCHSTONE_GUILD_READY_TIMEOUT": "0.2",
            "PYTHONUNBUFFERED": "1",
            "HOME": env.get("HOME", str(data_dir)),
        }
    )
    if database_url:
        env["TOUCHSTONE_DATABASE_URL"] = database_url
    if extra:
        env.update(extra)
    return env


async def launch_bot(
    *,
    api_base: str,
    gateway_url: str,
    token: str,
    index: Path,
    data_dir: Path,
    database_url: str | None = None,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 40.0,
) -> BotProcess:
    """Start a bot on ``data_dir`` (seeded with the prebuilt ``index`` the first time) and
    return once it is ready and its knowledge is loaded. The caller stops or kills it."""
    if not (data_dir / "chroma").exists():
        shutil.copytree(index, data_dir / "chroma")
    environment = bot_environment(
        api_base=api_base,
        gateway_url=gateway_url,
        data_dir=data_dir,
        database_url=database_url,
        extra={"TOUCHSTONE_TOKEN": token, **(env or {})},
    )
    process = BotProcess(environment)
    try:
        await process.start(ready_timeout)
        await process.wait_for_log("knowledge ready", timeout=60)
    except BaseException:
        await process.kill()
        raise
    return process


def build_index(data_dir: Path) -> Path:
    """Index the shipped notes into ``data_dir`` with ``touchstone ingest``; returns the chroma dir."""
    env = bot_environment(
        api_base="http://127.0.0.1:9", gateway_url="ws://127.0.0.1:9", data_dir=data_dir
    )
    env.pop("TOUCHSTONE_TOKEN")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ingest"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        raise RuntimeError(f"touchstone ingest failed:\n{result.stdout}{result.stderr}")
    return data_dir / "chroma"
