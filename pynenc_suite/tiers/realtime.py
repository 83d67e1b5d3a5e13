"""One real-time tier session: draw real-time schedules, run each, judge each, keep what it found.

Every schedule's history goes through the same rules as the gate, then through
each rule's real-time adjudication (:func:`pynenc_suite.invariants.adjudicate`): a
violation the record cannot decide is counted as unknown with its reason, a
decided one that shows a recorded pynenc finding is counted under that finding,
and any other decided violation fails the tier.  Each run leaves a folder with its schedule, history,
verdicts, counters and per-key timeline; a failing one also says how to run the
same schedule again.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from pynenc_suite.apps.target import Target
from pynenc_suite.artefacts.monitor import keep_database
from pynenc_suite.drivers.realtime.driver import RealtimeRun, RunStats
from pynenc_suite.drivers.realtime.timing import Timing
from pynenc_suite.engines.instance import EngineInstance
from pynenc_suite.history.html_report import REPORT, html_report
from pynenc_suite.history.model import Fault, History, Kind
from pynenc_suite.history.timeline import render
from pynenc_suite.invariants import Verdict
from pynenc_suite.invariants.adjudication import Unknown
from pynenc_suite.judge import Findings, judge
from pynenc_suite.provider.loopback import LoopbackProvider
from pynenc_suite.schedules.realtime import RealtimeSchedule
from pynenc_suite.strategies.realtime import RealtimeKnobs, realtime_schedules

TYPICAL_RUN_SECONDS = 12.0  # first guess of one run's wall time, before any run is measured


@dataclass
class Outcome:
    """One schedule's run and verdicts."""

    number: int
    schedule: RealtimeSchedule
    history: History
    stats: RunStats
    verdicts: list[Verdict]
    known: dict[int, str]  # index into verdicts -> finding id
    folder: Path

    @property
    def failures(self) -> list[Verdict]:
        return [v for i, v in enumerate(self.verdicts) if v.decided and i not in self.known]

    @property
    def unknown(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.decided]

    def describe_failure(self, app: str, engine: str) -> str:
        lines = [f"schedule #{self.number} on {engine}: {len(self.failures)} decided violation(s)"]
        lines += [f"  {v.violation}" for v in self.failures]
        lines += ["", self.schedule.describe(), "", render(self.history, [v.violation for v in self.failures])]
        lines += [
            "",
            f"artefacts: {self.folder}",
            f"run the same schedule again: {rerun_command(app, engine, self.folder)}",
            "(real time decides the interleaving: a rerun need not reproduce it; the history above is the proof)",
        ]
        return "\n".join(lines)


@dataclass
class Totals:
    """Counters over a session, for the tier's summary."""

    engine: str
    seed: int
    schedules: int = 0
    runs: RunStats = field(default_factory=RunStats)  # summed over the schedules
    unknown: Counter[Unknown] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)
    violations: int = 0
    runner_exits: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.schedules += 1
        self.runs.add(outcome.stats)
        self.runner_exits += sum(1 for v in outcome.history.of_kind(Kind.CRASH) if v.fault is Fault.EXIT)
        self.unknown.update(v.unknown for v in outcome.unknown if v.unknown is not None)
        self.known.update(outcome.known.values())
        self.violations += len(outcome.failures)

    def line(self) -> str:
        known = ", ".join(f"{k}x{n}" for k, n in sorted(self.known.items())) or "none"
        unknown = ", ".join(f"{reason.value} x{n}" for reason, n in sorted(self.unknown.items())) or "none"
        runs, faults = self.runs, self.runs.faults
        return (
            f"{self.engine}: {self.schedules} schedules in {self.seconds:.0f}s (seed {self.seed}); "
            f"{runs.enqueues} enqueues; faults: {faults[Fault.KILL]} runner SIGKILLs, "
            f"{faults[Fault.KILL_WORKER]} worker SIGKILLs, {faults[Fault.STOP]} SIGTERMs, "
            f"{faults[Fault.STALL]} stalls, {faults[Fault.DROP_CONNECTIONS]} connection drops, "
            f"{faults[Fault.PARTITION]} network cuts, {faults[Fault.DELAY]} slowed links, "
            f"{faults[Fault.CLOCK_SKEW]} skewed runner clocks; "
            f"{runs.restarts} restarts; {runs.recovered} recoveries by {runs.sweeps} sweeps; "
            f"runner exits on their own: {self.runner_exits}; "
            f"verdicts: {self.violations} violations, {self.unknown.total()} unknown ({unknown}), "
            f"known findings: {known}"
        )


