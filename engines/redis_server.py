"""A real ``redis-server`` for one test session: a free loopback port, its own data folder, stopped afterwards.

Nothing is persisted (no RDB snapshots, no AOF) and the server offers many
databases, so every real-time run can take a database index of its own.  If the
binary is missing or the server does not answer, :class:`RedisUnavailable`
says so in one line; so does :func:`check_reachable` for a Redis the user
names with ``--redis-url``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pynenc_suite.engines.server import EngineUnavailable, dies_with, free_port, wait_until_up

DATABASES = 4096
START_TIMEOUT = 10.0
# Redis checks blocked clients' timeouts on its timer: at the default 10 Hz an empty BLPOP with pynenc's
# 0.1 s timeout returns up to 0.1 s late, and the deterministic driver's 1 ms polls take 100 ms; at 500 Hz, 3 ms.
HZ = 500


class RedisUnavailable(EngineUnavailable):
    """No usable Redis; ``str()`` is the one-line reason and what to do."""


def check_reachable(url: str, timeout: float = 3.0) -> None:
    """Raise :class:`RedisUnavailable` unless a Redis answers PING at ``url``."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError, OSError) as error:
        raise RedisUnavailable(f"Redis at {url} is not reachable ({type(error).__name__}: {error})") from None


@contextmanager
def redis_server(binary: str = "redis-server") -> Iterator[str]:
    """Start ``redis-server`` on 127.0.0.1 and yield its URL (``redis://127.0.0.1:PORT``)."""
    path = shutil.which(binary)
    if path is None:
        raise RedisUnavailable(
            f"{binary!r} is not on PATH: install it (Debian: apt-get install redis-server) or pass --redis-url"
        )
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-redis-") as folder:
        port = free_port()
        log = Path(folder) / "redis.log"
        process = subprocess.Popen(
            [
                path,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                folder,
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                str(DATABASES),
                "--hz",
                str(HZ),
                "--logfile",
                str(log),
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=dies_with(os.getpid()),
        )
        url = f"redis://127.0.0.1:{port}"
        try:
            wait_until_up("redis-server", url, process, log, lambda u: check_reachable(u, timeout=0.5), START_TIMEOUT,
                          RedisUnavailable)  # fmt: skip
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def drop_connections(url: str) -> int:
    """Close every normal client connection of the server at ``url`` (``CLIENT KILL``); how many were closed."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        return int(client.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"))
    finally:
        client.close()
