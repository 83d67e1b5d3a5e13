"""Regressions injected into runner processes (:mod:`.inject`), so the real-time tier shows it can fail."""

from __future__ import annotations


def keys_not_enforced() -> None:
    """Running concurrency control admits every invocation, whatever holds its key."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    BaseOrchestrator._is_authorize_by_concurrency_control = lambda self, invocation, statuses: True  # type: ignore[method-assign]  # the regression replaces pynenc's method


HEARTBEAT_LAG_OF_DEAD_AFTER = 0.5


def heartbeats_half_stale() -> None:
    """A runner writes its heartbeat half a dead-after old (as one stamping it with the start of a long check would).

    Harmless while clocks agree (the heartbeat still looks fresh: half a dead-after plus one check
    interval is younger than dead-after); with the runner's clock behind by more than the half
    that is left, pynenc presumes the live runner dead and runs its work again.  Only a skewed
    clock exposes it.
    """
    import importlib
    import threading
    import time
    from typing import Any

    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    stamping = threading.local()
    patched: set[type] = set()
    original_init = BaseOrchestrator.__init__

    def lagged_time() -> float:
        return time.time() - getattr(stamping, "lag", 0.0)

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        cls = type(self)
        if cls in patched:
            return
        patched.add(cls)
        register = cls.register_runner_heartbeats
        importlib.import_module(register.__module__).__dict__["time"] = lagged_time  # its `from time import time`

        def lagging(orchestrator: Any, *a: Any, **kw: Any) -> None:
            dead_after = float(orchestrator.app.conf.runner_considered_dead_after_minutes) * 60
            stamping.lag = dead_after * HEARTBEAT_LAG_OF_DEAD_AFTER
            try:
                register(orchestrator, *a, **kw)
            finally:
                stamping.lag = 0.0

        cls.register_runner_heartbeats = lagging

    BaseOrchestrator.__init__ = init  # type: ignore[method-assign]  # patch whichever orchestrator the app builds


def heartbeats_end_with_an_engine_outage() -> None:
    """A runner rides out an engine that stops answering, but its heartbeats do not: once an engine call has failed
    (the engine unreachable beyond the client's retries) it never checks its atomic services again (where its
    heartbeat is written), and works on silently.

    Riding out is not the regression: the runner loop waits and polls again after a connection error or a timeout
    instead of ending (pynenc 0.3's loop ends: FINDINGS.md, "Not a finding: a runner exits when its engine stays
    unreachable").  Giving up the heartbeat is.  Harmless under kills (the process is gone), stalls (nothing fails while
    the process is frozen) and dropped connections (the client reconnects within its retries): only an engine
    unreachable for longer than the client's retries makes a call fail.  After such a partition heals, the live
    runner takes new work but stays silent, is presumed dead, and the work it runs is run again beside it.
    """
    import threading
    import time
    from typing import Any

    import pynenc.runner as runners
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    outage: tuple[type[BaseException], ...] = (OSError,)
    try:
        import redis

        outage = (OSError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
    except ImportError:
        pass
    given_up = threading.Event()
    claim_slot = BaseOrchestrator.try_claim_atomic_service_run

    def claim(orchestrator: Any, runner_ctx: Any) -> Any:
        if given_up.is_set():
            return None
        try:
            return claim_slot(orchestrator, runner_ctx)
        except outage:
            given_up.set()
            return None

    BaseOrchestrator.try_claim_atomic_service_run = claim  # type: ignore[method-assign,assignment]  # the regression replaces pynenc's method

    def riding_out(iteration: Any) -> Any:
        def iterate(runner: Any) -> None:
            try:
                iteration(runner)
            except outage:
                given_up.set()
                time.sleep(runner.conf.runner_loop_sleep_time_sec)

        return iterate

    for cls in (
        runners.ThreadRunner,
        runners.MultiThreadRunner,
        runners.ProcessRunner,
        runners.PersistentProcessRunner,
    ):
        cls.runner_loop_iteration = riding_out(cls.__dict__["runner_loop_iteration"])  # type: ignore[method-assign]  # as above


CHECK_DEADLINE = 0.25  # seconds: a concurrency check slower than this admits, under check_fails_open_when_slow


def check_fails_open_when_slow() -> None:
    """Running concurrency control with a deadline that fails open: a check that took longer than
    ``CHECK_DEADLINE`` admits the invocation, whatever it found holding the key.

    Harmless while the engine answers in milliseconds (a check is a handful of reads), and under kills,
    stops, stalls, dropped connections and partitions, which make a read fail or a process stop, not
    a check slow.  Only a slow link exposes it: a check of five round trips over a link holding each
    chunk 50 ms each way takes half a second and admits a second call for a key that is running.
    """
    import time
    from typing import Any

    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    check = BaseOrchestrator._is_authorize_by_concurrency_control

    def deadline(orchestrator: Any, invocation: Any, statuses: Any) -> bool:
        started = time.monotonic()
        verdict = check(orchestrator, invocation, statuses)
        return True if time.monotonic() - started > CHECK_DEADLINE else verdict

    BaseOrchestrator._is_authorize_by_concurrency_control = deadline  # type: ignore[method-assign,assignment]  # the regression replaces pynenc's method
