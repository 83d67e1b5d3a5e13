"""The team-equality search can fail: it flags a split, a split under a normaliser, a collapse and a process
split on hand-made keys, and accepts arguments that pynenc keys correctly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pynenc_suite.apps.target import Target, load
from pynenc_suite.drivers.keys.audit import KeyedArgument
from pynenc_suite.drivers.keys.equality import ArgumentAudit, process_defects, search_argument
from pynenc_suite.history.model import Mode
from pynenc_suite.strategies.equal_forms import Built

APP_SOURCE = str(Path(__file__).resolve().parent / "notify_app" / "src")


@pytest.fixture(scope="module")
def notify() -> Iterator[Target]:
    sys.path.insert(0, APP_SOURCE)
    try:
        yield load("notify_app.tasks:app")
    finally:
        sys.path.remove(APP_SOURCE)


def _search(target: Target, task: str, argument: str, normalisers: Any = None) -> ArgumentAudit:
    return search_argument(target.tasks[task], KeyedArgument(task, argument, Mode.KEYS), normalisers)


def test_a_dict_built_in_another_order_is_a_split(notify: Target) -> None:
    found = _search(notify, "retag", "labels")
    assert [(d.verdict, d.family) for d in found.defects] == [("split", "dict-order")]


def test_a_correctly_keyed_argument_passes(notify: Target) -> None:
    found = _search(notify, "confirm_order", "order_id")
    assert found.defects == [] and found.pairs >= 50


def test_case_is_a_split_only_under_the_teams_normaliser(notify: Target) -> None:
    assert _search(notify, "sync_contact", "email").defects == []  # 'A' and 'a' are two emails to ==
    found = _search(notify, "sync_contact", "email", {"sync_contact": {"email": str.lower}})
    assert [(d.verdict, d.family) for d in found.defects] == [("split", "normaliser:lower")]
    first, second = (side.value for side in found.defects[0].sides)
    assert first != second and first.lower() == second.lower()


def test_distinct_values_pynenc_cannot_tell_apart_are_a_collapse() -> None:
    target = load("tests.apps.opaque_keys:app")
    found = _search(target, "by_handle", "handle")
    assert [(d.verdict, d.family) for d in found.defects] == [("collapsed", "distinct")]


def _sampled(values: list[Any]) -> ArgumentAudit:
    audit = ArgumentAudit(KeyedArgument("t", "a", Mode.KEYS), str, ["rebuilt"], None)
    audit.sample = [Built(v, repr(v)) for v in values]
    return audit


def test_a_key_that_differs_between_hash_seeds_is_a_process_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    audit = _sampled(["long value", "v"])
    process_defects(audit, {1: ['{"a": "x"}', '{"a": "v1"}'], 2: ['{"a": "x"}', '{"a": "v2"}']},
                    here=['{"a": "x"}', '{"a": "v0"}'])  # fmt: skip
    [defect] = audit.defects
    assert defect.verdict == "process-split" and defect.sides[0].value == "v"
    assert defect.seeds == {0: "v0", 1: "v1", 2: "v2"}


def test_keys_equal_in_every_process_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    audit = _sampled(["v"])
    process_defects(audit, {1: ['{"a": "v"}'], 2: ['{"a": "v"}']}, here=['{"a": "v"}'])
    assert audit.defects == []
