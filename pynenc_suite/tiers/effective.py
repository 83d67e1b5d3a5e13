"""A fault shown effective: a regression it alone exposes, run alone, with the fault alone, and with both.

The real-time tier's checks of a fault it injects (a skewed clock, a cut or slowed
network) each run one schedule three ways: the regression injected into the runner
processes with the fault left out, a correct pynenc with the fault, and both.  The
first two must keep every rule (else the regression or the fault alone broke one:
a failure with its record), the third must not (else the fault is not effective: an
error of the suite, never a property of pynenc), and its ``report.html`` must show the
fault's marker.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynenc_suite.history.html_report import REPORT
from pynenc_suite.schedules.realtime import RealtimeSchedule
from pynenc_suite.tiers.realtime import Outcome, RealtimeSearch
from pynenc_suite.verdicts import require


@dataclass(frozen=True)
class Effect:
    """The three runs of one schedule."""

    regression_alone: Outcome
    fault_alone: Outcome
    both: Outcome

    def line(self, engine: str, regression: str, fault: str) -> str:
        return (f"{engine}: injected regression {regression} -> without the fault: "
                f"{len(self.regression_alone.failures)} decided violations; correct pynenc with {fault}: "
                f"{len(self.fault_alone.failures)}; both: {len(self.both.failures)}")  # fmt: skip


def three_runs(
    correct: RealtimeSearch, regressed: RealtimeSearch, without: RealtimeSchedule, faulted: RealtimeSchedule
) -> Effect:
    """``without`` (the schedule without the fault) on the regressed runners, then ``faulted`` on correct and on
    regressed runners."""
    return Effect(regressed.run(without), correct.run(faulted), regressed.run(faulted))


def require_effective(effect: Effect, regression: str, fault: str, app: str, engine: str, marker: str) -> None:
    """The regression alone and the fault alone kept every rule, both together broke one, and the page of that
    run shows ``marker``."""
    for outcome, what in ((effect.regression_alone, f"{regression} without the fault"), (effect.fault_alone, fault)):
        if outcome.failures:
            require(False, f"{what} broke a rule:\n" + outcome.describe_failure(app, engine))
    both = effect.both
    if not both.failures:  # the fault is not effective: an error of the suite, not a property of pynenc
        raise RuntimeError(f"{fault} did not expose {regression}: {both.folder}")
    if marker not in (both.folder / REPORT).read_text():
        raise RuntimeError(f"{both.folder / REPORT} does not show {marker!r}")
