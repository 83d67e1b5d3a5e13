"""Backends the deterministic driver can put under an app: in-process ones only (memory, SQLite).

The app keeps its tasks and options; only its components change.  Every run
purges the backend first, so examples never see each other's state.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.engines import configured

IN_PROCESS = ("memory", "sqlite")

_COMPONENTS = {
    "memory": {
        "orchestrator_cls": "MemOrchestrator",
        "broker_cls": "MemBroker",
        "state_backend_cls": "MemStateBackend",
        "client_data_store_cls": "MemClientDataStore",
        "trigger_cls": "MemTrigger",
    },
    "sqlite": {
        "orchestrator_cls": "SQLiteOrchestrator",
        "broker_cls": "SQLiteBroker",
        "state_backend_cls": "SQLiteStateBackend",
        "client_data_store_cls": "SQLiteClientDataStore",
        "trigger_cls": "SQLiteTrigger",
    },
}


@contextmanager
def using(app: Any, backend: str) -> Iterator[Any]:
    """Run the block with ``app``'s components switched to ``backend`` (a temporary file for SQLite)."""
    if backend not in _COMPONENTS:
        raise ValueError(f"backend {backend!r} is not in-process; choose one of {', '.join(IN_PROCESS)}")
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-") as folder:
        values = dict(_COMPONENTS[backend])
        if backend == "sqlite":
            values["sqlite_db_path"] = str(Path(folder) / "pynenc.sqlite3")
        with configured(app, values):
            yield app
