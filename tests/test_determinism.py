"""The same seed draws the same schedules, and so gives the same verdict, whatever else the process loaded.

Hypothesis mixes into its draws the literals of every local module loaded so far;
the suite switches that off (``pynenc_suite/determinism.py``).  These tests load
a module full of literals between two draws with one seed, for untyped tasks and
``*args``/``**kwargs`` tasks, under every profile of the suite, and show that the
comparison fails when the switch is off.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from pynenc_suite import profiles
from pynenc_suite.apps.target import Target, load
from pynenc_suite.drivers.deterministic.histories import knobs_for
from pynenc_suite.strategies.schedules import schedules

ROOT = Path(__file__).resolve().parent.parent
TASKS = ("untyped", "variadic")
NOISE = "\n".join(f"V{i} = {value!r}" for i, value in enumerate(["aa", "ba", "bb", "sku-1", 2.5, *range(101, 400, 3)]))


@pytest.fixture(scope="module")
def loose() -> Target:
    return load("tests.apps.loose_signatures:app")


def _draws(target: Target, task: str, profile: str, count: int = 25) -> list[str]:
    drawn: list[str] = []

    @seed(20261129)
    @settings(profiles.get(profile), max_examples=count, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        drawn.append(repr(data.draw(schedules([target.under_test(task)], knobs_for(target)))))

    draw()
    return drawn


def _load_noise(folder: Path, name: str) -> None:
    """A local module (outside any tests folder) full of literals, as a team's code has."""
    (folder / f"{name}.py").write_text(NOISE + "\n")
    sys.path.insert(0, str(folder))
    try:
        importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))


@pytest.mark.parametrize("profile", profiles.NAMES)
@pytest.mark.parametrize("task", TASKS)
def test_one_seed_draws_the_same_schedules_whatever_is_loaded(
    loose: Target, task: str, profile: str, tmp_path: Path
) -> None:
    before = _draws(loose, task, profile)
    _load_noise(tmp_path, f"noise_{task}_{profile}")
    assert _draws(loose, task, profile) == before


UNPINNED = """
import sys
from pynenc_suite import profiles
from pynenc_suite.apps.target import load
from tests.test_determinism import _draws, _load_noise
from pathlib import Path
profiles.register()
target = load("tests.apps.loose_signatures:app")
# Hypothesis mixes a local constant into only some draws, so one sample of schedules may use none:
# samples of several sizes (each size is its own stream) are compared before and after loading.
counts = (60, 100, 150, 200)
before = [_draws(target, "untyped", "ci", n) for n in counts]
_load_noise(Path(sys.argv[1]), "noise_unpinned")
after = [_draws(target, "untyped", "ci", n) for n in counts]
print("same" if after == before else "different")
"""


def test_with_local_constants_the_draws_would_depend_on_what_is_loaded(tmp_path: Path) -> None:
    """The comparison above can fail: in a process that leaves Hypothesis's local constants on, loading a
    module of literals between two draws with one seed changes what is drawn."""
    done = subprocess.run([sys.executable, "-c", UNPINNED, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.stdout.strip().splitlines()[-1:] == ["different"], done.stdout[-1000:] + done.stderr[-1000:]


def test_the_gate_gives_the_same_verdicts_in_two_processes_with_different_local_modules(tmp_path: Path) -> None:
    """The installed command, twice on the loose app; the second run first imports a module of literals."""
    (tmp_path / "noise_for_gate.py").write_text(NOISE + "\n")
    outputs = []
    for extra in ([], ["--strategies", "noise_for_gate"]):
        done = subprocess.run(
            [sys.executable, "-m", "pynenc_suite", "gate", "tests.apps.loose_signatures:app", "--hypothesis-profile=smoke",
             *extra, "-p", "no:xdist", "-k", "test_property", "-q", "-rA"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": f"{tmp_path}"},
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-1000:]
        outputs.append(sorted(line for line in done.stdout.splitlines() if line.startswith(("PASSED", "FAILED"))))
    assert outputs[0] == outputs[1] and outputs[0]
