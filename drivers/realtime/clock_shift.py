"""Skewed runner clocks: a runner process whose wall clock runs ``offset`` seconds off, drifting at ``drift``.

pynenc's recovery compares wall-clock times written by different processes: a
runner's heartbeat (``time()``), an invocation's PENDING time
(``datetime.now(UTC)``), with the sweeping runner's own clock.  A runner started
with :func:`environment` sees ``real + offset + drift * (real - epoch)`` from
``clock_gettime(CLOCK_REALTIME)``, ``gettimeofday`` and ``time`` (so ``time.time``
and ``datetime.now``), and so does every worker process it spawns; its
monotonic clock, and so every sleep and timed wait, is untouched.

The shift is a small preload library (``clock_shift.c``) built once per source with
the machine's C compiler into the user's cache folder.  libfaketime, the usual tool,
cannot be used: it shifts the monotonic clock too, and Python 3.12's timed waits
(``Lock.acquire(timeout=...)``, ``Event.wait``) then never return, even at +0 s.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from pynenc_suite.schedules.realtime import RunnerClock

SOURCE = Path(__file__).with_name("clock_shift.c")
OFFSET_ENV = "PYNENC_SUITE_CLOCK_OFFSET"
DRIFT_ENV = "PYNENC_SUITE_CLOCK_DRIFT"
EPOCH_ENV = "PYNENC_SUITE_CLOCK_EPOCH"
REQUIRE_ENV = "PYNENC_SUITE_REQUIRE_CLOCK_SHIFT"  # set (as CI does): a missing compiler fails the clock checks


class ClockShiftUnavailable(Exception):
    """The preload library cannot be built here; ``str()`` is one line saying why."""


def environment(clock: RunnerClock, epoch: float) -> dict[str, str]:
    """Variables that start a process (and its children) with ``clock``; ``epoch`` is when the run began."""
    preload = " ".join(filter(None, [str(library()), os.environ.get("LD_PRELOAD", "")]))
    return {
        "LD_PRELOAD": preload,
        OFFSET_ENV: repr(clock.offset),
        DRIFT_ENV: repr(clock.drift),
        EPOCH_ENV: repr(epoch),
    }


@cache
def library() -> Path:
    """The built preload library, compiled on first use (cached across sessions by the source's digest)."""
    source = SOURCE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()[:16]
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pynenc-suite"
    built = folder / f"clock_shift-{digest}.so"
    if built.exists():
        return built
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        raise ClockShiftUnavailable(
            "clock skew needs a C compiler (cc) to build its preload library: install gcc (Debian: build-essential)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        partial = Path(scratch) / built.name
        result = subprocess.run(
            [compiler, "-shared", "-fPIC", "-O2", "-o", str(partial), str(SOURCE), "-ldl"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise ClockShiftUnavailable(f"building the clock-skew library with {compiler} failed: {last}")
        partial.replace(built)  # atomic: concurrent sessions each build, one wins, both load a whole file
    return built
