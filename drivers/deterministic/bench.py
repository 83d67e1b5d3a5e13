"""Benchmark: operations per second of the interleaving explorer, and its overhead over plain pynenc.

The same pynenc operations (two enqueues of one key, two runner polls, running
what they return, each body making one provider call through httpx/respx) are
timed twice on the same machine in the same run: directly, and through the
deterministic driver with the two runner iterations interleaved at pynenc's
yield points (one preemption per round).  Run with ``pynenc-suite bench`` (``tox -e bench``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pynenc.runner.runner_context import RunnerContext

from pynenc_suite.apps.target import Target, load
from pynenc_suite.drivers.deterministic.histories import driver_for
from pynenc_suite.provider.memory import Provider
from pynenc_suite.schedules.steps import Enqueue, Finish, Iterate, Schedule, Step, Together

OPS_PER_ROUND = 6  # 2 enqueues + 2 polls + 2 runs (one of them blocked by concurrency control, or run later)


def direct(target: Target, rounds: int) -> None:
    app, task = target.app, target.tasks["call_keyed"]
    queues = tuple(app.broker.conf.queues)
    runners = [RunnerContext("BenchRunner", f"bench-r{i}") for i in range(2)]
    with Provider().serve():
        app.purge()
        for i in range(rounds):
            task(account_id=i, op="a")
            task(account_id=i, op="b")
            for ctx in runners:
                for invocation in app.orchestrator.get_invocations_to_run(
                    1, ctx, queue_provider=lambda: queues, on_queue_retrieved=lambda _q: None
                ):
                    invocation.run(ctx)


def explorer(target: Target, rounds: int) -> None:
    steps: list[Step] = []
    for i in range(rounds):
        steps += [
            Enqueue(0, "call_keyed", {"account_id": i, "op": "a"}),
            Enqueue(1, "call_keyed", {"account_id": i, "op": "b"}),
            Together((Iterate(0), Iterate(1)), (1,)),
            Finish(0),
            Finish(1),
        ]
    driver_for(target, ["call_keyed"], runners=2).run(Schedule(2, tuple(steps)), drain=False)


def best_of_alternating(repeats: int, *bodies: Callable[[], None]) -> list[float]:
    """Each body's best time of ``repeats`` runs, the bodies taking turns (A/B/A/B...), so a change of the
    machine's speed during the measurement weighs on both alike."""
    best = [float("inf")] * len(bodies)
    for _ in range(repeats):
        for index, body in enumerate(bodies):
            start = time.perf_counter()
            body()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def bench(rounds: int = 200, repeats: int = 5) -> None:
    target = load()
    direct(target, 5)  # warm up imports and caches
    explorer(target, 5)
    plain, explored = best_of_alternating(repeats, lambda: direct(target, rounds), lambda: explorer(target, rounds))
    ops = OPS_PER_ROUND * rounds
    print(f"rounds={rounds} pynenc operations per run={ops} (best of {repeats}, direct and explorer taking turns)")
    print(f"direct pynenc : {plain:8.3f} s  {ops / plain:9.0f} ops/s")
    print(f"explorer      : {explored:8.3f} s  {ops / explored:9.0f} ops/s")
    print(f"overhead ratio: {explored / plain:.2f}x (explorer time / direct time)")