def rerun_command(app: str, engine: str, folder: Path) -> str:
    return f"pynenc-suite realtime {shlex.quote(app)} --engine={engine} --replay={shlex.quote(str(folder))}"


class RealtimeSearch:
    def __init__(
        self,
        target: Target,
        engine: EngineInstance,
        provider: LoopbackProvider,
        out: Path,
        knobs: RealtimeKnobs | None = None,
        extra_env: dict[str, str] | None = None,
        timing: Timing | None = None,
    ) -> None:
        self.target = target
        self.engine = engine
        self.provider = provider
        self.out = out
        self.knobs = knobs or RealtimeKnobs()
        self.extra_env = extra_env or {}
        self.timing = timing  # recovery settings of every run (None: the tier's, drivers/realtime/timing.py)
        self.outcomes: list[Outcome] = []

    def run(self, schedule: RealtimeSchedule) -> Outcome:
        number = len(self.outcomes) + 1
        folder = self.out / f"schedule-{number:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "schedule.json").write_text(schedule.to_json())
        self.provider.reset()
        run = RealtimeRun(
            self.target,
            self.engine,
            self.provider,
            schedule,
            self.extra_env,
            log_folder=folder / "runners",
            timing=self.timing,
        )
        history = run.execute()
        first = [p for p in self.extra_env.get("PYTHONPATH", "").split(os.pathsep) if p]
        labels = {info.label: pynenc_id for pynenc_id, info in run.recorder.invocations.items()}
        keep_database(run.config, folder, self.target.spec, first, labels)  # for pynenc's monitor (SQLite runs)
        judged = judge(history, findings=Findings.REALTIME).judged
        known = {i: j.finding.id for i, j in enumerate(judged) if j.finding is not None}
        outcome = Outcome(number, schedule, history, run.stats, [j.verdict for j in judged], known, folder)
        self._save(outcome)
        self.outcomes.append(outcome)
        return outcome

    def _save(self, outcome: Outcome) -> None:
        folder = outcome.folder
        (folder / "schedule.txt").write_text(outcome.schedule.describe() + "\n")
        outcome.history.dump(folder / "history.json")
        verdicts = [
            {
                "violation": str(v.violation),
                "verdict": "unknown" if v.unknown else outcome.known.get(i, "violation"),
                "unknown": v.unknown.value if v.unknown else None,
                "reason": v.reason,
            }
            for i, v in enumerate(outcome.verdicts)
        ]
        (folder / "verdicts.json").write_text(json.dumps(verdicts, indent=1))
        (folder / "stats.json").write_text(json.dumps(outcome.stats.to_json(), indent=1))
        (folder / "timeline.txt").write_text(render(outcome.history) + "\n")
        if outcome.failures:  # a failure gets its page: lanes per key on the real-time axis, the violation marked
            (folder / REPORT).write_text(html_report(
                outcome.history, [v.violation for v in outcome.failures], real_time=True,
                title=f"schedule #{outcome.number}: {len(outcome.failures)} decided violation(s) on {self.engine.name}",
                schedule=outcome.schedule.describe(),
                replay=rerun_command(self.target.spec, self.engine.name, folder),
            ))  # fmt: skip

    def explore(self, budget_seconds: float, seed_value: int) -> Totals:
        """Run drawn schedules until the budget is spent; a schedule starts only if it can finish in time."""
        totals = Totals(self.engine.name, seed_value)
        started = time.monotonic()
        tasks = [self.target.under_test(name) for name in self.target.controlled]
        examples = max(1, int(budget_seconds / 3))  # an upper bound: the budget, not the count, ends the session

        @seed(seed_value)
        @settings(
            max_examples=examples,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=False,
        )
        @given(realtime_schedules(tasks, self.knobs))
        def draw(schedule: RealtimeSchedule) -> None:
            spent = time.monotonic() - started
            average = spent / len(self.outcomes) if self.outcomes else TYPICAL_RUN_SECONDS
            if spent + average > budget_seconds:
                return
            totals.add(self.run(schedule))

        draw()
        totals.seconds = time.monotonic() - started
        self.out.mkdir(parents=True, exist_ok=True)  # a budget too small for one schedule still leaves its summary
        (self.out / "summary.txt").write_text(totals.line() + "\n")
        return totals
