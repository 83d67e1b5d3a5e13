"""Tests marked ``xdist_group`` share one worker under ``--dist loadgroup`` (the key audit relies on it), and
the terminal shows their plain ids."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GROUPED = """
import os, pytest

@pytest.mark.xdist_group("together")
@pytest.mark.parametrize("n", range(4))
def test_grouped(n):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])

def pytest_generate_tests(metafunc):
    if "m" in metafunc.fixturenames:
        metafunc.parametrize("m", [pytest.param(i, marks=pytest.mark.xdist_group("together")) for i in range(4)])

def test_grouped_by_param(m):
    print("WORKER", os.environ["PYTEST_XDIST_WORKER"])
"""


def test_a_group_runs_on_one_worker_under_its_plain_ids(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    done = subprocess.run([sys.executable, "-m", "pytest", "test_grouped.py", "-n", "2", "--dist", "loadgroup", "-rA",
                           "-p", "no:cacheprovider", "-c", "/dev/null", "--rootdir", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert len(set(re.findall(r"^WORKER (gw\d+)", done.stdout, re.M))) == 1, done.stdout[-3000:]
    passed = re.findall(r"^PASSED (\S+)", done.stdout, re.M)
    assert len(passed) == 8 and all(p.endswith("]") for p in passed), passed
