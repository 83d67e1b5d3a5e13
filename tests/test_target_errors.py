"""Mistakes a user can make with --pynenc-app get one clear line, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pynenc_suite.apps.target import TargetError, load
from pynenc_suite.engines.plugins import unusable_reason

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("justamodule", "expected 'package.module:app_attribute'"),
        ("no_such_module:app", "cannot import module 'no_such_module'"),
        ("tests.apps.broken_import:app", "No module named 'a_module_that_does_not_exist'"),
        ("tests.apps.no_controlled:nope", "has no attribute 'nope'"),
        ("tests.apps.no_controlled:not_an_app", "not a pynenc.Pynenc app"),
        ("tests.apps.no_controlled:app", "no task has a concurrency policy"),
        ("tests.apps.bad_keys:app", "key_arguments ['acount_id'] name no parameter of charge(account_id, amount)"),
        ("tests.apps.empty_keys:app", "uses KEYS concurrency but key_arguments is empty"),
        (
            "tests.apps.variadic_keys:app",
            "key_arguments ['opts'] name a variadic parameter of configure(tenant: str, **opts: str)",
        ),
        (
            "tests.apps.same_names:app",
            "tasks tests.apps.same_names.billing.charge, tests.apps.same_names.legacy.charge share a function name",
        ),
    ],
)
def test_bad_target_is_one_clear_message(spec: str, expected: str) -> None:
    with pytest.raises(TargetError) as error:
        load(spec)
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    "command",
    [
        ("-m", "pynenc_suite", "gate", "tests.apps.bad_keys:app"),
        ("-m", "pytest", "--pynenc-app=tests.apps.bad_keys:app", "-p", "no:xdist"),
    ],
    ids=["pynenc-suite", "pytest"],
)
def test_a_bad_app_is_one_line_and_exit_status_2(command: tuple[str, ...]) -> None:
    result = _run(*command)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "acount_id" in line]
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert len(lines) == 1 and "key_arguments ['acount_id'] name no parameter" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_an_engine_whose_plugin_cannot_run_with_this_pynenc_is_one_line_and_exit_status_2() -> None:
    reason = unusable_reason("redis")
    if reason is None:
        pytest.skip("pynenc-redis runs with the installed pynenc")
    result = _run("-m", "pynenc_suite", "gate", "--engine=redis")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"pynenc-suite: {reason}"]
    assert "PYN-010" in reason or "pip install" in reason


def test_user_app_keeps_real_task_objects_with_probe_bodies() -> None:
    target = load("tests.apps.user_app:app")
    assert set(target.controlled) == {"sync_customer", "rebuild_index"}
    task = target.tasks["sync_customer"]
    original = task.func
    with target.probes():
        assert task.func is not original
        assert task.func.__wrapped__ is original
    assert task.func is original


def test_gate_runs_every_property_on_a_user_app() -> None:
    result = _run(
        "-m", "pynenc_suite", "gate", "tests.apps.user_app:app", "--hypothesis-profile=smoke", "-p", "no:xdist",
        "-k", "test_property", "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert "14 passed" in result.stdout, result.stdout[-1000:]  # 7 rules on each of its two controlled tasks


def test_a_normaliser_that_raises_on_a_value_of_its_type_is_bad_input_in_one_line() -> None:
    """Never a dropped call, never a pass, never a traceback: exit 2 before any test runs, one line naming the
    normaliser, the argument, the simplest value it raised on, and what to change."""
    result = _run(
        "-m", "pynenc_suite", "gate", "--key-normalisers=tests.apps.crashing_normaliser:NORMALISERS",
        "--hypothesis-profile=smoke", "-p", "no:xdist", "-k", "call_keyed-no-overlap", "-q",
    )  # fmt: skip
    assert result.returncode == 2 and result.stdout == "", result.stdout[-3000:]
    [line] = result.stderr.strip().splitlines()
    assert "only_for_mondays of call_keyed.account_id raised ValueError: not on a Tuesday on 'a'" in line
    assert "widen the normaliser" in line and "narrower type" in line


@pytest.mark.parametrize(
    ("entry", "says"), [("NO_SUCH_TASK", "no task 'call_keyd'"), ("NO_SUCH_ARGUMENT", "has no parameter 'acount_id'")]
)
def test_a_normaliser_naming_no_task_or_argument_is_bad_input_in_one_line(entry: str, says: str) -> None:
    result = _run("-m", "pynenc_suite", "gate", f"--key-normalisers=tests.apps.normalisers:{entry}", "-q")
    assert result.returncode == 2, result.stdout[-2000:]
    [line] = result.stderr.strip().splitlines()
    assert says in line
