"""Network faults in the real-time tier: a runner cut off from its engine, and a slow link to it.

A partitioned runner is alive and works on, unheard: pynenc presumes it dead
after dead-after and runs its work again, at-least-once by design, which the
checkers excuse from the cut until the heal plus a grace (the time a correct
runner takes to be heard again) and not after.  A slow link (every chunk between
the runner and its engine held some milliseconds each way) keeps the runner
heard, but its checks take round trips longer and a loop iteration can outlast
dead-after.  Each fault is shown effective by a regression injected into the
runner processes that only that fault exposes; the partition length a
configuration tolerates is measured like the clock skew
(``test_skewed_clocks.py``).  Only engines whose runners reach a server by a URL
(Redis): SQLite is one machine's file, with no network to fault.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from pynenc_suite.active import options
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.realtime import network
from pynenc_suite.drivers.realtime.driver import UNHEARD_GRACE
from pynenc_suite.drivers.realtime.inject import environment_for
from pynenc_suite.drivers.realtime.regressions import check_fails_open_when_slow, heartbeats_end_with_an_engine_outage
from pynenc_suite.drivers.realtime.timing import Timing
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.history.model import Fault, Kind
from pynenc_suite.plugin.fixtures import RealtimeSessions
from pynenc_suite.plugin.summaries import REALTIME, RecordProperty
from pynenc_suite.schedules.realtime import RealtimeSchedule, TimedEnqueue, TimedFault
from pynenc_suite.strategies.realtime import probe_schedule
from pynenc_suite.tiers.effective import require_effective, three_runs
from pynenc_suite.tiers.realtime import Outcome
from pynenc_suite.tiers.tolerance import PARTITION_TOLERANCE, measure
from pynenc_suite.verdicts import require

pytestmark = pytest.mark.pynenc_realtime

REQUIRE_NETWORK_ENV = "PYNENC_SUITE_REQUIRE_NETWORK"  # set: runner namespaces must be made here, never skipped
CUT_AT = 0.5  # seconds into the schedule when the fault strikes
GAP = 0.4  # seconds between enqueues
PARTITION = 10.0  # seconds: longer than pynenc-redis's socket timeout and its client's retries
PARTITION_STEP = 2.0  # seconds: the partition tolerance is reported to within this
DELAY = 0.05  # seconds each way: a check of five round trips takes half a second
DELAYED_FOR = 6.0
SLOWED_HOLD = 1.0  # seconds each call holds its key: long beside a slowed check, short for the backlog
# A slowed runner's loop iteration can outlast the tier's 4 s dead-after: the slow-link check runs with 30 s, so
# that no runner is presumed dead and every overlap the regression makes is decided, not at-least-once.
SLOWED_DEAD_AFTER = 30.0
CUT_OFF = "a runner cut off from its engine"


@pytest.fixture(scope="module")
def routable(pynenc_engine: EngineInstance) -> None:
    """Network faults need an engine whose runners reach a server by URL; a replay runs its own schedule only."""
    if options().realtime_replay:
        pytest.skip("replaying one schedule")
    if not pynenc_engine.engine.routable:
        pytest.skip(f"{pynenc_engine.name}: its runners reach no server over a network (SQLite is one machine's "
                    "file): no network to fault")  # fmt: skip


@pytest.fixture(scope="module")
def namespaces(routable: None) -> None:
    """Runner namespaces (root, iproute2, util-linux); skipped with the reason without them, or failed if
    ``PYNENC_SUITE_REQUIRE_NETWORK`` is set."""
    reason = network.unavailable()
    if reason:
        if os.environ.get(REQUIRE_NETWORK_ENV):
            raise RuntimeError(f"{REQUIRE_NETWORK_ENV} is set, and {reason}")
        pytest.skip(reason)


def _cycled(probe: RealtimeSchedule, start: float, seconds: float) -> tuple[TimedEnqueue, ...]:
    """The probe's enqueues over and over, one every ``GAP`` from ``start`` for ``seconds``."""
    count = int(seconds / GAP)
    return tuple(
        replace(probe.enqueues[i % len(probe.enqueues)], at=round(start + i * GAP, 2), producer=i % 2)
        for i in range(count)
    )


def partitioned(probe: RealtimeSchedule, seconds: float, after: float) -> RealtimeSchedule:
    """The probe with its second runner cut off for ``seconds`` from ``CUT_AT``, and ``after`` seconds of the
    probe's enqueues again from the heal on (so the runner's life after the heal is checked too).  With no
    partition (0 s) the same enqueues run, the network only routed."""
    heal = CUT_AT + seconds
    cut = TimedFault(at=CUT_AT, kind=Fault.PARTITION, runner=1, seconds=seconds, busy=False)
    return replace(
        probe,
        enqueues=probe.enqueues + _cycled(probe, heal + GAP, after),
        faults=(cut,) if seconds else (),
    )


