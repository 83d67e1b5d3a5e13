"""The gate's properties as fuzz targets for HypoFuzz (``pynenc-suite fuzz``): fixture-free, one per task and rule.

Collected only by the fuzz command, with this folder as pytest's rootdir: a target's node id is part of the key
its failing examples are stored under (:mod:`pynenc_suite.tiers.fuzz`), which ``gate --database`` replays.
"""

from __future__ import annotations

import pytest

from pynenc_suite.active import target_for
from pynenc_suite.tiers.fuzz import cases_for, fuzz_property


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        metafunc.parametrize("case", [pytest.param(case, id=case.id) for case in cases_for(target_for())])


test_fuzz_target = fuzz_property()
