"""Key consistency: values that mean one account get one concurrency key, in every process.

For every argument that takes part in a controlled task's key, and every class
of equal-but-differently-built values (``strategies/equal_keys.py``), the audit
searches for a minimal group that pynenc keys wrongly: equal values split into
several keys, distinct values collapsed into one, or a value serialized as
``null``.  The same sample is keyed again in processes with different
``PYTHONHASHSEED``.  The terminal summary prints the whole audit as a table.

Classes that fail on the installed pynenc are recorded findings (FINDINGS.md)
and their tests are strict xfails; a user-declared normaliser
(``--key-normalisers``) turns "different values" into "the same account" and
makes the audit check that too.
"""

from __future__ import annotations

import pytest

from pynenc_suite.apps.target import Target
from pynenc_suite.drivers.keys.audit import GOOD, AuditRow, KeyedArgument, audited, hint_of, keyed_arguments
from pynenc_suite.findings.registry import key_class_findings
from pynenc_suite.session import target_for
from pynenc_suite.strategies.equal_keys import classes_for
from pynenc_suite.summaries import KEY_AUDIT
from pynenc_suite.verdicts import PropertyViolation, require

AUDIT_GROUP = "pynenc-key-audit"  # one worker audits the whole app, with one probe process per hash seed


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "keyed_class" not in metafunc.fixturenames:
        return
    target = target_for()
    known = key_class_findings(across_processes="process" in metafunc.function.__name__)
    params = []
    for name, task in target.controlled.items():
        for keyed in keyed_arguments(name, task, target.policies[name]):
            for cls in classes_for(hint_of(task, keyed)):
                marks = [pytest.mark.xdist_group(AUDIT_GROUP)]
                if cls.name in known:
                    reason = f"{known[cls.name].reason} ({cls.name})"
                    marks.append(pytest.mark.xfail(strict=True, raises=PropertyViolation, reason=reason))
                params.append(
                    pytest.param((keyed, cls.name), id=f"{keyed.task}-{keyed.argument}-{cls.name}", marks=marks)
                )
    metafunc.parametrize("keyed_class", params)


def _report(record_property: pytest.RecordProperty, row: AuditRow) -> None:
    record_property(
        KEY_AUDIT,
        {
            "task": row.target.task,
            "argument": row.target.argument,
            "class": row.cls.name,
            "verdict": row.verdict,
            "process_stable": row.process_stable,
            "example": row.describe(),
        },
    )


def test_equal_values_get_one_key(
    pynenc_target: Target, record_property: pytest.RecordProperty, keyed_class: tuple[KeyedArgument, str]
) -> None:
    """Equal values (or values your normaliser maps together) share one key; distinct values never collapse."""
    keyed, cls_name = keyed_class
    row = audited(pynenc_target, keyed)[cls_name]
    _report(record_property, row)
    require(row.verdict in GOOD, lambda: f"{keyed.task}({keyed.argument}=...) [{row.cls.description}]: "
            f"{row.explain()}")


def test_keys_do_not_depend_on_the_process(pynenc_target: Target, keyed_class: tuple[KeyedArgument, str]) -> None:
    """The same value gets the same key in processes started with different PYTHONHASHSEED."""
    keyed, cls_name = keyed_class
    row = audited(pynenc_target, keyed)[cls_name]
    if row.process_stable is None:
        pytest.skip(f"{cls_name} values cannot be pickled to another process")
    require(row.process_stable, lambda: f"{keyed.task}({keyed.argument}={row.sample[0]!r}) keys differ by "
            "PYTHONHASHSEED: " + "; ".join(f"seed {seed}: {keys[0]}" for seed, keys in row.process_keys.items()))
