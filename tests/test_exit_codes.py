"""The command's exit status keeps its meaning under pytest options passed through and on interruption:
0 passed, 1 a property failed, 2 bad input (one line), 3 the suite itself failed, 130 Ctrl-C (one line)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKEN = "tests.apps.keys_not_enforced:app"  # KEYS not enforced: call_keyed's no-overlap property fails


def _gate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "gate", *args, "-p", "no:randomly", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _suite_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("pynenc-suite:")]


def test_a_failed_property_exits_1_when_xdist_stops_the_run_early() -> None:
    """Under xdist, -x (or --maxfail) ends the session as "Interrupted" (pytest's code 2): a property failed, so 1."""
    result = _gate(
        BROKEN, "--hypothesis-profile=smoke", "-n", "1", "-x", "-k", "test_property and call_keyed-no-overlap"
    )
    assert "Interrupted: stopping after 1 failures" in result.stdout, result.stdout[-2000:]
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.parametrize("workers", [["-n", "1"], ["-p", "no:xdist"]], ids=["xdist", "no-xdist"])
def test_a_selection_that_matches_nothing_is_bad_input_in_one_line(workers: list[str]) -> None:
    result = _gate("--hypothesis-profile=smoke", *workers, "-k", "no_test_is_called_this")
    assert result.returncode == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert _suite_lines(result.stderr) == [
        "pynenc-suite: nothing matched: no gate test is selected by -k 'no_test_is_called_this'"
    ]


# Under -p no:xdist a Ctrl-C that Python dropped inside a finalizer once left the run going (the thread dump
# showed the main thread still generating examples): pynenc_suite/interrupts.py raises it again at the next example.
@pytest.mark.parametrize("workers", [["-n", "1"], ["-p", "no:xdist"]], ids=["xdist", "no-xdist"])
def test_ctrl_c_exits_130_with_one_line(workers: list[str]) -> None:
    """SIGINT to the command's process group (what a terminal's Ctrl-C does) while properties run."""
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "pynenc_suite", "gate", "--hypothesis-profile=nightly", *workers, "-p", "no:randomly",
         "-k", "test_property and no-overlap"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    seen = ""
    while "collected" not in seen and "created:" not in seen:  # the session has started
        line = process.stdout.readline()
        assert line, seen
        seen += line
    time.sleep(2)
    os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:  # a run that does not stop: its threads' stacks (faulthandler) say where
        os.killpg(process.pid, signal.SIGABRT)
        out, err = process.communicate(timeout=30)
        pytest.fail(f"still running 120 s after Ctrl-C; its threads:\n{err[-6000:]}")
    assert process.returncode == 130, seen + out[-2000:] + err[-2000:]
    assert _suite_lines(err) == ["pynenc-suite: interrupted (Ctrl-C): the run stopped before a verdict"]
    assert "none: the run was interrupted before it ended" in out and "your failures: 0" not in out
