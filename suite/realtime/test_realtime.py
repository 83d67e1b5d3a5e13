"""The real-time tier: real-time schedules against pynenc's own runners on SQLite or Redis.

Run with ``pynenc-suite realtime APP --engine=sqlite|redis`` (or ``pytest
--pynenc-app=APP --pynenc-tier=realtime``).  First a deliberately broken pynenc
(running KEYS control disabled in every runner process) must be caught, so the
tier is shown able to fail; then drawn schedules run until the budget is spent,
and every decided violation that is not a recorded finding fails the tier.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from pynenc_suite.active import options
from pynenc_suite.apps.runner_config import placeholder
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.realtime import network
from pynenc_suite.drivers.realtime.clock_shift import ClockShiftUnavailable, library
from pynenc_suite.drivers.realtime.inject import environment_for
from pynenc_suite.drivers.realtime.regressions import keys_not_enforced
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.history.html_report import REPORT
from pynenc_suite.history.model import Fault
from pynenc_suite.plugin.fixtures import RealtimeSessions
from pynenc_suite.plugin.summaries import REALTIME, RecordProperty
from pynenc_suite.schedules.realtime import CONFIGURED, NETWORK_FAULTS, RUNNER_CLASSES, RealtimeSchedule, TimedEnqueue
from pynenc_suite.strategies.realtime import FAULTS, RealtimeKnobs
from pynenc_suite.verdicts import require

pytestmark = pytest.mark.pynenc_realtime

_started = time.monotonic()


def _burst(task: str, account: str, runners: tuple[str, ...]) -> RealtimeSchedule:
    """Six same-account calls within a quarter second, each holding the provider half a second."""
    enqueues = tuple(
        TimedEnqueue(at=0.05 * i, producer=i % 2, task=task, kwargs={"account_id": account, "op": f"op{i}"}, hold=0.5)
        for i in range(6)
    )
    return RealtimeSchedule(runners=runners, enqueues=enqueues)


def test_keys_not_enforced_in_the_runners_is_caught(
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """With KEYS control disabled in every runner process, same-account calls overlap: a decided no-overlap."""
    if options().realtime_replay:
        pytest.skip("replaying one schedule")
    if "call_keyed" not in pynenc_target.tasks:
        pytest.skip("the injected-regression check uses the reference app's call_keyed")
    session = pynenc_realtime_session("regression-keys_not_enforced", extra_env=environment_for(keys_not_enforced))
    caught = []
    for runners in (("ThreadRunner", "ThreadRunner"), ("MultiThreadRunner", "PersistentProcessRunner")):
        outcome = session.run(_burst("call_keyed", "acct-1", runners))
        caught += [v for v in outcome.failures if v.violation.rule == "no-overlap"]
    record_property(
        REALTIME,
        f"{pynenc_engine.name}: injected regression keys_not_enforced -> {len(caught)} decided "
        f"no-overlap violations in {len(session.outcomes)} schedules",
    )
    if not caught:  # the tier is blind: an error of the suite, not a property of pynenc
        raise RuntimeError("the real-time tier did not catch running KEYS control disabled in the runners")
    pages = [o.folder / REPORT for o in session.outcomes if o.failures]
    if not all(page.exists() for page in pages):
        raise RuntimeError(f"a failing schedule has no {REPORT}: {[str(p) for p in pages if not p.exists()]}")


AS_CONFIGURED_SECONDS = 20.0


def test_the_app_as_configured_holds_every_rule(
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """Two runner processes booted with the runner class, sizing and settings the app configures (only the
    engine's address comes from the tier), drawn enqueues without faults: every rule holds.  This is how a
    configuration template is shown to boot and to keep the contract."""
    if options().realtime_replay:
        pytest.skip("replaying one schedule")
    if placeholder(pynenc_target.app):
        pytest.skip(f"the app configures no runner (runner_cls {pynenc_target.app.conf.runner_cls}, pynenc's "
                    "placeholder, runs nothing): the other real-time tests ran it on the suite's runners; set "
                    "runner_cls to check the configuration you deploy")  # fmt: skip
    session = pynenc_realtime_session("as-configured", knobs=RealtimeKnobs(
        max_runners=2, max_enqueues=12, faults=(), max_skew=0.0, max_drift=0.0, runner_classes=(CONFIGURED,)))  # fmt: skip
    totals = session.explore(AS_CONFIGURED_SECONDS, seed_value=0)
    record_property(
        REALTIME, f"{pynenc_engine.name}: as configured ({type(pynenc_target.app.runner).__name__}): " + totals.line()
    )
    if not session.outcomes:
        raise RuntimeError("no schedule ran with the app's own runner configuration")
    failing = [o for o in session.outcomes if o.failures]
    require(
        not failing,
        lambda: "\n\n".join(o.describe_failure(pynenc_target.spec, pynenc_engine.name) for o in failing[:3]),
    )


def test_realtime_schedules_hold_every_rule(
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """Drawn schedules with kills, stops, stalls, drops, and on Redis slowed and cut links: no decided violation
    outside the recorded findings."""
    chosen = options()
    engine = pynenc_engine.engine
    faults = tuple(f for f in FAULTS if engine.drops_connections or f is not Fault.DROP_CONNECTIONS)
    if engine.routable:  # runners reach the server by URL: their links can be slowed, and cut where namespaces can be
        cut_off = network.unavailable()
        faults += (Fault.DELAY,) if cut_off else (Fault.DELAY, Fault.PARTITION)
        if cut_off:
            record_property(REALTIME, f"{engine.name}: no partitions: {cut_off}")
    # Probes replace a user app's bodies in the runner process only; process-spawning runners
    # would run the real bodies in their workers, so a probed app gets ThreadRunners.
    classes = ("ThreadRunner",) if pynenc_target.probed else RUNNER_CLASSES
    knobs = RealtimeKnobs(faults=faults, runner_classes=classes)
    try:
        library()
    except ClockShiftUnavailable as error:
        knobs = replace(knobs, max_skew=0.0, max_drift=0.0)
        record_property(REALTIME, f"{engine.name}: no skewed clocks: {error}")
    session = pynenc_realtime_session("schedules", knobs=knobs)
    if chosen.realtime_replay:
        schedule = RealtimeSchedule.from_json((Path(chosen.realtime_replay) / "schedule.json").read_text())
        _can_replay(schedule, pynenc_engine, chosen.realtime_replay)
        outcome = session.run(schedule)
        record_property(
            REALTIME,
            f"{engine.name}: replayed {chosen.realtime_replay}: {len(outcome.failures)} "
            f"violations, {len(outcome.unknown)} unknown, known {sorted(set(outcome.known.values()))}",
        )
        require(not outcome.failures, lambda: outcome.describe_failure(pynenc_target.spec, engine.name))
        return
    seed_value = chosen.realtime_seed
    if seed_value is None:
        seed_value = random.SystemRandom().randrange(2**31)
    budget = chosen.realtime_budget - (time.monotonic() - _started)
    totals = session.explore(max(budget, 1.0), seed_value)
    record_property(REALTIME, totals.line())
    failing = [o for o in session.outcomes if o.failures]
    require(not failing, lambda: "\n\n".join(o.describe_failure(pynenc_target.spec, engine.name) for o in failing[:3]))


def _can_replay(schedule: RealtimeSchedule, engine: EngineInstance, folder: str) -> None:
    """A schedule that faults the network replays only on an engine reached by URL, and its partitions only where
    runner namespaces can be made: otherwise one line and exit status 2."""
    kinds = {fault.kind for fault in schedule.faults}
    if kinds & set(NETWORK_FAULTS) and not engine.engine.routable:
        pytest.exit(f"pynenc-suite: {folder} faults the network between runners and a server: replay it with "
                    f"--engine=redis, not {engine.name}", returncode=2)  # fmt: skip
    reason = network.unavailable() if Fault.PARTITION in kinds else None
    if reason:
        pytest.exit(f"pynenc-suite: {folder} cuts a runner's network, and {reason}", returncode=2)
