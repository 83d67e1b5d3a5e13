"""Verdicts under network faults: recovery from a partitioned or slowed runner is at-least-once only while it
may be unheard (the fault, then the grace its end records); PYN-005's window widens with a slowed link."""

from __future__ import annotations

from typing import Any

from pynenc_suite.history.model import History, Kind
from pynenc_suite.invariants import check_all
from pynenc_suite.invariants.adjudication import Unknown
from tests.test_realtime_verdicts import ev, history, known_finding, run_of, status, verdicts

GRACE = 8.0


def _cut(worker: str, at: float, healed: float | None) -> list[dict[str, Any]]:
    events = [ev(at, "crash", worker=worker, fault="partition", detail="cut")]
    if healed is not None:
        events.append(ev(healed, "resume", worker=worker, fault="partition", grace=GRACE, detail="healed"))
    return events


def _slowed(worker: str, at: float, until: float, delay: float) -> list[dict[str, Any]]:
    return [
        ev(at, "crash", worker=worker, fault="delay", delay=delay, detail="slowed"),
        ev(until, "resume", worker=worker, fault="delay", grace=GRACE, detail="fast again"),
    ]


def _recovered_from_r0(at: float, hold: float = 6.0) -> History:
    """r0 runs i1 (its call holding ``hold``); the sweeper recovers i1 at ``at`` and r1 runs it again."""
    first = run_of("i1", 0.0, "r0", hold=hold)
    again = [
        status(at, "i1", "running_recovery", "sweeper"),
        status(at + 0.1, "i1", "rerouted", "sweeper"),
        status(at + 0.2, "i1", "pending", "r1"),
        status(at + 0.3, "i1", "running", "r1"),
        ev(at + 0.4, "provider_start", "i1", worker="r1"),
        ev(at + 0.7, "provider_end", "i1", worker="r1", outcome="ok"),
    ]
    return history(first, again)


def _with(h: History, *extra: list[dict[str, Any]]) -> History:
    events = [e.to_json() for e in h if e.kind is not Kind.DRAIN]
    for part in extra:
        events.extend(part)
    return history(events)


def test_recovery_from_a_runner_while_it_is_cut_off_is_at_least_once() -> None:
    h = _with(_recovered_from_r0(5.0), _cut("r0", 0.02, healed=10.0))
    assert set(verdicts(h, "no-overlap")) == {Unknown.AT_LEAST_ONCE}


def test_recovery_within_the_grace_after_the_heal_is_at_least_once() -> None:
    h = _with(_recovered_from_r0(9.0, hold=12.0), _cut("r0", 0.02, healed=3.0))
    assert set(verdicts(h, "no-overlap")) == {Unknown.AT_LEAST_ONCE}


def test_recovery_long_after_the_heal_and_its_grace_is_decided() -> None:
    h = _with(_recovered_from_r0(20.0, hold=25.0), _cut("r0", 0.02, healed=3.0))
    assert verdicts(h, "no-overlap") == ["decided"]


def test_a_partition_that_never_healed_excuses_recovery_to_the_end() -> None:
    h = _with(_recovered_from_r0(20.0, hold=25.0), _cut("r0", 0.02, healed=None))
    assert set(verdicts(h, "no-overlap")) == {Unknown.AT_LEAST_ONCE}


def test_a_partition_of_another_runner_excuses_nothing() -> None:
    h = _with(_recovered_from_r0(5.0), _cut("r1", 0.02, healed=10.0))
    assert verdicts(h, "no-overlap") == ["decided"]


def test_a_later_incarnation_of_the_cut_off_slot_is_cut_off_too() -> None:
    first = run_of("i1", 0.0, "r0#1", hold=6.0)
    again = [status(5.0, "i1", "running_recovery", "sweeper"), status(5.1, "i1", "rerouted", "sweeper"),
             status(5.2, "i1", "pending", "r1"), status(5.3, "i1", "running", "r1"),
             ev(5.4, "provider_start", "i1", worker="r1"), ev(5.7, "provider_end", "i1", worker="r1", outcome="ok")]  # fmt: skip
    h = history(first, again, _cut("r0", 0.02, healed=10.0))
    assert set(verdicts(h, "no-overlap")) == {Unknown.AT_LEAST_ONCE}


