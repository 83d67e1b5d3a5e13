"""The one judge: a history and the rules that bind it, in; one typed judgement out (as Jepsen's ``check``).

Every tier, ``replay``, ``rejudge``, ``report`` and the policy-change measurement judge through :func:`judge`;
they differ only in how recorded pynenc defects are recognised (:class:`Findings`):

* ``NONE`` — every violation is the run's (a saved failure judged again);
* ``GATE`` — a deterministic history that shows a recorded finding the gate runs no candidate fix of (its gate
  signature) is set aside whole, before any rule is checked: pynenc's known defect, not the team's failure;
* ``REALTIME`` — each violation is adjudicated (decided, or unknown with the reason the record cannot decide it),
  and a decided one that fits a finding's real-time signatures is that finding's.

A judgement *holds* when nothing was found, is *violated* when a violation is the run's own, *unknown* when the
only violations are undecided, and *known* when what was found is a recorded finding's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from pynenc_suite import invariants
from pynenc_suite.findings.registry import Finding, gate_finding_in, realtime_finding
from pynenc_suite.history.model import History, Violation
from pynenc_suite.invariants.adjudication import DEFAULT_MARGIN, Verdict


class Findings(StrEnum):
    """How a judgement recognises recorded pynenc defects."""

    NONE = "none"
    GATE = "gate"
    REALTIME = "realtime"


class Status(StrEnum):
    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "unknown"
    KNOWN = "known"


@dataclass(frozen=True)
class Judged:
    """One violation: its adjudication (decided unless real time cannot tell) and the finding it shows, if any."""

    verdict: Verdict
    finding: Finding | None = None

    @property
    def violation(self) -> Violation:
        return self.verdict.violation

    @property
    def status(self) -> Status:
        if self.finding is not None:
            return Status.KNOWN
        return Status.VIOLATED if self.verdict.decided else Status.UNKNOWN


@dataclass(frozen=True)
class Judgement:
    """What :func:`judge` found in one history."""

    judged: tuple[Judged, ...] = ()
    set_aside: Finding | None = None  # GATE: the finding the history shows; no rule was checked

    @property
    def status(self) -> Status:
        if self.set_aside is not None:
            return Status.KNOWN
        statuses = {j.status for j in self.judged}
        for status in (Status.VIOLATED, Status.UNKNOWN, Status.KNOWN):
            if status in statuses:
                return status
        return Status.HOLDS

    @property
    def violations(self) -> list[Violation]:
        """The run's own violations: decided, and no recorded finding's."""
        return [j.violation for j in self.judged if j.status is Status.VIOLATED]

    @property
    def verdicts(self) -> list[Verdict]:
        return [j.verdict for j in self.judged]


def judge(
    history: History,
    rules: Iterable[str] | None = None,
    findings: Findings = Findings.NONE,
    margin: float = DEFAULT_MARGIN,
) -> Judgement:
    """Judge ``history`` by ``rules`` (default: every rule), recognising recorded findings as ``findings`` says."""
    if findings is Findings.GATE:
        shown = gate_finding_in(history)
        if shown is not None:
            return Judgement(set_aside=shown)
    violations = invariants.check_all(history, None if rules is None else list(rules))
    if findings is not Findings.REALTIME:
        return Judgement(tuple(Judged(Verdict(v)) for v in violations))
    judged = []
    for verdict in invariants.adjudicate(history, violations, margin):
        finding = realtime_finding(history, verdict.violation) if verdict.decided else None
        judged.append(Judged(verdict, finding))
    return Judgement(tuple(judged))
