"""Runner sizing and recovery settings, read from the app's pynenc configuration.

Sizing applies only to a runner the app configures: pynenc's default ``runner_cls``
is a placeholder (``DummyRunner``, and its subclass ``ExternalRunner``) that runs
nothing, so an app left on it gets one item naming the decision still to make (which
runner, and how many slots against the keys expected active), never a slot count.
A task with running KEYS control runs at most one call per key at a time,
so with ``expected_keys`` active keys, fewer worker slots than keys leave keys
waiting (and each poll reroutes the blocked calls it meets), and many more slots
than keys stay idle; each warning quotes what the decision matrix measured.  Recovery: pynenc presumes a runner dead after
``runner_considered_dead_after_minutes`` without a heartbeat, and reruns its work.
A MultiThreadRunner stops its worker processes one after another, waiting up to
10 s for each and 5 s more after a SIGKILL, without reporting the others' heartbeats
meanwhile (PYN-012): during a graceful stop the k-th worker goes unreported for up
to about 15 s x (k - 1), so with dead-after D seconds, workers beyond D / 15 + 1
still running bodies longer than 10 s are recovered while alive.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from pynenc_suite.apps.runner_config import placeholder
from pynenc_suite.doctor.items import Item, Mark
from pynenc_suite.history.model import Mode
from pynenc_suite.tiers.tolerance import Tolerance

IDLE_FACTOR = 4  # more slots than this many times the expected keys: most of them idle
# Measured by `pynenc-suite matrix` (docs/matrix/matrix.md: SQLite, ThreadRunner, 2 cores, pynenc 0.4.0),
# reroute=True on four 0.2 s calls per account.
MEASURED_STARVED = "p95 latency 7.98 s with fewer threads than keys, 1.85 s with at least one per key"
MEASURED_IDLE = "7% of threads busy with 4 or more threads per key, 34% with about one per key"
STOP_GAP_PER_WORKER = 15.0  # seconds a stopping MultiThreadRunner may leave the next worker unreported (PYN-012)


def slots(app: Any) -> tuple[str, int]:
    """(the runner class, how many invocations it runs at once) as the app configures it."""
    runner = app.runner
    conf = runner.conf
    cpus = multiprocessing.cpu_count()
    threads = int(getattr(conf, "max_threads", 0) or 0) or cpus
    processes = getattr(conf, "max_processes", None)
    kind = type(runner).__name__
    if processes is None:
        return kind, threads if hasattr(conf, "max_threads") else 1
    return kind, (int(processes) or cpus) * max(threads if kind == "MultiThreadRunner" else 1, 1)


def runner_items(target: Any, expected_keys: int | None) -> list[Item]:
    """Runner sizing: the configured runner's slots against the expected active keys, or, for an app on
    pynenc's placeholder runner, the one decision still to make."""
    keyed = sorted(n for n, p in target.policies.items() if p.running in (Mode.KEYS, Mode.ARGUMENTS))
    if placeholder(target.app):
        return [_undecided(str(target.app.conf.runner_cls), keyed, expected_keys)]
    kind, count = slots(target.app)
    if not keyed:
        return [Item("runners", "app", Mark.PASS, f"{kind} with {count} slot(s); no task runs one call per key")]
    if expected_keys is None:
        return [Item("runners", "app", Mark.WARN,
                     f"{kind} with {count} slot(s) for keyed tasks ({', '.join(keyed)}); not compared with the "
                     "number of keys you expect", "run the doctor with --expected-keys N")]  # fmt: skip
    if count < expected_keys:
        return [Item("runners", "app", Mark.WARN,
                     f"{kind} runs {count} invocation(s) at once for {expected_keys} expected active keys: at most "
                     f"{count} keys progress at a time, the others wait in the queue (the decision matrix measured "
                     f"{MEASURED_STARVED})",
                     f"at least {expected_keys} slots (max_threads / max_processes)")]  # fmt: skip
    if count > IDLE_FACTOR * expected_keys:
        return [Item("runners", "app", Mark.WARN,
                     f"{kind} runs {count} invocation(s) at once for {expected_keys} expected active keys: keyed "
                     f"tasks run one call per key, so about {count - expected_keys} slots idle on them (the decision "
                     f"matrix measured {MEASURED_IDLE})",
                     f"about {expected_keys} to {2 * expected_keys} slots, unless other tasks use them")]  # fmt: skip
    return [Item("runners", "app", Mark.PASS, f"{kind} runs {count} invocation(s) at once for "
                 f"{expected_keys} expected active keys")]  # fmt: skip


