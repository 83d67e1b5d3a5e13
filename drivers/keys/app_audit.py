"""The whole app's key audit, once per process: every key argument's team-equality search and catalogue classes,
then every value they met keyed again in processes with other hash seeds (one probe per seed for the app)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pynenc_suite.drivers.keys.audit import (
    AuditRow,
    audit,
    hint_of,
    keyed_arguments,
    keys_in_processes,
    keys_of,
    on_engine,
    picklable,
)
from pynenc_suite.drivers.keys.equality import ArgumentAudit, process_defects, search_argument
from pynenc_suite.history.model import Mode
from pynenc_suite.strategies.equal_keys import classes_for


@dataclass
class KeyAudit:
    """The whole app's key audit: per key argument, the search of the team's equality
    (:mod:`.equality`), and the catalogue's classes of values of other types the declared type admits."""

    equality: dict[tuple[str, str, Mode], ArgumentAudit] = field(default_factory=dict)
    classes: dict[tuple[str, str, Mode], dict[str, AuditRow]] = field(default_factory=dict)


_audited: dict[str, KeyAudit] = {}


def key_audit(target: Any) -> KeyAudit:
    """The app's key audit, computed once per process (one worker runs it, with one probe per hash seed)."""
    if target.spec not in _audited:
        _audited[target.spec] = audit_app(target)
    return _audited[target.spec]


def audit_app(target: Any, names: Sequence[str] | None = None) -> KeyAudit:
    """Every key argument of the app's controlled tasks (or of ``names``): its team-equality search and its
    catalogue classes, then every sampled value keyed again in processes with other hash seeds."""
    result = KeyAudit()
    every_row: list[AuditRow] = []
    with on_engine(target.app, target.engine):
        for name, task in target.controlled.items():
            if names is not None and name not in names:
                continue
            for keyed in keyed_arguments(name, task, target.policies[name]):
                index = (keyed.task, keyed.argument, keyed.mode)
                result.equality[index] = search_argument(task, keyed, target.normalisers)
                rows = [audit(task, keyed, cls, target.normalisers) for cls in classes_for(hint_of(task, keyed))]
                result.classes[index] = {row.cls.name: row for row in rows}
                every_row += rows
        searched = list(result.equality.values())
        for argument in searched:
            argument.sample = [b for b in argument.sample if picklable([b.value])]
        here = [keys_of(target.tasks[a.target.task], a.target, [b.value for b in a.sample]) for a in searched]
    rows = [r for r in every_row if picklable(r.sample)]
    jobs = [(r.target, r.sample) for r in rows] + [(a.target, [b.value for b in a.sample]) for a in searched]
    by_seed = keys_in_processes(target.spec, jobs, engine=target.engine)
    for seed, key_lists in by_seed.items():
        for row, keys in zip(rows, key_lists[: len(rows)], strict=True):
            row.process_keys[seed] = keys
    for i, argument in enumerate(searched):
        process_defects(argument, {seed: lists[len(rows) + i] for seed, lists in by_seed.items()}, here[i])
    return result
