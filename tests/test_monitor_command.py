"""``pynenc-suite monitor``: a kept SQLite run opens in pynenc's monitor with the configuration its runners had.

The monitor itself is started against a real kept database by the real-time tier
(``suite/realtime/test_monitor.py``); here, what is kept and how the command is built.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pynenc_suite.artefacts import monitor
from pynenc_suite.artefacts.monitor import KEPT_DATABASE, MONITOR_FILE, CannotMonitor, keep_database, monitor_command

ROOT = Path(__file__).resolve().parent.parent
CONFIG = {"orchestrator_cls": "SQLiteOrchestrator", "recover_running_invocations_cron": "* * * * *"}


def _a_run_database(folder: Path) -> Path:
    live = folder / "run-1.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("create table invocations (id text)")
        db.execute("insert into invocations values ('6f1c')")
    return live


def test_a_sqlite_run_is_kept_with_its_configuration_and_invocation_ids(tmp_path: Path) -> None:
    live = _a_run_database(tmp_path)
    out = tmp_path / "schedule-001"
    out.mkdir()
    kept = keep_database({**CONFIG, "sqlite_db_path": str(live)}, out, "team.tasks:app", ["/src"], {"i1": "6f1c"})
    assert kept == out / KEPT_DATABASE
    with sqlite3.connect(kept) as db:
        assert db.execute("select id from invocations").fetchall() == [("6f1c",)]
    described = json.loads((out / MONITOR_FILE).read_text())
    assert described["config"]["sqlite_db_path"] == KEPT_DATABASE  # relative: the folder can be moved
    assert described["import_path"].startswith("/src")
    assert described["invocations"] == {"i1": "6f1c"}


def test_a_run_on_another_engine_keeps_nothing(tmp_path: Path) -> None:
    assert keep_database({"redis_url": "redis://127.0.0.1:1/1"}, tmp_path, "team.tasks:app", [], {}) is None
    assert not (tmp_path / MONITOR_FILE).exists()


def test_the_command_opens_the_kept_database_with_the_apps_configuration(tmp_path: Path) -> None:
    if any(importlib.util.find_spec(name) is None for name in monitor.MONITOR_NEEDS):
        pytest.skip("pynenc[monitor] is not installed here")
    keep_database({**CONFIG, "sqlite_db_path": str(_a_run_database(tmp_path))}, tmp_path, "team.tasks:app", [],
                  {"i1": "6f1c"})  # fmt: skip
    command = monitor_command(tmp_path, port=8123)
    assert command.argv[1:] == ["-m", "pynenc", "--app", "team.tasks.app", "monitor", "--host", "127.0.0.1",
                                "--port", "8123"]  # fmt: skip
    assert command.env["PYNENC__SQLITE_DB_PATH"] == str((tmp_path / KEPT_DATABASE).resolve())
    assert command.env["PYNENC__ORCHESTRATOR_CLS"] == "SQLiteOrchestrator"
    assert command.pages == {"i1": "http://127.0.0.1:8123/invocations/6f1c"}
    assert "PYNENC__RECOVER_RUNNING_INVOCATIONS_CRON='* * * * *'" in command.shell()


def test_missing_monitor_dependencies_name_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keep_database({**CONFIG, "sqlite_db_path": str(_a_run_database(tmp_path))}, tmp_path, "team.tasks:app", [], {})
    monkeypatch.setattr(monitor.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CannotMonitor, match=r"needs fastapi, uvicorn, jinja2: pip install 'pynenc-suite\[monitor\]'"):
        monitor_command(tmp_path)


def test_a_folder_without_a_kept_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "pynenc_suite", "monitor", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert f"holds no kept database ({MONITOR_FILE} missing)" in done.stderr
