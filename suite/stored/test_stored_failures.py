"""``gate --database``: every failing example the database holds for the app's properties, replayed before the
gate's own examples (:func:`pynenc_suite.tiers.fuzz.replay_stored`), with the gate's verdict, folder and replay."""

from __future__ import annotations

import pytest

from pynenc_suite.active import options, target_for
from pynenc_suite.example_db import open_database
from pynenc_suite.tiers.fuzz import FuzzCase, cases_for, replay_stored


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "stored_case" in metafunc.fixturenames:
        params = [pytest.param(case, id=f"{case.task}-{case.rule}") for case in cases_for(target_for(), saves=True)]
        metafunc.parametrize("stored_case", params)


def test_stored_failures(stored_case: FuzzCase) -> None:
    """No failing example stored for this property fails here (those showing a recorded finding are set aside)."""
    location = options().database
    assert location is not None  # the plugin collects this module only with --database
    replay_stored(stored_case, open_database(location))
