"""The detection-power table as failure rates: ``python -m tests.detection_rates [EXAMPLES] [SEED]``.

For each regression of :data:`tests.regressions.DETECTION_ROWS`, injected into pynenc with
``monkeypatch`` for that row only, the share of EXAMPLES random examples (from SEED) on which each
of its gate properties fails, with every candidate fix on as in the gate.  The mean number of
examples until the gate first catches the regression is about one over that share.  Run from the
project root (it imports ``tests``); prints a Markdown table.
"""

from __future__ import annotations

import logging
import sys

import pytest

from pynenc_suite import determinism
from pynenc_suite.apps.target import load
from tests.detection import hit_rate
from tests.regressions import DETECTION_ROWS


def main(examples: int = 200, seed: int = 0) -> None:
    determinism.without_local_constants()  # as in the gate: draws depend on the seed alone
    logging.disable(logging.WARNING)  # pynenc logs every refused transition the regressions cause
    target = load()
    print(f"| regression injected into pynenc | property | failing examples of {examples} (seed {seed}) |")
    print("|---|---|---|")
    for row in DETECTION_ROWS:
        with pytest.MonkeyPatch.context() as monkeypatch:
            row.inject(monkeypatch)
            for task, rule in row.properties:
                rate = hit_rate(target, task, rule, examples, seed)
                print(f"| {row.name} | {rule} ({task}) | {rate.failed}/{rate.judged} ({rate.share:.0%}) |", flush=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
