"""The end-of-run summary: every property in one grid, and a verdict that separates the team's failures from
recorded pynenc defects."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from pynenc_suite.plugin import summaries


class Terminal:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        self.lines.append(f"== {title}")

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def _row(item: str, judged: int, discarded: dict[str, int] | None = None) -> dict[str, Any]:
    return {"item": item, "judged": judged, "discarded": discarded or {}, "situations": {}}


def test_every_property_is_in_the_grid() -> None:
    terminal = Terminal()
    rows = [_row(f"suite/gate/test_properties.py::test_property[{task}-{rule}]@task-{task}", 8,
                 {"PYN-007": 2} if (task, rule) == ("relay", "liveness") else None)
            for task in ("relay", "retag") for rule in ("no-overlap", "liveness", "drop-semantics")]  # fmt: skip
    summaries._property_grid(terminal.write_line, rows)
    header, *grid = terminal.lines[1:]
    assert header.split() == ["task", "overlap", "liveness", "drop"]
    assert grid[0].split() == ["relay", "8", "8+2", "8"] and grid[1].split() == ["retag", "8", "8", "8"]


def _report(when: str, outcome: str, nodeid: str, wasxfail: str | None = None) -> Any:
    report = SimpleNamespace(when=when, nodeid=nodeid, passed=outcome == "passed", failed=outcome == "failed",
                             skipped=outcome == "skipped", user_properties=[], longrepr="")  # fmt: skip
    if wasxfail is not None:
        report.wasxfail = wasxfail
    return report


def test_the_verdict_counts_known_findings_by_id_apart_from_the_teams_failures(monkeypatch: Any) -> None:
    monkeypatch.setattr(summaries, "_outcomes", {"passed": 0, "failed": [], "known": {}, "proofs": {},
                                                   "interrupted": False})  # fmt: skip
    for report in [_report("call", "passed", "a"), _report("call", "failed", "keys[x]"),
                   _report("call", "skipped", "e1", "PYN-005: check-then-set race"),
                   _report("call", "skipped", "e2", "PYN-005: check-then-set race"),
                   _report("call", "skipped", "k", "PYN-002: values equal ... (str-subclass)")]:  # fmt: skip
        summaries._count_outcome(report)
    terminal = Terminal()
    summaries._verdict(terminal)
    text = "\n".join(terminal.lines)
    assert re.search(r"checked: 5 tests in \d+ s, 1 passed", text) and "your failures: 1" in text
    assert "not your failures): PYN-002 x1, PYN-005 x2" in text
