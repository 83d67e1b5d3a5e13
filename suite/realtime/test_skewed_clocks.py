"""Skewed clocks in the real-time tier: the fault shown effective, and the skew a configuration tolerates.

pynenc's recovery compares the heartbeat a runner stamps with its own clock
(``register_runner_heartbeats``: ``time()``) with the sweeping runner's clock
(``_get_active_runners``: ``time() - dead_after``); its documentation states no
assumption about the hosts' clocks.  A runner whose clock runs ``dead_after``
behind the sweeper's looks dead while it works: its work runs again.  No
heartbeat timeout can tell a dead runner from a live one with a clock that far
off, so the size of skew at which that starts is reported as the configuration's
*tolerance*, not as a defect; a rule broken at a smaller skew would be one.
"""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from pynenc_suite.active import options
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.realtime.clock_shift import REQUIRE_ENV, ClockShiftUnavailable, library
from pynenc_suite.drivers.realtime.inject import environment_for
from pynenc_suite.drivers.realtime.regressions import HEARTBEAT_LAG_OF_DEAD_AFTER, heartbeats_half_stale
from pynenc_suite.drivers.realtime.timing import Timing
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.history.model import Kind
from pynenc_suite.plugin.fixtures import RealtimeSessions
from pynenc_suite.plugin.summaries import REALTIME, RecordProperty
from pynenc_suite.schedules.realtime import RealtimeSchedule, RunnerClock
from pynenc_suite.tiers.effective import require_effective, three_runs
from pynenc_suite.tiers.tolerance import CLOCK_TOLERANCE, measure
from pynenc_suite.verdicts import require

pytestmark = pytest.mark.pynenc_realtime

CLOCK_STEP = 0.5  # seconds: the tolerance is reported to within this
SKEWED = "a runner's clock behind the sweeper's"


@pytest.fixture(scope="module")
def clock_shift() -> None:
    """The preload library that skews a runner's clock; without a C compiler these tests skip with the reason
    (fail, with ``PYNENC_SUITE_REQUIRE_CLOCK_SHIFT`` set).  A session replaying one schedule skips them too."""
    if options().realtime_replay:
        pytest.skip("replaying one schedule")
    try:
        library()
    except ClockShiftUnavailable as error:
        if os.environ.get(REQUIRE_ENV):
            raise RuntimeError(f"{REQUIRE_ENV} is set, and {error}") from None
        pytest.skip(str(error))


def _behind(schedule: RealtimeSchedule, seconds: float) -> RealtimeSchedule:
    """``schedule`` with its second runner's clock ``seconds`` behind the sweeper's (the first keeps the sweeper's)."""
    return replace(schedule, clocks=(RunnerClock(), RunnerClock(offset=-seconds)))


def test_a_skewed_clock_exposes_heartbeats_written_half_stale(
    clock_shift: None,
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_probe: RealtimeSchedule,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """Runners that write their heartbeat half a dead-after old keep every rule while clocks agree, and so does a
    correct pynenc with one runner's clock half a dead-after and one step behind; together, a live runner is
    presumed dead and its work runs twice.  Only the skewed clock exposes the regression: the fault is shown effective, visible as a SKEW
    event in the history and a marker on report.html."""
    skew = Timing().dead_after_seconds * (1 - HEARTBEAT_LAG_OF_DEAD_AFTER) + CLOCK_STEP
    effect = three_runs(
        pynenc_realtime_session("clock-skew-alone"),
        pynenc_realtime_session("regression-heartbeats_half_stale", extra_env=environment_for(heartbeats_half_stale)),
        pynenc_probe,
        _behind(pynenc_probe, skew),
    )
    fault = f"r1 {skew:g} s behind"
    record_property(REALTIME, effect.line(pynenc_engine.name, "heartbeats_half_stale", fault))
    if not [e for e in effect.both.history.of_kind(Kind.SKEW) if e.offset == -skew]:
        raise RuntimeError(f"the skewed run's history has no SKEW event of {-skew:g} s: {effect.both.folder}")
    require_effective(effect, "heartbeats_half_stale", fault, pynenc_target.spec, pynenc_engine.name,
                      marker=f"clock {-skew:+g}s")  # fmt: skip


def test_clock_skew_tolerance(
    clock_shift: None,
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_out: Path,
    pynenc_probe: RealtimeSchedule,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """The largest skew between a runner's clock and the sweeper's under which every rule still holds, to
    within half a second: the probe schedule run with the second runner's clock further and further behind.
    Written to clock-tolerance.json, which ``pynenc-suite doctor`` quotes.  Fails only if the probe breaks a
    rule with no skew at all."""
    timing = Timing()
    session = pynenc_realtime_session("clock-tolerance")
    tolerance = measure(
        session.run, lambda seconds: _behind(pynenc_probe, seconds), fault=SKEWED, app=pynenc_target.spec,
        engine=pynenc_engine.name, step=CLOCK_STEP, limit=2 * timing.dead_after_seconds, timing=asdict(timing),
    )  # fmt: skip
    (pynenc_realtime_out / CLOCK_TOLERANCE).write_text(tolerance.to_json())
    record_property(REALTIME, tolerance.line())
    require(tolerance.held is not None, lambda: f"the probe schedule broke a rule with no skew: "
                                                f"{tolerance.first_violation} ({tolerance.probes[0].folder})")  # fmt: skip
