"""Deliberate changes to pynenc inside runner processes, by name.

A *regression* breaks pynenc, to show that the real-time tier catches it.  A
*candidate fix* repairs a recorded finding, to show that the finding's
reproduction passes the day pynenc is fixed (so its strict xfail is not a check
that cannot fail).  Each patches pynenc's classes in the process that applies it.  The
real-time driver cannot monkeypatch its runner processes from the outside, so a
run asked for a regression puts ``harness/bootstrap`` on the runners'
``PYTHONPATH``: its ``sitecustomize`` applies the named regression when each
runner process, and every worker process it spawns, starts.  Nothing is edited
on disk; the test process itself stays unpatched.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

REGRESSION_ENV = "PYNENC_SUITE_REGRESSION"
BOOTSTRAP_DIR = Path(__file__).resolve().parent / "bootstrap"
HEARTBEAT_SECONDS = 0.2


def keys_not_enforced() -> None:
    """Running concurrency control admits every invocation, whatever holds its key."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    BaseOrchestrator._is_authorize_by_concurrency_control = lambda self, invocation, statuses: True  # type: ignore[method-assign]


def multithread_stop_keeps_heartbeats() -> None:
    """Candidate fix for PYN-012: a stopping MultiThreadRunner keeps reporting its live workers as alive.

    pynenc stops the workers one by one from the signal handler, which blocks the main
    loop that sends their heartbeats; here a thread keeps sending them until the stop ends.
    """
    from pynenc.runner.multi_thread_runner import MultiThreadRunner

    stop_workers = MultiThreadRunner._on_stop_runner_loop

    def stop_workers_vouching(self: MultiThreadRunner) -> None:
        done = threading.Event()

        def vouch() -> None:
            while not done.wait(HEARTBEAT_SECONDS):
                self._report_child_runner_heartbeats()

        voucher = threading.Thread(target=vouch, name="vouch-for-workers", daemon=True)
        voucher.start()
        try:
            stop_workers(self)
        finally:
            done.set()
            voucher.join()

    MultiThreadRunner._on_stop_runner_loop = stop_workers_vouching  # type: ignore[method-assign]


REGRESSIONS: dict[str, Callable[[], None]] = {"keys_not_enforced": keys_not_enforced}
FIXES: dict[str, Callable[[], None]] = {"multithread_stop_keeps_heartbeats": multithread_stop_keeps_heartbeats}
PATCHES = {**REGRESSIONS, **FIXES}


def environment_for(name: str) -> dict[str, str]:
    """Environment that makes every process of a runner tree start with patch ``name`` applied."""
    if name not in PATCHES:
        raise KeyError(f"unknown patch {name!r}; known: {', '.join(PATCHES)}")
    path = os.pathsep.join(filter(None, [str(BOOTSTRAP_DIR), os.environ.get("PYTHONPATH", "")]))
    return {REGRESSION_ENV: name, "PYTHONPATH": path}


def apply_from_environment() -> None:
    name = os.environ.get(REGRESSION_ENV)
    if name:
        PATCHES[name]()
