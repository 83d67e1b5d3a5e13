"""Branches reached by the gate and by pynenc's own tests, compared from two coverage.py JSON reports.

A branch is an arc (from line, to line) of coverage.py's branch measurement.  The
set of a module's branches is the union of what either report executed or missed
(both analyse the same source).  Pure functions of the reports: they never run anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynenc_suite.reach.areas import AREAS, area_of, module_path

Arc = tuple[int, int]
Report = dict[str, Any]  # coverage.py's JSON report (``coverage json`` / ``--cov-report=json``)


@dataclass(frozen=True)
class ModuleReach:
    """One module's branches, and which of them each run took."""

    module: str
    area: str
    branches: frozenset[Arc]
    gate: frozenset[Arc]
    tests: frozenset[Arc]


@dataclass(frozen=True)
class FunctionGap:
    """Branches of one function the gate never took: those pynenc's tests took, and those neither took."""

    module: str
    function: str
    start_line: int
    tests_only: tuple[Arc, ...]
    neither: tuple[Arc, ...]


def _arcs(entry: dict[str, Any], key: str) -> frozenset[Arc]:
    return frozenset((a, b) for a, b in entry.get(key, ()))


def _by_module(report: Report) -> dict[str, dict[str, Any]]:
    out = {}
    for file, entry in report.get("files", {}).items():
        module = module_path(file)
        if module is not None and area_of(module) is not None:
            out[module] = entry
    return out


def reach_by_module(gate: Report, tests: Report) -> list[ModuleReach]:
    """Every concurrency module either report measured, in area order then by name."""
    gate_files, test_files = _by_module(gate), _by_module(tests)
    rows = []
    for module in sorted(gate_files.keys() | test_files.keys()):
        g, t = gate_files.get(module, {}), test_files.get(module, {})
        taken_g, taken_t = _arcs(g, "executed_branches"), _arcs(t, "executed_branches")
        every = taken_g | taken_t | _arcs(g, "missing_branches") | _arcs(t, "missing_branches")
        rows.append(ModuleReach(module, area_of(module) or "", every, taken_g, taken_t))
    order = [name for name, _ in AREAS]
    return sorted(rows, key=lambda r: (order.index(r.area), r.module))


def gaps(gate: Report, tests: Report) -> list[FunctionGap]:
    """Each function with a branch the gate never took, most such branches that pynenc's tests took first:
    where a new gate step would reach code that is known to run."""
    gate_files, test_files = _by_module(gate), _by_module(tests)
    out = []
    for module in gate_files.keys() | test_files.keys():
        g, t = gate_files.get(module, {}), test_files.get(module, {})
        taken_g, taken_t = _arcs(g, "executed_branches"), _arcs(t, "executed_branches")
        functions = (g or t).get("functions", {})
        for name, entry in functions.items():
            if not name:
                continue  # module level: definitions, not behaviour
            every = _arcs(entry, "executed_branches") | _arcs(entry, "missing_branches")
            missed = every - taken_g
            if missed:
                out.append(FunctionGap(module, name, int(entry.get("start_line", 0)),
                                       tuple(sorted(missed & taken_t)), tuple(sorted(missed - taken_t))))  # fmt: skip
    return sorted(out, key=lambda f: (-len(f.tests_only), -len(f.neither), f.module, f.start_line))
