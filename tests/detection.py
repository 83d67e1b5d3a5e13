"""Run one gate property under a deliberately broken pynenc and report whether, and how fast, it fails."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from pynenc_suite.apps.target import Target
from pynenc_suite.suite.gate.test_properties import check_rule


@dataclass
class Detection:
    caught: bool
    examples_to_first_failure: int | None
    message: str


def detect(target: Target, task: str, rule: str, max_examples: int = 100) -> Detection:
    """Run the gate's property for (task, rule) until it fails; count the examples it took.

    The budget is the gate's own (the ``ci`` profile's 100 examples), so a regression caught
    here is one the gate catches with the examples it runs.

    Only the generate phase runs: the question is whether, and after how many examples, the
    property fails; shrinking the counterexample (the gate's job) would multiply the cost.
    """
    count = {"n": 0, "first": None}

    # Not shared with hit_rate below: Hypothesis seeds a derandomized run from this function's source,
    # decorators included, so rewording these lines re-draws every count of the detection table.
    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        count["n"] += 1
        try:
            check_rule(target, task, rule, data)
        except AssertionError:
            if count["first"] is None:
                count["first"] = count["n"]
            raise

    try:
        prop()
    except AssertionError as error:
        return Detection(True, count["first"], str(error))
    return Detection(False, None, "")


@dataclass
class HitRate:
    failed: int
    judged: int

    @property
    def share(self) -> float:
        return self.failed / self.judged if self.judged else 0.0


def hit_rate(target: Target, task: str, rule: str, examples: int = 200, seed: int = 0) -> HitRate:
    """Run the gate's property for (task, rule) on ``examples`` random examples from ``seed``; count how many fail.

    A steadier measure of detection power than one derandomized run's first failure, which mostly shows how
    soon that one stream of examples leaves the small schedules Hypothesis begins with.  Examples that show a
    recorded finding are discarded, as in the gate, and not counted.
    """
    count = HitRate(0, 0)

    @hypothesis_seed(seed)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        try:
            check_rule(target, task, rule, data)
        except AssertionError:
            count.failed += 1
        count.judged += 1

    prop()
    return count
