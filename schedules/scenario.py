"""A small scenario of the bounded exhaustive explorer: a prefix, then a group of operations run together.

``pynenc_suite.strategies.scenarios`` enumerates them; the explorer runs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynenc_suite.schedules.steps import Concurrent, Step


@dataclass(frozen=True)
class Scenario:
    """A named small scenario: run ``prefix``, then ``group`` together, with ``runners`` runners."""

    name: str
    runners: int
    prefix: tuple[Step, ...]
    group: tuple[Concurrent, ...]
