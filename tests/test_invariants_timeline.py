from pynenc_suite.history import timeline
from pynenc_suite.invariants import check_all
from tests.histories import enqueue, full, hist, start

K = "call_keyed"


def test_render_marks_proving_events_of_the_violated_key():
    h = hist(
        full("z", K, "other"),
        enqueue("a", K, "acct-42"),
        enqueue("b", K, "acct-42"),
        start("a", K, "acct-42"),
        start("b", K, "acct-42", worker="r2"),
        {"kind": "crash", "worker": "r2"},
    )
    vs = check_all(h, ["no-overlap"])
    text = timeline.render(h, vs)
    assert "== call_keyed key=acct-42 ==" in text
    marked = [line for line in text.splitlines() if line.startswith(">>")]
    assert len(marked) == 2 and all("provider_start" in line for line in marked)
    assert "key=other" not in text  # untouched keys are left out
    assert "crash" in text and "no-overlap" in text


def test_render_without_violations_shows_every_key():
    h = hist(full("a", K, "k1"), full("b", K, "k2"))
    text = timeline.render(h, [])
    assert "key=k1" in text and "key=k2" in text and ">>" not in text


def test_check_all_runs_every_rule_and_rejects_unknown_names():
    import pytest

    h = hist(full("a", K, "k1"))
    assert check_all(h) == []
    with pytest.raises(KeyError):
        check_all(h, ["nope"])


def test_history_json_round_trip_keeps_every_event() -> None:
    import json

    from pynenc_suite.history.model import History, Kind, TaskPolicy, build

    history = build(
        [
            {"kind": "status", "invocation_id": "i1", "task": "t", "status": "registered", "key": "k1"},
            {"kind": "clock", "time": 0.0, "detail": "+0s"},
            {"kind": "enqueue", "invocation_id": "i1", "task": "t", "probe": True},
        ],
        [TaskPolicy(task="t")],
    )
    back = History.from_json(json.loads(json.dumps(history.to_json())))
    assert back.events == history.events and back.policies == history.policies
    assert back.events[0].seq == 0 and back.events[1].kind is Kind.CLOCK
