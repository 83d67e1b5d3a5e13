"""Key consistency: the key audit's verdicts for each key argument, in the gate's two tiers.

A pair of values your code treats as one (``==``, or your normaliser) that pynenc
keys apart, two distinct values it keys as one, a value it cannot serialize, or a
key that differs between processes is a failure, with the minimal pair, the cause
and the fix, whatever its cause (your callers build both values).  A value of
another type that pynenc keys wrongly is a warning when it is a recorded pynenc
defect (it bites only callers that pass such values), a failure otherwise; a union
whose types a caller may mix, and that pynenc keys apart, is a warning.
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.doctor.items import Item, Mark
from pynenc_suite.drivers.keys.advice import advise
from pynenc_suite.drivers.keys.app_audit import audit_app
from pynenc_suite.drivers.keys.audit import GOOD, RISK, AuditRow
from pynenc_suite.drivers.keys.equality import ArgumentAudit, catalogue_defect
from pynenc_suite.findings.registry import key_class_findings


def key_items(target: Any, names: list[str]) -> list[Item]:
    result = audit_app(target, names)
    items: list[Item] = []
    for index, searched in sorted(result.equality.items()):
        items += _yours(searched)
        items += _others(searched, result.classes.get(index, {}))
        if not any(item.subject == _subject(searched) and item.mark is not Mark.PASS for item in items):
            items.append(Item("keys", _subject(searched), Mark.PASS,
                              f"{searched.target.mode.value}-mode key: one key per value in {searched.pairs} pairs of "
                              f"{len(searched.families)} families ({', '.join(searched.families)})"))  # fmt: skip
    return items


def _subject(searched: ArgumentAudit) -> str:
    return f"{searched.target.task}.{searched.target.argument}"


def _yours(searched: ArgumentAudit) -> list[Item]:
    items = []
    for defect in searched.defects:
        advice = advise(defect)
        cited = f" (pynenc defect {advice.finding})" if advice.finding else ""
        items.append(Item("keys", _subject(searched), Mark.FAIL,
                          f"{searched.target.mode.value}-mode key, {defect.verdict} ({defect.family}): {defect.pair()}; "
                          f"cause: {advice.cause}{cited}", advice.fix))  # fmt: skip
    return items


def _others(searched: ArgumentAudit, rows: dict[str, AuditRow]) -> list[Item]:
    items: list[Item] = []
    in_process, across = key_class_findings(False), key_class_findings(True)
    mode = searched.target.mode.value
    for name, row in sorted(rows.items()):
        wrong = [(catalogue_defect(row), in_process.get(name))] if row.verdict not in GOOD else []
        if row.process_stable is False:
            wrong.append((catalogue_defect(row, across_processes=True), across.get(name)))
        for defect, known in wrong:
            # A recorded pynenc defect is a warning (it bites only callers that pass such values); anything
            # else is new, and fails.
            mark, cited = (Mark.WARN, f" (recorded pynenc defect {known.id})") if known else (Mark.FAIL, "")
            items.append(Item("keys", _subject(searched), mark,
                              f"{mode}-mode key, a value of another type ({name}): {defect.verdict}: {defect.pair()}{cited}",
                              advise(defect).fix))  # fmt: skip
        if row.verdict == RISK:
            items.append(Item("keys", _subject(searched), Mark.WARN,
                              f"{mode}-mode key, class {name}: the declared type admits values of two types a caller may "
                              f"mix, and they get two keys: {row.describe()}",
                              "declare one type, or convert the value to it before calling"))  # fmt: skip
    return items