def _undecided(runner_cls: str, keyed: list[str], expected_keys: int | None) -> Item:
    """The item for an app whose ``runner_cls`` is the placeholder: what to decide, nothing measured.

    A warning when a task runs one call per key (the slot count then decides how many keys progress at
    once), a pass with a suggestion otherwise."""
    reason = (
        f"no runner configured: runner_cls is {runner_cls}, pynenc's placeholder, which runs no invocation, "
        "so the runner you deploy (runner_cls / PYNENC__RUNNER_CLS) and its slots are not checked here"
    )
    choose = (
        "choose the runner (ThreadRunner: threads in one process; MultiThreadRunner: processes x threads; "
        "ProcessRunner / PersistentProcessRunner: processes)"
    )
    rerun = "set it in the app's config and rerun the doctor to have it sized"
    if not keyed:
        return Item("runners", "app", Mark.PASS, f"{reason}; no task runs one call per key",
                    f"{choose} for your throughput; {rerun}")  # fmt: skip
    if expected_keys is None:
        size = ("with at least one slot (max_threads, or max_processes x max_threads) per key you expect active at "
                "once, and not many more (over 4 per key mostly idle on keyed tasks); run the doctor with "
                "--expected-keys N for the number")  # fmt: skip
    else:
        size = (f"with at least {expected_keys} slots (max_threads, or max_processes x max_threads) for "
                f"{expected_keys} expected active keys, and about {2 * expected_keys} at most unless other tasks use "
                f"them (more than {IDLE_FACTOR * expected_keys} mostly idle on keyed tasks)")  # fmt: skip
    return Item("runners", "app", Mark.WARN,
                f"{reason}; keyed tasks ({', '.join(keyed)}) run one call per key, so the slot count decides how many "
                "keys progress at once", f"{choose} {size}; {rerun}")  # fmt: skip