def test_recovery_from_a_slowed_runner_is_at_least_once_until_its_grace_ends() -> None:
    assert set(verdicts(_with(_recovered_from_r0(5.0), _slowed("r0", 0.02, 6.0, 0.05)), "no-overlap")) == {
        Unknown.AT_LEAST_ONCE
    }
    late = _with(_recovered_from_r0(20.0, hold=25.0), _slowed("r0", 0.02, 6.0, 0.05))
    assert verdicts(late, "no-overlap") == ["decided"]


def _admitted(gap: float, delay: float | None) -> History:
    """i1 admitted by r0, i2 by r1 ``gap`` seconds later; r1's link slowed by ``delay`` each way, if any."""
    first, second = run_of("i1", 0.0, "r0", hold=3.0), run_of("i2", 0.0, "r1", hold=1.0)
    first[2] = {**first[2], "writer": "aaaa"}
    second[2:] = [{**e, "time": e["time"] + gap} for e in second[2:]]
    second[2] = {**second[2], "writer": "bbbb"}
    return history(first, second, _slowed("r1", 0.0, 5.0, delay) if delay else [])


def _pyn005(h: History) -> set[str | None]:
    return {known_finding(h, v) for v in check_all(h) if v.rule in ("no-overlap", "exclusive-admission")}


def test_pyn005_window_widens_by_the_slowed_checks_round_trips() -> None:
    # call_keyed has one key argument: 4 + 1 round trips of 2 * 0.1 s, plus the 50 ms window: 1.05 s
    assert _pyn005(_admitted(0.9, delay=0.1)) == {"PYN-005"}
    assert _pyn005(_admitted(1.3, delay=0.1)) == {None}
    assert _pyn005(_admitted(0.9, delay=None)) == {None}


def test_cuts_heals_and_slowed_links_are_in_the_history_and_on_the_page() -> None:
    from pynenc_suite.history.html_report import html_report
    from pynenc_suite.history.model import Event, Fault

    events = [
        Event(seq=0, kind=Kind.CRASH, time=0.5, worker="r1", fault=Fault.PARTITION, detail="cut r1's network"),
        Event(seq=1, kind=Kind.RESUME, time=10.5, worker="r1", fault=Fault.PARTITION, grace=8.0, detail="healed"),
        Event(seq=2, kind=Kind.CRASH, time=0.5, worker="r0", fault=Fault.DELAY, delay=0.05, detail="slowed"),
        Event(seq=3, kind=Kind.RESUME, time=6.5, worker="r0", fault=Fault.DELAY, grace=8.0, detail="fast again"),
    ]
    for event in events:
        assert Event.from_json(event.to_json()) == event
    page = html_report(History(events=events), [], real_time=True, title="t", schedule="", replay="")
    for label in (">cut r1", ">healed r1", ">+50ms r0", ">fast r0", "network cuts and heals, slowed engine links"):
        assert label in page, label


def test_drawn_schedules_carry_a_delay_only_on_slowed_links() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pynenc_suite.apps.target import load
    from pynenc_suite.history.model import Fault
    from pynenc_suite.schedules.realtime import RealtimeSchedule
    from pynenc_suite.strategies.realtime import FAULTS, RealtimeKnobs, realtime_schedules

    target = load()
    tasks = [target.under_test(name) for name in sorted(target.controlled)]
    knobs = RealtimeKnobs(faults=(*FAULTS, Fault.DELAY, Fault.PARTITION), max_faults=8)
    assert Fault.PARTITION not in FAULTS and Fault.DELAY not in FAULTS  # network faults only where asked for
    seen: set[Fault] = set()

    @settings(max_examples=60, deadline=None, database=None)
    @given(realtime_schedules(tasks, knobs), st.just(None))
    def check(schedule: RealtimeSchedule, _: None) -> None:
        for fault in schedule.faults:
            seen.add(fault.kind)
            assert (fault.delay > 0) == (fault.kind is Fault.DELAY), fault
            assert fault.delay <= knobs.max_delay
            if fault.kind is Fault.DELAY:
                assert f"+{fault.delay * 1000:g}ms each way" in repr(fault)
        assert RealtimeSchedule.from_json(schedule.to_json()) == schedule

    check()
    assert {Fault.DELAY, Fault.PARTITION} <= seen


