"""Key consistency: values your code treats as one get one concurrency key, in every process.

Every argument that takes part in a controlled task's key is audited in two tiers
(:mod:`pynenc_suite.drivers.keys.app_audit`, run once by one worker):

* **Your equality.**  Values of the argument's declared type built along every
  construction path the type offers your callers, and, under your normaliser
  (``--key-normalisers``), the same value with its text transformed; a Hypothesis
  search shrinks to a minimal pair that pynenc keys against your equality (split,
  collapsed, unserializable), and the values met are keyed again in processes with
  other hash seeds.  Such a pair is your failure, even when its cause is a recorded
  pynenc defect (the message names it): your own callers build both values.  Each
  writes a folder under ``failures/`` with the pair, both keys, a replay command and
  a page.
* **Values of other types.**  The catalogue's classes of values your code never names
  (a ``bool`` for an ``int``, a ``str`` subclass, a suite enum for a ``str``): a class
  pynenc keys wrongly because of a recorded defect is a strict xfail (exposure to
  that defect, not your failure); anything else fails with a folder.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pynenc_suite.active import options, target_for
from pynenc_suite.apps.target import Target
from pynenc_suite.artefacts import key_failures
from pynenc_suite.drivers.keys.advice import advise
from pynenc_suite.drivers.keys.app_audit import key_audit
from pynenc_suite.drivers.keys.audit import GOOD, AuditRow, KeyedArgument, hint_of, keyed_arguments
from pynenc_suite.drivers.keys.equality import ArgumentAudit, KeyDefect, catalogue_defect
from pynenc_suite.findings.registry import key_class_findings
from pynenc_suite.plugin.summaries import KEY_AUDIT, RecordProperty
from pynenc_suite.strategies.equal_keys import classes_for
from pynenc_suite.verdicts import PropertyViolation, require

AUDIT_GROUP = "pynenc-key-audit"  # one worker audits the whole app, with one probe process per hash seed


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "keyed" in metafunc.fixturenames:
        metafunc.parametrize("keyed", [pytest.param(k, id=i, marks=pytest.mark.xdist_group(AUDIT_GROUP))
                                       for k, i in _keyed_arguments()])  # fmt: skip
    if "other_class" in metafunc.fixturenames:
        metafunc.parametrize("other_class", _other_classes(across="process" in metafunc.function.__name__))


def _keyed_arguments() -> list[tuple[KeyedArgument, str]]:
    target = target_for()
    every = [k for name, task in target.controlled.items() for k in keyed_arguments(name, task, target.policies[name])]
    twice = {
        (k.task, k.argument) for k in every if sum((o.task, o.argument) == (k.task, k.argument) for o in every) > 1
    }
    return [
        (k, f"{k.task}-{k.argument}" + (f"-{k.mode.value}" if (k.task, k.argument) in twice else "")) for k in every
    ]


def _other_classes(across: bool) -> list[pytest.ParameterSet]:
    target, known = target_for(), key_class_findings(across_processes=across)
    params = []
    for keyed, ident in _keyed_arguments():
        for cls in classes_for(hint_of(target.tasks[keyed.task], keyed)):
            marks = [pytest.mark.xdist_group(AUDIT_GROUP)]
            if cls.name in known:
                reason = f"{known[cls.name].reason} ({cls.name})"
                marks.append(pytest.mark.xfail(strict=True, raises=PropertyViolation, reason=reason))
            params.append(pytest.param((keyed, cls.name), id=f"{ident}-{cls.name}", marks=marks))
    return params


def test_values_your_code_treats_as_one_get_one_key(
    pynenc_target: Target, record_property: RecordProperty, keyed: KeyedArgument
) -> None:
    """Values of the declared type that are one to your code (``==``, or your normaliser) share one key, and
    values that differ never share one."""
    audit = key_audit(pynenc_target).equality[(keyed.task, keyed.argument, keyed.mode)]
    _report(record_property, audit)
    _require_none(pynenc_target, [d for d in audit.defects if d.verdict != "process-split"])


def test_keys_do_not_depend_on_the_process(pynenc_target: Target, keyed: KeyedArgument) -> None:
    """Every value the search met gets the same key in processes started with different PYTHONHASHSEED."""
    audit = key_audit(pynenc_target).equality[(keyed.task, keyed.argument, keyed.mode)]
    _require_none(pynenc_target, [d for d in audit.defects if d.verdict == "process-split"])


def test_values_of_other_types_get_one_key(
    pynenc_target: Target, record_property: RecordProperty, other_class: tuple[KeyedArgument, str]
) -> None:
    """A value of another type equal to yours (or your normaliser's) shares its key; distinct values never
    collapse."""
    keyed, name = other_class
    row = key_audit(pynenc_target).classes[(keyed.task, keyed.argument, keyed.mode)][name]
    known = key_class_findings(across_processes=False).get(name)
    _report_other(record_property, row, known.id if known else None)
    if row.verdict not in GOOD:
        _require_none(pynenc_target, [catalogue_defect(row)], known=known is not None)


def test_values_of_other_types_keep_their_key_across_processes(
    pynenc_target: Target, other_class: tuple[KeyedArgument, str]
) -> None:
    """A value of another type gets the same key in processes started with different PYTHONHASHSEED."""
    keyed, name = other_class
    row = key_audit(pynenc_target).classes[(keyed.task, keyed.argument, keyed.mode)][name]
    if row.process_stable is None:
        pytest.skip(f"{name} values cannot be pickled to another process")
    if not row.process_stable:
        known = key_class_findings(across_processes=True).get(name) is not None
        _require_none(pynenc_target, [catalogue_defect(row, across_processes=True)], known=known)


def _require_none(target: Target, defects: Sequence[KeyDefect], known: bool = False) -> None:
    """Fail with every defect's pair, keys, cause and fix; each writes its folder, unless it is a recorded
    finding's exposure (a strict xfail expects it, and it is not the team's failure)."""
    if not defects:
        return
    blocks = []
    for defect in defects:
        advice = advise(defect)
        cited = f" (pynenc defect {advice.finding}, FINDINGS.md)" if advice.finding else ""
        block = f"{defect.label}\n  {defect.pair()}\n  cause: {advice.cause}{cited}\n  fix: {advice.fix}"
        if not known:
            folder = key_failures.save(options().artefacts, defect, app=target.spec, engine=target.engine,
                                       normalisers=options().key_normalisers, strategies=options().strategies)  # fmt: skip
            block += f"\n  folder: {folder}/\n  replay: pynenc-suite replay {folder}"
        blocks.append(block)
    require(False, "\n".join(blocks))


def _report(record_property: RecordProperty, audit: ArgumentAudit) -> None:
    record_property(KEY_AUDIT, {
        "tier": "yours", "task": audit.target.task, "argument": audit.target.argument, "type": audit.type_name,
        "normaliser": audit.normaliser, "families": len(audit.families), "pairs": audit.pairs,
        "seconds": round(audit.seconds, 2),
        "defects": [{"verdict": d.verdict, "family": d.family, "values": d.values()} for d in audit.defects],
    })  # fmt: skip


def _report_other(record_property: RecordProperty, row: AuditRow, finding: str | None) -> None:
    record_property(KEY_AUDIT, {
        "tier": "other", "task": row.target.task, "argument": row.target.argument, "class": row.cls.name,
        "verdict": row.verdict, "process_stable": row.process_stable, "finding": finding, "example": row.describe(),
    })  # fmt: skip
