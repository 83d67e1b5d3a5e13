"""Counterexample artefacts: a failing run's schedule, history and verdict, and the command that replays it.

A run folder holds ``schedule.json`` (replayable), ``schedule.txt`` (readable),
``history.json``, ``meta.json`` (app, backend, task, rule, violations) and
``replay.txt``.  ``pytest suite/test_replay.py --replay=FOLDER`` runs the same
schedule against the same app and reports the same verdict.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from invariants.history import History, Violation
from strategies.schedule import Schedule, schedule_from_json, schedule_to_json

ROOT_ENV = "PYNENC_SUITE_ARTEFACTS"


@dataclass
class Artefact:
    folder: Path
    schedule: Schedule
    history: History
    meta: dict[str, Any]

    @property
    def replay_command(self) -> str:
        return replay_command(self.folder)


def artefact_dir(test_id: str) -> Path:
    root = Path(os.environ.get(ROOT_ENV, ".pynenc-suite/failures"))
    return root / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id)


def replay_command(folder: Path) -> str:
    return f"PYTHONHASHSEED=0 pytest suite/test_replay.py -p no:xdist --replay={shlex.quote(str(folder))}"


def save(
    test_id: str,
    schedule: Schedule,
    history: History,
    *,
    app: str,
    backend: str,
    task: str,
    rule: str,
    violations: list[Violation],
) -> Path:
    """Write the artefact for the failing example (the last one written is Hypothesis's minimal one)."""
    folder = artefact_dir(test_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schedule.txt").write_text(repr(schedule) + "\n")
    (folder / "schedule.json").write_text(json.dumps(schedule_to_json(schedule), indent=1))
    (folder / "history.json").write_text(json.dumps(history.to_json(), indent=1, sort_keys=True))
    meta = {"app": app, "backend": backend, "task": task, "rule": rule, "violations": [str(v) for v in violations]}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))
    (folder / "replay.txt").write_text(replay_command(folder) + "\n")
    return folder


def load(folder: Path) -> Artefact:
    folder = Path(folder)
    if not (folder / "schedule.json").exists():
        raise FileNotFoundError(f"{folder} is not a pynenc-suite run folder (no schedule.json)")
    return Artefact(
        folder=folder,
        schedule=schedule_from_json(json.loads((folder / "schedule.json").read_text())),
        history=History.load(folder / "history.json"),
        meta=json.loads((folder / "meta.json").read_text()),
    )
