"""Key consistency: the key audit's verdicts for each keyed argument's declared type.

A class pynenc keys wrongly (equal values split into two keys, distinct values
collapsed into one, a key that differs between processes, a value pynenc cannot
serialize) is reported with the minimal group and the fix: as a warning when it
is a recorded pynenc defect (it bites only callers that pass such values), as a
failure otherwise.  A union whose types a caller may mix, and that pynenc keys
apart, is a warning.
"""

from __future__ import annotations

from typing import Any

from pynenc_suite.doctor.items import Item, Mark
from pynenc_suite.drivers.keys.audit import GOOD, RISK, audit_app
from pynenc_suite.findings.registry import key_class_findings


def key_items(target: Any, names: list[str]) -> list[Item]:
    items: list[Item] = []
    in_process, across = key_class_findings(False), key_class_findings(True)
    for (task, argument, mode), rows in sorted(audit_app(target, names).items()):
        subject = f"{task}.{argument}"
        bad = False
        for name, row in sorted(rows.items()):
            if row.verdict not in GOOD:
                known = in_process.get(name)
                # A recorded pynenc defect is a warning (it bites only callers that pass such values);
                # anything else is new, and fails.
                mark, cited = (Mark.WARN, f" (recorded pynenc defect {known.id})") if known else (Mark.FAIL, "")
                items.append(Item("keys", subject, mark,
                                  f"{mode.value} key, class {name}: {row.describe()}{cited}", _fix(row.explain())))  # fmt: skip
                bad = True
            elif row.verdict == RISK:
                items.append(Item("keys", subject, Mark.WARN,
                                  f"{mode.value} key, class {name}: the declared type admits values of two types a "
                                  f"caller may mix, and they get two keys: {row.describe()}",
                                  "declare one type, or normalise the value before calling"))  # fmt: skip
                bad = True
            if row.process_stable is False:
                known = across.get(name)
                mark, cited = (Mark.WARN, f" (recorded pynenc defect {known.id})") if known else (Mark.FAIL, "")
                items.append(Item("keys", subject, mark,
                                  f"{mode.value} key, class {name}: the key differs between processes{cited}",
                                  "pass a value whose serialization does not depend on the hash seed "
                                  "(a sorted tuple instead of a set)"))  # fmt: skip
                bad = True
        if not bad:
            items.append(Item("keys", subject, Mark.PASS,
                              f"{mode.value} key: every class of its declared type keys correctly "
                              f"({', '.join(sorted(rows))})"))  # fmt: skip
    return items


def _fix(explained: str) -> str:
    return explained.split("; fix: ", 1)[1] if "; fix: " in explained else ""
