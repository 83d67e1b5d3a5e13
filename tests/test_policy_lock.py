"""The policy lock: every kind of policy change is named with what it means for callers; bad locks are one line."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pynenc_suite.apps.target import Target
from pynenc_suite.policy_lock import check as policy_lock
from pynenc_suite.policy_lock.diff import policy_diff
from pynenc_suite.policy_lock.lock_file import LockError, dumps, read, snapshot

KEYED = "pynenc_suite.apps.reference.call_keyed"
TRANSFER = "pynenc_suite.apps.reference.transfer"
REFRESH = "pynenc_suite.apps.reference.refresh_once"


@pytest.fixture()
def locked(target: Target) -> dict:
    return snapshot(target)


def _changed(locked: dict, task: str, **fields: object) -> list[str]:
    current = copy.deepcopy(locked)
    current["tasks"][task].update(fields)
    (change,) = policy_diff(locked, current)
    assert change.task == task
    return list(change.consequences)


def test_an_unchanged_app_has_no_diff(locked: dict) -> None:
    assert policy_diff(locked, copy.deepcopy(locked)) == []


def test_reroute_flipped_both_ways(locked: dict) -> None:
    (line,) = _changed(locked, KEYED, reroute=False)
    assert "blocked calls now end CONCURRENCY_CONTROLLED_FINAL; their `result` raises" in line
    flipped = copy.deepcopy(locked)
    flipped["tasks"][KEYED]["reroute"] = False
    (change,) = policy_diff(flipped, locked)
    assert "reroute False -> True" in change.consequences[0]


def test_a_key_argument_removed_or_added(locked: dict) -> None:
    (removed,) = _changed(locked, TRANSFER, key_arguments=["region"], key_types={"region": "str"})
    assert removed == "key argument `account_id` removed: calls that differ only in `account_id` now exclude each other"
    (added,) = _changed(locked, KEYED, key_arguments=["account_id", "op"], key_types={"account_id": "str", "op": "str"})
    assert added == "key argument `op` added: calls for the same `account_id` with different `op` may now overlap"


def test_running_mode_and_registration(locked: dict) -> None:
    (mode,) = _changed(locked, KEYED, running="task")
    assert mode.startswith("running concurrency keys -> task: exclusion moves from one call per (account_id)")
    (registration,) = _changed(locked, KEYED, registration="keys")
    assert "enqueues while an equal one is REGISTERED now return the existing invocation" in registration
    (dropped,) = _changed(locked, REFRESH, registration="disabled")
    assert "every enqueue now creates a new invocation" in dropped


def test_retries(locked: dict) -> None:
    (retries,) = _changed(locked, KEYED, max_retries=3)
    assert retries == "max_retries 0 -> 3: a failing call now runs up to 4 time(s) (was 1)"
    (retry_for,) = _changed(locked, KEYED, retry_for=["builtins.TimeoutError", "pynenc.exceptions.RetryError"])
    assert retry_for == "retry_for changed: now retried on builtins.TimeoutError"


def test_a_key_type_changed(locked: dict) -> None:
    (typed,) = _changed(locked, KEYED, key_types={"account_id": "uuid.UUID"})
    assert typed.startswith("key argument `account_id` typed str -> uuid.UUID")


def test_tasks_added_removed_and_renamed(locked: dict) -> None:
    current = copy.deepcopy(locked)
    current["tasks"]["billing.new_task"] = current["tasks"].pop(KEYED)  # same policy, new id: renamed
    del current["tasks"][TRANSFER]
    current["tasks"]["billing.other"] = {**locked["tasks"][TRANSFER], "running": "task"}
    changes = {c.task: c.what for c in policy_diff(locked, current)}
    assert changes["billing.new_task"] == f"renamed from {KEYED}, same policy"
    assert changes[TRANSFER].startswith("removed (was running keys")
    assert changes["billing.other"].startswith("added (running task")


def test_bad_locks_are_one_line(tmp_path: Path, locked: dict) -> None:
    path = tmp_path / "pynenc-policies.lock"
    app = locked["app"]
    for content, expected in [
        ("{not json", "cannot be read as JSON"),
        (json.dumps({"format": "something else", "tasks": {}}), "not a pynenc-suite-policy-lock/1 file"),
        (dumps({**locked, "app": "another_app"}), "written for app 'another_app'"),
        (dumps({**locked, "tasks": {KEYED: {**locked["tasks"][KEYED], "colour": "red"}}}), "unknown field(s) colour"),
    ]:
        path.write_text(content)
        with pytest.raises(LockError, match="policy lock") as caught:
            read(path, app)
        assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_the_gate_stops_on_a_changed_policy_and_the_lock_command_accepts_it(tmp_path: Path, locked: dict) -> None:
    """From another directory: a lock that typed call_keyed's account as int makes the gate exit 1 with the
    diff (and its Markdown) before running anything; ``lock --update`` accepts; the gate then goes on.
    (A change of types only is not measured; tests/test_policy_consequences.py measures changed options.)"""
    changed = copy.deepcopy(locked)
    changed["tasks"][KEYED]["key_types"] = {"account_id": "int"}
    (tmp_path / "pynenc-policies.lock").write_text(dumps(changed))

    def suite(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pynenc_suite", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    gate = suite("gate", "-q", "-k", "test_status_graph")
    assert gate.returncode == 1, gate.stdout[-2000:] + gate.stderr[-2000:]
    assert "typed int -> str" in gate.stdout and "passed" not in gate.stdout and "measured" not in gate.stdout
    assert "typed int -> str" in (tmp_path / ".pynenc-suite" / "policy-diff.md").read_text()
    assert suite("lock", "pynenc_suite.apps.reference:app").returncode == 1  # nothing overwritten without --update
    assert suite("lock", "pynenc_suite.apps.reference:app", "--update").returncode == 0
    assert json.loads((tmp_path / "pynenc-policies.lock").read_text()) == locked
    assert suite("gate", "-q", "-p", "no:xdist", "-k", "test_status_graph").returncode == 0


def _lock_saying(tmp_path: Path, locked: dict, change: dict) -> Path:
    """A lock as it was before the app changed: ``change`` maps a task id to the fields it had then (None: absent)."""
    old = copy.deepcopy(locked)
    for task, fields in change.items():
        if fields is None:
            del old["tasks"][task]
        else:
            old["tasks"][task] = {**old["tasks"].get(task, locked["tasks"][KEYED]), **fields}
    path = tmp_path / "pynenc-policies.lock"
    path.write_text(dumps(old))
    return path


EVERY_KIND = {
    "mode": ({KEYED: {"running": "task"}}, "running concurrency task -> keys"),
    "key argument removed": (
        {TRANSFER: {"key_arguments": ["account_id", "region", "amount"]}},
        "key argument `amount` removed",
    ),
    "key argument added": (
        {TRANSFER: {"key_arguments": ["account_id"], "key_types": {"account_id": "str"}}},
        "key argument `region` added",
    ),
    "reroute on": ({KEYED: {"reroute": False}}, "reroute False -> True"),
    "reroute off": ({"pynenc_suite.apps.reference.call_keyed_drop": {"reroute": True}}, "reroute True -> False"),
    "registration": ({REFRESH: {"registration": "disabled"}}, "registration concurrency disabled -> keys"),
    "retries": ({KEYED: {"max_retries": 2}}, "max_retries 2 -> 0"),
    "task added": ({KEYED: None}, "added (running keys, registration disabled, keys (account_id)"),
    "task removed": ({"billing.gone": {"running": "task"}}, "removed (was running task"),
    "key type": ({KEYED: {"key_types": {"account_id": "int"}}}, "typed int -> str"),
}


@pytest.mark.parametrize("kind", EVERY_KIND)
def test_every_kind_of_change_stops_the_gate(
    kind: str, target: Target, locked: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each kind of change gives its diff entry and stops the gate (exit 1); what is measured for it is
    tested in tests/test_policy_consequences.py, so the measurement is left out here."""
    monkeypatch.setattr(policy_lock, "measure_changes", lambda *args: {})
    change, entry = EVERY_KIND[kind]
    with pytest.raises(policy_lock.PolicyChanged) as caught:
        policy_lock.check(target, _lock_saying(tmp_path, locked, change), False, tmp_path / "artefacts")
    assert entry in str(caught.value)
    assert entry in (tmp_path / "artefacts" / policy_lock.DIFF_FILE).read_text()


def test_a_renamed_task_is_one_entry(target: Target, locked: dict, tmp_path: Path) -> None:
    old = copy.deepcopy(locked)
    old["tasks"]["billing.old_name"] = old["tasks"].pop(KEYED)
    (tmp_path / "pynenc-policies.lock").write_text(dumps(old))
    with pytest.raises(policy_lock.PolicyChanged, match=f"{KEYED}: renamed from billing.old_name, same policy"):
        policy_lock.check(target, tmp_path / "pynenc-policies.lock", False, tmp_path)


def test_an_unchanged_app_runs_nothing_extra(
    target: Target, locked: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object) -> dict:
        raise AssertionError("an unchanged app is measured")

    monkeypatch.setattr(policy_lock, "measure_changes", never)
    (tmp_path / "pynenc-policies.lock").write_text(dumps(locked))
    assert policy_lock.check(target, tmp_path / "pynenc-policies.lock", True, tmp_path).endswith("matches the app")
    assert not (tmp_path / policy_lock.DIFF_FILE).exists()