def _lost_after_reroute(partition: tuple[float, float] | None) -> History:
    """i1 blocked and rerouted by r0 at 0.1 s, then never seen again; r1 cut off over ``partition``, if any."""
    events = [
        status(0.0, "i1", "registered", "producer"),
        ev(0.01, "enqueue", "i1", worker="p0", reg_key="a"),
        status(0.05, "i1", "concurrency_controlled", "r0"),
        status(0.1, "i1", "rerouted", "r0"),
    ]
    if partition:
        events += _cut("r1", partition[0], healed=partition[1])
    return history(events)


def test_pyn007_signature_covers_work_lost_to_a_runner_cut_off_then_or_later() -> None:
    def findings(h: History) -> set[str | None]:
        return {known_finding(h, v) for v in check_all(h) if v.rule == "liveness"}

    assert findings(_lost_after_reroute((0.05, 16.0))) == {"PYN-007"}  # cut while a BLPOP of its was pending
    assert findings(_lost_after_reroute((2.0, 10.0))) == {"PYN-007"}  # cut later
    assert findings(_lost_after_reroute(None)) == {None}
    assert findings(_lost_after_reroute((-5.0, 0.05))) == {None}  # healed before it was queued


def test_a_cut_healed_after_its_runner_restarted_ends_at_the_heal() -> None:
    """The cut-off runner exited and came back as ``r0#1``, which the heal names: the window still ends there."""
    cut = [ev(0.02, "crash", worker="r0", fault="partition", detail="cut"),
           ev(3.0, "resume", worker="r0#1", fault="partition", grace=GRACE, detail="healed")]  # fmt: skip
    h = _with(_recovered_from_r0(20.0, hold=25.0), cut)
    assert verdicts(h, "no-overlap") == ["decided"]
    lost = [status(5.0, "i2", "registered", "producer"), ev(5.01, "enqueue", "i2", worker="p0", reg_key="a"),
            status(5.05, "i2", "concurrency_controlled", "r1"), status(5.1, "i2", "rerouted", "r1")]  # fmt: skip
    h = history(lost, cut)
    assert {known_finding(h, v) for v in check_all(h) if v.rule == "liveness"} == {None}  # lost after the heal


def _failed_without_an_answer(cut: tuple[float, float] | None, worker: str = "r0") -> History:
    """i1 runs on ``worker`` from 0.03 s and ends failed at 5 s with no provider call answered."""
    events = [status(0.0, "i1", "registered", "producer"), ev(0.01, "enqueue", "i1", worker="p0", reg_key="a"),
              status(0.02, "i1", "pending", worker), status(0.03, "i1", "running", worker),
              status(5.0, "i1", "failed", worker)]  # fmt: skip
    return history(events, _cut("r0", *cut) if cut else [])


def test_a_failure_without_the_providers_answer_is_unknown_only_if_its_runner_was_cut_off_meanwhile() -> None:
    assert verdicts(_failed_without_an_answer((1.0, 4.0)), "reroute-preserves-work") == [Unknown.PROVIDER_UNREACHABLE]
    assert verdicts(_failed_without_an_answer(None), "reroute-preserves-work") == ["decided"]
    assert verdicts(_failed_without_an_answer((6.0, 9.0)), "reroute-preserves-work") == ["decided"]  # cut later
    assert verdicts(_failed_without_an_answer((1.0, 4.0), worker="r1"), "reroute-preserves-work") == ["decided"]
