"""Counterexample artefacts: a failing run's schedule and history, written where a person can find them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from invariants.history import History
from strategies.schedule import Schedule

ROOT_ENV = "PYNENC_SUITE_ARTEFACTS"


def artefact_dir(test_id: str) -> Path:
    root = Path(os.environ.get(ROOT_ENV, ".pynenc-suite/failures"))
    return root / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id)


def save(test_id: str, schedule: Schedule, history: History) -> Path:
    """Write schedule.txt and history.json for the failing example (the last one written is the minimal one)."""
    folder = artefact_dir(test_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schedule.txt").write_text(repr(schedule) + "\n")
    (folder / "history.json").write_text(json.dumps(history.to_json(), indent=1, sort_keys=True))
    return folder
