"""The gate's properties as fuzz targets, where their failing examples are stored, and their replay by the gate.

A fuzz target is one gate property (a task with one rule) as a fixture-free Hypothesis test, parametrized by a
:class:`FuzzCase`: HypoFuzz runs it in its worker processes and stores each failing example in the shared
example database, under the key Hypothesis derives from the test's source and its node id
(:func:`database_key`).  The fuzz command collects the targets with the ``fuzz`` folder as pytest's rootdir, so
the node id is :func:`node_id` wherever the suite is installed; the plugin refuses a collection that differs.

``gate --database`` replays them (:func:`replay_stored`): the same test, under that key, with only Hypothesis's
``reuse`` phase over a private in-memory copy of the stored examples.  No example is generated and nothing is
written back, so the same stored examples give the same verdict, folder and replay command every time.  Each
example is judged as in the gate (:func:`~pynenc_suite.tiers.gate.check_rule`): one that shows a recorded
finding is set aside, never a failure of the team's app.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pynenc_suite.tiers.gate import cases

if TYPE_CHECKING:
    from hypothesis.database import ExampleDatabase

    from pynenc_suite.apps.target import Target

TARGETS_FILE = "test_fuzz_targets.py"  # in the suite's fuzz folder, pytest's rootdir when the targets are fuzzed
TARGET = "test_fuzz_target"
INDEX = b"pynenc-suite.fuzzed-properties."  # + app: the properties a fuzz run had, as JSON [task, rule]
UNSHRUNK_REPLAYED = 20  # with no shrunk example stored, the smallest unshrunk ones replayed
SECONDARY = b".secondary"  # where Hypothesis and HypoFuzz keep failing examples not shrunk yet


@dataclass(frozen=True)
class FuzzCase:
    """One fuzz target: a task of the app with one rule.  ``saves``: a violation writes its failure folder (the
    gate's replay); the fuzzer's workers write none (they fail thousands of examples while shrinking)."""

    app: str
    task: str
    rule: str
    saves: bool = False

    @property
    def id(self) -> str:
        """The parametrize id: part of the node id, hence of the database key (one app's keys never meet
        another's)."""
        return f"{self.task}-{self.rule}@{self.app}"

    def __repr__(self) -> str:  # how HypoFuzz's dashboard and Hypothesis's reports show the parameter
        return self.id


def cases_for(target: Target, saves: bool = False) -> list[FuzzCase]:
    """The app's fuzz targets: every (task, rule) the gate checks."""
    return [FuzzCase(target.spec, task, rule, saves) for task, rule in cases(target)]


def fuzz_property() -> Callable[..., None]:
    """A new fuzz target function (Hypothesis test): every one has the same source, hence the same keys."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(data=st.data())
    def test_fuzz_target(case: FuzzCase, data: st.DataObject) -> None:
        """The gate's property ``case``, judged as in the gate; examples showing a recorded finding are set aside."""
        from pynenc_suite.active import target_for
        from pynenc_suite.tiers.gate import check_rule

        check_rule(target_for(), case.task, case.rule, data, save=case.saves)

    return test_fuzz_target


def node_id(case: FuzzCase) -> str:
    """The node id of ``case``'s fuzz target, collected by the fuzz command."""
    return f"{TARGETS_FILE}::{TARGET}[{case.id}]"


def keyed_target(case: FuzzCase) -> Any:
    """A fuzz target function whose database key is ``case``'s (Hypothesis's pytest plugin and HypoFuzz both key a
    test by its node id, through the attribute set here)."""
    test = fuzz_property()
    test.hypothesis.inner_test._hypothesis_internal_add_digest = node_id(case).encode()  # type: ignore[attr-defined]
    return test


@cache
def database_key(case: FuzzCase) -> bytes:
    """The key under which Hypothesis and HypoFuzz store ``case``'s failing examples."""
    from hypothesis.internal.reflection import function_digest

    return function_digest(keyed_target(case).hypothesis.inner_test)


def stored(database: ExampleDatabase, case: FuzzCase) -> list[bytes]:
    """``case``'s failing examples in ``database``, smallest first: the shrunk ones, or if there are none, the
    smallest :data:`UNSHRUNK_REPLAYED` not shrunk yet (a run stopped while shrinking)."""
    key = database_key(case)
    shrunk = sorted(set(database.fetch(key)), key=lambda b: (len(b), b))
    if shrunk:
        return shrunk
    return sorted(set(database.fetch(key + SECONDARY)), key=lambda b: (len(b), b))[:UNSHRUNK_REPLAYED]


def replay_stored(case: FuzzCase, database: ExampleDatabase) -> int:
    """Replay every stored failing example of ``case`` (none generated); the number replayed.

    A violation raises as in the gate, with its folder (``case.saves``) and replay command."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.database import InMemoryExampleDatabase

    examples = stored(database, case)
    if not examples:
        return 0
    private = InMemoryExampleDatabase()  # the reuse phase deletes what passes: never from the shared database
    key = database_key(case)
    for example in examples:
        private.save(key, example)
    replay = settings(
        database=private,
        phases=(Phase.explicit, Phase.reuse),
        max_examples=len(examples),
        derandomize=False,
        deadline=None,
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    replay(keyed_target(case))(case=case)
    return len(examples)


def record_properties(database: ExampleDatabase, targets: Iterable[FuzzCase]) -> None:
    """Note in ``database`` which properties were fuzzed for each app (to tell the gate which it no longer has)."""
    for case in targets:
        database.save(INDEX + case.app.encode(), json.dumps([case.task, case.rule]).encode())


@dataclass(frozen=True)
class ReplayPlan:
    """What ``gate --database`` finds for the app: stored failing examples per current property, and one line per
    property that has stored failures the app no longer has."""

    stored: dict[str, int]  # case id -> failing examples stored
    ignored: list[str]

    def lines(self, location: str) -> list[str]:
        total = sum(self.stored.values())
        with_failures = sum(1 for n in self.stored.values() if n)
        head = (
            f"pynenc-suite: database {location}: {total} stored failing example(s) of {with_failures} "
            "property(ies), replayed before the gate's own examples"
        )
        return [head, *self.ignored]


def replay_plan(database: ExampleDatabase, target: Target) -> ReplayPlan:
    current = cases_for(target)
    names = {(c.task, c.rule) for c in current}
    ignored = []
    for value in sorted(database.fetch(INDEX + target.spec.encode())):
        task, rule = json.loads(value)
        if (task, rule) in names:
            continue
        count = len(stored(database, FuzzCase(target.spec, task, rule)))
        if count:
            ignored.append(
                f"pynenc-suite: database: {count} stored failing example(s) of {task} / {rule} ignored: "
                "the app no longer has that property"
            )
    return ReplayPlan({c.id: len(stored(database, c)) for c in current}, ignored)
