"""Replay a gate counterexample: the same schedule, app and engine; do the same violations come back?

Prints ``reproduced:`` with the violations and the per-key timeline, or
``did NOT reproduce`` with what the replay found instead.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from pynenc_suite import artefacts
from pynenc_suite.apps.target import load
from pynenc_suite.drivers.deterministic.histories import run_schedule
from pynenc_suite.findings.registry import by_id
from pynenc_suite.history.model import TaskPolicy
from pynenc_suite.history.timeline import render
from pynenc_suite.judge import judge


def replay(folder: Path) -> bool:
    """True if the artefact's violations come back exactly.

    A folder that is not a counterexample raises NotAnArtefact, an app that cannot be loaded TargetError."""
    artefact = artefacts.load(folder)
    target = load(artefact.meta["app"], engine=artefact.meta["engine"])
    rule, task = artefact.meta["rule"], artefact.meta["task"]
    print(f"replaying {folder}: app={target.spec} engine={target.engine} task={task} rule={rule}")
    saved, now = artefact.history.policies.get(task), target.policies.get(task)
    configured = TaskPolicy.from_json(artefact.meta["configured"]) if "configured" in artefact.meta else saved
    if configured != now:
        print(
            f"did NOT reproduce: the app's policy for {task} changed since the failure was saved "
            f"(saved: {configured}; now: {now}); the replay would test another configuration"
        )
        return False
    if saved != now and saved is not None:
        print(f"judged by the locked contract {saved}, against the app's {now}")
        target = target.judged_by({task: saved})
    fixes = artefact.meta.get("fixes", [])
    with ExitStack() as stack:
        for finding in fixes:  # the gate ran pynenc with these candidate fixes; so does its replay
            fix = by_id(finding).gate_fix
            if fix is None:
                print(
                    f"did NOT reproduce: the gate ran with a candidate fix of {finding}, which this installation "
                    "no longer has"
                )
                return False
            stack.enter_context(fix())
        if fixes:
            print(f"with the candidate fixes of {', '.join(fixes)}, as the gate ran")
        history = run_schedule(target, [task], artefact.schedule)
    violations = judge(history, [rule]).violations
    found = [str(v) for v in violations]
    if found == artefact.meta["violations"]:
        print(f"reproduced: {len(violations)} violation(s) of {rule} on {task}")
        print("\n".join(f"  {v}" for v in found))
        print(render(history, violations))
        return True
    print(
        f"did NOT reproduce: recorded {len(artefact.meta['violations'])} violation(s) of {rule}, "
        f"the replay found {len(found)}"
    )
    print("\n".join(f"  recorded: {v}" for v in artefact.meta["violations"]))
    print("\n".join(f"  replayed: {v}" for v in found))
    return False
