"""pynenc's own monitor on a database the real-time tier kept: the same invocations, seen in pynenc's UI.

A short fault-free run on SQLite keeps its database beside the schedule's artefacts;
``pynenc-suite monitor FOLDER`` starts ``pynenc monitor`` on a free loopback port with the
configuration the runners had, and one recorded invocation's page is fetched from it.
Skipped where the monitor's dependencies (``pynenc[monitor]``) are not installed, unless
``PYNENC_SUITE_REQUIRE_MONITOR=1`` (as in ``.ci/run``): then their absence is an error.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from pynenc_suite.active import options
from pynenc_suite.apps.target import Target
from pynenc_suite.artefacts.monitor import KEPT_DATABASE, MONITOR_NEEDS, CannotMonitor, monitor_command
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.history.model import Kind
from pynenc_suite.plugin.fixtures import RealtimeSessions
from pynenc_suite.plugin.summaries import REALTIME, RecordProperty
from pynenc_suite.strategies.realtime import RealtimeKnobs

pytestmark = pytest.mark.pynenc_realtime

REQUIRE_MONITOR = os.environ.get("PYNENC_SUITE_REQUIRE_MONITOR") == "1"
STARTS_WITHIN = 60.0  # seconds for the monitor to answer /health (about 3 s measured)
MONITOR_RUN_SECONDS = 13.0  # room for one fault-free schedule (explore starts one only if 12 s are left)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _monitor(folder: Path, port: int) -> Iterator[str]:
    """``pynenc-suite monitor FOLDER`` running on ``port``; yields its base URL once it answers, stops it after."""
    log = folder / "monitor.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pynenc_suite", "monitor", str(folder), "--port", str(port)],
            stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTS_WITHIN
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the monitor exited ({process.returncode}): {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the monitor did not answer within {STARTS_WITHIN:.0f} s: {log.read_text()[-2000:]}"
                )
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_kept_database_opens_in_pynenc_monitor(
    pynenc_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_session: RealtimeSessions,
    record_property: RecordProperty,
) -> None:
    if options().realtime_replay:
        pytest.skip("replaying one schedule")
    if pynenc_engine.name != "sqlite":
        pytest.skip("the tier keeps databases of SQLite runs only")
    session = pynenc_realtime_session("monitor", knobs=RealtimeKnobs(
        max_runners=2, max_enqueues=4, faults=(), runner_classes=("ThreadRunner",)))  # fmt: skip
    session.explore(MONITOR_RUN_SECONDS, seed_value=0)
    if not session.outcomes:
        raise RuntimeError("no schedule ran, so no database was kept")
    outcome = session.outcomes[0]
    if not (outcome.folder / KEPT_DATABASE).is_file():
        raise RuntimeError(f"the run on SQLite kept no database in {outcome.folder}")
    try:
        pages = monitor_command(outcome.folder).pages
    except CannotMonitor as error:
        if REQUIRE_MONITOR:
            raise RuntimeError(f"PYNENC_SUITE_REQUIRE_MONITOR=1 but {error}") from None
        pytest.skip(f"{error} ({', '.join(MONITOR_NEEDS)})")
    label = next(e.invocation_id for e in outcome.history.of_kind(Kind.ENQUEUE) if e.invocation_id)
    pynenc_id = pages[label].rsplit("/", 1)[1]  # the history's label, as pynenc knows the invocation
    recorded = [e.status for e in outcome.history.of_kind(Kind.STATUS) if e.invocation_id == label][-1]
    with _monitor(outcome.folder, _free_port()) as base:
        page = httpx.get(f"{base}/invocations/{pynenc_id}", timeout=30)
        shown = httpx.get(f"{base}/invocations/{pynenc_id}/api", timeout=30).json()
    assert page.status_code == 200, page.text[-2000:]
    assert pynenc_id in page.text and "Invocation Details" in page.text
    assert str(shown["status"]).lower() == recorded, f"the monitor shows {shown['status']}, the history {recorded}"
    record_property(
        REALTIME,
        f"{pynenc_engine.name}: pynenc monitor served {label} (invocation {pynenc_id}) from "
        f"the kept database {outcome.folder / KEPT_DATABASE}",
    )
