"""One real-time tier session: draw chaos schedules, run each, judge each, keep what it found.

Every schedule's history goes through the same checkers as the gate, then
through :func:`invariants.realtime.adjudicate`: a violation the record cannot
decide is counted as unknown with its reason, a decided one that shows a
recorded pynenc finding is counted under that finding, and any other decided
violation fails the tier.  Each run leaves a folder with its schedule, history,
verdicts, counters and per-key timeline; a failing one also says how to run the
same schedule again.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from harness.engines import Engine
from harness.provider_server import LoopbackProvider
from harness.realtime import RealtimeRun, RunStats
from harness.target import Target
from invariants import check_all
from invariants.history import History
from invariants.realtime import Verdict, adjudicate
from invariants.timeline import render
from strategies.chaos import ChaosKnobs, ChaosSchedule, chaos_schedules
from suite.chaos.known import known_finding

TYPICAL_RUN_SECONDS = 12.0  # first guess of one run's wall time, before any run is measured


@dataclass
class Outcome:
    """One schedule's run and verdicts."""

    number: int
    schedule: ChaosSchedule
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

    def describe_failure(self, engine: str) -> str:
        lines = [f"schedule #{self.number} on {engine}: {len(self.failures)} decided violation(s)"]
        lines += [f"  {v.violation}" for v in self.failures]
        lines += ["", self.schedule.describe(), "", render(self.history, [v.violation for v in self.failures])]
        lines += ["", f"artefacts: {self.folder}", f"run the same schedule again: {rerun_command(engine, self.folder)}",
                  "(real time decides the interleaving: a rerun need not reproduce it; the history above is the proof)"]
        return "\n".join(lines)


@dataclass
class Totals:
    """Counters over a session, for the tier's summary and the issue's note."""

    engine: str
    seed: int
    schedules: int = 0
    enqueues: int = 0
    kills: int = 0
    worker_kills: int = 0
    terms: int = 0
    stalls: int = 0
    drops: int = 0
    restarts: int = 0
    sweeps: int = 0
    recovered: int = 0
    unknown: int = 0
    known: dict[str, int] = field(default_factory=dict)
    violations: int = 0
    runner_errors: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.schedules += 1
        s = outcome.stats
        for name in ("enqueues", "kills", "worker_kills", "terms", "stalls", "drops", "restarts", "sweeps", "recovered"):
            setattr(self, name, getattr(self, name) + getattr(s, name))
        self.runner_errors += sum(1 for e in s.errors if "exited on its own" in e)
        self.unknown += len(outcome.unknown)
        for finding in outcome.known.values():
            self.known[finding] = self.known.get(finding, 0) + 1
        self.violations += len(outcome.failures)

    def line(self) -> str:
        known = ", ".join(f"{k}x{n}" for k, n in sorted(self.known.items())) or "none"
        return (
            f"{self.engine}: {self.schedules} schedules in {self.seconds:.0f}s (seed {self.seed}); "
            f"{self.enqueues} enqueues; faults: {self.kills} runner SIGKILLs, {self.worker_kills} worker SIGKILLs, "
            f"{self.terms} SIGTERMs, {self.stalls} stalls, {self.drops} connection drops; {self.restarts} restarts; "
            f"{self.recovered} recoveries by {self.sweeps} sweeps; runner exits on their own: {self.runner_errors}; "
            f"verdicts: {self.violations} violations, {self.unknown} unknown, known findings: {known}"
        )


def rerun_command(engine: str, folder: Path) -> str:
    return f"pytest suite/chaos -p no:xdist --engine={engine} --chaos-replay={shlex.quote(str(folder))}"


class ChaosSession:
    def __init__(self, target: Target, engine: Engine, provider: LoopbackProvider, out: Path,
                 knobs: ChaosKnobs | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.target = target
        self.engine = engine
        self.provider = provider
        self.out = out
        self.knobs = knobs or ChaosKnobs()
        self.extra_env = extra_env or {}
        self.outcomes: list[Outcome] = []

    def run(self, schedule: ChaosSchedule) -> Outcome:
        number = len(self.outcomes) + 1
        folder = self.out / f"schedule-{number:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "schedule.json").write_text(schedule.to_json())
        self.provider.reset()
        run = RealtimeRun(self.target, self.engine, self.provider, schedule, self.extra_env, log_folder=folder / "runners")
        history = run.execute()
        verdicts = adjudicate(history, check_all(history))
        known = {i: f for i, v in enumerate(verdicts) if v.decided and (f := known_finding(history, v.violation))}
        outcome = Outcome(number, schedule, history, run.stats, verdicts, known, folder)
        self._save(outcome)
        self.outcomes.append(outcome)
        return outcome

    def _save(self, outcome: Outcome) -> None:
        folder = outcome.folder
        (folder / "schedule.txt").write_text(outcome.schedule.describe() + "\n")
        outcome.history.dump(folder / "history.json")
        verdicts = [
            {"violation": str(v.violation), "verdict": "unknown" if v.unknown else outcome.known.get(i, "violation"),
             "reason": v.unknown}
            for i, v in enumerate(outcome.verdicts)
        ]
        (folder / "verdicts.json").write_text(json.dumps(verdicts, indent=1))
        (folder / "stats.json").write_text(json.dumps(asdict(outcome.stats), indent=1))
        (folder / "timeline.txt").write_text(render(outcome.history) + "\n")

    def explore(self, budget_seconds: float, seed_value: int) -> Totals:
        """Run drawn schedules until the budget is spent; a schedule starts only if it can finish in time."""
        totals = Totals(self.engine.name, seed_value)
        started = time.monotonic()
        tasks = [self.target.under_test(name) for name in self.target.controlled]
        examples = max(1, int(budget_seconds / 3))  # an upper bound: the budget, not the count, ends the session

        @seed(seed_value)
        @settings(max_examples=examples, phases=[Phase.generate], database=None, deadline=None,
                  suppress_health_check=list(HealthCheck), derandomize=False)
        @given(chaos_schedules(tasks, self.knobs))
        def draw(schedule: ChaosSchedule) -> None:
            spent = time.monotonic() - started
            average = spent / len(self.outcomes) if self.outcomes else TYPICAL_RUN_SECONDS
            if spent + average > budget_seconds:
                return
            totals.add(self.run(schedule))

        draw()
        totals.seconds = time.monotonic() - started
        (self.out / "summary.txt").write_text(totals.line() + "\n")
        return totals
