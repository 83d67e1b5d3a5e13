"""Counterexample artefacts: a failing run's schedule, history and verdict, and the command that replays it.

A run folder holds ``schedule.json`` (replayable), ``schedule.txt`` (readable),
``history.json``, ``meta.json`` (app, engine, task, rule, violations),
``replay.txt`` and ``report.html`` (the failure as a page).  ``pynenc-suite replay FOLDER`` runs the same schedule against
the same app and engine and says whether the same violations come back.

This package is everything a run leaves to look at again: this module (a property's failure folder),
``key_failures`` and ``key_page`` (a key failure's folder and page), ``replay``, ``rejudge`` (saved real-time
histories judged again) and ``monitor`` (a real-time run's database in pynenc's monitor).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pynenc_suite.history.html_report import REPORT, html_report
from pynenc_suite.history.model import History, TaskPolicy, Violation
from pynenc_suite.schedules.steps import Schedule, schedule_from_json, schedule_to_json

META_KEYS = ("app", "engine", "task", "rule", "violations")


@dataclass
class Artefact:
    folder: Path
    schedule: Schedule
    history: History
    meta: dict[str, Any]

    @property
    def replay_command(self) -> str:
        return replay_command(self.folder)


def folder_for(root: Path, test_id: str) -> Path:
    return root / "failures" / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id)


def known_folder_for(root: Path, finding_id: str, test_id: str) -> Path:
    """Where a reproduction of the recorded finding ``finding_id`` is written: never under ``failures/``, which
    holds only the team's failures."""
    return root / "known" / finding_id / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id)


def replay_command(folder: Path) -> str:
    return f"pynenc-suite replay {shlex.quote(str(folder))}"


def save(
    folder: Path,
    schedule: Schedule,
    history: History,
    *,
    app: str,
    engine: str,
    task: str,
    rule: str,
    violations: list[Violation],
    configured: TaskPolicy | None = None,
    fixes: list[str] | None = None,
    finding: tuple[str, str] | None = None,
) -> Path:
    """Write the artefact for the failing example (the last one written is Hypothesis's minimal one).

    ``configured``: the task's policy as the app configured it, when the history was judged by
    another (a policy lock's contract checked against the app as it is now).  ``fixes``: the findings whose
    candidate fixes pynenc ran with (the gate's).  ``finding``: (id, title) of the recorded pynenc defect whose
    signature the history shows, said in meta.json and on the page."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schedule.txt").write_text(repr(schedule) + "\n")
    (folder / "schedule.json").write_text(json.dumps(schedule_to_json(schedule), indent=1))
    (folder / "history.json").write_text(json.dumps(history.to_json(), indent=1, sort_keys=True))
    meta: dict[str, Any] = {
        "app": app,
        "engine": engine,
        "task": task,
        "rule": rule,
        "violations": [str(v) for v in violations],
    }
    if configured is not None:
        meta["configured"] = configured.to_json()
    if fixes:
        meta["fixes"] = fixes
    if finding:
        meta["finding"] = {"id": finding[0], "title": finding[1], "entry": f"FINDINGS.md, section {finding[0]}"}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))
    (folder / "replay.txt").write_text(replay_command(folder) + "\n")
    write_report(folder, schedule, history, violations, task=task, rule=rule, finding=finding)
    return folder


def write_report(
    folder: Path,
    schedule: Schedule,
    history: History,
    violations: list[Violation],
    *,
    task: str,
    rule: str,
    finding: tuple[str, str] | None = None,
) -> Path:
    """The failure's page, ``report.html`` beside its schedule and history (:mod:`~.history.html_report`); a
    recorded finding's reproduction says so in its title."""
    title = f"{len(violations)} violation(s) of {rule} on {task}"
    if finding:
        title = f"recorded pynenc defect {finding[0]} ({finding[1]}), not your failure: {title}"
    page = html_report(history, violations, title=title,
                       schedule=repr(schedule), replay=replay_command(folder))  # fmt: skip
    (folder / REPORT).write_text(page)
    return folder / REPORT


class NotAnArtefact(ValueError):
    """The folder is not a counterexample folder; ``str()`` says why in one line."""


def load(folder: Path) -> Artefact:
    folder = Path(folder)
    if not (folder / "schedule.json").exists():
        raise NotAnArtefact(f"{folder} is not a pynenc-suite counterexample folder (no schedule.json)")
    meta = json.loads((folder / "meta.json").read_text())
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        raise NotAnArtefact(f"{folder}/meta.json lacks {', '.join(missing)}")
    return Artefact(
        folder=folder,
        schedule=schedule_from_json(json.loads((folder / "schedule.json").read_text())),
        history=History.load(folder / "history.json"),
        meta=meta,
    )
