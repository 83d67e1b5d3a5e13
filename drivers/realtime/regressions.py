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