def slowed(probe: RealtimeSchedule, delay: float) -> RealtimeSchedule:
    """The probe's enqueues for ``DELAYED_FOR`` seconds with both runners' engine links holding every chunk
    ``delay`` each way from ``CUT_AT`` (no delay: the same enqueues, every link routed and fast)."""
    faults = tuple(
        TimedFault(at=CUT_AT, kind=Fault.DELAY, runner=slot, seconds=DELAYED_FOR, busy=False, delay=delay)
        for slot in range(len(probe.runners))
    )
    return replace(probe, enqueues=_cycled(probe, 0.0, DELAYED_FOR + 1), faults=faults if delay else ())


def _require_fault_and_end(outcome: Outcome, fault: Fault, what: str) -> None:
    """The history records the fault and its end, the end with the grace the checkers excuse it for."""
    struck = [e for e in outcome.history.of_kind(Kind.CRASH) if e.fault is fault]
    ended = [e for e in outcome.history.of_kind(Kind.RESUME) if e.fault is fault]
    if not (struck and ended) or any(e.grace != UNHEARD_GRACE for e in ended):
        raise RuntimeError(f"the run's history lacks {what} (with a grace of {UNHEARD_GRACE:g} s): {outcome.folder}")


def test_a_partition_exposes_heartbeats_that_end_with_an_engine_outage(
    namespaces: None,
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_probe: RealtimeSchedule,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """Runners that ride out an unreachable engine but stop writing heartbeats after it keep every rule while
    the network holds, and a correct pynenc keeps them through a 10 s partition; together, the healed runner
    works on unheard, is presumed dead, and its work runs again beside it after the grace: decided
    violations.  The cut and the heal are in the history and on report.html."""
    faulted = partitioned(pynenc_probe, PARTITION, after=UNHEARD_GRACE + 4)
    effect = three_runs(
        pynenc_realtime_session("partition-alone"),
        pynenc_realtime_session(
            "regression-heartbeats_end_with_an_engine_outage",
            extra_env=environment_for(heartbeats_end_with_an_engine_outage),
        ),  # fmt: skip
        replace(faulted, faults=()),
        faulted,
    )
    fault = f"a {PARTITION:g} s partition"
    record_property(REALTIME, effect.line(pynenc_engine.name, "heartbeats_end_with_an_engine_outage", fault))
    _require_fault_and_end(effect.both, Fault.PARTITION, "a cut and a heal")
    require_effective(effect, "heartbeats_end_with_an_engine_outage", fault, pynenc_target.spec, pynenc_engine.name,
                      marker="cut r1")  # fmt: skip


def test_a_slow_link_exposes_a_check_that_fails_open_when_slow(
    routable: None,
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_probe: RealtimeSchedule,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """A running-concurrency check that admits when it overran 0.25 s keeps every rule while the engine answers
    in milliseconds, and a correct pynenc keeps them with both runners' links holding every chunk 50 ms each
    way; together, a slowed check admits a second call for a running key: decided violations.  Dead-after is
    30 s here, so that a slowed runner is never presumed dead."""
    controlled = [name for name, task in sorted(pynenc_target.controlled.items())
                  if task.conf.running_concurrency.value != "DISABLED"]  # fmt: skip
    if not controlled:
        pytest.skip("no task of the app controls running concurrency: nothing for the regression to break")
    # the first such task alone: every enqueue meets the check the regression breaks
    probe = probe_schedule([pynenc_target.under_test(controlled[0])], pynenc_probe.runners[0])
    faulted = slowed(replace(probe, enqueues=tuple(replace(e, hold=SLOWED_HOLD) for e in probe.enqueues)), DELAY)
    patient = Timing(dead_after_seconds=SLOWED_DEAD_AFTER)
    effect = three_runs(
        pynenc_realtime_session("delay-alone", timing=patient),
        pynenc_realtime_session(
            "regression-check_fails_open_when_slow",
            extra_env=environment_for(check_fails_open_when_slow),
            timing=patient,
        ),  # fmt: skip
        replace(faulted, faults=()),
        faulted,
    )
    fault = f"links {DELAY * 1000:g} ms slower each way"
    record_property(REALTIME, effect.line(pynenc_engine.name, "check_fails_open_when_slow", fault))
    _require_fault_and_end(effect.both, Fault.DELAY, f"a delay of {DELAY:g} s and its end")
    if not any(e.delay == DELAY for e in effect.both.history.of_kind(Kind.CRASH) if e.fault is Fault.DELAY):
        raise RuntimeError(f"the slowed run's history has no delay of {DELAY:g} s: {effect.both.folder}")
    require_effective(effect, "check_fails_open_when_slow", fault, pynenc_target.spec, pynenc_engine.name,
                      marker="+50ms")  # fmt: skip


def test_partition_tolerance(
    namespaces: None,
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_probe: RealtimeSchedule,
    pynenc_realtime_out: Path,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    """The longest partition of one runner from its engine under which every rule still holds, to within
    two seconds, searched up to four dead-afters; and at which lengths work of the cut-off runner, presumed
    dead while alive, ran again (at-least-once: what a heartbeat timeout intends, not a broken rule).
    Written to partition-tolerance.json, which ``pynenc-suite doctor`` quotes.  Fails only if the probe
    breaks a rule with no partition."""
    timing = Timing()
    tolerance = measure(
        pynenc_realtime_session("partition-tolerance").run,
        lambda seconds: partitioned(pynenc_probe, seconds, after=4.0),
        fault=CUT_OFF, app=pynenc_target.spec, engine=pynenc_engine.name, step=PARTITION_STEP,
        limit=4 * timing.dead_after_seconds, timing=asdict(timing),
    )  # fmt: skip
    (pynenc_realtime_out / PARTITION_TOLERANCE).write_text(tolerance.to_json())
    record_property(REALTIME, tolerance.line())
    require(tolerance.held is not None, lambda: f"the probe schedule broke a rule with no partition: "
                                                f"{tolerance.first_violation} ({tolerance.probes[0].folder})")  # fmt: skip


KILLED_RUN = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pynenc_suite.apps.target import load
    from pynenc_suite.drivers.realtime.driver import RealtimeRun
    from pynenc_suite.engines.instance import engine_instance
    from pynenc_suite.engines.registry import engine_for_tier
    from pynenc_suite.history.model import Fault
    from pynenc_suite.provider.loopback import LoopbackProvider
    from pynenc_suite.schedules.realtime import RealtimeSchedule, TimedEnqueue, TimedFault

    enqueues = tuple(TimedEnqueue(at=0.5 * i, producer=0, task="call_keyed",
                                  kwargs={"account_id": "a", "op": str(i)}, hold=5.0) for i in range(40))
    faults = (TimedFault(at=1.0, kind=Fault.DELAY, runner=0, seconds=60.0, busy=False, delay=0.01),
              TimedFault(at=2.0, kind=Fault.PARTITION, runner=1, seconds=60.0, busy=False))
    schedule = RealtimeSchedule(runners=("PersistentProcessRunner", "ThreadRunner"), enqueues=enqueues, faults=faults)
    with engine_instance(engine_for_tier("redis", "realtime"), None) as engine, LoopbackProvider().serving() as p:
        RealtimeRun(load("pynenc_suite.apps.reference:app"), engine, p, schedule, log_folder=Path(sys.argv[1])).execute()
""")
MARK = "PYNENC_SUITE_TEST_KILLED_RUN"


def _marked_processes(mark: str) -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            if f"{MARK}={mark}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.add(int(proc.name))
        except OSError:
            continue
    return found


def _in_other_namespaces(pids: set[int]) -> set[int]:
    mine = os.readlink("/proc/self/ns/net")
    inside = set()
    for pid in pids:
        try:
            if os.readlink(f"/proc/{pid}/ns/net") != mine:
                inside.add(pid)
        except OSError:
            continue
    return inside


def test_a_killed_run_leaves_no_namespace_interface_or_process(namespaces: None, tmp_path: Path) -> None:
    """SIGKILL the process running a real-time run (the reference app on its own Redis) whose runners sit in their
    namespaces behind relays, one cut off and one slowed: its interfaces, namespaces, runners and their workers,
    and its Redis go with it (a relay is a thread of it)."""
    mark = str(os.getpid())
    env = {**os.environ, MARK: mark}
    run = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(tmp_path)], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(_in_other_namespaces(_marked_processes(mark))) < 3:  # both runners, a worker, the holders
            assert run.poll() is None, f"the run ended before its runners started: {list(tmp_path.glob('*.log'))}"
            assert time.monotonic() < deadline, "no runner started inside its namespace within 120 s"
            time.sleep(0.2)
        time.sleep(2.5)  # past the cut and the delay
        assert len(network.interfaces_of(run.pid)) == 2
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 15
        while network.interfaces_of(run.pid) or _marked_processes(mark):
            left = network.interfaces_of(run.pid), _marked_processes(mark)
            assert time.monotonic() < deadline, f"left behind: {left}"
            time.sleep(0.2)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
