"""What a team sees: on its own app, from its own directory, through the installed command.

``tests/triage_app`` has one real key split (an ``IntEnum`` key its web layer passes as
a number), tasks whose runs meet recorded pynenc races (PYN-005, PYN-007), pynenc's
logging at INFO, and a validating normaliser that raises on values that are not email
addresses.  The run must fail for the split alone, with exactly one folder under
``failures/``, no pynenc log line and no traceback on the terminal, at most 60 lines in
all, a verdict naming the split as the team's failure and the races by finding id; the
raising normaliser must be one line and exit 2.  pynenc's log lines go to the run's file, named in the summary,
also on the paths that run outside pytest's capture (a policy change, ``doctor``).
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


def _run(cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(), *arguments], cwd=cwd, env={**os.environ, "PYTHONPATH": str(APP_SOURCE)},
                          capture_output=True, text=True, timeout=600)  # fmt: skip


def _gate(cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    return _run(cwd, "gate", "triage_app.tasks:app", "-n", "2", "--hypothesis-profile=smoke", *extra)


def _logged_to_the_file(done: subprocess.CompletedProcess, cwd: Path, command: str) -> None:
    """No pynenc log line on the terminal; they are in the command's file, which the output names."""
    terminal = done.stdout + done.stderr
    assert not LOG_LINE.search(terminal), LOG_LINE.search(terminal)
    written = (cwd / ".pynenc-suite" / f"pynenc-{command}.log").read_text()
    assert "INFO     pynenc.triage_app" in written and "\x1b[" not in written
    assert f"pynenc's own log: {len(written.splitlines())} lines in .pynenc-suite/pynenc-{command}.log" in terminal


@pytest.fixture(scope="session")
def triage(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    cwd = tmp_path_factory.mktemp("triage-repo")
    return _gate(cwd), cwd


def test_the_split_alone_fails_the_run_with_one_folder(triage: tuple[subprocess.CompletedProcess, Path]) -> None:
    done, cwd = triage
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert [f.name for f in (cwd / ".pynenc-suite" / "failures").iterdir()] == ["keys-escalate-level-split-enum-value"]


def test_the_terminal_is_one_screen_without_logs_or_tracebacks(
    triage: tuple[subprocess.CompletedProcess, Path],
) -> None:
    done, _ = triage
    terminal = done.stdout + done.stderr
    assert len(terminal.splitlines()) <= 60, terminal
    assert not LOG_LINE.search(terminal), LOG_LINE.search(terminal)
    assert "Traceback" not in terminal and 'File "' not in terminal


def test_the_verdict_names_the_split_as_yours_and_the_races_by_id(
    triage: tuple[subprocess.CompletedProcess, Path],
) -> None:
    verdict = triage[0].stdout.split("pynenc-suite verdict", 1)[1]
    assert (
        "your failures: 1" in verdict and "test_values_your_code_treats_as_one_get_one_key[escalate-level]" in verdict
    )
    known = re.search(r"recorded pynenc defects reproduced \(strict xfails, not your failures\): (.*)", verdict)
    assert known and "PYN-005" in known[1]


def test_pynenc_logs_to_the_runs_file_named_in_the_summary(triage: tuple[subprocess.CompletedProcess, Path]) -> None:
    done, cwd = triage
    _logged_to_the_file(done, cwd, "gate")
    assert "pynenc's own log" in done.stdout.split("pynenc-suite verdict", 1)[1]


def test_a_policy_change_and_doctor_keep_pynenc_logs_off_the_terminal(tmp_path: Path) -> None:
    """Both run pynenc outside pytest's capture: the policy-change measurement before any test, and ``doctor``."""
    assert _run(tmp_path, "lock", "triage_app.tasks:app").returncode == 0
    lock = tmp_path / "pynenc-policies.lock"
    lock.write_text(lock.read_text().replace('"reroute": true', '"reroute": false', 1))
    changed = _run(tmp_path, "gate", "triage_app.tasks:app", "--lock", str(lock), "--hypothesis-profile=smoke")
    assert changed.returncode == 1 and "policy changed" in changed.stdout, changed.stdout[-2000:] + changed.stderr
    _logged_to_the_file(changed, tmp_path, "gate")
    doctor = _run(tmp_path, "doctor", "triage_app.tasks:app")
    assert doctor.returncode in (0, 1) and doctor.stdout.startswith("#"), doctor.stderr
    _logged_to_the_file(doctor, tmp_path, "doctor")
    shown = _run(tmp_path, "doctor", "triage_app.tasks:app", "--pynenc-log-to-terminal")
    assert "INFO     pynenc.triage_app" in shown.stderr and "\x1b[" not in shown.stderr


def test_a_raising_normaliser_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = _gate(tmp_path, "--key-normalisers=triage_app.keys:NORMALISERS")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert "canonical_email of notify.email raised ValueError: not an email address" in line
