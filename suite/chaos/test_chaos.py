"""The real-time tier: chaos schedules against pynenc's own runners on SQLite or Redis.

Run with ``tox -e chaos-sqlite`` / ``tox -e chaos-redis`` (or ``pytest suite/chaos -p no:xdist
--engine=sqlite``).  First a deliberately broken pynenc (running KEYS control
disabled in every runner process) must be caught, so the tier is shown able to
fail; then drawn schedules run until ``--chaos-budget`` is spent, and every
decided violation that is not a recorded finding fails the tier.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from harness.engines import Engine
from harness.provider_server import LoopbackProvider
from harness.regressions import environment_for
from harness.target import Target
from strategies.chaos import DROP_CONNECTIONS, FAULTS, RUNNER_CLASSES, ChaosKnobs, ChaosSchedule, TimedEnqueue
from suite.chaos.conftest import record_summary
from suite.chaos.session import ChaosSession

_started = time.monotonic()


def _burst(task: str, account: str, runners: tuple[str, ...]) -> ChaosSchedule:
    """Six same-account calls within a quarter second, each holding the provider half a second."""
    enqueues = tuple(
        TimedEnqueue(at=0.05 * i, producer=i % 2, task=task, kwargs={"account_id": account, "op": f"op{i}"}, hold=0.5)
        for i in range(6)
    )
    return ChaosSchedule(runners=runners, enqueues=enqueues)


def test_keys_not_enforced_in_the_runners_is_caught(
    target: Target, engine: Engine, provider: LoopbackProvider, chaos_out: Path, pytestconfig: pytest.Config
) -> None:
    """With KEYS control disabled in every runner process, same-account calls overlap: a decided no-overlap."""
    if pytestconfig.getoption("--chaos-replay"):
        pytest.skip("replaying one schedule")
    if "call_keyed" not in target.tasks:
        pytest.skip("the injected-regression check uses the reference app's call_keyed")
    session = ChaosSession(target, engine, provider, chaos_out / "regression-keys_not_enforced",
                           extra_env=environment_for("keys_not_enforced"))
    caught = []
    for runners in (("ThreadRunner", "ThreadRunner"), ("MultiThreadRunner", "PersistentProcessRunner")):
        outcome = session.run(_burst("call_keyed", "acct-1", runners))
        caught += [v for v in outcome.failures if v.violation.rule == "no-overlap"]
    record_summary(f"{engine.name}: injected regression keys_not_enforced -> {len(caught)} decided no-overlap "
                   f"violations in {len(session.outcomes)} schedules")
    assert caught, "the real-time tier did not catch running KEYS control disabled in the runners"


def test_chaos_schedules_hold_every_rule(
    target: Target, engine: Engine, provider: LoopbackProvider, chaos_out: Path, pytestconfig: pytest.Config
) -> None:
    """Drawn schedules with kills, stops, stalls and drops: no decided violation outside the recorded findings."""
    replay = pytestconfig.getoption("--chaos-replay")
    faults = FAULTS if engine.name == "redis" else tuple(f for f in FAULTS if f != DROP_CONNECTIONS)
    # Probes replace a user app's bodies in the runner process only; process-spawning runners
    # would run the real bodies in their workers, so a probed app gets ThreadRunners.
    classes = ("ThreadRunner",) if target.probed else RUNNER_CLASSES
    knobs = ChaosKnobs(faults=faults, runner_classes=classes)
    session = ChaosSession(target, engine, provider, chaos_out / "schedules", knobs=knobs)
    if replay:
        outcome = session.run(ChaosSchedule.from_json((Path(replay) / "schedule.json").read_text()))
        record_summary(f"{engine.name}: replayed {replay}: {len(outcome.failures)} violations, "
                       f"{len(outcome.unknown)} unknown, known {sorted(set(outcome.known.values()))}")
        assert not outcome.failures, outcome.describe_failure(engine.name)
        return
    seed_value = pytestconfig.getoption("--chaos-seed")
    if seed_value is None:
        seed_value = random.SystemRandom().randrange(2**31)
    budget = pytestconfig.getoption("--chaos-budget") - (time.monotonic() - _started)
    totals = session.explore(max(budget, 1.0), seed_value)
    record_summary(totals.line())
    failing = [o for o in session.outcomes if o.failures]
    assert not failing, "\n\n".join(o.describe_failure(engine.name) for o in failing[:3])
