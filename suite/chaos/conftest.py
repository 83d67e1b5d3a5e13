"""Fixtures of the real-time tier: the engine (a temporary SQLite folder, or a redis-server on a
free loopback port), the loopback provider, and the session's artefact folder.

Without ``--engine`` every test here is skipped, so the deterministic gate never
runs real-time work.  An unusable Redis stops the session with one line.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.engines import Engine
from harness.provider_server import LoopbackProvider
from harness.redis_server import RedisUnavailable, check_reachable, redis_server
from suite.conftest import target_for

_summaries: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--engine"):
        target_for(config)  # a bad --pynenc-app stops the session here with one line
        return
    skip = pytest.mark.skip(reason="real-time tier: run with --engine=sqlite|redis (tox -e chaos-sqlite / chaos-redis)")
    for item in items:
        if "suite/chaos" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def engine(pytestconfig: pytest.Config) -> Iterator[Engine]:
    name = pytestconfig.getoption("--engine")
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-engine-") as folder:
        if name == "sqlite":
            yield Engine("sqlite", Path(folder))
            return
        url = pytestconfig.getoption("--redis-url")
        try:
            if url:
                check_reachable(url)
                yield Engine("redis", Path(folder), redis_url=url)
                return
            with redis_server() as started:
                yield Engine("redis", Path(folder), redis_url=started)
        except RedisUnavailable as error:
            pytest.exit(f"pynenc-suite: {error}", returncode=3)


@pytest.fixture(scope="session")
def provider() -> Iterator[LoopbackProvider]:
    with LoopbackProvider().serving() as served:
        yield served


@pytest.fixture(scope="session")
def chaos_out(pytestconfig: pytest.Config) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = Path(".pynenc-suite/chaos") / f"{pytestconfig.getoption('--engine')}-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_summary(line: str) -> None:
    _summaries.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _summaries:
        terminalreporter.section("real-time tier")
        for line in _summaries:
            terminalreporter.write_line(line)
