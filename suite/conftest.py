"""Gate fixtures: the app under test, loaded once per session, with clear errors for bad input."""

from __future__ import annotations

import pytest

from harness.target import REFERENCE_APP, Target, TargetError, load

_targets: dict[str, Target] = {}


def target_for(config: pytest.Config) -> Target:
    spec = config.getoption("--pynenc-app") or REFERENCE_APP
    if spec not in _targets:
        try:
            probed = False if config.getoption("--run-bodies") else None
            _targets[spec] = load(spec, probed=probed, backend=config.getoption("--backend"))
        except TargetError as error:
            raise pytest.UsageError(str(error)) from None
    return _targets[spec]


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    return target_for(pytestconfig)
