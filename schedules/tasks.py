"""What a schedule knows of a task under test; the app's target builds it, the strategies draw calls of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TaskUnderTest:
    """What a schedule needs to know of a task: its name, function and key arguments."""

    name: str
    func: Any
    key_arguments: tuple[str, ...] = ()
    retries: int = 0  # > 0: the task retries a failed provider call, so schedules fail some (Finish(fail=True))
