"""A policy change's measured consequences: counted from histories, the old policy rebuilt on the task,
the locked contract checked against the app as it is, and the same numbers from the same seed."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pynenc_suite.apps.target import Target, load
from pynenc_suite.artefacts.replay import replay
from pynenc_suite.history.metrics import Counts
from pynenc_suite.history.model import Mode, TaskPolicy, build
from pynenc_suite.policy_lock import consequences
from pynenc_suite.policy_lock.lock_file import snapshot
from pynenc_suite.policy_lock.swap import NotRebuildable, configured_as, options_changed

KEYED = "pynenc_suite.apps.reference.call_keyed"
TRANSFER = "pynenc_suite.apps.reference.transfer"
POLICY = TaskPolicy("t", running=Mode.KEYS, key_arguments=("a",), reroute=True)


def _status(inv: str, status: str) -> dict:
    return {"kind": "status", "invocation_id": inv, "task": "t", "status": status}


def test_counts_from_a_hand_made_history() -> None:
    history = build(
        [
            {"kind": "enqueue", "invocation_id": "i1", "task": "t", "key": "x"},
            {"kind": "enqueue", "invocation_id": "i2", "task": "t", "key": "x"},
            {"kind": "reused", "invocation_id": "i1", "task": "t", "key": "x"},
            {"kind": "enqueue", "invocation_id": "i3", "task": "t", "key": "y"},
            _status("i1", "running"),
            {"kind": "provider_start", "invocation_id": "i1", "task": "t", "worker": "r0", "key": "x"},
            _status("i2", "concurrency_controlled"),
            _status("i2", "rerouted"),
            _status("i2", "running"),
            {"kind": "provider_start", "invocation_id": "i2", "task": "t", "worker": "r1", "key": "x"},
            {"kind": "provider_end", "invocation_id": "i1", "task": "t", "worker": "r0", "key": "x", "outcome": "ok"},
            {"kind": "provider_end", "invocation_id": "i2", "task": "t", "worker": "r1", "key": "x", "outcome": "ok"},
            _status("i1", "success"),
            _status("i2", "success"),
            _status("i3", "concurrency_controlled_final"),
            {"kind": "enqueue", "invocation_id": "p1", "task": "t", "key": "x", "probe": True},
            {"kind": "provider_start", "invocation_id": "p1", "task": "t", "worker": "r0", "key": "x"},
            _status("p1", "concurrency_controlled"),
        ],
        [POLICY],
    )
    assert Counts.of(history, "t") == Counts(
        histories=1, calls=4, dropped=1, completed=2, overlaps=1, collapsed=1, reroutes=1, provider_calls=2
    )


def test_counts_add_up_and_give_the_reported_ratios() -> None:
    total = Counts(1, calls=4, dropped=1, completed=2, reroutes=3, provider_calls=2) + Counts(1, calls=4, completed=2)
    assert (total.histories, total.calls, total.completed) == (2, 8, 4)
    assert (total.dropped_share, total.reroutes_per_completed, total.provider_calls_per_call) == (1 / 8, 3 / 4, 2 / 8)
    assert Counts().dropped_share == 0.0


def test_the_locked_policy_is_rebuilt_on_the_task_and_restored(target: Target) -> None:
    task = target.tasks["transfer"]
    entry = dict(snapshot(target)["tasks"][TRANSFER], key_arguments=["region"], reroute=False)
    with configured_as(task, entry):
        assert task.conf.key_arguments == ("region",)
        assert task.conf.reroute_on_concurrency_control is False
    assert task.conf.key_arguments == ("account_id", "region")
    assert task.conf.reroute_on_concurrency_control is True


def test_a_locked_policy_the_function_cannot_take_is_not_rebuildable(target: Target) -> None:
    locked = snapshot(target)["tasks"][TRANSFER]
    with (
        pytest.raises(NotRebuildable, match="name no parameter"),
        configured_as(target.tasks["transfer"], dict(locked, key_arguments=["iban"])),
    ):
        pass
    with (
        pytest.raises(NotRebuildable, match="no longer an importable exception"),
        configured_as(target.tasks["transfer"], dict(locked, retry_for=["mypkg.errors.Gone"])),
    ):
        pass
    assert target.tasks["transfer"].conf.key_arguments == ("account_id", "region")


def test_only_a_change_of_options_is_measured(target: Target) -> None:
    locked = snapshot(target)["tasks"][TRANSFER]
    assert not options_changed(locked, dict(locked, key_types={"account_id": "int", "region": "str"}))
    assert options_changed(locked, dict(locked, max_retries=3))


SMALL = consequences.Budget(profile="engine")  # 20 examples per locked rule


@pytest.fixture()
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consequences, "SCHEDULES", 25)


@pytest.mark.usefixtures("small_budget")
def test_reroute_turned_off_drops_calls_and_breaks_the_locked_contract(target: Target, tmp_path: Path) -> None:
    locked = snapshot(target)
    entry = locked["tasks"][KEYED]
    with configured_as(target.tasks["call_keyed"], dict(entry, reroute=False)):
        changed = load()
        measured = consequences.measure_changes(changed, locked, snapshot(changed), tmp_path, SMALL)
        (result,) = measured.values()
        assert isinstance(result, consequences.Consequences)
        assert (result.locked.dropped, result.current.dropped > 0) == (0, True)
        assert result.locked.reroutes > 0 and result.current.reroutes == 0
        assert {b.rule for b in result.broken} == {"drop-semantics", "reroute-preserves-work"}
        assert "no-overlap" in result.kept
        text = result.text()
        assert "enqueues dropped (CONCURRENCY_CONTROLLED_FINAL)  0.0%" in text
        assert "replay: pynenc-suite replay" in text and "minimal schedule: Schedule(" in text
        assert (tmp_path / consequences.FOLDER / "call_keyed-reroute-preserves-work" / "report.html").exists()
        # The counterexample replays against the app as it is, judged by the locked contract.
        assert replay(tmp_path / consequences.FOLDER / "call_keyed-reroute-preserves-work")
    # With the app back as locked, the folder no longer stands for this configuration.
    assert not replay(tmp_path / consequences.FOLDER / "call_keyed-reroute-preserves-work")


@pytest.mark.usefixtures("small_budget")
def test_a_dropped_key_argument_blocks_other_accounts(target: Target, tmp_path: Path) -> None:
    locked = snapshot(target)
    with configured_as(target.tasks["transfer"], dict(locked["tasks"][TRANSFER], key_arguments=["region"])):
        changed = load()
        (result,) = consequences.measure_changes(changed, locked, snapshot(changed), tmp_path, SMALL).values()
    assert isinstance(result, consequences.Consequences)
    assert result.current.reroutes > result.locked.reroutes
    assert [b.rule for b in result.broken] == ["drop-semantics"]
    assert "while no other same-key invocation was pending/running" in result.broken[0].proof


def test_the_same_seed_gives_the_same_numbers(target: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consequences, "SCHEDULES", 15)
    entry = dict(snapshot(target)["tasks"][KEYED], reroute=False)
    judged = consequences.judged_by_lock(target, "call_keyed", entry)
    first = consequences.counts(judged, "call_keyed", entry, seed=3)
    assert consequences.counts(judged, "call_keyed", copy.deepcopy(entry), seed=3) == first
    assert first[0].dropped > 0  # the locked policy (reroute False) drops; the app (reroute True) does not
    assert first[1].dropped == 0


BILLING = """
from pynenc import PynencBuilder
from pynenc.conf.config_task import ConcurrencyControlType as CC

