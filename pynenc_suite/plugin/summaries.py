"""End-of-session sections: the key audit table and the real-time tier's counters.

Tests hand their rows to pytest as ``user_properties`` (so they reach the
controlling process under xdist); :func:`collect` gathers them from the reports
and :func:`write_summaries` prints them once at the end.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import pytest

from pynenc_suite import pynenc_log
from pynenc_suite.findings.registry import candidate_fixes_on, unfixed_in_gate
from pynenc_suite.history.situations import SITUATIONS
from pynenc_suite.plugin.tallies import EXAMPLES

KEY_AUDIT = "pynenc_key_audit"
REALTIME = "pynenc_realtime"
EXPLORE = "pynenc_explore"
SUITE_ERROR = "pynenc_suite_error"
GOOD = ("one-key", "distinct-keys", "risk")

# pytest's record_property fixture (pytest exports no name for its type): a test's row for these sections.
RecordProperty = Callable[[str, object], None]

_collected: dict[str, list[Any]] = {KEY_AUDIT: [], REALTIME: [], EXPLORE: [], SUITE_ERROR: [], EXAMPLES: []}


_not_applicable = 0


def not_applicable(count: int) -> int:
    """Count ``count`` more tests deselected because they run on the suite's reference app only; the total."""
    global _not_applicable
    _not_applicable += count
    return _not_applicable


_outcomes: dict[str, Any] = {"passed": 0, "failed": [], "known": {}, "proofs": {}, "interrupted": False}


def interrupted() -> None:
    """The user stopped the run (Ctrl-C): it has no verdict, and its summary says none."""
    _outcomes["interrupted"] = True


FINDING_ID = re.compile(r"\bPYN-\d+[a-z]?\b")


def collect(report: pytest.TestReport) -> None:
    _count_outcome(report)
    for name, value in report.user_properties:
        if name in _collected and (report.when == "call" or name == SUITE_ERROR):
            _collected[name].append(value)


def _count_outcome(report: pytest.TestReport) -> None:
    """Passed tests, the team's failures, and the recorded findings reproduced (strict xfails), by id."""
    if report.when == "call" and report.passed and not hasattr(report, "wasxfail"):
        _outcomes["passed"] += 1
    elif report.failed and (report.when == "call" or report.when == "setup"):
        _outcomes["failed"].append(report.nodeid)
        _outcomes["proofs"][report.nodeid] = str(report.longrepr)
    elif report.skipped and hasattr(report, "wasxfail"):
        found = FINDING_ID.search(str(report.wasxfail))
        finding = found.group(0) if found else "other"
        _outcomes["known"][finding] = _outcomes["known"].get(finding, 0) + 1


_BEGAN = time.monotonic()  # the plugin loads with pytest: the run's time is measured from here


def suite_errors() -> list[str]:
    return _collected[SUITE_ERROR]


def write_summaries(terminal: pytest.TerminalReporter, verdict: bool = True) -> None:
    """Every collected section; ``verdict``: the run's verdict too (a session that runs the suite)."""
    if _collected[EXAMPLES]:
        _examples(terminal, _collected[EXAMPLES])
    if _collected[KEY_AUDIT]:
        _key_audit(terminal, _collected[KEY_AUDIT])
    if _collected[EXPLORE]:
        _explored(terminal, _collected[EXPLORE])
    if _collected[REALTIME]:
        terminal.section("real-time tier")
        for line in _collected[REALTIME]:
            terminal.write_line(line)
    if _collected[SUITE_ERROR]:
        terminal.section("pynenc-suite: the suite itself failed (not a property of pynenc)")
        for line in sorted(set(_collected[SUITE_ERROR])):
            terminal.write_line(line)
    if verdict:
        _verdict(terminal)


