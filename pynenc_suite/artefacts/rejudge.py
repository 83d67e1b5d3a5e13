"""Judge saved real-time histories again: ``pynenc-suite rejudge FOLDER [-v]``.

Runs the rules, their real-time adjudication and the findings' real-time
signatures of this installation over every ``schedule-NNN/history.json`` under
FOLDER (a real-time session folder), printing each decided violation that is
not a recorded finding (``-v``: every verdict).  Useful after changing a rule or
a signature: no schedule has to run again.
"""

from __future__ import annotations

from pathlib import Path

from pynenc_suite.history.model import History
from pynenc_suite.judge import Findings, Status, judge


def rejudge(folder: Path, verbose: bool = False) -> int:
    """Print the verdicts; return how many decided violations are not recorded findings."""
    left = 0
    for path in sorted(folder.glob("**/schedule-*/history.json")):
        history = History.load(path)
        for judged in judge(history, findings=Findings.REALTIME).judged:
            status, verdict = judged.status, judged.verdict
            label = judged.finding.id if judged.finding else ("unknown" if status is Status.UNKNOWN else "VIOLATION")
            left += status is Status.VIOLATED
            if verbose or status is Status.VIOLATED:
                reason = f" ({verdict.reason})" if verdict.unknown else ""
                print(f"{path.parent}: {label}: {verdict.violation}{reason}")
    return left
