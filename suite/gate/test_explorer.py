"""Races inside pynenc operations: every controlled task, explored exhaustively up to two preemptions.

Two producers enqueue one key; then two runner loop iterations (poll, then run)
happen at once, switching at pynenc's yield points.  Every placement of up to
two preemptions is tried, fewest first.  Registration-controlled tasks also get
two producers enqueueing at once, and every running-controlled task a runner
killed at each yield point of its loop iteration.  A scenario that reaches a
recorded race (the findings registry's ``races``) is a strict xfail that expects
exactly that finding's signature in the race found: its folder goes under
``known/<finding>/``, and any other race fails the test with a folder under
``failures/``.
"""

from __future__ import annotations

import pytest

from pynenc_suite import artefacts, invariants
from pynenc_suite.active import options, target_for
from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.deterministic.explore import explore
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import race_finding, recorded_finding_in
from pynenc_suite.history.timeline import render
from pynenc_suite.schedules.steps import Crash, Enqueue, Iterate
from pynenc_suite.strategies.arguments import simplest_kwargs
from pynenc_suite.verdicts import KnownFindingViolation, PropertyViolation


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "race" not in metafunc.fixturenames:
        return
    target = target_for()
    params = []
    for name in target.controlled:
        policy = target.policies[name]
        rules = (["no-overlap", "liveness"] if policy.controls_running else []) + (
            ["registration-dedup"] if policy.controls_registration else []
        )
        for rule in rules:
            # With registration control the two enqueues of the running scenario collapse into one
            # invocation, so that scenario has nothing to race: it must pass.
            finding = race_finding(rule) if not (rule == "no-overlap" and policy.controls_registration) else None
            marks = (
                [pytest.mark.xfail(strict=True, raises=KnownFindingViolation, reason=finding.reason)] if finding else []
            )
            params.append(pytest.param((name, rule), id=f"{name}-{rule}", marks=marks))
    metafunc.parametrize("race", params)


def test_no_race_within_two_preemptions(pynenc_target: Target, race: tuple[str, str]) -> None:
    target = pynenc_target
    name, rule = race
    call = simplest_kwargs(target.under_test(name).func)
    enqueues = [Enqueue(0, name, call), Enqueue(1, name, call)]
    check = invariants.get(rule).check
    if rule == "registration-dedup":
        result = explore(target, name, [], enqueues, lambda h: bool(check(h)), runners=1)
    elif rule == "liveness":  # the runner is killed at any yield point of its loop iteration
        result = explore(target, name, enqueues[:1], [Iterate(0), Crash(0)], lambda h: bool(check(h)), bound=1)
    else:
        result = explore(target, name, enqueues, [Iterate(0), Iterate(1)], lambda h: bool(check(h)))
    if result.schedule is not None:
        history = run_schedule(target, [name], result.schedule)
        violations = check(history)
        known = recorded_finding_in(history)  # explored on pynenc as installed
        root, test_id = options().artefacts, f"explorer-{name}-{rule}"
        folder = artefacts.save(
            artefacts.known_folder_for(root, known.id, test_id) if known else artefacts.folder_for(root, test_id),
            result.schedule, history, app=target.spec, engine=target.engine, task=name, rule=rule,
            violations=violations, finding=(known.id, known.title) if known else None,
        )  # fmt: skip
        raise (KnownFindingViolation if known else PropertyViolation)(
            (f"recorded pynenc defect {known.id}: " if known else "")
            + f"race found after {result.runs} interleavings:\n{result.schedule!r}\n{render(history, violations)}\n"
            f"replay: {artefacts.replay_command(folder)}"
        )