def recovery_items(target: Any, max_body_seconds: float | None) -> list[Item]:
    conf = target.app.conf
    dead_after = float(conf.runner_considered_dead_after_minutes) * 60
    pending = float(conf.max_pending_seconds)
    items = [Item("recovery", "app", Mark.PASS,
                  f"a runner silent for {dead_after:.0f} s is presumed dead and its work rerun; an invocation PENDING "
                  f"for {pending:g} s is requeued")]  # fmt: skip
    if max_body_seconds is None:
        items.append(Item("recovery", "app", Mark.WARN, "not compared with your longest task body",
                          "run the doctor with --max-body-seconds S"))  # fmt: skip
        return items
    if max_body_seconds >= dead_after:
        items.append(Item("recovery", "app", Mark.FAIL,
                          f"a body may run {max_body_seconds:g} s, longer than dead-after ({dead_after:.0f} s): a runner "
                          "that stops heartbeating while one runs (a stall, a stop) has it rerun while it still runs",
                          f"runner_considered_dead_after_minutes above {max_body_seconds / 60:.1f}"))  # fmt: skip
    kind, count = ("", 0) if placeholder(target.app) else slots(target.app)
    if kind == "MultiThreadRunner" and max_body_seconds > 10:
        safe = int(dead_after // STOP_GAP_PER_WORKER) + 1
        mark = Mark.FAIL if count > safe else Mark.PASS
        items.append(Item("recovery", "app", mark,
                          f"{count} worker process(es); during a graceful stop workers beyond about {safe} "
                          f"(dead-after {dead_after:.0f} s / {STOP_GAP_PER_WORKER:g} s + 1) go unreported long enough to "
                          "be recovered while running (recorded pynenc defect PYN-012)",
                          "" if mark is Mark.PASS else f"at most {safe} processes, or a longer dead-after"))  # fmt: skip
    return items


def clock_item(target: Any, measured: Tolerance | None) -> Item:
    """How far apart the runner hosts' clocks may be.  pynenc compares the heartbeat a runner stamps with its
    own clock (``time()``) with the sweeping runner's clock, and documents no assumption about them: a runner
    whose clock is dead-after behind looks dead while it works, and its work runs again.  The bound for the
    app's settings is dead-after minus one heartbeat interval; a real-time run's measured tolerance, if any, is
    quoted as the evidence."""
    dead_after, heartbeat = _heartbeat_settings(target)
    bound = (f"the clocks of the hosts running runners must disagree by less than {dead_after - heartbeat:.0f} s "
             f"(dead-after {dead_after:.0f} s minus one heartbeat interval, {heartbeat:.0f} s; keep a margin, a busy "
             "runner loop writes its heartbeat late): a runner whose clock is further behind the sweeping runner's is "
             "presumed dead while it works, and its work runs again")  # fmt: skip
    return _tolerance_item(target, measured, bound, "skew", "a runner's clock {} s behind",
                           f"pynenc-suite realtime {target.spec} --engine=sqlite|redis -k clock_skew_tolerance")  # fmt: skip


def partition_item(target: Any, measured: Tolerance | None) -> Item:
    """How long a runner may be cut off from its engine.  A partitioned runner is alive and works on, unheard:
    after dead-after pynenc presumes it dead and runs its work again (at-least-once, as its heartbeat timeout
    intends), and after the heal the runner must be heard again.  The bound for the app's settings is dead-after
    minus one heartbeat interval; a real-time run's measured partition tolerance (Redis), if any, is quoted as
    the evidence: the longest cut under which every rule held, and at which cuts work ran again."""
    dead_after, heartbeat = _heartbeat_settings(target)
    bound = (f"a runner cut off from its engine (Redis) for more than {dead_after - heartbeat:.0f} s (dead-after "
             f"{dead_after:.0f} s minus one heartbeat interval) is presumed dead while it works, and the work it "
             "was running runs again beside it (at-least-once)")  # fmt: skip
    return _tolerance_item(target, measured, bound, "partition", "a runner cut off {} s",
                           f"pynenc-suite realtime {target.spec} --engine=redis -k partition_tolerance")  # fmt: skip


def _heartbeat_settings(target: Any) -> tuple[float, float]:
    """(dead-after, heartbeat interval) in seconds, from the app's configuration."""
    conf = target.app.conf
    return float(conf.runner_considered_dead_after_minutes) * 60, float(conf.atomic_service_check_interval_minutes) * 60


def _tolerance_item(target: Any, measured: Tolerance | None, bound: str, fault: str, held: str, command: str) -> Item:
    """``bound`` with the evidence: WARN unmeasured, FAIL if the probe broke a rule without the ``fault``, else PASS
    quoting the largest size that ``held`` (a phrase with ``{}`` for the size) and what happened beyond it."""
    if measured is None:
        return Item(
            "recovery", "app", Mark.WARN, f"{bound}; the {fault} tolerance is not measured for this app", command
        )
    if measured.held is None:
        return Item("recovery", "app", Mark.FAIL,
                    f"{bound}; the real-time run that measured it broke a rule without any {fault} "
                    f"({measured.engine}): {measured.first_violation}",
                    f"pynenc-suite realtime {target.spec} --engine={measured.engine}")  # fmt: skip
    timing = measured.timing
    at = (f"at {measured.broke:g} s {measured.first_violation}" if measured.broke is not None
          else f"held up to the {measured.limit:g} s searched")  # fmt: skip
    reruns = measured.reruns()
    return Item("recovery", "app", Mark.PASS,
                f"{bound}; measured by pynenc-suite realtime on {measured.engine} with dead-after "
                f"{timing['dead_after_seconds']:g} s and a heartbeat every {timing['heartbeat_seconds']:g} s: every "
                f"rule held with {held.format(f'{measured.held:g}')}; {at}"
                + (f"; {reruns}" if reruns else ""))  # fmt: skip
