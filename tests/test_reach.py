"""``pynenc-suite reach``: the comparison of two coverage reports, its tables, and its one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pynenc_suite.markers import NoMarkers
from pynenc_suite.reach import compare, table
from pynenc_suite.reach.areas import area_of, module_path
from pynenc_suite.reach.both_sides import write

SITE = "/venv/lib/python3.12/site-packages/"


def _file(executed: list, missing: list, functions: dict | None = None) -> dict:
    return {"executed_branches": executed, "missing_branches": missing, "functions": functions or {}}


def _function(start: int, executed: list, missing: list) -> dict:
    return {"start_line": start, "executed_branches": executed, "missing_branches": missing}


def test_only_pynencs_concurrency_modules_count_wherever_pynenc_is_installed() -> None:
    assert module_path(SITE + "pynenc/orchestrator/base_orchestrator.py") == "pynenc/orchestrator/base_orchestrator.py"
    assert module_path("C:\\py\\Lib\\site-packages\\pynenc\\core_tasks.py") == "pynenc/core_tasks.py"
    assert module_path(SITE + "pynenc_redis/orchestrator/redis_orchestrator.py") is None
    assert area_of("pynenc/core_tasks.py") == "recovery"
    assert area_of("pynenc/serializer/json_serializer.py") is None


def test_each_branch_is_counted_once_and_attributed_to_the_runs_that_took_it() -> None:
    orchestrator = SITE + "pynenc/orchestrator/mem_orchestrator.py"
    gate = {"files": {orchestrator: _file([[1, 2], [3, 4]], [[1, 5], [3, 6]]),
                      SITE + "pynenc/serializer/x.py": _file([[1, 2]], [])}}  # fmt: skip
    tests = {"files": {orchestrator: _file([[1, 2], [1, 5]], [[3, 4], [3, 6]])}}
    (row,) = compare.reach_by_module(gate, tests)
    assert row.area == "orchestrator" and len(row.branches) == 4
    assert row.gate == {(1, 2), (3, 4)} and row.tests == {(1, 2), (1, 5)}
    cells = table._cells([row])
    assert cells == "4 | 2 (50%) | 2 (50%) | 3 (75%) | 1 | 1 |"


def test_a_module_only_one_side_imported_still_counts_all_its_branches() -> None:
    sqlite = SITE + "pynenc/broker/sqlite_broker.py"
    (row,) = compare.reach_by_module({"files": {}}, {"files": {sqlite: _file([[1, 2]], [[1, 3]])}})
    assert len(row.branches) == 2 and not row.gate and row.tests == {(1, 2)}


def test_gaps_list_functions_by_the_branches_pynencs_tests_take_and_the_gate_does_not() -> None:
    runner = SITE + "pynenc/runner/base_runner.py"
    functions = {
        "": _function(1, [], [[1, 2]]),  # module level: never a gap
        "BaseRunner.covered": _function(10, [[11, 12]], []),
        "BaseRunner.tests_know": _function(20, [], [[21, 22], [21, 23]]),
        "BaseRunner.nobody": _function(30, [], [[31, 32]]),
    }
    gate = {"files": {runner: _file([[11, 12]], [[1, 2], [21, 22], [21, 23], [31, 32]], functions)}}
    tests = {"files": {runner: _file([[21, 22], [21, 23]], [[31, 32]])}}
    found = compare.gaps(gate, tests)
    assert [(g.function, g.tests_only, g.neither) for g in found] == [
        ("BaseRunner.tests_know", ((21, 22), (21, 23)), ()),
        ("BaseRunner.nobody", (), ((31, 32),)),
    ]
    rendered = table.render(compare.reach_by_module(gate, tests), found, "how")
    assert "| `runner/base_runner.py:20` BaseRunner.tests_know | 2: 21->22, 21->23 | 0 |" in rendered
    assert "| runner | 5 | 1 (20%) | 2 (40%) | 3 (60%) | 1 | 2 |" in rendered


def test_the_tables_are_written_between_their_markers_only(tmp_path: Path) -> None:
    figures = tmp_path / "figures.md"
    figures.write_text(f"# Figures\n{table.BEGIN}\nold\n{table.END}\nkept\n")
    write(figures, "| new |")
    assert figures.read_text() == f"# Figures\n{table.BEGIN}\n| new |\n{table.END}\nkept\n"
    bare = tmp_path / "bare.md"
    bare.write_text("# nothing to replace\n")
    with pytest.raises(NoMarkers):
        write(bare, "| new |")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--engines", "memory,oracle"], "oracle"),
        (["--write", "no-such-figures.md"], "reach: no-such-figures.md does not exist"),
        (["--frobnicate"], "reach: unknown arguments --frobnicate"),
    ],
)
def test_what_a_user_gets_wrong_is_one_line_and_exit_2(tmp_path: Path, arguments: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pynenc_suite", "reach", *arguments], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr


def test_measured_runs_are_kept_for_reuse(tmp_path: Path) -> None:
    from pynenc_suite.reach.both_sides import _recorded, _save
    from pynenc_suite.reach.measure import Run

    runs = [Run("gate-memory", 0, 277.0, "113 passed in 277.04s", tmp_path / "gate-memory.log")]
    _save(tmp_path, runs)
    assert _recorded(tmp_path) == {"gate-memory": runs[0]}
    assert _recorded(tmp_path / "elsewhere") == {}


def test_a_runs_summary_is_pytests_even_when_log_lines_follow_it() -> None:
    from pynenc_suite.reach.measure import pytest_summary

    output = "....\n==== 12 failed, 1510 passed, 17 skipped in 496.20s (0:08:16) ====\n2026-11-29 INFO runner STOPPED\n"
    assert pytest_summary(output) == "12 failed, 1510 passed, 17 skipped in 496.20s (0:08:16)"
    assert pytest_summary("INFO only log lines\n") == "no pytest summary; see the log"
