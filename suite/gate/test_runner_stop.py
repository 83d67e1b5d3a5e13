"""PYN-011: a ThreadRunner that stops gracefully reroutes an invocation whose body is still running.

Found by the real-time tier (SIGTERM of a ThreadRunner on SQLite and Redis);
reproduced here in one process with pynenc's real ThreadRunner on the memory
backend.  Every wait is on a condition (a call in flight, a status written), not
on elapsed time, so the verdict does not depend on thread timing: the first
body is held in the provider until the test releases it.

pynenc's ``ThreadRunner._on_stop`` marks a still-running invocation KILLED and
reroutes it *before* joining its thread (threads cannot be killed).  Another
runner then runs the rerouted invocation while the first copy is still calling
the provider: two calls for one account in flight at once under running KEYS
control, and the work done twice.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

import pytest
from pynenc.runner.thread_runner import ThreadRunner

from pynenc_suite.apps.target import Target
from pynenc_suite.provider.calls import CallRecord
from pynenc_suite.provider.memory import Provider
from pynenc_suite.verdicts import require

WAIT = 20.0


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.01)


def _start(runner: ThreadRunner) -> threading.Thread:
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    return thread


def _joining(thread: threading.Thread) -> bool:
    """The runner's thread is blocked joining a task thread (its stop is waiting for a body)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_name == "join" and frame.f_code.co_filename.endswith("threading.py"):
            return True
        frame = frame.f_back
    return False


@pytest.mark.filterwarnings("ignore:Running in a secondary thread")
@pytest.mark.pynenc_finding("PYN-011")
@pytest.mark.pynenc_reference_app
def test_graceful_stop_of_a_thread_runner_never_runs_one_key_twice_at_once(pynenc_target: Target) -> None:
    """Stop a ThreadRunner while its body is in the provider; a second runner must not run the same key meanwhile.

    Once the stopping runner is blocked joining the body's thread, either it still owns the
    invocation (correct: nothing else can run it, so the body is released) or it already
    rerouted it, and then the test waits for the second runner to take it before releasing.
    """
    target = pynenc_target
    if "call_keyed" not in target.tasks:
        pytest.skip("the reproduction uses the reference app's call_keyed")
    app = target.app
    app.purge()
    release = threading.Event()

    def hold(call: CallRecord) -> None:
        if call.number == 0:  # only the first copy of the body is held
            release.wait(WAIT)

    provider = Provider(hold=hold)
    first, second = ThreadRunner(app), ThreadRunner(app)
    threads: list[threading.Thread] = []
    try:
        with provider.serve():
            invocation = target.tasks["call_keyed"](account_id="acct", op="x")
            threads.append(_start(first))
            _wait_for(lambda: len(provider.calls) == 1, "the first runner's body to call the provider")
            first.stop_runner_loop()  # what SIGTERM does
            _wait_for(lambda: _joining(threads[0]), "the stopping runner to wait for its task thread")
            given_up = app.orchestrator.get_invocation_status(invocation.invocation_id).value != "running"
            threads.append(_start(second))
            if given_up:
                _wait_for(lambda: len(provider.calls) == 2, "the second runner to run the rerouted invocation")
            release.set()
            _wait_for(lambda: not threads[0].is_alive(), "the stopping runner to finish")
            overlapping = provider.collisions["acct"]
    finally:
        release.set()
        second.stop_runner_loop()
        first.stop_runner_loop()
        for thread in threads:
            thread.join(WAIT)
    require(overlapping == 0, "two calls for one account in flight at once under running KEYS control")
