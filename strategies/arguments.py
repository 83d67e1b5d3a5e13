"""Arguments for a task's parameters: key arguments from key pools, the rest from type hints."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from functools import cache
from typing import Any

from hypothesis import strategies as st

from pynenc_suite.strategies.keys import gate_keys, key_pool


def _hint_strategy(hint: Any) -> st.SearchStrategy[Any]:
    if hint is inspect.Parameter.empty or hint is Any:
        return gate_keys()
    if hint is str:
        return st.text(alphabet="xyz", min_size=1, max_size=2)
    if hint is int:
        return st.integers(0, 3)
    return st.from_type(hint)


@cache
def parameter_pools(func: Callable[..., Any], key_arguments: tuple[str, ...]) -> st.SearchStrategy[dict[str, list[Any]]]:
    """One small pool of values per parameter; a schedule's calls draw from these pools."""
    hints = typing.get_type_hints(func)
    pools: dict[str, st.SearchStrategy[list[Any]]] = {}
    for name, param in inspect.signature(func).parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        values = gate_keys() if name in key_arguments else _hint_strategy(hints.get(name, param.annotation))
        pools[name] = key_pool(values)
    return st.fixed_dictionaries(pools)


def kwargs_from(pools: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({name: st.sampled_from(values) for name, values in pools.items()})
