"""Key identity: which invocations share a concurrency key, decided from Python values.

pynenc decides by comparing serialized arguments.  The suite decides
independently, from the values the producer passed: two keys are the same when
they are ``==`` (after an optional user-declared normaliser).  The identity label
it assigns ("k1", "k2", ...) is what the checkers compare.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pynenc_suite.history.model import KeyRef, Mode

Normaliser = Callable[[Any], Any]
Normalisers = Mapping[str, Mapping[str, Normaliser]]  # task -> argument -> normaliser


def key_value(mode: Mode, key_arguments: tuple[str, ...], kwargs: Mapping[str, Any]) -> Any:
    """The Python value that identifies a call under ``mode``."""
    if mode is Mode.TASK:
        return ()
    if mode is Mode.ARGUMENTS:
        return dict(kwargs)
    if mode is Mode.KEYS:
        return tuple(kwargs[k] for k in key_arguments)
    return None


def _type_name(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(type(v).__name__ for v in value) + ")"
    return type(value).__name__


class NormaliserError(BaseException):
    """A user's normaliser raised: an error of the run, said in one line (never a dropped call, never a pass).

    A ``BaseException``, so that neither pynenc's nor the drivers' handlers of ``Exception`` (which
    record what pynenc does) can take it for an observation of pynenc.
    """

    def __init__(self, task: str, argument: str, normaliser: Any, value: Any, error: Exception) -> None:
        name = getattr(normaliser, "__qualname__", repr(normaliser))
        cause = str(error).splitlines()[0] if str(error) else ""
        super().__init__(
            f"the key normaliser {name} of {task}.{argument} raised {type(error).__name__}: {cause} "
            f"on {value!r} ({type(value).__name__}); make it accept every value the task is called with"
        )


def normalised(task: str, kwargs: Mapping[str, Any], normalisers: Normalisers | None) -> dict[str, Any]:
    """``kwargs`` with each argument passed through the user's normaliser for it, if any."""
    task = task.split("#")[0]
    per_argument = (normalisers or {}).get(task, {})
    out = {}
    for name, value in kwargs.items():
        if name not in per_argument:
            out[name] = value
            continue
        try:
            out[name] = per_argument[name](value)
        except Exception as error:  # noqa: BLE001 - any failure of the user's code is reported as it
            raise NormaliserError(task, name, per_argument[name], value, error) from error
    return out


class KeyIdentity:
    """Assigns key identities per (task, mode) by Python equality of (normalised) key values."""

    def __init__(self, normalisers: Normalisers | None = None) -> None:
        self.normalisers = normalisers or {}
        self._seen: dict[tuple[str, Mode], list[tuple[Any, str]]] = {}
        self._count = 0

    def identity(self, task: str, mode: Mode, value: Any) -> str:
        seen = self._seen.setdefault((task, mode), [])
        for representative, label in seen:
            try:
                if representative == value:
                    return label
            except Exception:  # noqa: BLE001 - an uncomparable value is simply a different key
                continue
        self._count += 1
        label = f"k{self._count}"
        seen.append((value, label))
        return label

    def ref(
        self,
        task: str,
        mode: Mode,
        key_arguments: tuple[str, ...],
        kwargs: Mapping[str, Any],
        serialized: Mapping[str, str] | None,
    ) -> KeyRef | None:
        if mode is Mode.DISABLED:
            return None
        value = key_value(mode, key_arguments, kwargs)
        identity = self.identity(task, mode, key_value(mode, key_arguments, normalised(task, kwargs, self.normalisers)))
        return KeyRef(
            identity=identity,
            value=repr(value),
            type=_type_name(value),
            concurrency_key=json.dumps(serialized, sort_keys=True) if serialized else "",
        )