def _verdict(terminal: pytest.TerminalReporter) -> None:
    """The run in four lines: what passed, your failures, pynenc's recorded defects reproduced, what did not
    apply."""
    failed, known = _outcomes["failed"], _outcomes["known"]
    terminal.section("pynenc-suite verdict")
    if _outcomes["interrupted"]:
        terminal.write_line("none: the run was interrupted before it ended")
        if log := pynenc_log.announcement():
            terminal.write_line(log)
        return
    seconds = time.monotonic() - _BEGAN
    terminal.write_line(f"checked: {_outcomes['passed'] + len(failed) + sum(known.values())} tests in "
                        f"{seconds:.0f} s, {_outcomes['passed']} passed")  # fmt: skip
    terminal.write_line(f"your failures: {len(failed)}" + (" (listed below, each with its folder under "
                        "failures/ and a replay command)" if failed else ""))  # fmt: skip
    terminal.write_line(
        "recorded pynenc defects reproduced (strict xfails, not your failures): "
        + (", ".join(f"{f} x{n}" for f, n in sorted(known.items())) or "none")
    )
    if _not_applicable:
        terminal.write_line(f"not applicable to this app: {_not_applicable} tests of the suite's reference app")
    if log := pynenc_log.announcement():
        terminal.write_line(log)
    if _annotations["github"]:
        for nodeid in failed:
            terminal.write_line(github_error(nodeid, _outcomes["proofs"].get(nodeid, "")))


_annotations = {"github": False}


def annotate_for_github(on: bool) -> None:
    """Whether the verdict ends with a GitHub Actions ``::error`` line per failure of the team's."""
    _annotations["github"] = on


def github_error(nodeid: str, proof: str) -> str:
    """One workflow command: ``::error title=<test>::<proof>``, the proof's lines joined as GitHub escapes them."""
    test = nodeid.rsplit("::", 1)[-1]
    escaped = proof.strip().replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error title=pynenc-suite {test.replace(',', '%2C').replace('::', ':')}::{escaped}"


def _explored(terminal: pytest.TerminalReporter, rows: list[dict]) -> None:
    """Per task, the scenarios and interleavings the explore tier ran, and the known findings it met."""
    write = terminal.write_line
    terminal.section("interleavings explored")
    known: dict[str, int] = {}
    for r in rows:
        for finding, n in r["known"].items():
            known[finding] = known.get(finding, 0) + n
    runs = sum(r["runs"] for r in rows)
    seconds = sum(r["seconds"] for r in rows)
    write(
        f"{len(rows)} scenarios, {runs} interleavings in {seconds:.0f} s of test time; "
        f"interleavings showing a known finding without a candidate fix: "
        + (", ".join(f"{f} {n}" for f, n in sorted(known.items())) or "none")
    )
    write(f"{'task':18} {'scenarios':>9} {'interleavings':>13} {'most decision points':>20} {'seconds':>8}")
    for task in sorted({r["task"] for r in rows}):
        mine = [r for r in rows if r["task"] == task]
        write(
            f"{task:18} {len(mine):>9} {sum(r['runs'] for r in mine):>13} "
            f"{max(r['decisions'] for r in mine):>20} {sum(r['seconds'] for r in mine):>8.1f}"
        )


def _key_audit(terminal: pytest.TerminalReporter, rows: list[dict]) -> None:
    """Per key argument: your equality's search (families, pairs, verdict and minimal pair), then the values of
    other types, counted by the recorded pynenc defect that keys them wrongly."""
    write = terminal.write_line
    terminal.section("key serialization audit")
    yours = sorted((r for r in rows if r.get("tier") == "yours"), key=lambda r: (r["task"], r["argument"]))
    others = [r for r in rows if r.get("tier") == "other"]
    failing = [r for r in yours if r["defects"]]
    write(
        f"your equality: {len(yours)} key argument(s) searched, {sum(r['pairs'] for r in yours)} pairs in "
        f"{sum(r['seconds'] for r in yours):.1f} s; {len(failing)} keyed against it (your failures)"
    )
    write(f"{'task':16} {'argument':12} {'type':10} {'families':>8} {'pairs':>6}  verdict")
    for r in yours:
        verdicts = [f"{d['verdict']} ({d['family']}): {d['values']}" for d in r["defects"]] or ["one key per value"]
        write(
            f"{r['task'][:16]:16} {r['argument'][:12]:12} {r['type'][:10]:10} {r['families']:>8} {r['pairs']:>6}  "
            f"{_clip(verdicts[0])}"
        )
        for more in verdicts[1:]:
            write(f"{'':58}{_clip(more)}")
    if others:
        wrong = [r for r in others if r["verdict"] not in GOOD or r["process_stable"] is False]
        by_finding: dict[str, int] = {}
        for r in wrong:
            by_finding[r["finding"] or "new"] = by_finding.get(r["finding"] or "new", 0) + 1
        risks = sum(r["verdict"] == "risk" for r in others)
        write(
            f"values of other types: {len(others)} (argument, class) checked; keyed wrongly: "
            + (", ".join(f"{n} by {f}" for f, n in sorted(by_finding.items())) or "none")
            + (f"; {risks} risk(s): a union admits two types a caller may mix" if risks else "")
        )
        for finding in sorted(f for f in by_finding if f != "new"):
            classes: dict[str, int] = {}
            for r in wrong:
                if r["finding"] == finding:
                    classes[r["class"]] = classes.get(r["class"], 0) + 1
            write(
                f"  recorded {finding} (exposure, not your failure): "
                + ", ".join(f"{name} on {n} argument(s)" for name, n in sorted(classes.items()))
            )
        for r in sorted(
            (r for r in wrong if r["finding"] is None), key=lambda r: (r["task"], r["argument"], r["class"])
        ):
            write(f"  NEW {r['task']}.{r['argument']} {r['class']}: {_clip(r['example'], 120)}")


