"""The one findings registry: every recorded defect of pynenc, and every way the suite meets it.

A :class:`Finding` names the rules it breaks and how the suite recognises it:

* ``gate`` — its signature in a deterministic history; a random gate example that
  shows it is discarded while the finding reproduces;
* ``realtime`` — its signatures in a decided real-time violation, counted under the
  finding instead of failing the tier; ``realtime_broad`` ones also fit other defects'
  symptoms, so they are tried only after every finding's narrow ones;
* ``artefacts`` — committed minimal counterexamples (``findings/artefacts/<name>``),
  each replayed as a strict xfail;
* ``split_classes`` / ``collapsed_classes`` / ``process_classes`` — the key audit's
  equality classes it keys wrongly (split apart, collapsed together, or differently
  in another process), each a strict xfail of the audit and end to end;
* ``races`` — the explorer's scenarios (by rule) that reach it, strict xfails;
* ``fix`` — a candidate fix of pynenc, for reproductions that must be shown able to pass;
* ``gate_fix`` — a candidate fix the gate's properties run with (:func:`candidate_fixes`), so that
  examples showing the finding are judged in full; a finding with one is never filtered.

Reproductions that need a scenario of their own are tests marked
``@pytest.mark.pynenc_finding("PYN-…")``; the plugin makes each a strict xfail.
FINDINGS.md is the prose; ``tests/test_findings_registry.py`` holds the two together.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from pynenc_suite.findings import gate_signatures as gate
from pynenc_suite.findings import realtime_signatures as realtime
from pynenc_suite.findings.fixes import FixNoLongerApplies
from pynenc_suite.findings.gate_signatures import GateSignature
from pynenc_suite.findings.realtime_signatures import RealtimeSignature
from pynenc_suite.history.model import History, Violation

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
EQUAL_VALUES_SPLIT = (
    "int-float", "int-bool", "negative-zero", "int-decimal", "decimal-exponent", "tuple-namedtuple",
    "strenum-value", "intenum-value", "dict-order", "set-order", "frozenset-order", "datetime-timezone",
    "nested-containers", "str-subclass", "path-pure-concrete",
)  # fmt: skip


@dataclass(frozen=True)
class FixRef:
    """A candidate fix by its module (in ``findings/``) and function: the module, which imports pynenc and the
    driver, loads only when the fix is applied, so that the registry (and the pytest plugin) imports neither.
    Equal references are one fix (one pynenc change may fix several findings)."""

    module: str
    function: str

    def resolve(self) -> Callable[[], Any]:
        """The fix's function (its module imported now)."""
        fix: Callable[[], Any] = getattr(import_module(f"pynenc_suite.findings.{self.module}"), self.function)
        return fix

    def __call__(self) -> Any:
        return self.resolve()()


blocked_invocations_wait_as_they_are = FixRef("decision_fixes", "blocked_invocations_wait_as_they_are")
key_decisions_atomic = FixRef("decision_fixes", "key_decisions_atomic")
registration_atomic = FixRef("decision_fixes", "registration_atomic")
batch_calls_indexed = FixRef("fixes", "batch_calls_indexed")
multithread_stop_keeps_heartbeats = FixRef("fixes", "multithread_stop_keeps_heartbeats")
recovery_sweeps_check_mark_and_reroute_in_one_step = FixRef(
    "recovery_fixes", "recovery_sweeps_check_mark_and_reroute_in_one_step"
)
redis_status_transition_checked = FixRef("redis_fixes", "redis_status_transition_checked")


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    rules: tuple[str, ...]
    gate: GateSignature | None = None
    realtime: tuple[RealtimeSignature, ...] = ()
    realtime_broad: tuple[RealtimeSignature, ...] = ()
    artefacts: tuple[str, ...] = ()
    split_classes: tuple[str, ...] = ()
    collapsed_classes: tuple[str, ...] = ()
    process_classes: tuple[str, ...] = ()
    races: tuple[str, ...] = ()
    fix: FixRef | None = None  # called: applies the fix (returns None)
    gate_fix: FixRef | None = None  # called: a context manager in which the fix applies

    @property
    def reason(self) -> str:
        return f"{self.id}: {self.title}"


