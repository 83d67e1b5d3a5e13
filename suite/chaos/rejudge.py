"""Judge saved real-time histories again: ``python -m suite.chaos.rejudge FOLDER [-v]``.

Runs the checkers, the adjudication and the known-finding signatures of this
checkout over every ``schedule-NNN/history.json`` under FOLDER (a chaos session
folder), printing each decided violation that is not a known finding (``-v``:
every verdict).  Exit status 1 if any is left.  Useful after changing a checker
or a signature: no schedule has to run again.
"""

from __future__ import annotations

import sys
from pathlib import Path

from invariants import check_all
from invariants.history import History
from invariants.realtime import adjudicate
from suite.chaos.known import known_finding


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_dir():
        print("usage: python -m suite.chaos.rejudge CHAOS_SESSION_FOLDER [-v]", file=sys.stderr)
        return 2
    verbose = "-v" in argv[1:]
    left = 0
    for path in sorted(Path(argv[0]).glob("**/schedule-*/history.json")):
        history = History.load(path)
        for verdict in adjudicate(history, check_all(history)):
            found = known_finding(history, verdict.violation) if verdict.decided else None
            label = "unknown" if verdict.unknown else (found or "VIOLATION")
            left += label == "VIOLATION"
            if verbose or label == "VIOLATION":
                reason = f" ({verdict.unknown})" if verdict.unknown else ""
                print(f"{path.parent}: {label}: {verdict.violation}{reason}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
