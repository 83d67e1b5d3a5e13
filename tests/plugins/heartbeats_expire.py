"""A pytest plugin for the selftest and the fuzz demonstration: running recovery forgets runners whose heartbeat is
older than 20 minutes (:func:`tests.regressions.heartbeats_expire`), applied for the rest of the process: HypoFuzz
collects with pytest, which unconfigures its plugins, and then fuzzes in the same process."""

from __future__ import annotations

import pytest

from tests.regressions import heartbeats_expire

_patch = pytest.MonkeyPatch()


def pytest_configure() -> None:
    heartbeats_expire(_patch)
