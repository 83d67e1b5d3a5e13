"""Measured consequences of a policy change: the locked policy and the app's, on the same schedules.

For each task whose options differ from the policy lock:

1. **Metrics.** The same contention schedules (the gate's schedule strategy
   without faults or interleaved groups: producers, runners, polls, starts and
   finishes over two-value argument pools) run twice on the real app: once with
   the locked policy rebuilt on the task (:mod:`pynenc_suite.policy_lock.swap`),
   once as the app is configured now.  Both histories are keyed by the locked
   policy, so "same key" is what callers relied on.  :class:`Counts` adds them up.
2. **The locked contract, against the app as it is.**  Every rule that binds the
   locked policy runs as a gate property would (same schedules, same shrinking,
   same counterexample folder and replay command) on a target whose histories are
   judged by the locked policy while pynenc runs the new one.

Everything is drawn from the budget's seed: the same seed gives the same numbers.
The locked rules get as many examples as a gate property under the same profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from pynenc_suite import invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.determinism import without_local_constants
from pynenc_suite.drivers.deterministic.histories import knobs_for, run_schedule
from pynenc_suite.drivers.deterministic.shared_runs import SharedRuns
from pynenc_suite.findings.registry import candidate_fixes
from pynenc_suite.history.metrics import Counts
from pynenc_suite.policy_lock.swap import NotRebuildable, configured_as, options_changed
from pynenc_suite.profiles import max_examples
from pynenc_suite.recorder.policies import policy_of
from pynenc_suite.schedules.steps import Schedule
from pynenc_suite.strategies.schedules import schedules
from pynenc_suite.tiers.gate import check_rule
from pynenc_suite.verdicts import PropertyViolation

SCHEDULES = 50  # contention schedules measured under each policy
FOLDER = "policy-change"  # under the artefact folder: one counterexample folder per broken rule


@dataclass(frozen=True)
class Budget:
    """What a measurement draws: its seed, and the suite profile whose examples per property the rules get."""

    seed: int = 0
    profile: str = "ci"

    @property
    def examples(self) -> int:
        return max_examples(self.profile)


DEFAULT_BUDGET = Budget()


@dataclass(frozen=True)
class BrokenRule:
    """A rule of the locked contract the app now violates: the gate's failure text for its minimal example."""

    rule: str
    proof: str


@dataclass(frozen=True)
class Consequences:
    """One changed task: the locked policy's and the app's counts, and the locked rules it now breaks."""

    task_id: str
    task: str
    budget: Budget
    locked: Counts
    current: Counts
    broken: tuple[BrokenRule, ...]
    kept: tuple[str, ...]

    def rows(self) -> list[tuple[str, str, str]]:
        old, new = self.locked, self.current
        return [
            (
                "enqueues dropped (CONCURRENCY_CONTROLLED_FINAL)",
                _share(old.dropped, old.calls),
                _share(new.dropped, new.calls),
            ),
            ("overlapping same-key provider calls (pairs)", str(old.overlaps), str(new.overlaps)),
            ("collapsed registrations", str(old.collapsed), str(new.collapsed)),
            ("reroutes per completed call", _ratio(old.reroutes, old.completed), _ratio(new.reroutes, new.completed)),
            (
                "provider calls per enqueue",
                _ratio(old.provider_calls, old.calls),
                _ratio(new.provider_calls, new.calls),
            ),
        ]

    def headline(self) -> str:
        return (
            f"measured on {self.locked.histories} contention schedules (seed {self.budget.seed}), "
            "keys as locked; locked policy -> this app:"
        )

    def verdict(self) -> str:
        if not self.broken:
            return f"the locked contract still holds ({', '.join(self.kept)}: {self.budget.examples} examples each)"
        names = ", ".join(b.rule for b in self.broken)
        return f"the locked contract now fails: {names}" + (
            f" (still holds: {', '.join(self.kept)})" if self.kept else ""
        )

    def text(self) -> str:
        width = max(len(name) for name, _, _ in self.rows())
        lines = [f"  {self.headline()}"]
        lines += [f"    {name:<{width}}  {old} -> {new}" for name, old, new in self.rows()]
        lines.append(f"  {self.verdict()}")
        for broken in self.broken:
            lines.append(f"\n  [{broken.rule}] {_indent(broken.proof, '  ').lstrip()}")
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"#### `{self.task}`: measured", "", self.headline(), "", "| | locked | now |", "|---|---|---|"]
        lines += [f"| {name} | {old} | {new} |" for name, old, new in self.rows()]
        lines += ["", self.verdict(), ""]
        for broken in self.broken:
            lines += [
                f"<details><summary>{broken.rule}: minimal counterexample</summary>",
                "",
                "```",
                broken.proof,
                "```",
                "</details>",
                "",
            ]
        return "\n".join(lines)


