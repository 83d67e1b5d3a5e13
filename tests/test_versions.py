"""``pynenc-suite versions``: how one release's outcomes become verdicts, the table it writes, and the command
run for real on two releases (a finding present in one release only is told apart)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pynenc_suite.versions import table
from pynenc_suite.versions.verdicts import ABSENT, AFFECTED, NOT_MEASURED, judge

FINDINGS = ["PYN-001", "PYN-002", "PYN-003", "PYN-004"]


def _row(item: str, outcome: str, finding: str | None = None, message: str = "", discarded: dict | None = None) -> dict:
    examples = {"item": item, "judged": 8, "discarded": discarded or {}, "situations": {}}
    return {"item": item, "when": "call", "outcome": outcome, "finding": finding, "message": message,
            "examples": examples if "test_property[" in item else None}  # fmt: skip


def test_a_held_strict_xfail_or_a_discarded_example_means_affected() -> None:
    rows = [
        _row("test_findings.py::test_committed_finding_is_fixed[PYN-001]", "xfailed", "PYN-001"),
        _row("test_properties.py::test_property[t-liveness]", "passed", discarded={"PYN-002": 3}),
    ]
    result = judge("0.3.1", rows, FINDINGS)
    assert result.findings["PYN-001"].verdict == AFFECTED
    assert result.findings["PYN-002"].verdict == AFFECTED and result.findings["PYN-002"].discarded == 3


def test_every_reproduction_keeping_its_rule_means_absent() -> None:
    rows = [
        _row("a[PYN-001]", "xpassed", "PYN-001"),
        _row("b[PYN-001]", "xpassed", "PYN-001"),
        _row("c", "passed", "PYN-003"),  # a conditional xfail not applied on this release
    ]
    result = judge("0.3.1", rows, FINDINGS)
    assert result.findings["PYN-001"].verdict == ABSENT and result.findings["PYN-001"].kept == 2
    assert result.findings["PYN-003"].verdict == ABSENT


def test_a_reproduction_that_cannot_run_or_none_at_all_is_not_measured() -> None:
    rows = [
        _row("a[PYN-001]", "xpassed", "PYN-001"),
        _row("b[PYN-001]", "failed", "PYN-001", "AttributeError: no queues"),  # not the expected violation
    ]
    result = judge("0.3.1", rows, FINDINGS)
    assert result.findings["PYN-001"].verdict == NOT_MEASURED
    assert result.findings["PYN-001"].errors == ["b[PYN-001]: AttributeError: no queues"]
    assert result.findings["PYN-004"].verdict == NOT_MEASURED  # nothing of it ran


def test_a_reproduction_skipped_for_want_of_its_engine_is_not_measured_and_says_why() -> None:
    result = judge("0.4.0", [_row("test_redis_commands.py::test_a_redis_finding_is_fixed[PYN-002]", "skipped",
                                  "PYN-002")], FINDINGS)  # fmt: skip
    assert result.findings["PYN-002"].verdict == NOT_MEASURED and result.findings["PYN-002"].skipped == 1
    result.notes.append("Redis tests not run: pynenc-suite: pynenc-redis 0.3.0 cannot run with pynenc 0.4.0")
    text = table.render([result], ["PYN-002"], "pynenc-suite versions --releases 0.4.0")
    assert "| PYN-002 | not measured (its reproductions need Redis, which does not run with this release) |" in text
    assert "- pynenc 0.4.0: Redis tests not run: pynenc-suite: pynenc-redis 0.3.0 cannot run" in text


def test_a_property_failing_on_a_release_is_a_regression_of_that_release() -> None:
    rows = [
        _row("test_properties.py::test_property[t-liveness]", "passed"),
        _row("test_properties.py::test_property[t-no-overlap]", "failed", message="PropertyViolation: 1 violation"),
        _row(
            "test_findings.py::test_committed_artefact_replays_the_same_history[PYN-001]",
            "failed",
            message="AssertionError",
        ),
    ]
    result = judge("0.3.1", rows, FINDINGS)
    assert result.properties_passed == 1
    assert result.properties_failed == [
        "test_properties.py::test_property[t-no-overlap]: PropertyViolation: 1 violation"
    ]
    assert result.suite_errors == ["test_findings.py::test_committed_artefact_replays_the_same_history[PYN-001]: "
                                   "AssertionError"]  # fmt: skip
    text = table.render([result], FINDINGS, "pynenc-suite versions --releases 0.3.1")
    assert "| failed (a regression of that release) | 1 |" in text
    assert "- pynenc 0.3.1: test_properties.py::test_property[t-no-overlap]: PropertyViolation" in text


def test_the_table_is_written_between_its_markers_only(tmp_path: Path) -> None:
    findings = tmp_path / "FINDINGS.md"
    findings.write_text(f"# Findings\n\n{table.BEGIN}\nold table\n{table.END}\n\n## PYN-001\ntext\n")
    table.write_between_markers(findings, "| new |")
    assert findings.read_text() == f"# Findings\n\n{table.BEGIN}\n| new |\n{table.END}\n\n## PYN-001\ntext\n"
    bare = tmp_path / "bare.md"
    bare.write_text("# no markers\n")
    with pytest.raises(table.NoTableMarkers):
        table.write_between_markers(bare, "| new |")


def test_the_repositorys_findings_file_has_the_markers() -> None:
    text = (Path(__file__).resolve().parents[1] / "FINDINGS.md").read_text()
    assert text.count(table.BEGIN) == 1 and text.count(table.END) == 1


@pytest.mark.xdist_group("versions")
def test_versions_tells_a_finding_of_one_release_from_its_absence_in_another(tmp_path: Path) -> None:
    """PYN-010 (pynenc-redis cannot build its broker) is a defect of pynenc 0.4 only; PYN-009's committed
    reproduction fails on both.  Each release runs in its own child with only that pynenc first on the path."""
    pytest.importorskip("pynenc_redis")
    pytest.importorskip("uv")
    elsewhere = tmp_path / "team-repo"
    elsewhere.mkdir()
    findings = elsewhere / "FINDINGS.md"
    findings.write_text(f"{table.BEGIN}\n{table.END}\n")
    done = subprocess.run(
        [sys.executable, "-m", "pynenc_suite", "versions", "--releases", "0.3.1,0.4.0", "--write", str(findings),
         "--no-redis", "-p", "no:xdist", "-k", "broker_can_be_built or (committed_finding_is_fixed and PYN-009)"],
        cwd=elsewhere, env={**os.environ}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    written = findings.read_text()
    assert "| PYN-010 | absent (1 reproduction(s) keep the rule) | **affected** (1 reproduction(s) fail) |" in written
    assert "| PYN-009 | **affected** (1 reproduction(s) fail) | **affected** (1 reproduction(s) fail) |" in written
    assert (elsewhere / ".pynenc-suite" / "versions" / "pynenc-0.3.1.log").exists()


def test_an_unknown_release_is_one_line_and_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("uv")
    done = subprocess.run([sys.executable, "-m", "pynenc_suite", "versions", "--releases", "0.0.0.999"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("pynenc-suite: cannot install pynenc==0.0.0.999:")
    assert len(done.stderr.strip().splitlines()) == 1
