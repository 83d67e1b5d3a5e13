"""pynenc's concurrency code: the modules whose branches ``pynenc-suite reach`` counts, by area."""

from __future__ import annotations

import re

AREAS: tuple[tuple[str, str], ...] = (
    ("orchestrator", "pynenc/orchestrator/"),
    ("broker", "pynenc/broker/"),
    ("state backend", "pynenc/state_backend/"),
    ("runner", "pynenc/runner/"),
    ("recovery", "pynenc/core_tasks.py"),
    ("invocation", "pynenc/invocation/dist_invocation.py"),
    ("status graph", "pynenc/invocation/status.py"),
)
_MODULE = re.compile(r"(?:^|[/\\])(pynenc[/\\].+\.py)$")


def module_path(file: str) -> str | None:
    """``pynenc/…/x.py`` for a file of the pynenc package, wherever it is installed; None for any other file."""
    found = _MODULE.search(file)
    return found.group(1).replace("\\", "/") if found else None


def area_of(module: str) -> str | None:
    """The area a pynenc module belongs to, or None when it is not concurrency code."""
    return next((name for name, prefix in AREAS if module.startswith(prefix)), None)