def _clip(text: str, width: int = 150) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _examples(terminal: pytest.TerminalReporter, rows: list[dict]) -> None:
    """Per gate property, the examples judged and those discarded because they showed a known finding."""
    write = terminal.write_line
    terminal.section("examples per property")
    judged = sum(r["judged"] for r in rows)
    by_finding: dict[str, int] = {}
    for r in rows:
        for finding, n in r["discarded"].items():
            by_finding[finding] = by_finding.get(finding, 0) + n
    dropped = sum(by_finding.values())
    findings = ", ".join(f"{f} {n}" for f, n in sorted(by_finding.items()))
    write(
        f"{len(rows)} properties: {judged} examples judged, {dropped} discarded as known findings"
        + (f" ({findings})" if findings else "")
    )
    unfixed = unfixed_in_gate()
    if not candidate_fixes_on():
        write(
            "candidate fixes off (--without-fixes): pynenc as installed; examples showing any recorded finding "
            "are discarded by its signature"
        )
    elif unfixed:
        write(
            f"candidate fixes written for other pynenc code, not applied to pynenc {version('pynenc')}: "
            f"{', '.join(f.id for f in unfixed)}; examples showing them are discarded by their signatures"
        )
    reached: dict[str, int] = {}
    for r in rows:
        for situation, n in r.get("situations", {}).items():
            reached[situation] = reached.get(situation, 0) + n
    never = [s for s in SITUATIONS if not reached.get(s)]
    write(
        "recovery's hard situations, judged examples that reached each: "
        + ", ".join(f"{s} {reached.get(s, 0)}" for s in SITUATIONS)
    )
    if never:
        write(f"never reached (a blind spot of this run): {', '.join(never)}")
    _property_grid(write, rows)


SHORT = {"drop-semantics": "drop", "exclusive-admission": "exclusive", "legal-transitions": "legal",
         "no-overlap": "overlap", "no-stale-locks": "stale-locks", "registration-dedup": "dedup",
         "reroute-preserves-work": "reroute"}  # a rule's column heading  # fmt: skip
PROPERTY = re.compile(r"^(?P<test>\w+)\[(?P<task>\w+)-(?P<rule>[\w-]+)\]")


def _property_grid(write: Any, rows: list[dict]) -> None:
    """Every property in one table, a row per task and a column per rule: examples judged, and ``+N`` discarded
    as a known finding."""
    grid: dict[str, dict[str, str]] = {}
    rules: list[str] = []
    for r in rows:
        name = r["item"].rsplit("::", 1)[-1]
        found = PROPERTY.match(name)
        task, rule = (found["task"], found["rule"]) if found else (re.sub(r"@[^\]]*$", "", name), "examples")
        rules += [rule] if rule not in rules else []
        dropped = sum(r["discarded"].values())
        grid.setdefault(task, {})[rule] = f"{r['judged']}" + (f"+{dropped}" if dropped else "")
    width = max([len(t) for t in grid] + [4])
    widths = {rule: max(len(SHORT.get(rule, rule)), 6) for rule in rules}
    write("examples judged per task and rule (+N: discarded as a known finding; -: the rule does not apply)")
    write(f"{'task':{width}}  " + "  ".join(f"{SHORT.get(rule, rule):>{widths[rule]}}" for rule in rules))
    for task in sorted(grid):
        write(f"{task:{width}}  " + "  ".join(f"{grid[task].get(rule, '-'):>{widths[rule]}}" for rule in rules))