@dataclass(frozen=True)
class NotMeasured:
    """A changed task whose consequences cannot be measured; ``reason`` says why in one line."""

    task_id: str
    reason: str

    def text(self) -> str:
        return f"  not measured: {self.reason}"

    def markdown(self) -> str:
        return f"Not measured: {self.reason}\n"


Measured = Consequences | NotMeasured


def measure_changes(
    target: Target, locked: dict[str, Any], current: dict[str, Any], artefacts: Path, budget: Budget = DEFAULT_BUDGET
) -> dict[str, Measured]:
    """The consequences of every task whose options differ between the lock and the app, by task id."""
    by_id = {task.task_id.key: name for name, task in target.tasks.items()}
    out: dict[str, Measured] = {}
    for task_id in sorted(locked["tasks"].keys() & current["tasks"].keys()):
        old = locked["tasks"][task_id]
        if not options_changed(old, current["tasks"][task_id]):
            continue
        try:
            out[task_id] = measure(target, by_id[task_id], old, artefacts / FOLDER, budget)
        except NotRebuildable as reason:
            out[task_id] = NotMeasured(task_id, f"the locked policy cannot be set on the task as it is now: {reason}")
    return out


def measure(
    target: Target, name: str, entry: dict[str, Any], folder: Path, budget: Budget = DEFAULT_BUDGET
) -> Consequences:
    """Run ``name`` under the lock ``entry`` and as configured, on the same schedules; judge the locked rules."""
    without_local_constants()
    judged = judged_by_lock(target, name, entry)
    locked, current = counts(judged, name, entry, budget.seed)
    broken, kept = [], []
    shared = SharedRuns()
    for rule in invariants.RULES.values():
        if not rule.applies_to(judged.policies[name]):
            continue
        proof = _search(judged, name, rule.name, shared, folder / f"{name}-{rule.name}", budget)
        if proof is None:
            kept.append(rule.name)
        else:
            broken.append(BrokenRule(rule.name, proof))
    task_id = target.tasks[name].task_id.key
    return Consequences(task_id, name, budget, locked, current, tuple(broken), tuple(kept))


def judged_by_lock(target: Target, name: str, entry: dict[str, Any]) -> Target:
    """``target`` with ``name``'s histories recorded and judged by the policy in the lock ``entry``."""
    with configured_as(target.tasks[name], entry):
        return target.judged_by({name: policy_of(target.tasks[name])})


def counts(judged: Target, name: str, entry: dict[str, Any], seed: int) -> tuple[Counts, Counts]:
    """(under the locked policy, as configured now): the same contention schedules, run once under each."""
    drawn = _contention_schedules(judged, name, seed)
    with configured_as(judged.tasks[name], entry):
        locked = _counted(judged, name, drawn)
    return locked, _counted(judged, name, drawn)


def contention_counts(target: Target, name: str, seed: int = 0) -> Counts:
    """The counts of ``name``'s contention schedules under the policy the app configures."""
    without_local_constants()
    return _counted(target, name, _contention_schedules(target, name, seed))


def _counted(target: Target, name: str, drawn: list[Schedule]) -> Counts:
    total = Counts()
    with candidate_fixes():  # as in the gate: the numbers are the policy's, not a known finding's
        for schedule in drawn:
            total += Counts.of(run_schedule(target, [name], schedule), name)
    return total


def _settings(examples: int, phases: tuple[Phase, ...]) -> settings:
    return settings(
        max_examples=examples,
        phases=phases,
        database=None,
        deadline=None,
        derandomize=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )


def _contention_schedules(target: Target, name: str, seed: int) -> list[Schedule]:
    knobs = knobs_for(target, faults=False, interleave=False, enqueue_many=False)
    strategy = schedules([target.under_test(name)], knobs)
    drawn: list[Schedule] = []

    @_settings(SCHEDULES, (Phase.generate,))
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(schedule: Schedule) -> None:
        drawn.append(schedule)

    collect()
    return drawn


def _search(target: Target, name: str, rule: str, shared: SharedRuns, folder: Path, budget: Budget) -> str | None:
    """The gate's failure text for ``rule``'s minimal counterexample, or None if no example breaks it."""

    @_settings(budget.examples, (Phase.generate, Phase.shrink))
    @hypothesis_seed(budget.seed)
    @given(st.data())
    def rule_holds(data: st.DataObject) -> None:
        check_rule(target, name, rule, data, shared, folder=folder)

    try:
        rule_holds()
    except PropertyViolation as violation:
        schedule = (folder / "schedule.txt").read_text().strip()
        return f"{violation}\nminimal schedule: {schedule}"
    return None


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "0 calls"


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.2f}" if whole else "-"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())
