"""Construction paths build values equal to the plain one, independently; text transformations keep the type.

Each path a declared type offers (:func:`paths_for`) must give two values equal in Python,
of a type the declared type admits, built from the drawn value's parts rather than copied:
a pair that is not equal would make the audit cry wolf, and a copy would keep the
construction state (a pydantic model's set of passed fields) that a split comes from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pynenc_suite.strategies.equal_forms import PATHS, TRANSFORMS, Built, equal_pairs, paths_for, transformed_pairs
from pynenc_suite.strategies.types import conforms

sys.path.insert(0, str(Path(__file__).resolve().parent / "notify_app" / "src"))
from notify_app.models import Channel, Route, UserRef  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Bin:
    aisle: int
    shelf: str = "a"


@attrs.frozen
class Lot:
    sku: str
    count: int = 1


class Pair(NamedTuple):
    left: str
    right: int


HINTS: dict[str, Any] = {
    "pydantic": UserRef, "list-of-models": list[UserRef], "dataclass": Bin, "attrs": Lot, "namedtuple": Pair,
    "tuple": tuple[str, str], "dict": dict[str, str], "set": set[str], "intenum": Channel, "float": float,
    "decimal": Decimal, "datetime": dt.datetime, "purepath": pathlib.PurePath, "optional-route": Route | None,
}  # fmt: skip
CASES = [(name, path) for name, hint in HINTS.items() for path in paths_for(hint)]


def _independent(a: Any, b: Any) -> bool:
    """No mutable or composite part of one value is the same object as a part of the other."""
    atoms = (str, int, float, bytes, bool, type(None), Decimal, dt.datetime, dt.timezone)
    if isinstance(a, atoms) or isinstance(b, atoms) or a is None:
        return True
    return a is not b


def test_every_path_is_offered_by_some_type_here() -> None:
    assert {path for _, path in CASES} == set(PATHS)


@pytest.mark.parametrize(("name", "path"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_a_path_builds_an_equal_value_of_the_declared_type_without_copying(name: str, path: str) -> None:
    hint = HINTS[name]

    @settings(max_examples=30, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(equal_pairs(hint, path))
    def check(pair: tuple[Built, Built]) -> None:
        plain, other = pair
        assert plain.value == other.value, (plain.how, other.how)
        assert conforms(other.value, hint) or path == "enum-value", (other.how, hint)  # the raw value: a caller's
        assert _independent(plain.value, other.value), (plain.how, other.how)

    check()


def test_the_paths_a_model_offers_include_its_default_passed_explicitly_and_its_validators() -> None:
    assert {"defaults-explicit", "model-validate", "model-validate-json", "model-construct"} <= set(paths_for(UserRef))
    assert "enum-value" in paths_for(Channel) and "namedtuple" in paths_for(tuple[str, str])
    assert "dict-order" in paths_for(dict[str, str]) and "timezone" in paths_for(dt.datetime)
    assert paths_for(str) == ["rebuilt"]  # a str is never handed some enum's member: nothing says callers have one


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_a_transformation_changes_only_text_and_keeps_the_type(name: str) -> None:
    @settings(max_examples=20, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(transformed_pairs(dict[str, UserRef], (name,)))
    def check(pair: tuple[Built, Built]) -> None:
        plain, changed = pair
        assert conforms(changed.value, dict[str, UserRef])
        assert len(plain.value) == len(changed.value) or TRANSFORMS[name]("A") != "A"

    check()


def test_the_default_path_pair_is_the_issues_example() -> None:
    """``UserRef(tenant=..., user_id=...)`` and the same with ``region='eu'`` passed: the search can meet it."""
    seen: list[str] = []

    @settings(max_examples=60, database=None, derandomize=True, deadline=None)
    @given(equal_pairs(UserRef, "defaults-explicit"), st.just(None))
    def check(pair: tuple[Built, Built], _: None) -> None:
        seen.append(pair[1].how)

    check()
    assert any("region='eu'" in how for how in seen)
