"""Small scenarios for the bounded exhaustive explorer: a prefix, then a group of operations run together.

Every multiset of ``size`` operation kinds (enqueue, poll, start, runner iteration, recovery
sweep, crash, stop) becomes one scenario on one key.  The prefix gives each operation something
to act on, so no operation is empty:

* two same-key calls are already enqueued (by two producers);
* a runner whose group operation is a start has polled one of them first (it holds it PENDING);
* with a recovery sweep in the group, the work of a dead runner is ripe for recovery: a spare
  runner polled and started the key's call, crashed, and the clock passed the recovery horizon,
  so the sweep reroutes a RUNNING invocation while the other operations poll and iterate;
* with a sweep and a start, the sweep contends with the start instead: the starter (alive, its
  heartbeats going on) holds a PENDING invocation past max pending seconds, which the sweep may
  take while the starter starts it (a dead runner would hold the key and leave nothing to start).

Runner operations get runners 0, 1, 2 in order; a crash or stop strikes runner 0, so it lands
inside the first runner operation's work (at any of its yield points), or, when it is the only
runner operation, on a runner that holds work from the prefix.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from pynenc_suite.schedules.scenario import Scenario
from pynenc_suite.schedules.steps import Advance, Concurrent, Crash, Enqueue, Iterate, Poll, Recover, Start, Step, Stop

KINDS = ("enqueue", "poll", "start", "iterate", "recover", "crash", "stop")
SPARE = 3  # the runner slot whose work a recovery sweep finds ripe (never used by a group operation)


def _group(kinds: tuple[str, ...], task: str, call: dict[str, Any]) -> tuple[tuple[Concurrent, ...], set[int]]:
    """The group's operations, and the runners whose operation is a start (they must hold work)."""
    steps: list[Concurrent] = []
    starters: set[int] = set()
    slot = 0
    producer = 0
    for kind in kinds:
        if kind == "enqueue":
            steps.append(Enqueue(producer % 2, task, call))
            producer += 1
        elif kind in ("crash", "stop"):
            steps.append(Crash(0) if kind == "crash" else Stop(0))
        else:
            runner = slot
            slot += 1
            if kind == "poll":
                steps.append(Poll(runner))
            elif kind == "start":
                steps.append(Start(runner))
                starters.add(runner)
            elif kind == "iterate":
                steps.append(Iterate(runner))
            else:
                steps.append(Recover(runner))
    return tuple(steps), starters


def scenarios(task: str, call: dict[str, Any], size: int = 3, recovery_horizon: float = 601.0) -> Iterator[Scenario]:
    """One scenario per multiset of ``size`` operation kinds, on one key of ``task`` (``call``'s arguments)."""
    for kinds in itertools.combinations_with_replacement(KINDS, size):
        group, starters = _group(kinds, task, call)
        prefix: list[Step] = [Enqueue(0, task, call), Enqueue(1, task, call)]
        striking = {"crash", "stop"} & set(kinds)
        if striking and not any(k in kinds for k in ("poll", "start", "iterate", "recover")):
            starters.add(0)  # the struck runner holds work from the prefix
        if "recover" in kinds and starters:
            # The sweep contends with a start for the invocation the starter holds: the starter stays alive
            # (its heartbeats go on) while its PENDING invocation outlives max pending seconds.
            prefix += [Poll(runner) for runner in sorted(starters)]
            prefix.append(Advance(recovery_horizon))
        else:
            if "recover" in kinds:
                prefix += [Poll(SPARE), Start(SPARE), Crash(SPARE), Advance(recovery_horizon)]
                prefix.append(Enqueue(0, task, call))  # the key's call the dead runner took is replaced in the queue
            prefix += [Poll(runner) for runner in sorted(starters)]
        yield Scenario("+".join(kinds), SPARE + 1, tuple(prefix), group)
