"""The doctor: each checklist item passes, warns or fails for the reason it states, and the command exits 1
only when an item fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pynenc import PynencBuilder

from pynenc_suite.apps.runner_config import placeholder
from pynenc_suite.apps.target import Target, load
from pynenc_suite.doctor.items import Item, Mark, failed, markdown
from pynenc_suite.doctor.policies import policy_items
from pynenc_suite.doctor.runners import recovery_items, runner_items, slots

ROOT = Path(__file__).resolve().parent.parent
DOCTOR_APP = "tests.apps.doctor_app:app"


@pytest.fixture(scope="module")
def mistaken() -> Target:
    return load(DOCTOR_APP, strict=False)


def _by_subject(items: list[Item]) -> dict[str, list[tuple[str, Mark, str]]]:
    out: dict[str, list[tuple[str, Mark, str]]] = {}
    for item in items:
        out.setdefault(item.subject, []).append((item.area, item.mark, item.reason))
    return out


def test_policy_mistakes_are_named(mistaken: Target) -> None:
    found = _by_subject(policy_items(mistaken))
    assert found["no_keys"][0][:2] == ("policy", Mark.FAIL) and "key_arguments is empty" in found["no_keys"][0][2]
    assert found["wrong_key"][0][:2] == ("keys", Mark.FAIL) and "name no parameter" in found["wrong_key"][0][2]
    assert found["dedup_only"] == [("policy", Mark.WARN, found["dedup_only"][0][2])]
    assert "without running control" in found["dedup_only"][0][2]
    charge = [reason for _, mark, reason in found["charge_card"] if mark is Mark.WARN]
    assert any("says charge" in reason and "(heuristic)" in reason for reason in charge)
    assert any("PYN-001" in reason for reason in charge)
    assert any("PYN-009" in reason for _, _, reason in found["nightly"])


def test_a_task_with_nothing_to_warn_about_passes(target: Target) -> None:
    found = _by_subject(policy_items(target))
    assert found["sync_all"] == [("policy", Mark.PASS, found["sync_all"][0][2])]
    [pyn008] = [(mark, reason) for _, mark, reason in found["call_keyed"] if "PYN-008" in reason]
    assert pyn008[0] is Mark.WARN


def test_the_parallelize_warning_is_conditional_on_calling_parallelize(target: Target) -> None:
    """The doctor cannot see call sites: PYN-008 is said to bite only if the app calls X.parallelize(...)."""
    items = [i for i in policy_items(target) if "PYN-008" in i.reason]
    assert items and all(i.mark is Mark.WARN for i in items)
    for item in items:
        assert item.reason.startswith(f"if you call {item.subject}.parallelize(...) with more than one call")
        assert f"not through {item.subject}.parallelize" in item.fix


def _app(**runner: int) -> Target:
    app = PynencBuilder().app_id("sizing").memory().thread_runner(**runner).build()
    return Target(app=app, spec="sizing", tasks={})


def test_runner_sizing_against_expected_keys(target: Target) -> None:
    assert slots(target.app) == ("ThreadRunner", 8)
    assert runner_items(target, None)[0].mark is Mark.WARN  # not compared without --expected-keys
    assert runner_items(target, 4)[0].mark is Mark.PASS
    few = runner_items(target, 16)[0]
    assert few.mark is Mark.WARN and "at most 8 keys progress at a time" in few.reason
    idle = runner_items(target, 1)[0]
    assert idle.mark is Mark.WARN and "about 7 slots idle" in idle.reason


def _inventory() -> Target:
    """inventory_app: keyed tasks, and no runner configured."""
    sys.path.insert(0, str(ROOT / "tests" / "inventory_app" / "src"))
    try:
        return load("inventory_app.tasks:app")
    finally:
        sys.path.remove(str(ROOT / "tests" / "inventory_app" / "src"))


def test_an_app_on_the_placeholder_runner_gets_the_decision_not_a_slot_count() -> None:
    """No runner_cls configured: pynenc's DummyRunner runs nothing, so no "DummyRunner with 1 slot" sizing."""
    keyed = _inventory()
    assert keyed.app.conf.runner_cls == "DummyRunner" and placeholder(keyed.app) and not placeholder(_app().app)
    for expected in (4, None):
        [item] = runner_items(keyed, expected)
        assert item.mark is Mark.WARN and "no runner configured" in item.reason and "reserve" in item.reason
        assert "slot(s)" not in item.reason and "invocation(s) at once" not in item.reason
        assert "choose the runner" in item.fix
    assert "at least 4 slots" in runner_items(keyed, 4)[0].fix
    assert "--expected-keys N" in runner_items(keyed, None)[0].fix
    [plain] = runner_items(Target(app=keyed.app, spec="inventory", tasks={}), 4)
    assert plain.mark is Mark.PASS and "no runner configured" in plain.reason and "choose the runner" in plain.fix


