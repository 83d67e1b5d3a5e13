"""Hypothesis strategies for schedules: producers enqueue, runners poll/start/finish, the nemesis strikes.

Weights favour work (enqueue, poll, start, finish) over faults, and keys come
from small pools, so same-key invocations meet often.  Short sequences drawn as
one step take the schedule to situations that are rare by chance: two calls of
one key before the concurrency control, a runner stopping mid-call, recovery's
edges.  Every generated schedule
is valid in any prefix or sub-sequence, which keeps Hypothesis's shrinking
effective: a failure shrinks to the few steps that matter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from pynenc_suite.schedules.steps import (
    Advance,
    Crash,
    Enqueue,
    EnqueueMany,
    Finish,
    Iterate,
    Poll,
    Recover,
    Restart,
    Schedule,
    Start,
    Step,
    Stop,
    Together,
)
from pynenc_suite.schedules.tasks import TaskUnderTest
from pynenc_suite.strategies.arguments import kwargs_from, parameter_pools


@dataclass(frozen=True)
class Knobs:
    max_runners: int = 3
    max_producers: int = 2
    max_steps: int = 40
    faults: bool = True
    interleave: bool = True  # Together steps: concurrent operations switched at pynenc's yield points
    enqueue_many: bool = True  # EnqueueMany steps: task.parallelize, with and without common arguments
    max_batch: int = 2
    max_preemptions: int = 3
    max_group: int = 3  # operations in one interleaved group (at least two; shrinking goes towards two)
    recovery_horizon: float = 601.0  # seconds after which dead runners' work is recoverable
    max_pending_seconds: float = 3.0


def _fault_steps(runners: int, knobs: Knobs) -> st.SearchStrategy[Step]:
    r = st.integers(0, runners - 1)
    seconds = st.sampled_from([1.0, knobs.max_pending_seconds + 1.0, knobs.recovery_horizon])
    return st.one_of(
        st.builds(Crash, r),
        st.builds(Stop, r),
        st.builds(Restart, r),
        st.builds(Advance, seconds),
        st.builds(Recover, r),
    )


def _recovery_edges(
    runners: int, knobs: Knobs, enqueue: st.SearchStrategy[Step]
) -> st.SearchStrategy[tuple[Step, ...]]:
    """A few steps that take recovery to one of its edges on purpose (each is rare as a chance sequence), each
    with the enqueues it needs:

    * a live runner's PENDING invocation outlives max pending seconds before a sweep;
    * the dead-runner timeout passes while a live runner's body is in the provider, then a sweep;
    * two runners die holding work before one sweep (two incarnations of one slot; of four calls, the second
      finds one whose key the first does not hold, unless all four share a key);
    * a runner dies holding work, then two sweeps, or a sweep and a crash of the sweeping runner, run as
      one interleaved group, so the sweeps have something to mark when they contend or the crash lands.
    """
    r = st.integers(0, runners - 1)
    other = r.map(lambda a: (a + 1) % runners)
    overdue = knobs.max_pending_seconds + 1.0
    horizon = knobs.recovery_horizon
    preemptions = st.lists(st.integers(0, 24), max_size=2, unique=True).map(lambda p: tuple(sorted(p)))

    def ripe(a: int) -> tuple[Step, ...]:
        return (Poll(a), Crash(a), Restart(a), Advance(horizon))

    return st.one_of(
        st.builds(lambda e, a, b: (e, Poll(a), Advance(overdue), Recover(b)), enqueue, r, other),
        st.builds(lambda e, a, b: (e, Poll(a), Start(a), Advance(horizon), Recover(b)), enqueue, r, other),
        st.builds(
            lambda calls, a: (
                *calls,
                Poll(a),
                Crash(a),
                Restart(a),
                Poll(a),
                Crash(a),
                Restart(a),
                Advance(horizon),
                Recover(a),
            ),
            st.tuples(*[enqueue] * 4),
            r,
        ),  # fmt: skip
        st.builds(
            lambda e, a, b, p: (e, *ripe(a), Together((Recover(b), Crash(b)), p)), enqueue, r, other, preemptions
        ),  # fmt: skip
        st.builds(
            lambda e, a, b, p: (e, *ripe(a), Together((Recover(a), Recover(b)), p)), enqueue, r, other, preemptions
        ),  # fmt: skip
    )


def _contention_edges(
    runners: int, knobs: Knobs, enqueue: st.SearchStrategy[Step]
) -> st.SearchStrategy[tuple[Step, ...]]:
    """A few steps that put two calls of one key in front of the concurrency control on purpose (by
    chance they need the same drawn arguments twice, then the right runner steps in the right order):

    * two producers make the same call, two runners each poll and start one: the second start must be
      refused (running concurrency) or never admitted (the poll's candidate check);
    * the same two calls, then both runners iterate as one interleaved group: the two polls and starts
      race at pynenc's yield points;
    * a runner takes a call and stops gracefully while its body is in the provider: the stop must
      reroute the call (and free its key), as pynenc's runners do on shutdown.

    The runners involved may be restarted first, in case an earlier fault killed them (a restart of a live
    runner does nothing), so the edge is reached wherever in the schedule it is drawn; whether to restart is
    drawn, so a counterexample that does not need the restart shrinks without it.
    """
    r = st.integers(0, runners - 1)
    other = r.map(lambda a: (a + 1) % runners)
    preemptions = st.lists(st.integers(0, 24), max_size=knobs.max_preemptions, unique=True).map(
        lambda p: tuple(sorted(p))
    )

    def up(revive: bool, *slots: int) -> tuple[Step, ...]:  # runners that died earlier come back first
        return tuple(Restart(slot) for slot in dict.fromkeys(slots)) if revive and knobs.faults else ()

    def twice(e: Any) -> tuple[Step, Step]:  # an Enqueue, made again by the other producer
        return e, replace(e, producer=(e.producer + 1) % knobs.max_producers)

    same_key = enqueue.map(twice)
    revive = st.booleans()  # drawn, so a restart the failure does not need shrinks away
    edges = [st.builds(lambda calls, a, b, v: (*calls, *up(v, a, b), Poll(a), Poll(b), Start(a), Start(b)),
                       same_key, r, other, revive)]  # fmt: skip
    if knobs.interleave:
        edges.append(st.builds(lambda calls, a, b, v, p: (*calls, *up(v, a, b), Together((Iterate(a), Iterate(b)), p)),
                               same_key, r, other, revive, preemptions))  # fmt: skip
    if knobs.faults:
        edges.append(st.builds(lambda e, a, v, w: (e, *up(v, a), Poll(a), Start(a), Stop(a), *up(w, a)), enqueue, r,
                               revive, revive))  # fmt: skip
    return st.one_of(edges)


@st.composite
def _enqueue_many(
    draw: st.DrawFn, tasks: list[TaskUnderTest], pools: dict[str, dict[str, list[Any]]], knobs: Knobs
) -> EnqueueMany:
    """``task.parallelize(calls)``; sometimes one argument is passed once, as ``common_args``."""
    task = draw(st.sampled_from(tasks))
    calls = draw(st.lists(kwargs_from(pools[task.name]), min_size=1, max_size=knobs.max_batch))
    producer = draw(st.integers(0, knobs.max_producers - 1))
    shared = draw(st.sampled_from([None, *pools[task.name]]))
    if shared is None:
        return EnqueueMany(producer, task.name, tuple(calls))
    common = {shared: calls[0][shared]}
    return EnqueueMany(producer, task.name, tuple({k: v for k, v in c.items() if k != shared} for c in calls), common)


@st.composite
def schedules(draw: st.DrawFn, tasks: list[TaskUnderTest], knobs: Knobs = Knobs()) -> Schedule:
    runners = draw(st.integers(1, knobs.max_runners))
    pools = {t.name: draw(parameter_pools(t.func)) for t in tasks}
    producer = st.integers(0, knobs.max_producers - 1)
    # One strategy per task, built once per schedule: a flatmap that built it anew at every step
    # spent most of the draw validating fresh strategy objects.
    enqueue_of = {t.name: st.builds(Enqueue, producer, st.just(t.name), kwargs_from(pools[t.name])) for t in tasks}
    enqueue = st.sampled_from(tasks).flatmap(lambda t: enqueue_of[t.name])
    r = st.integers(0, runners - 1)
    poll = st.builds(Poll, r, st.integers(1, 3))
    start = st.builds(Start, r, st.integers(0, 3))
    # A failed answer only for tasks that retry it (a retry shrinks away: False is the simpler draw).
    fail = st.booleans() if any(t.retries for t in tasks) else st.just(False)
    finish = st.builds(Finish, r, st.integers(0, 3), fail)
    # Weighted choice: enqueue 3, poll 2, start 2, finish 2, all faults together 1.
    # Index 0 is an enqueue, so shrinking moves steps towards plain work, not faults.
    branches = [enqueue, poll, start, finish, enqueue, poll, start, finish, enqueue]
    if knobs.faults:
        branches.append(_fault_steps(runners, knobs))
    if knobs.interleave:
        iterate = st.builds(Iterate, r, st.just(1))
        options = [iterate, iterate, enqueue, poll, start, st.builds(Recover, r)]
        if knobs.enqueue_many:
            options.append(_enqueue_many(tasks, pools, knobs))  # a batch enqueue racing the others
        if knobs.faults:
            options.append(st.builds(Crash, r))  # a runner killed at any yield point of its operations
            options.append(st.builds(Stop, r))  # a graceful stop's kill-and-reroute among other operations
        concurrent = st.integers(0, len(options) - 1).flatmap(lambda i: options[i])
        preemptions = st.lists(st.integers(0, 24), max_size=knobs.max_preemptions, unique=True).map(
            lambda points: tuple(sorted(points))
        )
        operations = st.lists(concurrent, min_size=2, max_size=max(2, knobs.max_group)).map(tuple)
        together = st.builds(Together, operations, preemptions)
        # Half a branch: interleaved groups cost several threads each; the bounded exhaustive
        # explorer (suite/test_explorer.py) covers the interleavings systematically.
        branches.append(st.one_of(enqueue, together))
    if knobs.faults:
        # Half a branch: a short sequence that takes recovery to one of its edges (history/situations.py).
        branches.append(st.one_of(enqueue, _recovery_edges(runners, knobs, enqueue)))
    # Half a branch: two calls of one key meet the concurrency control, or a runner stops mid-call.
    branches.append(st.one_of(enqueue, _contention_edges(runners, knobs, enqueue)))
    if knobs.enqueue_many:
        # Half a branch: a batch enqueue is one more way in, not the main one (and on KEYS / ARGUMENTS
        # tasks with registration DISABLED it often shows PYN-008, whose examples the gate discards).
        branches.append(st.one_of(enqueue, _enqueue_many(tasks, pools, knobs)))
    # Built after every branch is in: the index range must cover them all.
    step = st.integers(0, len(branches) - 1).flatmap(lambda i: branches[i])
    steps: list[Step] = []
    # Continue with probability 19/20 (mean length ~19); a 0 ends the schedule, which shrinks well.
    while len(steps) < knobs.max_steps and draw(st.integers(0, 19)) != 0:
        drawn = draw(step)
        steps.extend(drawn if isinstance(drawn, tuple) else (drawn,))
    return Schedule(runners=runners, steps=tuple(steps))
