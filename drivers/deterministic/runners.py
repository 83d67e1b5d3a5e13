"""Simulated runners: each has its own pynenc ``RunnerContext``, what it polled, and what it is running."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynenc.runner.base_runner import BaseRunner
from pynenc.runner.runner_context import RunnerContext

from pynenc_suite.drivers.deterministic.workers import Execution


@dataclass
class SimRunner:
    slot: int
    incarnation: int
    ctx: RunnerContext
    alive: bool = True
    held: list[Any] = field(default_factory=list)  # PENDING: polled, not started
    running: list[Execution] = field(default_factory=list)  # in flight at the provider

    @classmethod
    def new(cls, slot: int, incarnation: int) -> SimRunner:
        return cls(slot, incarnation, RunnerContext("SimulatedRunner", f"sim-r{slot}.{incarnation}"))

    @property
    def label(self) -> str:
        return f"r{self.slot}" if self.incarnation == 1 else f"r{self.slot}.{self.incarnation}"


class RunnerFacade:
    """What pynenc's ``BaseRunner._kill_and_reroute`` needs of a runner, for a simulated one."""

    def __init__(self, app: Any, ctx: RunnerContext) -> None:
        self.app = app
        self.runner_context = ctx
        self.logger = app.logger

    def kill_and_reroute(self, invocation_id: Any) -> None:
        BaseRunner._kill_and_reroute(self, invocation_id, self.runner_context)  # type: ignore[arg-type]  # not a BaseRunner: has what it reads
