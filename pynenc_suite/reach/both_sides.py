"""``pynenc-suite reach``: measure both sides, compare them, print the tables (and write them into a file)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

from pynenc_suite.markers import write_between
from pynenc_suite.reach import areas, compare, measure, table

ENGINE_PROFILE = "engine"  # the gate on an engine with a server or files, as tox -e gate-<engine> runs it
RUNS = "runs.json"  # what each measured run was, beside its coverage data (for --reuse)


def reach(app: str | None, engines: list[str], profile: str | None, root: Path, workers: str, pynenc_tests: bool,
          top: int, reuse: bool = False) -> tuple[str, list[measure.Run]]:  # fmt: skip
    """The tables, and every measured run (a run that failed is reported by the caller, not hidden).

    With ``reuse``, a side whose coverage data and runs a previous call left in ``root`` is not measured again."""
    measure.require_tools(pynenc_tests)
    root.mkdir(parents=True, exist_ok=True)
    gate_data, tests_data = root / "gate.coverage", root / "pynenc-tests.coverage"
    recorded = _recorded(root) if reuse else {}
    gate_runs = [recorded.get(f"gate-{engine}") for engine in engines]
    if None in gate_runs or not gate_data.exists():
        gate_runs = []
        for index, engine in enumerate(engines):
            arguments = measure.gate_arguments(app, engine, profile if engine == "memory" else ENGINE_PROFILE, workers)
            gate_runs.append(measure.measure(f"gate-{engine}", arguments, gate_data, root, append=index > 0,
                                             cwd=Path.cwd()))  # fmt: skip
    runs = [run for run in gate_runs if run is not None]
    tests_report: dict = {"files": {}}
    if pynenc_tests:
        tests_run = recorded.get("pynenc-tests") if tests_data.exists() else None
        if tests_run is None:
            empty = root / "pynenc-tests.cwd"
            empty.mkdir(exist_ok=True)
            tests_run = measure.measure("pynenc-tests", measure.pynenc_tests_arguments(), tests_data, root, cwd=empty)
        runs.append(tests_run)
        tests_report = measure.report(tests_data)
    _save(root, runs)
    gate_report = measure.report(gate_data)
    rows, gaps = compare.reach_by_module(gate_report, tests_report), compare.gaps(gate_report, tests_report)
    return table.render(rows, gaps, _how(app, engines, profile, runs, pynenc_tests), top), runs


def _recorded(root: Path) -> dict[str, measure.Run]:
    path = root / RUNS
    if not path.exists():
        return {}
    return {
        entry["name"]: measure.Run(**{**entry, "log": Path(entry["log"])}) for entry in json.loads(path.read_text())
    }


def _save(root: Path, runs: list[measure.Run]) -> None:
    (root / RUNS).write_text(json.dumps([{**asdict(run), "log": str(run.log)} for run in runs], indent=1))


def _how(app: str | None, engines: list[str], profile: str | None, runs: list[measure.Run], pynenc_tests: bool) -> str:
    command = " ".join(["pynenc-suite reach", *([app] if app else []), f"--engines {','.join(engines)}",
                        *([f"--hypothesis-profile {profile}"] if profile else []),
                        *([] if pynenc_tests else ["--no-pynenc-tests"])])  # fmt: skip
    profiles = ", ".join(f"{e}: {profile if e == 'memory' else ENGINE_PROFILE} profile" for e in engines)
    measured = "; ".join(f"{r.name}: {r.seconds:.0f} s, {r.summary}" for r in runs)
    where = ", ".join(f"`{prefix}`" for _name, prefix in areas.AREAS)
    return (f"Measured by `{command}` on pynenc {version('pynenc')} ({measured}). Branches (coverage.py arcs) of "
            f"{where}: taken by the gate ({profiles}; pynenc as installed, no candidate fix), and by pynenc's own "
            + ("tests (`pynenc_tests`, shipped in its wheel, without the web monitor's)." if pynenc_tests
               else "tests (not measured here: --no-pynenc-tests)."))  # fmt: skip


def write(path: Path, text: str) -> None:
    write_between(path, table.BEGIN, table.END, text)


def default_workers() -> str:
    return str(min(os.cpu_count() or 1, 2))
