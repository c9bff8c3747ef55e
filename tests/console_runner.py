"""Run ``python -m bot <command>`` as a person would from a terminal, fed a script.

Every console and command-line test goes through here, so each starts from the same
clean environment: none of the developer's TOUCHSTONE_* variables leak in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_bot(
    args: list[str], data_dir: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHSTONE_")}
    environment.update({"TOUCHSTONE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        timeout=300,
    )


def run_console(script: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The offline console, reading ``script`` then ``quit``."""
    return run_bot(["console"], data_dir, script + "quit\n", **env)
