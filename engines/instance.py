"""An engine as one test session uses it: fresh state for every run, and its server if it needs one.

The gate puts an in-process engine under the app for one schedule
(:func:`in_process`); the real-time tier gets an :class:`EngineInstance` whose
:meth:`~EngineInstance.fresh` hands every run a configuration on state no other
run has touched.
"""

from __future__ import annotations

import atexit
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pynenc_suite.engines.registry import Engine
from pynenc_suite.engines.server import EngineUnavailable


@contextmanager
def in_process(app: Any, engine: Engine) -> Iterator[Any]:
    """Run the block with ``app``'s components switched to ``engine``, reset to empty state.

    The components (orchestrator, broker, state backend, ...) are built once per process, app and engine
    and kept with their files; every block gets them back purged (:func:`reset`), which
    ``tests/test_warm_components.py`` proves leaves nothing from one run to the next.  Outside the
    block the app has its own configuration again.
    """
    warm = _warm_for(app, engine)
    saved = app.config_values
    app.config_values = {**(saved or {}), **warm.config}
    vars(app).update(warm.components)
    try:
        reset(app)
        yield app
    finally:
        warm.components = {name: vars(app)[name] for name in component_slots(app)}
        app.config_values = saved
        app._reset_cached_components()


def reset(app: Any) -> None:
    """Empty every component's state: pynenc's ``purge``, and what it leaves (runners' atomic-service
    eligibility in the memory orchestrator, rewritten by each runner's next heartbeat)."""
    app.purge()
    vars(app.orchestrator).get("runner_atomic_service_eligible", {}).clear()


def component_slots(app: Any) -> tuple[str, ...]:
    """The attributes where the app caches its components: those its ``_reset_cached_components`` clears."""
    return tuple(type(app)._reset_cached_components.__code__.co_names)


@dataclass
class _Warm:
    config: dict[str, Any]
    components: dict[str, Any] = field(default_factory=dict)


_warm: dict[tuple[int, str], _Warm] = {}


def _warm_for(app: Any, engine: Engine) -> _Warm:
    key = (id(app), engine.name)
    if key not in _warm:
        folder = tempfile.mkdtemp(prefix="pynenc-suite-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        url = _process_server(engine) if engine.server is not None else ""
        config = {**engine.config(Path(folder), 1, url), **engine.in_process_config}
        _warm[key] = _Warm(config, {name: None for name in component_slots(app)})
    return _warm[key]


_servers: dict[str, str] = {}


def _process_server(engine: Engine) -> str:
    """The URL of this process's own server for ``engine``: started on first use, stopped when the process exits
    (each xdist worker has its own, so no two workers share state)."""
    assert engine.server is not None
    if engine.name not in _servers:
        stack = ExitStack()
        _servers[engine.name] = stack.enter_context(engine.server.start())
        atexit.register(stack.close)
    return _servers[engine.name]


def forget_warm_components() -> None:
    """Build components anew on the next :func:`in_process` (tests comparing warm and cold runs)."""
    _warm.clear()


@dataclass
class EngineInstance:
    """One engine for a session: ``fresh()`` gives each run its own state."""

    engine: Engine
    folder: Path
    url: str = ""
    _runs: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def name(self) -> str:
        return self.engine.name

    def fresh(self) -> dict[str, Any]:
        """pynenc configuration values for a new run on state no other run has touched."""
        return self.engine.config(self.folder, next(self._runs), self.url)

    def drop_connections(self, config: dict[str, Any]) -> int:
        """Cut every client connection of the run configured by ``config`` (engines that can)."""
        if self.engine.server is None or self.engine.server.drop is None:
            raise ValueError(f"engine {self.name!r} cannot drop connections")
        return self.engine.server.drop(config)


@contextmanager
def engine_instance(engine: Engine, url: str | None = None) -> Iterator[EngineInstance]:
    """The engine for a session: a temporary folder, and a server (the given URL, or one started here).

    Raises :class:`EngineUnavailable` with a one-line reason when no server can be used.
    """
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-engine-") as folder:
        if engine.server is None:
            yield EngineInstance(engine, Path(folder))
        elif url:
            engine.server.check(url)
            yield EngineInstance(engine, Path(folder), url)
        else:
            with engine.server.start() as started:
                yield EngineInstance(engine, Path(folder), started)


__all__ = ["EngineInstance", "EngineUnavailable", "engine_instance", "in_process"]
