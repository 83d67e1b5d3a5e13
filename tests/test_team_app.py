"""A team's app outside the suite's folders, typed keys and all, run from another working directory.

``tests/inventory_app`` is importable only through ``PYTHONPATH``: the gate, its key
probes in other processes and its audit must all find it there.  Its keys are typed
``UUID``, ``PurePath``, a frozen dataclass, an enum, ``datetime`` and an email ``str``
with a normaliser; the audit must try only the value classes those types admit.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("team-app")  # one worker runs the team app's gate, once

APP_SOURCE = Path(__file__).resolve().parent / "inventory_app" / "src"
ADMITTED = {
    ("reserve", "warehouse_id"): {"equal-copies"},
    ("import_manifest", "manifest"): {"equal-copies", "path-pure-concrete"},
    ("count_bin", "bin"): {"equal-copies"},
    ("count_bin", "zone"): {"equal-copies"},
    ("schedule_pickup", "due"): {"equal-copies", "datetime-timezone"},
    ("notify", "email"): {"equal-copies", "strenum-value", "str-subclass", "unicode-nfc-nfd"},
}


@pytest.fixture(scope="session")  # session: xdist may interleave other modules' tests with these
def audit_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess:
    elsewhere = tmp_path_factory.mktemp("team-repo")
    env = {**os.environ, "PYTHONPATH": str(APP_SOURCE)}
    return subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "gate", "inventory_app.tasks:app",
         "--key-normalisers=inventory_app.keys:NORMALISERS", "--hypothesis-profile=smoke", "-p", "no:xdist",
         "-k", "key_consistency or (test_property and no-overlap)", "-q"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def _audit_rows(output: str) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
    """(task, argument) -> class -> (verdict, same in all processes), from the audit table."""
    rows: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    table = output.split("key serialization audit", 1)[1]
    for line in table.splitlines():
        match = re.match(r"^(\w+)\s+(\w+)\s+([\w-]+)\s+([\w-]+)\s+(yes|NO|-)\s", line)
        if match:
            task, argument, cls, verdict, stable = match.groups()
            rows.setdefault((task, argument), {})[cls] = (verdict, stable)
    return rows


def test_the_gate_runs_on_an_app_found_only_through_pythonpath(audit_run: subprocess.CompletedProcess) -> None:
    assert audit_run.returncode == 0, audit_run.stdout[-3000:] + audit_run.stderr[-2000:]
    assert re.search(r"\b\d+ passed", audit_run.stdout.splitlines()[-1])
    assert not re.search(r"\b\d+ (failed|error)", audit_run.stdout.splitlines()[-1])


def test_the_audit_tries_only_what_the_declared_types_admit(audit_run: subprocess.CompletedProcess) -> None:
    rows = _audit_rows(audit_run.stdout)
    assert {key: set(classes) for key, classes in rows.items()} == ADMITTED


def test_the_audit_reports_the_pure_and_concrete_path_split(audit_run: subprocess.CompletedProcess) -> None:
    assert _audit_rows(audit_run.stdout)[("import_manifest", "manifest")]["path-pure-concrete"][0] == "split"


def test_the_cross_process_check_imports_the_app_in_every_probe(audit_run: subprocess.CompletedProcess) -> None:
    stable = {row[1] for classes in _audit_rows(audit_run.stdout).values() for row in classes.values()}
    assert stable == {"yes"}
