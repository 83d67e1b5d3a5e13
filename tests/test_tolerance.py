"""The tolerance search (bisection over a fault's size), its JSON, and the doctor's quote of it."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pynenc_suite.doctor.items import Mark
from pynenc_suite.doctor.runners import clock_item
from pynenc_suite.tiers.tolerance import CLOCK_TOLERANCE, Probe, Tolerance, newest, search

TIMING = {"dead_after_seconds": 4.0, "heartbeat_seconds": 0.3, "max_pending_seconds": 2.0, "sweep_seconds": 1.0}


def _breaking_from(edge: float, ran: list[float]):
    def run_at(size: float) -> Probe:
        ran.append(size)
        return Probe(size, size < edge, "" if size < edge else f"broke at {size:g}")

    return run_at


@given(edge=st.integers(1, 16))
def test_search_finds_the_edge_to_within_one_step(edge: int) -> None:
    ran: list[float] = []
    held, broke, probes = search(_breaking_from(edge * 0.5, ran), step=0.5, limit=8.0)
    assert (held, broke) == (edge * 0.5 - 0.5, edge * 0.5)
    assert len(probes) == len(ran) <= 2 + 4  # 0, the limit, then bisection of 16 steps
    assert len(set(ran)) == len(ran)  # no size run twice


def test_search_stops_when_the_fault_free_run_breaks() -> None:
    ran: list[float] = []
    assert search(_breaking_from(0.0, ran), step=0.5, limit=8.0)[:2] == (None, 0.0)
    assert ran == [0.0]


def test_search_reports_a_tolerance_past_the_limit() -> None:
    ran: list[float] = []
    assert search(_breaking_from(100.0, ran), step=0.5, limit=8.0)[:2] == (8.0, None)
    assert ran == [0.0, 8.0]


def _tolerance(app: str = "pkg.tasks:app", held: float | None = 3.5, broke: float | None = 4.0) -> Tolerance:
    probes = (Probe(0.0, True), Probe(4.0, False, "no-overlap [call_keyed key=k1]: ...", "/tmp/x"), Probe(3.5, True))
    return Tolerance("a runner's clock behind the sweeper's", app, "sqlite", 0.5, 8.0, held, broke, TIMING, probes)


def test_a_tolerance_reads_back_from_its_json_and_says_itself_in_one_line() -> None:
    tolerance = _tolerance()
    assert Tolerance.from_json(tolerance.to_json()) == tolerance
    line = tolerance.line()
    assert "\n" not in line and "up to 3.5 s; at 4 s no-overlap" in line and "dead-after 4 s" in line


def test_newest_reads_the_latest_session_of_the_same_app(tmp_path: Path) -> None:
    folders = []
    for name, app, held in (("a", "pkg.tasks:app", 1.0), ("b", "other:app", 2.0), ("c", "pkg.tasks:app", 3.0)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / CLOCK_TOLERANCE).write_text(_tolerance(app, held).to_json())
        os.utime(folder / CLOCK_TOLERANCE, (1000 + len(folders), 1000 + len(folders)))
        folders.append(folder)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / CLOCK_TOLERANCE).write_text("{not json")
    found = newest(tmp_path, "pkg.tasks:app")
    assert found is not None and found.held == 3.0
    assert newest(tmp_path, "missing:app") is None


def _target(dead_after_minutes: float = 10.0, check_minutes: float = 0.5) -> SimpleNamespace:
    conf = SimpleNamespace(runner_considered_dead_after_minutes=dead_after_minutes,
                           atomic_service_check_interval_minutes=check_minutes)  # fmt: skip
    return SimpleNamespace(app=SimpleNamespace(conf=conf), spec="pkg.tasks:app")


@pytest.mark.parametrize(
    ("measured", "mark", "said"),
    [
        (None, Mark.WARN, "not measured for this app"),
        (_tolerance(), Mark.PASS, "every rule held with a runner's clock 3.5 s behind; at 4 s no-overlap"),
        (_tolerance(held=None, broke=0.0), Mark.FAIL, "broke a rule without any skew"),
    ],
)
def test_the_doctor_states_the_clock_bound_of_the_apps_settings_and_quotes_the_measure(
    measured: Tolerance | None, mark: Mark, said: str
) -> None:
    item = clock_item(_target(), measured)
    assert item.mark is mark and said in item.reason
    assert "disagree by less than 570 s (dead-after 600 s minus one heartbeat interval, 30 s;" in item.reason


def test_measure_also_finds_from_which_size_work_ran_twice_without_running_a_size_again() -> None:
    from pynenc_suite.invariants.adjudication import Unknown
    from pynenc_suite.tiers.tolerance import measure

    ran: list[float] = []

    def run(size: float) -> SimpleNamespace:
        ran.append(size)
        rerun = SimpleNamespace(unknown=Unknown.AT_LEAST_ONCE)
        return SimpleNamespace(failures=[], unknown=[rerun] if size >= 5.0 else [], folder=Path(f"/tmp/{size}"))

    tolerance = measure(run, lambda size: size, fault="a runner cut off from its engine", app="a:app",  # type: ignore[arg-type,return-value]
                        engine="redis", step=1.0, limit=16.0, timing=TIMING)  # fmt: skip
    assert (tolerance.held, tolerance.broke) == (16.0, None)
    assert (tolerance.rerun_free, tolerance.reran) == (4.0, 5.0)
    assert len(set(ran)) == len(ran)
    line = tolerance.line()
    assert "up to the 16 s searched" in line and "no work ran twice up to 4 s; at 5 s the runner" in line
    assert Tolerance.from_json(tolerance.to_json()) == tolerance


def test_the_doctor_quotes_a_measured_partition_tolerance() -> None:
    from pynenc_suite.doctor.runners import partition_item

    measured = Tolerance("a runner cut off from its engine", "pkg.tasks:app", "redis", 2.0, 16.0, 16.0, None, TIMING,
                         (Probe(0.0, True), Probe(16.0, True, reruns=3)), rerun_free=4.0, reran=6.0)  # fmt: skip
    item = partition_item(_target(), measured)
    assert item.mark is Mark.PASS
    assert "cut off 16 s; held up to the 16 s searched; no work ran twice up to 4 s; at 6 s" in item.reason
    unmeasured = partition_item(_target(), None)
    assert unmeasured.mark is Mark.WARN and "-k partition_tolerance" in unmeasured.fix


def test_a_rule_broken_at_a_size_only_the_second_search_ran_is_the_tolerance() -> None:
    """0 and the limit hold, so the first search ends there; the search for work run twice then runs 4 s, where a
    rule breaks: the tolerance reports that, not the limit."""
    from pynenc_suite.invariants.adjudication import Unknown
    from pynenc_suite.tiers.tolerance import measure

    def run(size: float) -> SimpleNamespace:
        rerun = SimpleNamespace(unknown=Unknown.AT_LEAST_ONCE)
        broken = [SimpleNamespace(violation="reroute-preserves-work ...")] if size == 4.0 else []
        return SimpleNamespace(failures=broken, unknown=[rerun] if size >= 6.0 else [], folder=Path(f"/tmp/{size}"))

    tolerance = measure(run, lambda size: size, fault="a runner cut off from its engine", app="a:app",  # type: ignore[arg-type,return-value]
                        engine="redis", step=2.0, limit=16.0, timing=TIMING)  # fmt: skip
    assert (tolerance.held, tolerance.broke) == (2.0, 4.0)
    assert "up to 2 s; at 4 s reroute-preserves-work" in tolerance.line()
