"""The suite's status graph (the oracle) against the installed pynenc's graph.

A difference means pynenc changed its documented state machine: the suite's
copy is not updated from pynenc automatically, so this test fails and a person
decides whether the new graph is intended.
"""

from __future__ import annotations

from pynenc.invocation.status import InvocationStatus, get_status_definition, status_record_transition

from pynenc_suite.history.status_graph import ALLOWED, FINAL
from pynenc_suite.verdicts import require


def installed_graph() -> dict[str | None, frozenset[str]]:
    graph: dict[str | None, frozenset[str]] = {None: frozenset({s.value for s in InvocationStatus if _legal(None, s)})}
    for status in InvocationStatus:
        targets = get_status_definition(status).allowed_transitions
        graph[status.value] = frozenset(t.value for t in targets)
    return graph


def _legal(before: InvocationStatus | None, after: InvocationStatus) -> bool:
    try:
        status_record_transition(None, after, "probe-runner") if before is None else None
        return True
    except Exception:  # noqa: BLE001 - pynenc's refusal is the answer
        return False


def test_suite_graph_matches_installed_pynenc() -> None:
    installed = installed_graph()
    differences = {
        status: {"suite": sorted(ALLOWED.get(status, ())), "pynenc": sorted(installed.get(status, ()))}
        for status in set(ALLOWED) | set(installed)
        if ALLOWED.get(status) != installed.get(status)
    }
    require(not differences, f"pynenc's status graph differs from the suite's: {differences}")


def test_suite_final_statuses_match_installed_pynenc() -> None:
    installed = {s.value for s in InvocationStatus.get_final_statuses()}
    require(FINAL == installed, f"pynenc's final statuses are {sorted(installed)}, the suite's {sorted(FINAL)}")
