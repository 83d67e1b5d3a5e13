"""An engine as one test session uses it: fresh state for every run, and its server if it needs one.

The gate puts an in-process engine under the app for one schedule
(:func:`in_process`); the real-time tier gets an :class:`EngineSession` whose
:meth:`~EngineSession.fresh` hands every run a configuration on state no other
run has touched.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pynenc_suite.engines.configure import configured
from pynenc_suite.engines.registry import Engine
from pynenc_suite.engines.server import EngineUnavailable


@contextmanager
def in_process(app: Any, engine: Engine) -> Iterator[Any]:
    """Run the block with ``app``'s components switched to ``engine`` (a temporary folder for its files)."""
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-") as folder, configured(app, engine.config(Path(folder), 1)):
        yield app


@dataclass
class EngineSession:
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
def engine_session(engine: Engine, url: str | None = None) -> Iterator[EngineSession]:
    """The engine for a session: a temporary folder, and a server (the given URL, or one started here).

    Raises :class:`EngineUnavailable` with a one-line reason when no server can be used.
    """
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-engine-") as folder:
        if engine.server is None:
            yield EngineSession(engine, Path(folder))
        elif url:
            engine.server.check(url)
            yield EngineSession(engine, Path(folder), url)
        else:
            with engine.server.start() as started:
                yield EngineSession(engine, Path(folder), started)


__all__ = ["EngineSession", "EngineUnavailable", "engine_session", "in_process"]