def test_recovery_against_the_longest_body(target: Target, mistaken: Target) -> None:
    assert [i.mark for i in recovery_items(target, 30)] == [Mark.PASS]
    long_body = recovery_items(target, 900)
    assert long_body[-1].mark is Mark.FAIL and "longer than dead-after (600 s)" in long_body[-1].reason
    kind, count = slots(mistaken.app)
    assert (kind, count) == ("MultiThreadRunner", 8)
    stop = recovery_items(mistaken, 30)[-1]
    assert stop.mark is Mark.FAIL and "PYN-012" in stop.reason and "beyond about 5" in stop.reason


def test_a_dropped_share_threshold_is_a_share_no_more_than_100_percent() -> None:
    """Twice the measured share while that is the lower, else halfway to 100%: never "above 135.8%"."""
    import re

    from pynenc_suite.doctor.alerts import _suggestion

    def thresholds(dropped: float) -> list[float]:
        text = _suggestion(0.0, dropped)
        return [float(x) for x in re.findall(r"exceeds ([0-9.]+)% of calls", text)]

    reserve = _suggestion(0.0, 0.679)  # inventory_app's reserve: 67.9% of calls dropped on the schedules
    assert "above 135.8%" not in reserve and "measured 67.9%" in reserve
    assert thresholds(0.679) == [84.0]  # halfway from 67.9% to 100%
    assert thresholds(0.1) == [20.0]  # twice 10%
    assert thresholds(0.4) == [70.0]  # continuous: halfway is the lower from one third up
    for dropped in (0.01, 0.3, 0.34, 0.5, 0.7, 0.99):
        [x] = thresholds(dropped)
        assert 100 * dropped < x <= 100
    assert "on any rise" in _suggestion(0.0, 0.9999) and "on any CONCURRENCY_CONTROLLED_FINAL" in _suggestion(0.0, 0.0)


def test_the_report_marks_every_item_and_fails_only_on_a_fail() -> None:
    items = [Item("keys", "t.a", Mark.PASS, "fine"), Item("alerts", "t", Mark.PASS, "rates", "alert above 2")]
    assert not failed(items)
    text = markdown("app", items)
    assert "## Key consistency" in text and "**PASS** `t.a`: fine" in text and "suggestion: alert above 2" in text
    assert failed([*items, Item("policy", "t", Mark.FAIL, "bad", "fix it")])


def test_the_command_on_a_mistaken_app_exits_1_with_markdown_and_json(tmp_path: Path) -> None:
    """From another directory, on an app the gate would refuse: every mistake is an item, not an exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "doctor", DOCTOR_APP, "--expected-keys", "4", "--max-body-seconds", "20",
         "--json", str(tmp_path / "doctor.json")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "# pynenc-suite doctor: `tests.apps.doctor_app:app`" in done.stdout
    report = json.loads((tmp_path / "doctor.json").read_text())
    assert report["failed"] is True
    areas = {item["area"] for item in report["items"]}
    assert areas == {"keys", "policy", "runners", "recovery", "alerts"}
    alerts = {item["subject"] for item in report["items"] if item["area"] == "alerts"}
    assert alerts == {"dedup_only", "charge_card", "nightly", "lookup"}  # the tasks pynenc can enforce


def test_bad_input_is_one_line() -> None:
    done = subprocess.run([sys.executable, "-m", "pynenc_suite", "doctor", "nowhere.tasks:app"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


def test_a_union_whose_types_a_caller_may_mix_is_a_key_warning(mistaken: Target) -> None:
    from pynenc_suite.doctor.keys import key_items

    items = key_items(mistaken, ["lookup"])
    risks = [i for i in items if i.mark is Mark.WARN and "two types a caller may mix" in i.reason]
    assert risks and all(i.subject == "lookup.account_id" for i in risks)
    assert not failed(items)


def test_a_key_whose_every_class_keys_correctly_passes() -> None:
    """UUID keys (inventory_app's ``reserve``): no class of the declared type splits, collapses or moves."""
    import sys

    from pynenc_suite.doctor.keys import key_items

    sys.path.insert(0, str(ROOT / "tests" / "inventory_app" / "src"))
    try:
        items = key_items(load("inventory_app.tasks:app"), ["reserve"])
    finally:
        sys.path.remove(str(ROOT / "tests" / "inventory_app" / "src"))
    assert [(i.subject, i.mark) for i in items] == [("reserve.warehouse_id", Mark.PASS)]
