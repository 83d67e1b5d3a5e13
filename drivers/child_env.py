"""The environment of a process the suite starts (a runner, a key probe): the caller's, and its import path.

A team's app may be importable only through what the calling process put on
``sys.path`` (an installed package, ``PYTHONPATH``, the directory pytest runs
in).  A child gets that whole import path, so it imports exactly what its parent
imports, plus whatever the suite puts in front (``first``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable


def import_path(first: Iterable[str] = ()) -> str:
    """``first``, then every entry of this process's ``sys.path`` (the current directory made absolute)."""
    entries = [*first, *(os.path.abspath(p) if p else os.getcwd() for p in sys.path)]
    return os.pathsep.join(dict.fromkeys(e for e in entries if e))


def child_environment(first_on_path: Iterable[str] = (), **overrides: str) -> dict[str, str]:
    """This process's environment for a child, with ``PYTHONPATH`` = :func:`import_path` and ``overrides``."""
    return {**os.environ, **overrides, "PYTHONPATH": import_path(first_on_path)}
