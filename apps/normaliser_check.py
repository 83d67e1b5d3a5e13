"""A team's key normalisers, checked before any test runs: each names a task of the app and one of its
parameters, and accepts the values of that parameter's declared type.

A normaliser that raises on some value is the team's input error, not pynenc's and
not the suite's: the run stops with one line naming the normaliser, the task, the
argument and the simplest value it raised on (a derandomized Hypothesis search of
the declared type's values, shrunk), and says what to change: widen the normaliser,
or declare a narrower type for the argument.
"""

from __future__ import annotations

import inspect
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from pynenc_suite.apps.target import TargetError
from pynenc_suite.strategies.arguments import declared_types
from pynenc_suite.strategies.types import values_for

SEARCH = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                  phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))  # fmt: skip


def check_normalisers(tasks: dict[str, Any], normalisers: dict[str, dict[str, Any]], spec: str) -> None:
    """Raise :class:`TargetError` (one line) for an entry naming no task or parameter, or a normaliser that
    raises on a value of its argument's declared type."""
    for task_name, per_argument in normalisers.items():
        if task_name not in tasks:
            raise TargetError(f"key normalisers {spec}: no task {task_name!r} in the app "
                              f"(its tasks: {', '.join(sorted(tasks))})")  # fmt: skip
        func = tasks[task_name].func
        parameters = inspect.signature(func).parameters
        for argument, normaliser in per_argument.items():
            if argument not in parameters:
                raise TargetError(f"key normalisers {spec}: {task_name} has no parameter {argument!r} "
                                  f"(its parameters: {', '.join(parameters)})")  # fmt: skip
            hint = declared_types(func).get(argument, inspect.Parameter.empty)
            _accepts_its_type(task_name, argument, normaliser, hint, spec)


def _accepts_its_type(task: str, argument: str, normaliser: Any, hint: Any, spec: str) -> None:
    def raises(value: Any) -> bool:
        try:
            normaliser(value)
        except Exception:  # noqa: BLE001 - any failure of the team's code is what is searched for
            return True
        return False

    try:
        value = find(values_for(hint), raises, settings=SEARCH)
    except NoSuchExample:
        return
    try:
        normaliser(value)
    except Exception as error:  # noqa: BLE001 - reported in the one line
        cause = (str(error).splitlines() or [""])[0]
        typed = "untyped" if hint is inspect.Parameter.empty else getattr(hint, "__name__", repr(hint))
        name = getattr(normaliser, "__qualname__", repr(normaliser))
        raise TargetError(
            f"key normalisers {spec}: {name} of {task}.{argument} raised {type(error).__name__}: {cause} on "
            f"{value!r}, a value of its declared type ({typed}); widen the normaliser to accept every such value, "
            f"or declare a narrower type for {argument} (with its strategy in --strategies)"
        ) from None
