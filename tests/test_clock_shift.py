"""Skewed runner clocks: the preload library, the clock arithmetic, the drawn skews, and what a killed run leaves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pynenc_suite.apps.target import load
from pynenc_suite.drivers.realtime.clock_shift import (
    OFFSET_ENV,
    REQUIRE_ENV,
    ClockShiftUnavailable,
    environment,
    library,
)
from pynenc_suite.history.html_report import html_report
from pynenc_suite.history.model import Event, Fault, History, Kind
from pynenc_suite.schedules.realtime import RealtimeSchedule, RunnerClock
from pynenc_suite.strategies.realtime import RealtimeKnobs, realtime_schedules

try:
    library()
    NO_LIBRARY = ""
except ClockShiftUnavailable as error:
    NO_LIBRARY = str(error)
needs_library = pytest.mark.skipif(bool(NO_LIBRARY) and not os.environ.get(REQUIRE_ENV), reason=NO_LIBRARY)

SHOW_CLOCKS = textwrap.dedent("""
    import datetime, json, threading, time
    wall, mono = time.time(), time.monotonic()
    waited = threading.Event().wait(0.05)  # libfaketime: never returns under Python 3.12
    print(json.dumps({"wall": wall, "mono": mono, "now": datetime.datetime.now(datetime.UTC).timestamp(),
                      "waited": waited}))
""")


@given(
    offset=st.floats(-600, 600),
    drift=st.floats(-0.05, 0.05),
    real=st.floats(1.7e9, 1.8e9),
    epoch=st.floats(1.7e9, 1.8e9),
)
def test_real_undoes_shown(offset: float, drift: float, real: float, epoch: float) -> None:
    clock = RunnerClock(offset, drift)
    assert clock.real(clock.shown(real, epoch), epoch) == pytest.approx(real, abs=1e-5)


@needs_library
def test_a_process_started_with_a_clock_sees_its_wall_clock_shifted_and_its_waits_untouched() -> None:
    epoch = time.time()
    env = {**os.environ, **environment(RunnerClock(offset=-7.5, drift=0.5), epoch)}
    before, mono_before = time.time(), time.monotonic()
    out = subprocess.run([sys.executable, "-c", SHOW_CLOCKS], env=env, capture_output=True, text=True, timeout=30)
    after = time.time()
    shown = json.loads(out.stdout)
    assert shown["waited"] is False  # the timed wait timed out and returned
    assert before - 7.5 + 0.5 * (before - epoch) - 0.01 <= shown["wall"] <= after - 7.5 + 0.5 * (after - epoch) + 0.01
    assert shown["now"] == pytest.approx(shown["wall"], abs=0.5)  # datetime.now reads the same clock
    assert mono_before <= shown["mono"] <= time.monotonic()  # the monotonic clock is the machine's


@needs_library
def test_children_of_a_skewed_process_share_its_clock() -> None:
    env = {**os.environ, **environment(RunnerClock(offset=3600.0), time.time())}
    out = subprocess.run(["date", "+%s"], env=env, capture_output=True, text=True, timeout=30, check=True)
    assert int(out.stdout) - time.time() == pytest.approx(3600, abs=5)


def test_drawn_schedules_skew_clocks_within_the_knobs_and_not_at_all_without_them() -> None:
    tasks = [load().under_test("call_keyed")]
    drawn: list[RealtimeSchedule] = []
    unskewed: list[RealtimeSchedule] = []

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(realtime_schedules(tasks), realtime_schedules(tasks, RealtimeKnobs(max_skew=0.0, max_drift=0.0)))
    def collect(skewed: RealtimeSchedule, plain: RealtimeSchedule) -> None:
        drawn.append(skewed)
        unskewed.append(plain)

    collect()
    clocks = [c for s in drawn for c in s.clocks]
    assert any(c.skewed for c in clocks)
    assert all(abs(c.offset) <= 0.5 and abs(c.drift) <= 0.01 for c in clocks)
    assert all(len(s.clocks) in (0, len(s.runners)) for s in drawn)
    assert not any(s.clocks for s in unskewed)


def test_a_schedule_without_clocks_reads_as_one_with_every_clock_agreeing() -> None:
    old = RealtimeSchedule(runners=("ThreadRunner",), enqueues=())
    saved = json.loads(old.to_json())
    saved.pop("clocks", None)  # a schedule.json written before clocks existed
    again = RealtimeSchedule.from_json(json.dumps(saved))
    assert again.clock(0) == RunnerClock() and not again.clock(5).skewed


def test_a_skew_is_in_the_history_with_its_value_and_on_the_page() -> None:
    skew = Event(seq=0, kind=Kind.SKEW, time=0.0, worker="r1", fault=Fault.CLOCK_SKEW, offset=-2.5, drift=0.01)
    assert Event.from_json(json.loads(json.dumps(skew.to_json()))) == skew
    page = html_report(History(events=[skew]), [], real_time=True, title="t", schedule="", replay="")
    assert 'data-kind="skew"' in page and "clock -2.5s +10ms/s" in page


KILLED_RUN = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pynenc_suite.apps.target import load
    from pynenc_suite.drivers.realtime.driver import RealtimeRun
    from pynenc_suite.engines.instance import engine_instance
    from pynenc_suite.engines.registry import engine_for_tier
    from pynenc_suite.provider.loopback import LoopbackProvider
    from pynenc_suite.schedules.realtime import RealtimeSchedule, RunnerClock, TimedEnqueue

    enqueues = tuple(TimedEnqueue(at=0.5 * i, producer=0, task="call_keyed",
                                  kwargs={"account_id": "a", "op": str(i)}, hold=5.0) for i in range(40))
    schedule = RealtimeSchedule(runners=("PersistentProcessRunner", "ThreadRunner"), enqueues=enqueues,
                                clocks=(RunnerClock(offset=-1.25), RunnerClock(offset=1.25, drift=0.01)))
    with engine_instance(engine_for_tier("sqlite", "realtime"), None) as engine, LoopbackProvider().serving() as p:
        RealtimeRun(load(), engine, p, schedule, log_folder=Path(sys.argv[1])).execute()
""")


def _skewed_processes(marker: str) -> set[int]:
    """Processes whose environment carries the clock offset of this test's run (``marker``)."""
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"{OFFSET_ENV}={marker}".encode() in environ:
            found.add(int(proc.name))
    return found


@needs_library
def test_a_killed_run_leaves_no_process_with_a_skewed_clock(tmp_path: Path) -> None:
    """SIGKILL the process running a skewed real-time run: its runners and their workers go with it."""
    run = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(tmp_path)], start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(_skewed_processes("-1.25")) < 2 or not _skewed_processes("1.25"):  # runners and a worker
            assert run.poll() is None, "the run ended before its runners started"
            assert time.monotonic() < deadline, "no runner with a skewed clock started within 120 s"
            time.sleep(0.2)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 15
        while _skewed_processes("-1.25") | _skewed_processes("1.25"):
            assert time.monotonic() < deadline, f"left behind: {_skewed_processes('-1.25') | _skewed_processes('1.25')}"
            time.sleep(0.2)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
