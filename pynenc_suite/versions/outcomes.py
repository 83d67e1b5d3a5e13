"""A pytest plugin for the child gate of ``pynenc-suite versions``: every item's outcome, written as JSON.

Loaded with ``-p pynenc_suite.versions.outcomes``; the file is named by the
environment variable ``PYNENC_SUITE_OUTCOMES``.  Each item carries the finding its
strict xfail names (read from the mark on the worker, where the item is), so the
controlling process can tell a reproduced finding (xfailed) from one the release
does not have (a strict XPASS) and from a reproduction that could not run (any
other failure).
"""

from __future__ import annotations

import json
import os
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from pynenc_suite.plugin.tallies import EXAMPLES

FINDING = "pynenc_finding_id"
FINDING_ID = re.compile(r"\bPYN-\d{3}\b")
_rows: list[dict[str, Any]] = []


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("xfail"):
        found = FINDING_ID.search(str(mark.kwargs.get("reason", "")))
        if found:
            item.user_properties.append((FINDING, found.group()))
            return


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "call" and not (report.failed or report.skipped):
        return
    properties = dict(report.user_properties)
    _rows.append({
        "item": report.nodeid,
        "when": report.when,
        "outcome": outcome_of(report),
        "finding": properties.get(FINDING),
        "examples": properties.get(EXAMPLES),
        "message": _first_line(report) if report.failed else "",
    })  # fmt: skip


def outcome_of(report: pytest.TestReport) -> str:
    """passed, failed, skipped, xfailed (the expected violation), or xpassed (strict: the finding is absent)."""
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.failed and "[XPASS(strict)]" in report.longreprtext:
        return "xpassed"
    return report.outcome


def _first_line(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else report.longreprtext
    return (text.strip().splitlines() or [""])[0][:300]


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get("PYNENC_SUITE_OUTCOMES")
    if target and not hasattr(session.config, "workerinput"):
        Path(target).write_text(json.dumps({"pynenc": version("pynenc"), "rows": _rows}, indent=1, default=str))
