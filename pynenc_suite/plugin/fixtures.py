"""The suite's fixtures, named ``pynenc_*`` so they never meet a team's own fixtures.

``pynenc_target``: the app under test.  The real-time tier's session fixtures:
``pynenc_engine`` (a temporary SQLite folder, or a Redis server on a free
loopback port), ``pynenc_provider`` (the loopback provider) and
``pynenc_realtime_out`` (the session's folder of run records), and
``pynenc_realtime_session``, which opens a :class:`RealtimeSearch` on those under a
folder of its own, and ``pynenc_probe``, the schedule a fault's size is measured against.  An unusable Redis stops the session with one line and exit status 2.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pynenc_suite.active import REALTIME_SESSIONS, artefacts_root, options, target_for
from pynenc_suite.apps.target import Target
from pynenc_suite.engines.instance import EngineInstance, EngineUnavailable, engine_instance
from pynenc_suite.engines.registry import engine_for_tier
from pynenc_suite.provider.loopback import LoopbackProvider

if TYPE_CHECKING:  # the plugin imports nothing of the real-time tier until a real-time test asks for it
    from pynenc_suite.drivers.realtime.timing import Timing
    from pynenc_suite.schedules.realtime import RealtimeSchedule
    from pynenc_suite.strategies.realtime import RealtimeKnobs
    from pynenc_suite.tiers.realtime import RealtimeSearch

RealtimeSessions = Callable[..., "RealtimeSearch"]


@pytest.fixture(scope="session")
def pynenc_target() -> Target:
    return target_for()


@pytest.fixture(scope="session")
def pynenc_engine() -> Iterator[EngineInstance]:
    chosen = options()
    try:
        with engine_instance(engine_for_tier(chosen.engine, "realtime"), chosen.redis_url) as session:
            yield session
    except EngineUnavailable as error:
        pytest.exit(f"pynenc-suite: {error}", returncode=2)


@pytest.fixture(scope="session")
def pynenc_provider() -> Iterator[LoopbackProvider]:
    with LoopbackProvider().serving() as served:
        yield served


@pytest.fixture(scope="session")
def pynenc_realtime_out(pynenc_engine: EngineInstance) -> Path:
    folder = artefacts_root(REALTIME_SESSIONS, f"{pynenc_engine.name}-{time.strftime('%Y%m%d-%H%M%S')}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def pynenc_realtime_session(
    pynenc_target: Target, pynenc_engine: EngineInstance, pynenc_provider: LoopbackProvider, pynenc_realtime_out: Path
) -> RealtimeSessions:
    """``session(name, knobs=None, extra_env=None, timing=None)``: a real-time session on this run's app, engine
    and provider, its runs under ``<pynenc_realtime_out>/<name>``."""
    from pynenc_suite.tiers.realtime import RealtimeSearch

    def session(
        name: str,
        knobs: RealtimeKnobs | None = None,
        extra_env: dict[str, str] | None = None,
        timing: Timing | None = None,
    ) -> RealtimeSearch:
        return RealtimeSearch(
            pynenc_target, pynenc_engine, pynenc_provider, pynenc_realtime_out / name, knobs, extra_env, timing
        )

    return session


@pytest.fixture(scope="session")
def pynenc_probe(pynenc_target: Target) -> RealtimeSchedule:
    """The fixed schedule a fault's size is measured against (``strategies.realtime.probe_schedule``): two runners
    of the class the app configures (ThreadRunners for pynenc's placeholder or a probed app), the app's tasks."""
    from pynenc_suite.apps.runner_config import placeholder
    from pynenc_suite.schedules.realtime import CONFIGURED
    from pynenc_suite.strategies.realtime import probe_schedule

    runner = "ThreadRunner" if placeholder(pynenc_target.app) or pynenc_target.probed else CONFIGURED
    return probe_schedule([pynenc_target.under_test(name) for name in sorted(pynenc_target.controlled)], runner)
