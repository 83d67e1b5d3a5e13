"""A recorded finding's reproduction writes under known/<id>/, never under failures/ (which holds only the
team's failures); a race without the finding's signature fails its test, with a folder under failures/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RACE = "test_no_race_within_two_preemptions and call_keyed-no-overlap"  # PYN-005's strict xfail


def _gate(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pynenc_suite", "gate", "-p", "no:xdist", "-k", RACE, "-rA",
                           f"--artefacts={tmp_path}", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip


def test_a_known_race_is_filed_under_its_finding(tmp_path: Path) -> None:
    done = _gate(tmp_path)
    assert done.returncode == 0 and "XFAIL" in done.stdout, done.stdout[-2000:]
    assert not (tmp_path / "failures").exists()
    meta = json.loads((tmp_path / "known" / "PYN-005" / "explorer-call_keyed-no-overlap" / "meta.json").read_text())
    assert meta["finding"]["id"] == "PYN-005" and meta["finding"]["title"]
    page = (tmp_path / "known" / "PYN-005" / "explorer-call_keyed-no-overlap" / "report.html").read_text()
    assert "recorded pynenc defect PYN-005" in page


def test_a_race_without_the_findings_signature_fails_as_new(tmp_path: Path) -> None:
    done = _gate(tmp_path, "-p", "tests.plugins.no_signatures")
    assert done.returncode == 1, done.stdout[-2000:]
    assert (tmp_path / "failures" / "explorer-call_keyed-no-overlap" / "meta.json").exists()
    assert not (tmp_path / "known").exists()
