"""The one registry of engines: what each keeps state in, and what each can do.

A tier asks the registry, never an engine's name: the gate needs an engine that
works inside one process (``in_process``); the real-time tier one that separate
runner processes can share (``shared``); the nemesis drops connections only where
``drops_connections`` says it can.  An engine that cannot serve a tier is a usage
error with one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pynenc_suite.engines import rabbitmq_server, redis_server
from pynenc_suite.engines.plugins import unusable_reason

StateConfig = Callable[[Path, int, str], dict[str, Any]]


class EngineError(Exception):
    """An engine that does not exist or cannot serve a tier; ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class Server:
    """The server an engine needs: how to start one on a loopback port (yielding its URL), how to check a URL a
    user names, and, if it can, how to cut every client connection of a run (``drop(config) -> how many``)."""

    start: Callable[[], AbstractContextManager[str]]
    check: Callable[[str], None]
    drop: Callable[[dict[str, Any]], int] | None = None
    # runners find it by its URL in their configuration, so a relay can stand between (real-time network faults)
    routable: bool = False


def _components(prefix: str) -> dict[str, str]:
    return {
        "orchestrator_cls": f"{prefix}Orchestrator",
        "broker_cls": f"{prefix}Broker",
        "state_backend_cls": f"{prefix}StateBackend",
        "client_data_store_cls": f"{prefix}ClientDataStore",
        "trigger_cls": f"{prefix}Trigger",
    }


def _rabbitmq_state(folder: Path, run: int, url: str) -> dict[str, Any]:
    """A new SQLite file and a queue of its own on the RabbitMQ at ``url``; a server that goes away is an error
    within a second, not retried for minutes (pynenc-rabbitmq retries forever by default)."""
    host, port = rabbitmq_server.host_and_port(url)
    return {"sqlite_db_path": str(folder / f"run-{run}.sqlite3"), "rabbitmq_host": host, "rabbitmq_port": port,
            "rabbitmq_queue_prefix": f"pynenc_suite_run_{run}", "rabbitmq_connection_attempts": 1,
            "rabbitmq_retry_max_attempts": 2, "rabbitmq_retry_initial_delay": 0.2}  # fmt: skip


@dataclass(frozen=True)
class Engine:
    """A pynenc backend family and its capabilities.

    ``state(folder, run, url)`` is the configuration that points an app at state no
    other run has touched: a new SQLite file in ``folder``, or Redis database ``run``
    of the server at ``url``.
    """

    name: str
    components: Mapping[str, str]
    state: StateConfig
    in_process: bool  # the gate can run an app on it inside its one process (a server, if any, started for it)
    shared: bool  # separate runner processes can share its state (the real-time tier)
    server: Server | None = None  # a server must run (started on a loopback port, or named by URL)
    extra: str = ""  # the optional dependencies it needs: pip install pynenc-suite[extra]
    # Added in one process under the deterministic driver: there one operation runs at a time, so a poll that
    # blocks waiting for a message (Redis BLPOP) waits for one nobody can send; it returns at once instead.
    in_process_config: Mapping[str, Any] = field(default_factory=dict)
    # The deterministic driver keeps its threads on one CPU while a run lasts (drivers/deterministic/affinity.py):
    # on memory that made the explorer a quarter faster; on SQLite, whose threads wait on a file, the gate ran
    # about 5% slower pinned, so engines that wait on a file or a socket leave their threads free.
    one_cpu: bool = False

    @property
    def routable(self) -> bool:
        """A real-time run can cut or slow its runners' way to the server (``Server.routable``)."""
        return self.server is not None and self.server.routable

    @property
    def drops_connections(self) -> bool:
        """The nemesis can cut every client connection of a run."""
        return self.server is not None and self.server.drop is not None

    def config(self, folder: Path, run: int, url: str = "") -> dict[str, Any]:
        return {**self.components, **self.state(folder, run, url)}


ENGINES: dict[str, Engine] = {
    engine.name: engine
    for engine in (
        Engine("memory", _components("Mem"), lambda folder, run, url: {}, in_process=True, shared=False, one_cpu=True),
        Engine(
            "sqlite",
            _components("SQLite"),
            lambda folder, run, url: {"sqlite_db_path": str(folder / f"run-{run}.sqlite3")},
            in_process=True,
            shared=True,
        ),
        Engine(
            "redis",
            _components("Redis"),
            lambda folder, run, url: {"redis_url": f"{url.rstrip('/')}/{run}"},
            in_process=True,
            shared=True,
            server=Server(
                start=redis_server.redis_server,
                check=redis_server.check_reachable,
                drop=lambda config: redis_server.drop_connections(config["redis_url"]),
                routable=True,
            ),
            extra="redis",
            in_process_config={"queue_timeout_sec": 0.001},
        ),
        Engine(
            "rabbitmq",  # pynenc-rabbitmq brings a broker only: the rest of the state is SQLite's
            {**_components("SQLite"), "broker_cls": "RabbitMqBroker"},
            lambda folder, run, url: _rabbitmq_state(folder, run, url),
            in_process=True,
            shared=True,
            server=Server(start=rabbitmq_server.rabbitmq_server, check=rabbitmq_server.check_reachable),
            extra="rabbitmq",
        ),
    )
}

DEFAULT_FOR_TIER = {
    "gate": "memory",
    "realtime": "sqlite",
    "explore": "memory",
    "fuzz": "memory",
}  # explore, gate: also redis


def same_decision_points(recorded: str, running: str) -> bool:
    """Whether a schedule recorded on engine ``recorded`` replays to the same history on ``running``: the
    interleaver's decision points are pynenc's methods on every engine, and also each Redis command on Redis, so
    a group's preemption indices mean the same thing only within those two families."""
    return (recorded == "redis") == (running == "redis")


def get(name: str) -> Engine:
    if name not in ENGINES:
        raise EngineError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
    return ENGINES[name]


def engine_for_tier(name: str | None, tier: str) -> Engine:
    """The engine a tier runs on (its default if ``name`` is None); an engine that cannot serve it is an error."""
    engine = get(name or DEFAULT_FOR_TIER[tier])
    if tier in ("gate", "explore", "fuzz") and not engine.in_process:
        usable = ", ".join(e.name for e in ENGINES.values() if e.in_process)
        raise EngineError(f"engine {engine.name!r} cannot run the gate in one process; the gate runs on {usable}")
    if tier == "realtime" and not engine.shared:
        usable = ", ".join(e.name for e in ENGINES.values() if e.shared)
        raise EngineError(f"engine {engine.name!r} keeps its state in one process; the real-time tier runs on {usable}")
    reason = unusable_reason(engine.name)
    if reason is not None:
        raise EngineError(reason)
    return engine
