"""Changes to pynenc inside runner processes: a patch named by its import path, applied at start-up.

A *regression* breaks pynenc, to show that the real-time tier catches it
(:mod:`.regressions`); a *candidate fix* repairs a recorded finding, to show that
the finding's reproduction passes the day pynenc is fixed
(:mod:`pynenc_suite.findings.fixes`).  The real-time driver cannot monkeypatch its
runner processes from the outside, so a run given a patch puts ``bootstrap/`` on
the runners' ``PYTHONPATH``: its ``sitecustomize`` imports the patch and calls it
when each runner process, and every worker process it spawns, starts.  Nothing is
edited on disk; the test process itself stays unpatched.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

PATCH_ENV = "PYNENC_SUITE_PATCH"
BOOTSTRAP_DIR = Path(__file__).resolve().parent / "bootstrap"


def environment_for(patch: Callable[[], None]) -> dict[str, str]:
    """Environment that makes every process of a runner tree start with ``patch`` applied."""
    path = os.pathsep.join(filter(None, [str(BOOTSTRAP_DIR), os.environ.get("PYTHONPATH", "")]))
    return {PATCH_ENV: f"{patch.__module__}:{patch.__qualname__}", "PYTHONPATH": path}


def apply_from_environment() -> None:
    """Apply the patch ``$PYNENC_SUITE_PATCH`` names (``module:function``), if any."""
    spec = os.environ.get(PATCH_ENV)
    if spec:
        module, _, name = spec.partition(":")
        getattr(importlib.import_module(module), name)()
