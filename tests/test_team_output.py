"""What a team sees: on its own app, from its own directory, through the installed command.

``tests/triage_app`` has one real key split (an ``IntEnum`` key its web layer passes as
a number), tasks whose runs meet recorded pynenc races (PYN-005, PYN-007), pynenc's
logging at INFO, and a validating normaliser that raises on values that are not email
addresses.  The run must fail for the split alone, with exactly one folder under
``failures/``, no pynenc log line and no traceback on the terminal, at most 60 lines in
all, a verdict naming the split as the team's failure and the races by finding id; the
raising normaliser must be one line and exit 2.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("triage-app")

APP_SOURCE = Path(__file__).resolve().parent / "triage_app" / "src"
LOG_LINE = re.compile(r"\x1b\[|\b(INFO|WARNING|DEBUG)\b.*pynenc|^\S*pynenc\.\w+.*(INFO|WARNING)", re.M)


def _command() -> list[str]:
    script = Path(sys.executable).parent / "pynenc-suite"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pynenc_suite"]


def _gate(cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(), "gate", "triage_app.tasks:app", "-n", "2", "--hypothesis-profile=ci", *extra],
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(APP_SOURCE)}, capture_output=True, text=True,
                          timeout=600)  # fmt: skip


@pytest.fixture(scope="session")
def triage(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    cwd = tmp_path_factory.mktemp("triage-repo")
    return _gate(cwd), cwd


def test_the_split_alone_fails_the_run_with_one_folder(triage: tuple[subprocess.CompletedProcess, Path]) -> None:
    done, cwd = triage
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert [f.name for f in (cwd / ".pynenc-suite" / "failures").iterdir()] == ["keys-escalate-level-split-enum-value"]


def test_the_terminal_is_one_screen_without_logs_or_tracebacks(triage: tuple[subprocess.CompletedProcess, Path]) -> None:
    done, _ = triage
    terminal = done.stdout + done.stderr
    assert len(terminal.splitlines()) <= 60, terminal
    assert not LOG_LINE.search(terminal), LOG_LINE.search(terminal)
    assert "Traceback" not in terminal and 'File "' not in terminal


def test_the_verdict_names_the_split_as_yours_and_the_races_by_id(triage: tuple[subprocess.CompletedProcess, Path]) -> None:
    verdict = triage[0].stdout.split("pynenc-suite verdict", 1)[1]
    assert "your failures: 1" in verdict and "test_values_your_code_treats_as_one_get_one_key[escalate-level]" in verdict
    known = re.search(r"recorded pynenc defects reproduced \(strict xfails, not your failures\): (.*)", verdict)
    assert known and "PYN-005" in known[1]


def test_a_raising_normaliser_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _gate(tmp_path, "--key-normalisers=triage_app.keys:NORMALISERS")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert "canonical_email of notify.email raised ValueError: not an email address" in line
