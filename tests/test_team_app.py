"""A team's app outside the suite's folders, typed keys and all, run from another working directory.

``tests/inventory_app`` is importable only through ``PYTHONPATH``: the gate, its key
probes in other processes and its audit must all find it there.  Its keys are typed
``UUID``, ``PurePath``, a frozen dataclass, a ``StrEnum``, ``datetime`` and an email
``str`` with a ``str.casefold`` normaliser: four of them split values the app's code
treats as one (the enum's raw value, a concrete path for a pure one, one instant in
two zones, an email's case), and only a ``str`` admits values of other types.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("team-app")  # one worker runs the team app's gate, once

APP_SOURCE = Path(__file__).resolve().parent / "inventory_app" / "src"
TEAM_FAILURES = {
    "keys-count_bin-zone-split-enum-value",
    "keys-import_manifest-manifest-split-path-flavour",
    "keys-schedule_pickup-due-split-timezone",
    "keys-notify-email-split-normaliser_lower",
}


@dataclass
class Run:
    done: subprocess.CompletedProcess
    cwd: Path


@pytest.fixture(scope="session")  # session: xdist may interleave other modules' tests with these
def audit_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    elsewhere = tmp_path_factory.mktemp("team-repo")
    env = {**os.environ, "PYTHONPATH": str(APP_SOURCE)}
    done = subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "gate", "inventory_app.tasks:app",
         "--key-normalisers=inventory_app.keys:NORMALISERS", "--hypothesis-profile=smoke", "-p", "no:xdist",
         "-k", "key_consistency or (test_property and no-overlap)", "-q", "-rA"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return Run(done, elsewhere)


def _outcomes(output: str, test: str) -> dict[str, str]:
    """Test id -> PASSED / FAILED / XFAIL for one test function, from ``-rA``'s short summary."""
    return {m[1]: m[0] for m in re.findall(rf"^(PASSED|FAILED|XFAIL) \S*::{test}\[([^\]]+)\]", output, re.M)}


def test_the_gate_runs_on_an_app_found_only_through_pythonpath(audit_run: Run) -> None:
    """The properties run on the app; the only failures are the app's own key splits (exit 1, never 2 or 3)."""
    out = audit_run.done.stdout
    assert audit_run.done.returncode == 1, out[-3000:] + audit_run.done.stderr[-2000:]
    assert set(_outcomes(out, "test_property").values()) == {"PASSED"}
    failed = {i for i, o in _outcomes(out, "test_values_your_code_treats_as_one_get_one_key").items() if o == "FAILED"}
    assert failed == {"count_bin-zone", "import_manifest-manifest", "schedule_pickup-due", "notify-email"}


def test_each_split_of_the_apps_equality_writes_its_folder(audit_run: Run) -> None:
    failures = audit_run.cwd / ".pynenc-suite" / "failures"
    assert {folder.name for folder in failures.iterdir()} == TEAM_FAILURES


def test_only_a_str_argument_is_tried_with_values_of_other_types(audit_run: Run) -> None:
    others = _outcomes(audit_run.done.stdout, "test_values_of_other_types_get_one_key")
    assert others == {"notify-email-strenum-value": "XFAIL", "notify-email-str-subclass": "XFAIL"}


def test_the_cross_process_check_imports_the_app_in_every_probe(audit_run: Run) -> None:
    across = _outcomes(audit_run.done.stdout, "test_keys_do_not_depend_on_the_process")
    assert len(across) == 6 and set(across.values()) == {"PASSED"}


def test_tests_of_the_reference_app_are_not_applicable_not_skipped(audit_run: Run) -> None:
    out = audit_run.done.stdout
    assert "not applicable to this app: 48 tests of the suite's reference app" in out
    assert "SKIPPED" not in out
