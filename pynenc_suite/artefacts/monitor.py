"""Open a real-time run's kept SQLite database in pynenc's own monitor (``pynenc monitor``).

The real-time tier keeps each SQLite run's database beside the run's artefacts
(:data:`KEPT_DATABASE`), with what the monitor needs to read it (:data:`MONITOR_FILE`: the app,
its pynenc configuration, the import path the runners had).  ``pynenc-suite monitor FOLDER``
starts the monitor on a loopback port with exactly that configuration, so it shows the same
invocations the history recorded.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pynenc_suite.drivers.child_env import child_environment, import_path
from pynenc_suite.engines.configure import environment

KEPT_DATABASE = "pynenc.sqlite3"
MONITOR_FILE = "monitor.json"
MONITOR_NEEDS = ("fastapi", "uvicorn", "jinja2")  # what pynenc[monitor] adds to pynenc


class CannotMonitor(ValueError):
    """The folder cannot be opened in the monitor; ``str()`` is the one line to show."""


def keep_database(
    config: dict[str, Any], folder: Path, app_spec: str, first_on_path: list[str], invocations: dict[str, str]
) -> Path | None:
    """Copy the run's SQLite database into ``folder`` (a consistent copy, taken with SQLite's backup API) and
    write :data:`MONITOR_FILE`, with ``invocations`` (the history's label -> pynenc's invocation id); None when
    the run was not on SQLite."""
    source = config.get("sqlite_db_path")
    if not source or not Path(source).exists():
        return None
    kept = folder / KEPT_DATABASE
    live, copy = sqlite3.connect(source), sqlite3.connect(kept)
    try:
        live.backup(copy)
    finally:
        live.close()
        copy.close()
    settings = {**config, "sqlite_db_path": KEPT_DATABASE}
    (folder / MONITOR_FILE).write_text(
        json.dumps(
            {
                "app": app_spec,
                "config": settings,
                "import_path": import_path(first_on_path),
                "invocations": invocations,
            },
            indent=1,
        )
    )
    return kept


@dataclass(frozen=True)
class MonitorCommand:
    """How to start pynenc's monitor on a kept run: the argv, the environment, and each recorded invocation's page."""

    argv: list[str]
    env: dict[str, str]
    pages: dict[str, str]  # the history's label (i1, i2, ...) -> that invocation's page in the monitor

    def shell(self) -> str:
        """The same command as one shell line (for the README and for people)."""
        variables = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items() if k.startswith("PYNENC__"))
        return f"{variables} pynenc {shlex.join(self.argv[3:])}"


def monitor_command(folder: Path, host: str = "127.0.0.1", port: int = 8000) -> MonitorCommand:
    """The monitor for the run kept in ``folder`` (raises :class:`CannotMonitor`)."""
    described = folder / MONITOR_FILE
    if not described.is_file():
        raise CannotMonitor(
            f"{folder} holds no kept database ({MONITOR_FILE} missing): pass a real-time schedule folder of a "
            "run on SQLite (the real-time tier keeps one per schedule)"
        )
    kept = json.loads(described.read_text())
    config = {**kept["config"], "sqlite_db_path": str((folder / kept["config"]["sqlite_db_path"]).resolve())}
    missing = [name for name in MONITOR_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise CannotMonitor(
            f"pynenc's monitor needs {', '.join(missing)}: pip install 'pynenc-suite[monitor]' (or 'pynenc[monitor]')"
        )
    module, _, attribute = kept["app"].partition(":")
    app = f"{module}.{attribute}" if attribute else module  # pynenc's --app takes dots only
    env = child_environment(kept["import_path"].split(os.pathsep), **environment(config))
    argv = [sys.executable, "-m", "pynenc", "--app", app, "monitor", "--host", host, "--port", str(port)]
    pages = {label: f"http://{host}:{port}/invocations/{pynenc_id}" for label, pynenc_id in kept["invocations"].items()}
    return MonitorCommand(argv, env, pages)
