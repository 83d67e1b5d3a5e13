"""The doctor's findings about one app: items marked pass, warn or fail, each with its reason and fix."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum


class Mark(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Item:
    """One checklist item: what was checked (``area`` and ``subject``), the mark, why, and how to fix it."""

    area: str  # keys / policy / runners / recovery / alerts
    subject: str  # a task, "task.argument", or "app"
    mark: Mark
    reason: str
    fix: str = ""


AREAS = {
    "keys": "Key consistency",
    "policy": "Policy sanity",
    "runners": "Runner sizing",
    "recovery": "Recovery settings",
    "alerts": "Alert thresholds",
}


def failed(items: list[Item]) -> bool:
    return any(item.mark is Mark.FAIL for item in items)


def markdown(app: str, items: list[Item]) -> str:
    """The checklist as Markdown: one section per area, one line per item."""
    counts = {mark: sum(item.mark is mark for item in items) for mark in Mark}
    lines = [f"# pynenc-suite doctor: `{app}`", "",
             f"{counts[Mark.PASS]} pass, {counts[Mark.WARN]} warn, {counts[Mark.FAIL]} fail", ""]  # fmt: skip
    for area, title in AREAS.items():
        mine = [item for item in items if item.area == area]
        if not mine:
            continue
        lines += [f"## {title}", ""]
        for item in mine:
            lines.append(f"- **{item.mark.value.upper()}** `{item.subject}`: {item.reason}")
            if item.fix:
                lines.append(f"  - {'suggestion' if item.mark is Mark.PASS else 'fix'}: {item.fix}")
        lines.append("")
    return "\n".join(lines)


def as_json(app: str, items: list[Item]) -> str:
    return json.dumps({"app": app, "failed": failed(items), "items": [asdict(item) for item in items]}, indent=1)
