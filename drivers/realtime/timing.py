"""Recovery settings of a real-time run, shortened so that a crash is recovered within seconds.

pynenc's recovery tasks are cron-triggered with a one-minute resolution, so the
real-time driver also runs them itself every ``sweep_seconds``.  Heartbeats are
written when a runner checks its atomic services, hence the short check interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    max_pending_seconds: float = 2.0
    dead_after_seconds: float = 4.0
    heartbeat_seconds: float = 0.3
    sweep_seconds: float = 1.0
    runner_loop_sleep_seconds: float = 0.05

    def config(self) -> dict[str, Any]:
        return {
            "max_pending_seconds": self.max_pending_seconds,
            "runner_considered_dead_after_minutes": self.dead_after_seconds / 60.0,
            "atomic_service_check_interval_minutes": self.heartbeat_seconds / 60.0,
            "recover_pending_invocations_cron": "* * * * *",
            "recover_running_invocations_cron": "* * * * *",
            "runner_loop_sleep_time_sec": self.runner_loop_sleep_seconds,
            "logging_level": "warning",
        }

    @property
    def recovery_seconds(self) -> float:
        """Longest time pynenc may legitimately take to notice and recover a dead runner's work."""
        return max(self.dead_after_seconds, self.max_pending_seconds) + 2 * self.sweep_seconds + self.heartbeat_seconds
