"""Runner processes of a real-time run: how one starts, is signalled, is named, and is reaped.

Each runner slot of a schedule is a :class:`RunnerProcess`: ``python -m
pynenc_suite.drivers.realtime.runner_process APP`` in its own process group (so
a signal can reach the runner and its workers together), with the engine, the
runner class and the recovery settings in ``PYNENC__*`` variables.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pynenc_suite.drivers.child_env import child_environment
from pynenc_suite.drivers.realtime.runner_process import PARENT_PID_ENV
from pynenc_suite.engines.configure import environment
from pynenc_suite.provider.client import PROVIDER_URL_ENV
from pynenc_suite.schedules.realtime import CONFIGURED

RUNNER_MODULE = "pynenc_suite.drivers.realtime.runner_process"


class RunnerStartError(Exception):
    """A runner process exited or never reported a heartbeat; ``str()`` says which and why."""


@dataclass
class RunnerProcess:
    """One runner slot of the schedule: the runner class and its current OS process."""

    slot: int
    runner_cls: str
    process: subprocess.Popen | None = None
    incarnation: int = -1
    pids: dict[int, str] = field(default_factory=dict)  # main pid of every incarnation -> label
    stalled: bool = False
    partitioned: bool = False  # its network is cut (the nemesis's PARTITION) until healed
    expected_down: bool = False  # the nemesis killed or stopped it; any other exit is the runner's own
    log: Path | None = None

    @property
    def label(self) -> str:
        return f"r{self.slot}" if self.incarnation <= 0 else f"r{self.slot}#{self.incarnation}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def started(self) -> subprocess.Popen:
        """The current OS process, which there is once the slot has spawned."""
        assert self.process is not None, "runner not started"
        return self.process

    @property
    def pid(self) -> int:
        return self.started.pid

    def spawn(
        self, spec: str, env: dict[str, str], log_folder: Path, inside: Callable[[list[str]], list[str]] | None = None
    ) -> None:
        """Start the next incarnation of this slot, its output in ``log_folder/<label>.log``; ``inside`` wraps the
        command (a runner network's ``Link.command``)."""
        self.incarnation += 1
        self.expected_down = False
        log_folder.mkdir(parents=True, exist_ok=True)
        self.log = log_folder / f"{self.label}.log"
        with open(self.log, "wb") as out:
            command = [sys.executable, "-m", RUNNER_MODULE, spec]
            self.process = subprocess.Popen(
                inside(command) if inside else command,
                env=env, cwd=os.getcwd(), stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip
        self.pids[self.process.pid] = self.label


def runner_environment(
    config: dict[str, Any], runner_cls: str, provider_url: str, extra_env: dict[str, str] | None = None
) -> dict[str, str]:
    """The environment of one runner process: the caller's, the engine's configuration, the runner class, the provider.

    ThreadRunners get four threads; a MultiThreadRunner's or PersistentProcessRunner's two
    workers get one each, so every worker process holds at most one body at a time.  A
    ``configured`` slot keeps the runner class and sizing the app (or its environment) configures.
    """
    extra = dict(extra_env or {})
    first = [p for p in extra.pop("PYTHONPATH", "").split(os.pathsep) if p]
    sizing = {} if runner_cls == CONFIGURED else {
        "PYNENC__RUNNER_CLS": runner_cls,
        "PYNENC__MAX_PROCESSES": "2",
        "PYNENC__NUM_PROCESSES": "2",
        "PYNENC__MAX_THREADS": "4" if runner_cls == "ThreadRunner" else "1",
    }  # fmt: skip
    return child_environment(
        first,
        **environment(config),
        **sizing,
        **{PROVIDER_URL_ENV: provider_url, PARENT_PID_ENV: str(os.getpid())},
        **extra,
    )


def active_runner_pids(app: Any, slack: float = 0.0) -> set[int]:
    """OS pids of the runners pynenc currently knows as alive (they have a heartbeat).

    With ``slack``, a heartbeat up to that many seconds older than pynenc's dead-after counts too:
    a runner whose clock runs behind writes heartbeats that look that much older than they are.
    """
    if slack > 0:
        timeout = float(app.conf.runner_considered_dead_after_minutes) * 60 + slack
        infos = app.orchestrator._get_active_runners(timeout, None)  # the public call has no timeout argument
    else:
        infos = app.orchestrator.get_active_runners()
    pids = set()
    for info in infos:
        ctx = app.state_backend.get_runner_context(info.runner_id)
        if ctx is not None:
            pids.add(ctx.pid)
    return pids


def worker_pid(app: Any, runner_pid: int) -> int | None:
    """A worker process of the runner, as pynenc's own runner contexts name them (None if it has none)."""
    children = descendants(runner_pid)
    if not children:
        return None
    known = []
    try:
        for info in app.orchestrator.get_active_runners():
            ctx = app.state_backend.get_runner_context(info.runner_id)
            if (
                ctx is not None
                and ctx.parent_ctx is not None
                and ctx.parent_ctx.pid == runner_pid
                and ctx.pid in children
            ):
                known.append(ctx.pid)
    except Exception:  # noqa: BLE001 - the engine may be unreachable during a fault; pick no worker
        return None
    return random.Random(runner_pid).choice(sorted(known)) if known else None


def signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def signal_pid(pid: int, sig: signal.Signals) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def descendants(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (Linux /proc)."""
    out: set[int] = set()
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                text = Path(f"/proc/{parent}/task/{tid}/children").read_text()
            except OSError:
                continue
            for child in map(int, text.split()):
                if child not in out:
                    out.add(child)
                    frontier.append(child)
    return out
