"""Engines for real-time runs: where pynenc keeps its state when runners are separate processes.

An :class:`Engine` is the pynenc configuration that points every process of a
run (the test process that enqueues and sweeps, every runner and every worker
those runners spawn) at one shared backend.  It is given to runner processes as
``PYNENC__*`` environment variables, which pynenc's configuration ranks above
what the app's builder wrote, and to the test process as ``config_values``.
Each run gets fresh state: a new SQLite file, or a Redis database index never
used before in the session.

The memory backend is not an engine: its state lives in one process.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENGINES = ("sqlite", "redis")

_SQLITE = {
    "orchestrator_cls": "SQLiteOrchestrator",
    "broker_cls": "SQLiteBroker",
    "state_backend_cls": "SQLiteStateBackend",
    "client_data_store_cls": "SQLiteClientDataStore",
    "trigger_cls": "SQLiteTrigger",
}
_REDIS = {
    "orchestrator_cls": "RedisOrchestrator",
    "broker_cls": "RedisBroker",
    "state_backend_cls": "RedisStateBackend",
    "client_data_store_cls": "RedisClientDataStore",
    "trigger_cls": "RedisTrigger",
}


@dataclass(frozen=True)
class Timing:
    """Recovery settings shortened so that a crash is recovered within seconds.

    pynenc's recovery tasks are cron-triggered with a one-minute resolution, so the
    real-time driver also runs them itself every ``sweep_seconds`` (as a runner
    executing the core task would).  Heartbeats are written when a runner checks
    its atomic services, hence the short check interval.
    """

    max_pending_seconds: float = 2.0
    dead_after_seconds: float = 4.0
    heartbeat_seconds: float = 0.3
    sweep_seconds: float = 1.0
    runner_loop_sleep_seconds: float = 0.05

    def config(self) -> dict[str, Any]:
        return {
            "max_pending_seconds": self.max_pending_seconds,
            "runner_considered_dead_after_minutes": self.dead_after_seconds / 60.0,
            "atomic_service_check_interval_minutes": self.heartbeat_seconds / 60.0,
            "recover_pending_invocations_cron": "* * * * *",
            "recover_running_invocations_cron": "* * * * *",
            "runner_loop_sleep_time_sec": self.runner_loop_sleep_seconds,
        }

    @property
    def recovery_seconds(self) -> float:
        """Longest time pynenc may legitimately take to notice and recover a dead runner's work."""
        return max(self.dead_after_seconds, self.max_pending_seconds) + 2 * self.sweep_seconds + self.heartbeat_seconds


@dataclass
class Engine:
    """A shared backend; :meth:`fresh` gives the configuration of one run on new, empty state."""

    name: str
    folder: Path
    redis_url: str = ""
    timing: Timing = field(default_factory=Timing)
    _runs: itertools.count = field(default_factory=lambda: itertools.count(1))

    def fresh(self) -> dict[str, Any]:
        """pynenc configuration values for a new run on state no other run has touched."""
        run = next(self._runs)
        if self.name == "sqlite":
            values: dict[str, Any] = {**_SQLITE, "sqlite_db_path": str(self.folder / f"run-{run}.sqlite3")}
        elif self.name == "redis":
            values = {**_REDIS, "redis_url": f"{self.redis_url.rstrip('/')}/{run}"}
        else:
            raise ValueError(f"engine {self.name!r} is not one of {', '.join(ENGINES)}")
        return {**values, **self.timing.config(), "logging_level": "warning"}


@contextmanager
def configured(app: Any, config: dict[str, Any]) -> Iterator[Any]:
    """Run the block with ``config`` over ``app``'s configuration, on components built for it.

    pynenc builds its components lazily from the configuration, so they are reset on the
    way in and again on the way out, when the app's own configuration comes back.
    """
    saved = app.config_values
    app.config_values = {**(saved or {}), **config}
    app._reset_cached_components()
    try:
        yield app
    finally:
        app.config_values = saved
        app._reset_cached_components()


def environment(config: dict[str, Any]) -> dict[str, str]:
    """The same configuration as ``PYNENC__*`` environment variables, for runner processes."""
    return {f"PYNENC__{name.upper()}": _env_value(value) for name, value in config.items()}


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)