app = PynencBuilder().app_id("billing").memory().thread_runner(min_threads=1, max_threads=4).build()


@app.task(running_concurrency=CC.KEYS, key_arguments=("account_id",), reroute_on_concurrency_control=True)
def charge(account_id: str, cents: int) -> None:
    raise RuntimeError("the suite replaces this body by a recording probe")
"""


def _measured_lines(output: str) -> list[str]:
    start = output.index("measured on")
    return [line.strip() for line in output[start:].splitlines()[:7]]


def test_a_team_app_edited_after_locking_fails_with_measured_consequences(tmp_path: Path) -> None:
    """As a team would: an app outside this repository, locked, then edited to drop blocked calls.
    The command and the pytest route (under another hash seed, so measured in a child) print the same numbers,
    and the counterexample replays."""
    (tmp_path / "billing.py").write_text(BILLING)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED", "PYTHONPATH")}

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                              env={**env, **extra})  # fmt: skip

    assert run("-m", "pynenc_suite", "lock", "billing:app").returncode == 0
    (tmp_path / "billing.py").write_text(
        BILLING.replace("reroute_on_concurrency_control=True", "reroute_on_concurrency_control=False")
    )

    gate = run("-m", "pynenc_suite", "gate", "billing:app", "--hypothesis-profile", "smoke")
    assert gate.returncode == 1, gate.stdout[-3000:] + gate.stderr[-3000:]
    assert "reroute True -> False: blocked calls now end CONCURRENCY_CONTROLLED_FINAL" in gate.stdout
    assert "the locked contract now fails: drop-semantics, reroute-preserves-work" in gate.stdout
    measured = _measured_lines(gate.stdout)
    assert measured[1].startswith("enqueues dropped (CONCURRENCY_CONTROLLED_FINAL)  0.0% (0/")

    routed = run("-m", "pytest", "-p", "no:cacheprovider", "--pynenc-app=billing:app", "--pynenc-profile=smoke",
                 PYTHONHASHSEED="12345")  # fmt: skip
    assert routed.returncode == 1, routed.stdout[-3000:] + routed.stderr[-3000:]
    assert _measured_lines(routed.stderr) == measured

    folder = tmp_path / ".pynenc-suite" / consequences.FOLDER / "charge-reroute-preserves-work"
    again = run("-m", "pynenc_suite", "replay", str(folder))
    assert again.returncode == 0 and "judged by the locked contract" in again.stdout, again.stdout + again.stderr
