"""The one judge: holds, violated, unknown, known, on hand-made and recorded histories."""

from __future__ import annotations

from pynenc_suite.findings.registry import ARTEFACTS
from pynenc_suite.history.model import Event, History, Kind
from pynenc_suite.invariants.adjudication import Unknown
from pynenc_suite.invariants.liveness import BOUND_MESSAGE
from pynenc_suite.judge import Findings, Status, judge

UNFINISHED = [Event(0, Kind.ENQUEUE, invocation_id="i1", task="t"), Event(1, Kind.DRAIN)]


def test_an_empty_history_holds_under_every_rule() -> None:
    judgement = judge(History(events=[]), findings=Findings.GATE)
    assert judgement.status is Status.HOLDS and judgement.violations == [] and judgement.set_aside is None


def test_a_violation_is_the_runs_own() -> None:
    judgement = judge(History(events=[Event(0, Kind.DRAIN), Event(1, Kind.BOUND)]), ["liveness"])
    assert judgement.status is Status.VIOLATED
    assert [v.message for v in judgement.violations] == [BOUND_MESSAGE]


def test_only_the_rules_asked_for_are_checked() -> None:
    assert judge(History(events=UNFINISHED), ["no-overlap"]).status is Status.HOLDS
    assert judge(History(events=UNFINISHED), ["liveness"]).status is Status.VIOLATED


def test_the_gate_sets_aside_a_history_showing_a_finding_it_runs_no_fix_of() -> None:
    """PYN-007 has a gate signature and no candidate fix: its recorded history is pynenc's defect, not the run's."""
    history = History.load(ARTEFACTS / "PYN-007" / "history.json")
    judgement = judge(history, ["liveness"], Findings.GATE)
    assert judgement.status is Status.KNOWN and judgement.set_aside is not None
    assert judgement.set_aside.id == "PYN-007" and judgement.violations == []
    assert judge(history, ["liveness"]).status is Status.VIOLATED  # a saved failure judged again: the run's own


def test_real_time_leaves_unfinished_work_at_the_deadline_unknown() -> None:
    history = History(events=[Event(0, Kind.ENQUEUE, invocation_id="i1", task="t"), Event(1, Kind.DEADLINE)])
    judgement = judge(history, ["liveness"], Findings.REALTIME)
    assert judgement.status is Status.UNKNOWN and judgement.violations == []
    assert [j.verdict.unknown for j in judgement.judged] == [Unknown.UNSETTLED]
    assert judge(history, ["liveness"]).status is Status.VIOLATED  # deterministic: decided


def test_a_history_saved_before_key_identity_was_named_loads_the_same() -> None:
    """Saved histories (committed findings, teams' failure folders) named a key's identity ``group``."""
    old = {"seq": 0, "kind": "enqueue", "invocation_id": "i1", "task": "t", "key": {"group": "k1", "value": "1"}}
    event = Event.from_json(old)
    assert event.key is not None and event.key.identity == "k1"
    assert Event.from_json(event.to_json()) == event
    recorded = History.load(ARTEFACTS / "PYN-007" / "history.json")
    assert any(e.key is not None and e.key.identity for e in recorded.events)
