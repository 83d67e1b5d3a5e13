"""Fuzzing beyond one machine: example database locations, the fuzz targets' keys, and ``gate --database``, which
replays every failing example a fuzz run stored for the app (deterministically, as the gate judges) before its own.

The stored examples here are written by Hypothesis itself under a fuzz target's key, as HypoFuzz writes them (the
fuzz command and HypoFuzz are exercised by ``tox -e fuzz``, which has the optional extra).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase, InMemoryExampleDatabase

from pynenc_suite.apps import REFERENCE_APP
from pynenc_suite.example_db import DatabaseError, open_database
from pynenc_suite.tiers.fuzz import INDEX, FuzzCase, database_key, keyed_target, stored
from pynenc_suite.verdicts import PropertyViolation
from tests.regressions import key_index_paged

ROOT = Path(__file__).resolve().parent.parent
CASE = FuzzCase(REFERENCE_APP, "call_keyed", "no-overlap")


def test_a_location_names_one_database_per_process(tmp_path: Path) -> None:
    directory = open_database(str(tmp_path / "db"))
    assert isinstance(directory, DirectoryBasedExampleDatabase)
    assert open_database(str(tmp_path / "db")) is directory  # HypoFuzz compares the profile's database by identity
    assert type(open_database("github:owner/repo")).__name__ == "GitHubArtifactDatabase"


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("redis://127.0.0.1:1/0", "cannot reach Redis"),
        ("github:owner", "expected github:OWNER/REPO"),
        ("https://example.org/db", "expected a directory"),
    ],
)
def test_a_location_that_names_no_database_is_one_line(location: str, says: str) -> None:
    with pytest.raises(DatabaseError) as error:
        open_database(location)
    assert says in str(error.value) and "\n" not in str(error.value)


class _Recording(InMemoryExampleDatabase):
    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[bytes] = []

    def fetch(self, key: bytes):  # type: ignore[no-untyped-def]
        self.fetched.append(key)
        return super().fetch(key)


def test_the_key_is_the_one_hypothesis_reads() -> None:
    """:func:`database_key` is where Hypothesis (and HypoFuzz, which keys by the same node id) keeps the target's
    failures: a Hypothesis upgrade that changes the derivation fails here, not silently in a team's CI."""
    database = _Recording()
    try:
        settings(database=database, phases=(Phase.reuse,), derandomize=False)(keyed_target(CASE))(case=CASE)
    except unittest.SkipTest:  # some Hypothesis releases skip a test that had no example to reuse, after reading
        pass
    assert database.fetched and database.fetched[0] == database_key(CASE)
    other = FuzzCase("other.app:app", CASE.task, CASE.rule)
    assert database_key(other) != database_key(CASE)  # two apps sharing one database never meet


def _store_failures(location: Path, monkeypatch: pytest.MonkeyPatch) -> ExampleDatabase:
    """Hypothesis finds a failure of ``CASE`` on a pynenc whose key index answers in pages of 3, and stores it
    under the fuzz target's key (as a fuzz run does; not shrunk, to keep this test short)."""
    database = DirectoryBasedExampleDatabase(str(location))
    with monkeypatch.context() as patch:
        key_index_paged(patch, 3)
        for _ in range(20):  # random search (as a fuzz run's): about one attempt in two finds it
            test = settings(database=database, derandomize=False, max_examples=100, deadline=None, print_blob=False,
                            phases=(Phase.generate,))(keyed_target(CASE))  # fmt: skip
            try:
                test(case=CASE)
            except PropertyViolation:
                break
    assert stored(database, CASE)
    return database


def _gate(location: Path, *args: str, cwd: Path, page: int | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **({"PYNENC_SUITE_KEY_PAGE": str(page)} if page else {})}
    return subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "gate", "--database", str(location), "--artefacts", str(cwd / "out"),
         "-p", "no:xdist", "-p", "no:randomly", "-k", "test_stored_failures", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip


def test_the_gate_replays_stored_failures_the_same_way_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the regression, the stored example fails at once, with its folder and replay, the same each time; a
    property the app no longer has is ignored with one line; without the regression, the gate passes again."""
    location = tmp_path / "examples"
    database = _store_failures(location, monkeypatch)
    gone = FuzzCase(REFERENCE_APP, "a_task_removed_since", "no-overlap")
    database.save(INDEX + REFERENCE_APP.encode(), json.dumps([gone.task, gone.rule]).encode())
    database.save(database_key(gone), b"\x00")
    before = {path: path.read_bytes() for path in location.rglob("*") if path.is_file()}

    runs = []
    for _ in range(2):
        result = _gate(location, "-p", "tests.plugins.key_index_paged", cwd=tmp_path, page=3)
        folders = sorted((tmp_path / "out" / "failures").iterdir())
        assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
        assert len(folders) == 1, folders
        runs.append((result.stdout, (folders[0] / "schedule.json").read_text()))
    (first_out, first_schedule), (second_out, second_schedule) = runs
    assert first_schedule == second_schedule
    assert "replay: pynenc-suite replay" in first_out
    lines = [line for line in first_out.splitlines() if line.startswith("pynenc-suite: database")]
    assert any("a_task_removed_since / no-overlap ignored" in line for line in lines), first_out[:3000]
    assert {path: path.read_bytes() for path in location.rglob("*") if path.is_file()} == before  # read-only

    fixed = _gate(location, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout[-3000:] + fixed.stderr[-2000:]
