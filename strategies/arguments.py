"""Arguments for a task's parameters: small pools of values of each parameter's declared type.

A schedule draws, once, a pool of at most two distinct values per parameter
(distinct by Python equality), and every call of the schedule picks from those
pools: same-key calls meet often.  Values come from the parameter's type hint
(:mod:`.types`); untyped parameters get mixed pools.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from hypothesis import strategies as st

from pynenc_suite.strategies.types import check_drawable, values_for


def declared_types(func: Callable[..., Any]) -> dict[str, Any]:
    """Each named parameter's type hint (``inspect.Parameter.empty`` where there is none); variadics left out."""
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - unresolvable annotations count as none
        hints = {}
    return {
        name: hints.get(name, param.annotation if not isinstance(param.annotation, str) else inspect.Parameter.empty)
        for name, param in inspect.signature(func).parameters.items()
        if param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
    }


def check_parameters(task: str, func: Callable[..., Any]) -> None:
    """Raise :class:`~.types.TypeNotDrawable` with one line for a parameter whose type cannot be drawn."""
    for name, hint in declared_types(func).items():
        check_drawable(task, name, hint)


@cache
def parameter_pools(func: Callable[..., Any]) -> st.SearchStrategy[dict[str, list[Any]]]:
    """One small pool of values per parameter; a schedule's calls draw from these pools."""
    return st.fixed_dictionaries({name: key_pool(values_for(hint)) for name, hint in declared_types(func).items()})


def key_pool(values: st.SearchStrategy[Any], max_size: int = 2) -> st.SearchStrategy[list[Any]]:
    """A small pool of distinct values (by Python equality), so draws collide often."""
    return st.lists(values, min_size=1, max_size=max_size).map(_distinct)


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not any(_equal(value, seen) for seen in out):
            out.append(value)
    return out


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - values that cannot be compared are different
        return False


def kwargs_from(pools: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: st.sampled_from(values) for name, values in pools.items()})


def simplest_kwargs(func: Callable[..., Any]) -> dict[str, Any]:
    """The simplest valid arguments for ``func``: Hypothesis's minimal example of its pools, then of a call."""
    from hypothesis import HealthCheck, find, settings

    quiet = settings(database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    pools = find(parameter_pools(func), lambda p: True, settings=quiet)
    return find(kwargs_from(pools), lambda k: True, settings=quiet)
