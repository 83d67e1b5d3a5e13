"""From one release's item outcomes to what the release shows: each finding's verdict, and the gate's properties.

The rules (pure functions of the outcomes, tested on hand-made rows):

* a finding **affects** a release when one of its reproductions failed as expected
  (a strict xfail held) or the gate discarded an example showing it;
* it is **absent** when every reproduction ran and kept its rule (a strict XPASS)
  and no example showed it;
* otherwise it is **not measured** there: its reproductions could not run, or it
  has none this tier runs (the real-time findings).

A gate property that fails on a release is a defect of that release no finding
explains: a regression, reported with its first line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

AFFECTED, ABSENT, NOT_MEASURED = "affected", "absent", "not measured"


@dataclass
class FindingVerdict:
    verdict: str
    reproduced: int = 0  # strict xfails that held
    kept: int = 0  # strict xfails that passed (the rule held)
    skipped: int = 0  # reproductions that need what this run did not have (another engine)
    discarded: int = 0  # gate examples that showed it
    errors: list[str] = field(default_factory=list)  # reproductions that failed some other way


@dataclass
class ReleaseResult:
    release: str
    findings: dict[str, FindingVerdict]
    properties_passed: int
    properties_failed: list[str]  # "item: first line"
    suite_errors: list[str]  # items (not reproductions) that failed or errored outside a property
    notes: list[str] = field(default_factory=list)  # what was not run on this release, and why


def judge(release: str, rows: list[dict[str, Any]], finding_ids: list[str]) -> ReleaseResult:
    """What ``rows`` (one child gate's outcomes) show of every finding in ``finding_ids`` and of the properties."""
    discarded: Counter[str] = Counter()
    for row in rows:
        for finding, n in ((row.get("examples") or {}).get("discarded") or {}).items():
            discarded[finding] += n
    findings = {}
    for finding in finding_ids:
        own = [row for row in rows if row.get("finding") == finding]
        reproduced = sum(row["outcome"] == "xfailed" for row in own)
        kept = sum(row["outcome"] in ("xpassed", "passed") for row in own)
        errors = [f"{row['item']}: {row['message']}" for row in own if row["outcome"] == "failed"]
        skipped = sum(row["outcome"] == "skipped" for row in own)
        if reproduced or discarded[finding]:
            verdict = AFFECTED
        elif kept and not errors:
            verdict = ABSENT
        else:
            verdict = NOT_MEASURED
        findings[finding] = FindingVerdict(
            verdict, reproduced=reproduced, kept=kept, skipped=skipped, discarded=discarded[finding], errors=errors
        )
    properties = [row for row in rows if "test_property[" in row["item"] and row.get("finding") is None]
    failed = [f"{row['item']}: {row['message']}" for row in properties if row["outcome"] == "failed"]
    others = [
        f"{row['item']}: {row['message']}"
        for row in rows
        if row.get("finding") is None and row["outcome"] == "failed" and "test_property[" not in row["item"]
    ]
    return ReleaseResult(release, findings, sum(row["outcome"] == "passed" for row in properties), failed, others)
