"""Counterexample artefacts replay exactly: same schedule, same history, same violations, every time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

from pynenc_suite import artefacts, invariants
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import candidate_fixes, gate_fixed
from pynenc_suite.history.model import Fault
from pynenc_suite.options import ARTEFACTS_ENV
from pynenc_suite.schedules.realtime import CONFIGURED, RealtimeSchedule, TimedEnqueue, TimedFault
from pynenc_suite.schedules.steps import Enqueue, Poll, Schedule, Stop, schedule_from_json, schedule_to_json
from pynenc_suite.strategies.equal_keys import AccountRef, Plan
from tests.detection import detect

ROOT = Path(__file__).resolve().parent.parent


def test_schedule_json_round_trip_keeps_value_types() -> None:
    schedule = Schedule(
        2, (Enqueue(0, "call_keyed", {"account_id": AccountRef(1, 2), "op": Plan.PRO}), Enqueue(1, "t", {"x": 1.0}))
    )
    back = schedule_from_json(json.loads(json.dumps(schedule_to_json(schedule))))
    assert back == schedule
    assert type(back.steps[0].kwargs["account_id"]) is AccountRef and type(back.steps[1].kwargs["x"]) is float


def test_a_realtime_schedule_saved_before_the_move_to_schedules_still_loads() -> None:
    """jsonpickle names the classes by module: a schedule.json written when they lived in strategies.realtime."""
    schedule = RealtimeSchedule(
        runners=(CONFIGURED, "ThreadRunner"),
        enqueues=(TimedEnqueue(0.5, 1, "call_keyed", {"account_id": Plan.PRO}, 0.3, fail=True),),
        faults=(TimedFault(1.0, Fault.KILL, 0, 2.0),),
    )
    text = schedule.to_json()
    assert "pynenc_suite.schedules.realtime.TimedFault" in text
    old = text.replace("pynenc_suite.schedules.realtime.", "pynenc_suite.strategies.realtime.")
    assert RealtimeSchedule.from_json(old) == schedule


def test_failing_property_writes_an_artefact_that_replays_identically(
    target: Target, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ARTEFACTS_ENV, str(tmp_path))
    monkeypatch.setattr(BaseOrchestrator, "_is_authorize_by_concurrency_control", lambda self, inv, statuses: True)
    result = detect(target, "call_keyed", "no-overlap")
    assert result.caught and "replay: pynenc-suite replay " in result.message
    (folder,) = [p.parent for p in tmp_path.rglob("schedule.json")]
    artefact = artefacts.load(folder)
    assert artefact.meta["rule"] == "no-overlap" and artefact.meta["violations"]
    assert artefact.meta["fixes"] == [f.id for f in gate_fixed()]  # the gate ran with them; so does its replay
    for _ in range(3):
        with candidate_fixes():
            history = run_schedule(target, ["call_keyed"], artefact.schedule)
        assert json.dumps(history.to_json(), sort_keys=True) == json.dumps(artefact.history.to_json(), sort_keys=True)
        assert [str(v) for v in invariants.get("no-overlap").check(history)] == artefact.meta["violations"]
    monkeypatch.undo()  # the same schedule on the real pynenc: KEYS are enforced again
    with candidate_fixes():
        assert not invariants.get("no-overlap").check(run_schedule(target, ["call_keyed"], artefact.schedule))


def test_replay_command_reproduces_a_real_finding(target: Target, tmp_path: Path) -> None:
    """PYN-001's schedule saved as an artefact: the printed command replays it, in a fresh process from another
    directory, says it reproduced and exits 0; the same folder on a fixed pynenc would not reproduce (exit 1)."""
    schedule = Schedule(
        3,
        (
            Enqueue(0, "call_keyed_drop", {"account_id": 0, "op": "x"}),
            Poll(0),
            Enqueue(0, "call_keyed_drop", {"account_id": 0, "op": "x"}),
            Stop(0),
        ),
    )
    history = run_schedule(target, ["call_keyed_drop"], schedule)
    violations = invariants.get("liveness").check(history)
    folder = artefacts.save(
        artefacts.folder_for(tmp_path, "pyn-001"), schedule, history, app=target.spec, engine="memory",
        task="call_keyed_drop", rule="liveness", violations=violations,
    )  # fmt: skip
    command = (folder / "replay.txt").read_text().split()
    assert command[:2] == ["pynenc-suite", "replay"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "pynenc_suite", *command[1:]], cwd=elsewhere, capture_output=True, text=True,
            timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "reproduced: 1 violation(s) of liveness on call_keyed_drop" in done.stdout
        assert "i1 ends in 'rerouted'" in done.stdout
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "violations": ["something else"]}))
    done = subprocess.run(
        [sys.executable, "-m", "pynenc_suite", *command[1:]], cwd=elsewhere, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "did NOT reproduce" in done.stdout, done.stdout[-2000:]


def test_a_replay_against_a_changed_policy_does_not_reproduce(
    target: Target, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The app's policy for the task changed since the failure was saved: the replay says so and fails."""
    from pynenc_suite.artefacts.replay import replay

    schedule = Schedule(2, (Enqueue(0, "call_keyed_drop", {"account_id": 0, "op": "x"}), Poll(0)))
    history = run_schedule(target, ["call_keyed_drop"], schedule)
    folder = artefacts.save(
        artefacts.folder_for(tmp_path, "changed"), schedule, history, app=target.spec, engine="memory",
        task="call_keyed_drop", rule="liveness", violations=[],
    )  # fmt: skip
    saved = json.loads((folder / "history.json").read_text())
    for policy in saved["policies"]:
        if policy["task"] == "call_keyed_drop":
            policy["reroute"] = not policy["reroute"]
    (folder / "history.json").write_text(json.dumps(saved))
    assert replay(folder) is False
    assert "did NOT reproduce: the app's policy for call_keyed_drop changed" in capsys.readouterr().out
