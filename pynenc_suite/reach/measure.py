"""Branch coverage of pynenc, measured in child processes: the gate on each engine, and pynenc's own tests.

Each run is a pytest process with pytest-cov (``--cov=pynenc --cov-branch``) writing
into one coverage data file per side; the gate's engines append to the same file.
pynenc's tests are the ones its wheel ships (``pynenc_tests``), run from an empty
directory with the suite's plugin left out, as pynenc runs them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COVERAGE = ["--cov=pynenc", "--cov-branch", "--cov-report="]
PYNENC_TESTS_NEED = {"pytest_cov": "pytest-cov", "pytest_asyncio": "pytest-asyncio", "psutil": "psutil",
                     "requests": "requests", "pytest_timeout": "pytest-timeout"}  # fmt: skip
# pynenc's tests, serially: under xdist its workers collect some parametrized tests in different orders.
PYNENC_TESTS = ["-m", "pytest", "--pyargs", "pynenc_tests", "-p", "no:pynenc_suite", "-p", "no:cacheprovider",
                "-p", "no:xdist", "--timeout=300", "-q"]  # fmt: skip
NOT_CONCURRENCY = ("unit/pynmon", "integration/pynmon")  # the web monitor: it needs its own extras, and reads only


_SUMMARY = re.compile(r"\d+ (passed|failed|errors?|skipped|xfailed)\b.* in [\d.]+s")


class CannotMeasure(Exception):
    """Something the measurement needs is missing; ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class Run:
    """One measured child process: what it ran, how it ended, how long it took, its last line."""

    name: str
    exit_code: int
    seconds: float
    summary: str
    log: Path


def require_tools(pynenc_tests: bool) -> None:
    names = PYNENC_TESTS_NEED if pynenc_tests else {"pytest_cov": "pytest-cov"}
    missing = [package for module, package in names.items() if importlib.util.find_spec(module) is None]
    if missing:
        raise CannotMeasure(f"reach needs {', '.join(missing)}: pip install 'pynenc-suite[reach]'")
    if pynenc_tests and importlib.util.find_spec("pynenc_tests") is None:
        raise CannotMeasure("reach: the installed pynenc ships no pynenc_tests to compare with; use --no-pynenc-tests")


def measure(name: str, arguments: list[str], data: Path, root: Path, append: bool = False,
            cwd: Path | None = None) -> Run:  # fmt: skip
    """Run ``python ARGUMENTS`` (in ``cwd``) under branch coverage of pynenc, adding to ``data`` (or replacing it);
    its output goes to ``root/NAME.log``."""
    env = {**os.environ, "COVERAGE_FILE": str(data), "PYTHONHASHSEED": "0"}
    if not append:
        data.unlink(missing_ok=True)
    log = root / f"{name}.log"
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run([sys.executable, *arguments, *COVERAGE, *(["--cov-append"] if append else [])],
                              cwd=cwd, env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False)  # fmt: skip
    return Run(name, done.returncode, time.monotonic() - started, pytest_summary(log.read_text()), log)


def pytest_summary(output: str) -> str:
    """pytest's last summary line ("12 failed, 1510 passed, ... in 496.20s"), even when log lines follow it."""
    summaries = [line.strip("= ") for line in output.splitlines() if _SUMMARY.search(line)]
    return summaries[-1] if summaries else "no pytest summary; see the log"


def report(data: Path) -> dict[str, Any]:
    """coverage.py's JSON report of ``data``, pynenc's files only."""
    import coverage

    if not data.exists():
        raise CannotMeasure(f"reach: no coverage data in {data}; see the run's log beside it")
    out = data.with_suffix(".json")
    measured = coverage.Coverage(data_file=str(data))
    measured.load()
    measured.json_report(outfile=str(out), include=["*/pynenc/*"], show_contexts=False)
    return json.loads(out.read_text())


def gate_arguments(app: str | None, engine: str, profile: str | None, workers: str) -> list[str]:
    """The gate as ``tox -e gate`` runs it, but on pynenc as installed (``--without-fixes``): with the candidate
    fixes on, the functions they replace would run as the suite's copies and count as unreached."""
    chosen = [*([app] if app else []), f"--engine={engine}", "--without-fixes", "-n", workers]
    return ["-m", "pynenc_suite", "gate", *chosen, *(["--hypothesis-profile", profile] if profile else [])]


def pynenc_tests_arguments() -> list[str]:
    """pynenc's tests, without the web monitor's (``--ignore`` by folder: ``--ignore-glob`` does not reach into a
    package named with ``--pyargs``)."""
    spec = importlib.util.find_spec("pynenc_tests")
    root = Path(next(iter(spec.submodule_search_locations or ()))) if spec else Path(".")
    return [*PYNENC_TESTS, *(f"--ignore={root / folder}" for folder in NOT_CONCURRENCY)]
