"""Declared types drive generation, and the key audit tries only what a declared type admits."""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import pathlib
import typing
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pynenc_suite.strategies.arguments import check_parameters, declared_types, parameter_pools
from pynenc_suite.strategies.equal_keys import CLASSES, SAMPLES, EqualityClass, classes_for, is_risk
from pynenc_suite.strategies.types import TypeNotDrawable, canonical, conforms, values_for


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass(frozen=True)
class Shelf:
    aisle: int
    label: str


class Ref(NamedTuple):
    region: str
    number: int


class Unbuildable:
    """A class Hypothesis cannot build: its constructor takes an argument without a type."""

    def __init__(self, secret) -> None:  # type: ignore[no-untyped-def]  # noqa: ANN001
        self.secret = secret


HINTS: list[Any] = [
    int, float, bool, str, Decimal, uuid.UUID, pathlib.PurePath, pathlib.PurePosixPath, pathlib.Path,
    dt.datetime, dt.date, Colour, Level, Shelf, Ref, Literal["a", "b"], typing.Optional[uuid.UUID], int | str,  # noqa: UP045 - Optional as teams write it
    list[int], tuple[str, int], tuple[int, ...], dict[str, int], frozenset[str], set[int],
]  # fmt: skip


@pytest.mark.parametrize("hint", HINTS, ids=repr)
def test_every_drawn_value_has_the_declared_type_and_is_canonical(hint: Any) -> None:
    @settings(max_examples=30, database=None, derandomize=True)
    @given(values_for(hint))
    def check(value: Any) -> None:
        assert conforms(value, hint), (value, hint)
        assert canonical(value)

    check()


def test_datetimes_come_naive_and_aware() -> None:
    seen: set[bool] = set()

    @settings(max_examples=60, database=None, derandomize=True)
    @given(values_for(dt.datetime))
    def check(value: dt.datetime) -> None:
        seen.add(value.tzinfo is None)

    check()
    assert seen == {True, False}


def key(account: uuid.UUID, shelf: Shelf, note, *rest: int, **extra: str) -> None:  # type: ignore[no-untyped-def]  # noqa: ANN001
    """A task body with typed, untyped and variadic parameters."""


def test_declared_types_leave_variadics_out_and_mark_untyped_parameters() -> None:
    assert declared_types(key) == {"account": uuid.UUID, "shelf": Shelf, "note": inspect.Parameter.empty}


def test_pools_hold_distinct_values_of_each_declared_type() -> None:
    @settings(max_examples=30, database=None, derandomize=True)
    @given(parameter_pools(key))
    def check(pools: dict[str, list[Any]]) -> None:
        assert set(pools) == {"account", "shelf", "note"}
        assert all(isinstance(v, uuid.UUID) for v in pools["account"])
        assert all(isinstance(v, Shelf) for v in pools["shelf"])
        for values in pools.values():
            assert 1 <= len(values) <= 2
            assert not any(a == b for i, a in enumerate(values) for b in values[i + 1 :])

    check()


def test_an_untyped_parameter_keeps_mixed_pools() -> None:
    kinds: set[type] = set()

    @settings(max_examples=80, database=None, derandomize=True)
    @given(values_for(inspect.Parameter.empty))
    def check(value: Any) -> None:
        kinds.add(type(value))

    check()
    assert {int, str} <= kinds


def needs_unbuildable(thing: Unbuildable) -> None:
    """A task whose argument type the suite cannot build."""


def test_a_type_that_cannot_be_drawn_is_one_line_naming_task_argument_and_remedy() -> None:
    with pytest.raises(TypeNotDrawable) as caught:
        check_parameters("needs_unbuildable", needs_unbuildable)
    message = str(caught.value)
    assert "\n" not in message
    assert "'needs_unbuildable'" in message and "'thing'" in message
    assert "register_type_strategy" in message and "--strategies" in message


class Registered(Unbuildable):
    """A team's type for which the team registered a strategy (as its --strategies module would)."""


def needs_registered(thing: Registered) -> None:
    """A task whose argument type has a registered strategy."""


def test_a_registered_strategy_makes_the_type_drawable() -> None:
    with pytest.raises(TypeNotDrawable):
        check_parameters("needs_registered", needs_registered)
    values_for.cache_clear()
    st.register_type_strategy(Registered, st.integers(0, 3).map(Registered))
    check_parameters("needs_registered", needs_registered)

    @settings(max_examples=5, database=None, derandomize=True)
    @given(values_for(Registered))
    def check(value: Any) -> None:
        assert isinstance(value, Registered)

    check()


def _names(hint: Any) -> set[str]:
    return {cls.name for cls in classes_for(hint)}


def test_a_typed_argument_is_tried_only_with_values_of_other_types_it_admits() -> None:
    """What a declared type's callers build is the team-equality search's (equal_forms); the catalogue adds only
    values of types the app never names, and only those the declared type admits."""
    assert _names(pathlib.PurePath) == set()
    assert _names(dt.datetime) == set()
    assert _names(int) == {"int-bool", "intenum-value"} and "int-str" not in _names(int)
    assert _names(float) == {"int-bool", "intenum-value"}  # a Decimal is not a float
    assert _names(str) == {"strenum-value", "str-subclass"}


def test_an_untyped_argument_gets_every_class() -> None:
    assert {"int-str", "plain-objects", "callables", "path-pure-concrete"} <= _names(inspect.Parameter.empty)


def test_a_union_a_caller_may_mix_is_a_risk() -> None:
    mixed = {cls.name: cls for cls in classes_for(int | str)}
    assert "int-str" in mixed and is_risk(mixed["int-str"], int | str)
    assert not is_risk(mixed["str-subclass"], int | str)
    assert "int-str" not in _names(str)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.name)
def test_each_class_sample_has_the_types_its_groups_draw(cls: EqualityClass) -> None:
    """The hand-written sample that decides which declared types admit a class is faithful to the class."""
    sample_types = [type(v) for v in SAMPLES[cls.name]]
    drawn: list[list[type]] = []

    @settings(max_examples=20, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(cls.members)
    def check(members: tuple[Any, ...]) -> None:
        drawn.append([type(v) for v in members])

    check()
    assert all(types == sample_types for types in drawn), (sample_types, drawn[:3])
