"""pynenc's own log lines go to the run's file, never the terminal unless asked; no colour codes off a terminal.

In process: an app logger made before the routing and one made after both write to the file and nothing reaches
stderr; the process that starts a run truncates the file, a worker appends.  The command's paths (the gate, a
policy change, ``doctor``) are in ``tests/test_team_output.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pynenc.app
import pynenc.util.log
import pytest
from pynenc import PynencBuilder

from pynenc_suite import pynenc_log


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """Each test routes pynenc's logging of this process: put it back afterwards."""
    parent = logging.getLogger(pynenc_log.PYNENC)
    handlers, propagate = list(parent.handlers), parent.propagate
    created, routed = pynenc.app.create_logger, dict(pynenc_log._routed)
    yield
    parent.handlers, parent.propagate = handlers, propagate
    pynenc.app.create_logger = pynenc.util.log.create_logger = created
    pynenc_log._routed.clear()
    pynenc_log._routed.update(routed)


def _app(name: str) -> pynenc.Pynenc:
    return PynencBuilder().app_id(name).memory().logging_level("info").build()


def test_app_loggers_made_before_and_after_write_to_the_file_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _app("suite_log_before")
    before.logger.info("made before the routing")
    capsys.readouterr()
    path = pynenc_log.to_file(tmp_path / "pynenc-gate.log")
    before.logger.info("line of the app made before")
    _app("suite_log_after").logger.warning("line of the app made after")
    logging.getLogger("pynenc.util.sqlite_utils").warning("line of a pynenc module")
    written = path.read_text()
    assert "line of the app made before" in written and "line of the app made after" in written
    assert "line of a pynenc module" in written and "\x1b[" not in written
    assert capsys.readouterr().err == ""
    assert (
        pynenc_log.announcement() == f"pynenc's own log: 3 lines in {path} (--pynenc-log-to-terminal shows them here)"
    )
    assert pynenc_log.announcement() is None  # once per process


def test_the_run_truncates_its_file_and_a_worker_appends(tmp_path: Path) -> None:
    path = tmp_path / "pynenc-gate.log"
    path.write_text("a line of the last run\n")
    pynenc_log.to_file(path)
    assert not path.exists()  # the last run's lines are gone, and nothing logged yet: no empty file
    path.write_text("a line of another worker\n")
    pynenc_log._routed["path"] = None  # as in the worker's own process
    pynenc_log.to_file(path, append=True)
    _app("suite_log_worker").logger.info("a line of this worker")
    assert path.read_text().splitlines()[0] == "a line of another worker"


def test_a_child_of_the_run_appends_to_the_runs_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = pynenc_log.to_file(tmp_path / "pynenc-gate.log")
    monkeypatch.setenv(*next(iter(pynenc_log.for_a_child().items())))
    pynenc_log._routed["path"] = None  # as in the child's own process, asked for its own file
    assert pynenc_log.to_file(tmp_path / "pynenc-lock.log") == path


def test_on_the_terminal_when_asked_without_colour_codes_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """pynenc colours its lines by default (``log_use_colors`` is True); captured stderr is not a terminal."""
    pynenc_log.to_terminal()
    _app("suite_log_terminal").logger.info("a line on the terminal")
    err = capsys.readouterr().err
    assert "a line on the terminal" in err and "\x1b[" not in err
