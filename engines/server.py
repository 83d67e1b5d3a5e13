"""What every engine server has in common: a free loopback port, a process that dies with the suite, and a
one-line reason when no server can be used."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

PR_SET_PDEATHSIG = 1


class EngineUnavailable(Exception):
    """No usable server for an engine; ``str()`` is the one-line reason and what to do."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dies_with(parent: int) -> Callable[[], None]:
    """A ``preexec_fn`` that has the kernel SIGTERM the server when ``parent`` dies.

    A server's context manager stops it on every ordinary exit; this covers a test process
    that is SIGKILLed (a CI timeout, a user's kill -9), which would otherwise leave a server
    listening.  Outside Linux it does nothing.
    """

    def arrange() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            return
        if os.getppid() != parent:
            os._exit(1)

    return arrange


def wait_until_up(name: str, url: str, process: subprocess.Popen, log: Path, check: Callable[[str], None],
                  timeout: float, unavailable: type[EngineUnavailable]) -> None:  # fmt: skip
    """Return once ``check(url)`` passes; raise ``unavailable`` (one line) if the server exits or does not answer
    within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
            raise unavailable(f"{name} exited with status {process.returncode}: {' '.join(tail)}")
        try:
            check(url)
            return
        except EngineUnavailable:
            if time.monotonic() > deadline:
                raise unavailable(f"{name} did not answer on {url} within {timeout:.0f}s") from None
            time.sleep(0.05)
