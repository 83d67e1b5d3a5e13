"""Deliberately broken pynenc, by name, for showing that the real-time tier catches a regression.

Each regression patches pynenc's classes in the process that applies it.  The
real-time driver cannot monkeypatch its runner processes from the outside, so a
run asked for a regression puts ``harness/bootstrap`` on the runners'
``PYTHONPATH``: its ``sitecustomize`` applies the named regression when each
runner process, and every worker process it spawns, starts.  Nothing is edited
on disk; the test process itself stays unpatched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

REGRESSION_ENV = "PYNENC_SUITE_REGRESSION"
BOOTSTRAP_DIR = Path(__file__).resolve().parent / "bootstrap"


def keys_not_enforced() -> None:
    """Running concurrency control admits every invocation, whatever holds its key."""
    from pynenc.orchestrator.base_orchestrator import BaseOrchestrator

    BaseOrchestrator._is_authorize_by_concurrency_control = lambda self, invocation, statuses: True  # type: ignore[method-assign]


REGRESSIONS: dict[str, Callable[[], None]] = {"keys_not_enforced": keys_not_enforced}


def environment_for(name: str) -> dict[str, str]:
    """Environment that makes every process of a runner tree start with regression ``name`` applied."""
    if name not in REGRESSIONS:
        raise KeyError(f"unknown regression {name!r}; known: {', '.join(REGRESSIONS)}")
    path = os.pathsep.join(filter(None, [str(BOOTSTRAP_DIR), os.environ.get("PYTHONPATH", "")]))
    return {REGRESSION_ENV: name, "PYTHONPATH": path}


def apply_from_environment() -> None:
    name = os.environ.get(REGRESSION_ENV)
    if name:
        REGRESSIONS[name]()