FINDINGS: tuple[Finding, ...] = (
    Finding(
        "PYN-001",
        "drop policy: a rerouted invocation that meets a same-key holder crashes the poll "
        "(REROUTED -> CONCURRENCY_CONTROLLED_FINAL is not in pynenc's graph) and is lost",
        rules=("liveness", "no-stale-locks"),
        gate=gate.poll_refused("rerouted", "concurrency_controlled_final"),
        realtime=(realtime.lost_in_a_refusing_poll(None, "rerouted", "concurrency_controlled_final"),),
        realtime_broad=(realtime.dropped_after_reroute,),
        artefacts=("PYN-001",),
        gate_fix=blocked_invocations_wait_as_they_are,
    ),
    Finding(
        "PYN-002",
        "values equal in Python get different concurrency keys",
        rules=("no-overlap",),
        split_classes=EQUAL_VALUES_SPLIT,
    ),
    Finding(
        "PYN-003",
        "set and frozenset keys depend on the process's hash seed",
        rules=("key-consistency",),
        process_classes=("set-order", "frozenset-order"),
    ),
    Finding(
        "PYN-004",
        "distinct key values collapse into one key (false blocking)",
        rules=("drop-semantics",),
        collapsed_classes=("plain-objects", "unreadable-state"),
    ),
    Finding(
        "PYN-005",
        "check-then-set race: two runners polling or starting at once both admit same-key invocations",
        rules=("no-overlap", "exclusive-admission"),
        gate=gate.admitted_together,
        realtime=(realtime.admitted_together,),
        artefacts=("PYN-005",),
        races=("no-overlap",),
        gate_fix=key_decisions_atomic,
    ),
    Finding(
        "PYN-006",
        "registration check-then-register race: two producers enqueueing at once both create new invocations",
        rules=("registration-dedup",),
        gate=gate.registered_twice_together,
        artefacts=("PYN-006",),
        races=("registration-dedup",),
        gate_fix=registration_atomic,
    ),
    Finding(
        "PYN-007",
        "a runner killed (or stopped) between taking an invocation off the queue and marking it PENDING, "
        "or before rerouting what it blocked, loses it",
        rules=("liveness", "no-stale-locks"),
        gate=gate.lost_after_crash_in_group,
        realtime_broad=(realtime.lost_to_a_kill,),
        artefacts=("PYN-007", "PYN-007b", "PYN-007c"),
        races=("liveness",),
    ),
    Finding(
        "PYN-008",
        "parallelize's batch path skips argument indexing: running KEYS/ARGUMENTS control cannot see its invocations",
        rules=("no-overlap", "exclusive-admission"),
        gate=gate.admitted_past_batch_holder,
        artefacts=("PYN-008",),
        gate_fix=batch_calls_indexed,
    ),
    Finding(
        "PYN-009",
        "a RETRY invocation polled while its key is held crashes the poll "
        "(RETRY -> CONCURRENCY_CONTROLLED is not in pynenc's graph) and is lost",
        rules=("reroute-preserves-work", "liveness"),
        gate=gate.poll_refused("retry", "concurrency_controlled", "concurrency_controlled_final"),
        realtime=(
            realtime.lost_in_a_refusing_poll(
                "retry", "retry", "concurrency_controlled", "concurrency_controlled_final"
            ),
        ),
        artefacts=("PYN-009",),
        gate_fix=blocked_invocations_wait_as_they_are,
    ),
    Finding(
        "PYN-010",
        "pynenc-redis 0.3.0 cannot build its broker on pynenc 0.4",
        rules=(),
    ),
    Finding(
        "PYN-011",
        "a ThreadRunner's graceful stop reroutes an invocation whose body is still running",
        rules=("no-overlap", "reroute-preserves-work"),
        realtime=(realtime.body_outlived_its_kill,),
    ),
    Finding(
        "PYN-012",
        "a stopping MultiThreadRunner's unsignalled workers are recovered while they still run",
        rules=("no-overlap", "reroute-preserves-work"),
        realtime=(realtime.recovered_from_a_live_worker,),
        fix=multithread_stop_keeps_heartbeats,
    ),
    Finding(
        "PYN-013",
        "check-then-set race: a poll blocks an invocation on a holder that let go of the key between the check "
        "and the block (a false block; with reroute=False the call is dropped)",
        rules=("drop-semantics",),
        gate=gate.blocked_by_a_holder_that_let_go,
        artefacts=("PYN-013",),
        gate_fix=key_decisions_atomic,
    ),
    Finding(
        "PYN-014",
        "a runner killed during a recovery sweep leaves the invocations it had marked PENDING_RECOVERY or "
        "RUNNING_RECOVERY, which no recovery looks at",
        rules=("liveness",),
        gate=gate.left_marked_by_a_dying_sweep,
        artefacts=("PYN-014", "PYN-014b"),
        gate_fix=recovery_sweeps_check_mark_and_reroute_in_one_step,
    ),
    Finding(
        "PYN-015",
        "pynenc-redis: a status transition is validated against a record read earlier and written without "
        "checking it is still that record, so a transition landing in between is overwritten (a started "
        "invocation taken by pending recovery, left in two status sets and blocking its own key)",
        rules=("legal-transitions", "liveness", "no-stale-locks"),
        gate=gate.transition_written_over_another,
        artefacts=("PYN-015",),
        gate_fix=redis_status_transition_checked,
    ),
    Finding(
        "PYN-016",
        "two running-recovery sweeps list one dead runner's RUNNING invocation; after one recovers it and a live "
        "runner starts it, the other marks it RUNNING_RECOVERY from its stale list and reroutes it while it runs",
        rules=("reroute-preserves-work",),
        gate=gate.recovered_from_a_live_runner,
        artefacts=("PYN-016",),
        gate_fix=recovery_sweeps_check_mark_and_reroute_in_one_step,
    ),
    Finding(
        "PYN-017",
        "pynenc-rabbitmq 0.1.6 cannot build its broker on pynenc 0.4",
        rules=(),
    ),
)

