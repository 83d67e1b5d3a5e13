"""PYN-012: a stopping MultiThreadRunner stops vouching for workers it has not yet told to stop.

A MultiThreadRunner's worker processes send no heartbeat of their own: the parent
reports them alive from its main loop.  On SIGTERM the parent's signal handler
terminates its workers one after another, waiting up to 10 s for each, and its
main loop (the heartbeats) does not run meanwhile.  A worker further down the
list has not been signalled yet and is still running a body, but once
``runner_considered_dead_after_minutes`` has passed, pynenc's recovery declares
it dead and reroutes its RUNNING invocation: the same key can then run twice at
once and the work is done twice.

The reproduction waits on conditions, not on elapsed time: after the SIGTERM it
runs pynenc's recovery until every invocation has left RUNNING, either given up
by its own worker once that worker is signalled (what a correct pynenc does:
PYN-011's reroute) or recovered.  The run's recovery settings (dead after 4 s,
:class:`~pynenc_suite.drivers.realtime.timing.Timing`) sit well inside the 10 s pynenc spends on the first
worker before it signals the next.  The verdict is read in one process at one moment: the invocation's history holds
RUNNING_RECOVERY (written only by recovery) while its body's provider call, made
by a live worker, is still in flight.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.realtime.inject import environment_for
from pynenc_suite.drivers.realtime.processes import RunnerProcess, runner_environment
from pynenc_suite.drivers.realtime.timing import Timing
from pynenc_suite.drivers.recovery import act_as_sweeper, sweep_once
from pynenc_suite.engines.configure import configured
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.findings.registry import by_id
from pynenc_suite.plugin.summaries import REALTIME, RecordProperty
from pynenc_suite.provider.loopback import LoopbackProvider
from pynenc_suite.verdicts import require

pytestmark = pytest.mark.pynenc_realtime

HOLD = 30.0  # every body stays in the provider longer than the whole stop takes
START_WAIT = 30.0  # for the runner to start two workers and each to reach the provider
STOP_WAIT = 40.0  # pynenc's own stop gives each of the two workers at most 10 s, then 5 s after a SIGKILL


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = START_WAIT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextmanager
def _runner(
    target: Target, config: dict, runner_cls: str, provider: LoopbackProvider, log: Path, extra_env: dict[str, str]
) -> Iterator[int]:
    runner = RunnerProcess(0, runner_cls)
    runner.spawn(target.spec, runner_environment(config, runner_cls, provider.url, extra_env), log.parent / log.stem)
    try:
        yield runner.pid
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.started.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _recovered_while_running(
    target: Target, engine: EngineInstance, log: Path, extra_env: dict[str, str], record_property: RecordProperty
) -> list[str]:
    """SIGTERM a MultiThreadRunner whose two workers each hold a body; what recovery took from a live worker.

    The runner's log (with its workers') is kept under the session's artefact folder, and the
    phases' durations go to the tier's summary.
    """
    provider = LoopbackProvider(default_hold=HOLD)
    found: list[str] = []
    began = time.monotonic()
    log.parent.mkdir(parents=True, exist_ok=True)
    config = {**engine.fresh(), **Timing().config()}
    with provider.serving(), configured(target.app, config):
        # both queued before the runner starts: its first loop sees two and spawns two workers
        invocations = [target.tasks["call_keyed"](account_id=f"acct-{i}", op="x") for i in range(2)]
        with _runner(target, config, "MultiThreadRunner", provider, log, extra_env) as parent:
            _wait_for(lambda: len({c.pid for c in provider.calls}) == 2, "two worker processes each running one body")
            os.kill(parent, signal.SIGTERM)
            signalled = time.monotonic()
            started = signalled - began
            act_as_sweeper(target.app)
            running = {invocation.invocation_id for invocation in invocations}
            while running and not found:
                if time.monotonic() - signalled > STOP_WAIT:
                    raise TimeoutError("the workers neither stopped their invocations nor lost them to recovery")
                sweep_once()
                for invocation_id in sorted(running):
                    history = target.app.state_backend.get_history(invocation_id)
                    recovered = any(r.status_record.status.value == "running_recovery" for r in history)
                    calls = [c for c in provider.calls if c.invocation_id == invocation_id]
                    still_running = [c for c in calls if c.end is None and _alive(c.pid)]
                    if recovered and still_running:
                        found.append(
                            f"{invocation_id} recovered {time.monotonic() - signalled:.1f}s after the "
                            f"SIGTERM while worker pid {still_running[0].pid} was still in its provider call"
                        )
                    elif target.app.orchestrator.get_invocation_status(invocation_id).value != "running":
                        running.discard(invocation_id)  # its own worker gave it up (or it was recovered once dead)
                time.sleep(0.2)
            ended = time.monotonic() - signalled
    outcome = "recovered live work" if found else "nothing recovered"
    record_property(
        REALTIME,
        f"{engine.name}: PYN-012 scenario ({log.stem}): workers busy after {started:.1f}s; "
        f"{outcome}; watched {ended:.1f}s after the SIGTERM",
    )
    return found


@pytest.fixture
def reference_target(pynenc_target: Target) -> Target:
    if "call_keyed" not in pynenc_target.tasks:
        pytest.skip("the reproduction uses the reference app's call_keyed")
    return pynenc_target


@pytest.mark.pynenc_finding("PYN-012")
def test_a_stopping_multithread_runner_keeps_vouching_for_its_working_workers(
    reference_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_out: Path,
    record_property: RecordProperty,
) -> None:
    """While a MultiThreadRunner stops, no invocation a live worker is still running may be recovered."""
    log = pynenc_realtime_out / "pyn-012" / "unmodified.log"
    found = _recovered_while_running(reference_target, pynenc_engine, log, {}, record_property)
    require(not found, "; ".join(found))


def test_the_pyn_012_reproduction_passes_with_its_candidate_fix(
    reference_target: Target,
    pynenc_engine: EngineInstance,
    pynenc_realtime_out: Path,
    record_property: RecordProperty,
) -> None:
    """The strict xfail above can pass: with the registry's candidate fix in the runner processes nothing is recovered."""
    candidate = by_id("PYN-012").fix
    assert candidate is not None
    fix = environment_for(candidate.resolve())
    log = pynenc_realtime_out / "pyn-012" / "candidate-fix.log"
    found = _recovered_while_running(reference_target, pynenc_engine, log, fix, record_property)
    require(not found, "; ".join(found))
