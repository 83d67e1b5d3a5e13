"""A pytest plugin for the selftest: pynenc's SQLite orchestrator with a finished invocation that keeps blocking
its key (:func:`tests.regressions.finished_keeps_key_on_sqlite`), applied for the whole session."""

from __future__ import annotations

import pytest

from tests.regressions import finished_keeps_key_on_sqlite

_patch = pytest.MonkeyPatch()


def pytest_configure() -> None:
    finished_keeps_key_on_sqlite(_patch)


def pytest_unconfigure() -> None:
    _patch.undo()