BY_ID: dict[str, Finding] = {finding.id: finding for finding in FINDINGS}


class UnknownFinding(KeyError):
    """A finding id the registry does not hold."""


def by_id(finding_id: str) -> Finding:
    if finding_id not in BY_ID:
        raise UnknownFinding(f"unknown finding {finding_id!r}; recorded: {', '.join(BY_ID)}")
    return BY_ID[finding_id]


def recorded_finding_in(history: History) -> Finding | None:
    """The first recorded finding whose gate signature the history shows, whether or not the gate runs a
    candidate fix of it (a history recorded on pynenc as installed)."""
    return next((f for f in FINDINGS if f.gate is not None and f.gate(history)), None)


def gate_finding_in(history: History) -> Finding | None:
    """The first recorded finding the gate does not run a candidate fix of, whose gate signature the history shows."""
    fixed = fixed_in_gate()
    return next((f for f in FINDINGS if f.gate is not None and f not in fixed and f.gate(history)), None)


def gate_fixed() -> tuple[Finding, ...]:
    """The findings that have a gate fix (whether or not it applies to the installed pynenc)."""
    return tuple(f for f in FINDINGS if f.gate_fix is not None)


_fixes_on = True


def use_candidate_fixes(on: bool) -> None:
    """Whether the gate and the explore tier run with the candidate fixes (``--without-fixes`` turns them off:
    pynenc as installed, every finding's examples discarded by its signature)."""
    global _fixes_on
    _fixes_on = on


def candidate_fixes_on() -> bool:
    return _fixes_on


def fixed_in_gate() -> tuple[Finding, ...]:
    """The findings the gate runs a candidate fix of: those whose fix applies to the installed pynenc.

    A fix written against other pynenc code (an older or newer release) is left out, and examples showing
    its finding are discarded by its gate signature instead, as for a finding without a fix.  None with
    the fixes turned off (:func:`use_candidate_fixes`)."""
    if not _fixes_on:
        return ()
    usable = _applicable_fixes()
    return tuple(f for f in gate_fixed() if f.gate_fix in usable)


def unfixed_in_gate() -> tuple[Finding, ...]:
    """The findings whose gate fix does not apply to the installed pynenc (named in the run summary)."""
    usable = _applicable_fixes()
    return tuple(f for f in gate_fixed() if f.gate_fix not in usable)


@functools.cache
def _applicable_fixes() -> frozenset[Callable[[], AbstractContextManager[None]]]:
    usable = set()
    for fix in dict.fromkeys(f.gate_fix for f in gate_fixed()):
        assert fix is not None
        try:
            with fix():
                usable.add(fix)
        except FixNoLongerApplies:
            continue
    return frozenset(usable)


@contextmanager
def candidate_fixes() -> Iterator[None]:
    """The block runs on pynenc with every gate fix that applies to it (:func:`fixed_in_gate`)."""
    with ExitStack() as stack:
        for fix in dict.fromkeys(f.gate_fix for f in fixed_in_gate()):  # one pynenc change may fix several findings
            assert fix is not None
            stack.enter_context(fix())
        yield


def realtime_finding(history: History, violation: Violation) -> Finding | None:
    """The recorded finding this decided violation shows: the first whose narrow signature matches, else the
    first whose broad one does."""
    for signatures in (lambda f: f.realtime, lambda f: f.realtime_broad):
        found = next((f for f in FINDINGS if any(sign(history, violation) for sign in signatures(f))), None)
        if found is not None:
            return found
    return None


def artefact_folders() -> list[tuple[Finding, Path]]:
    return [(f, ARTEFACTS / name) for f in FINDINGS for name in f.artefacts]


def key_class_findings(across_processes: bool) -> dict[str, Finding]:
    """Equality class name -> the finding that keys it wrongly (in one process, or across processes)."""
    out: dict[str, Finding] = {}
    for finding in FINDINGS:
        names = finding.process_classes if across_processes else finding.split_classes + finding.collapsed_classes
        out.update({name: finding for name in names})
    return out


def race_finding(rule: str) -> Finding | None:
    return next((f for f in FINDINGS if rule in f.races), None)
