"""Values of a parameter's declared type: the app's real argument types go through pynenc.

A parameter with a type hint is drawn from that type: ``str``, numbers, ``bool``,
``Decimal``, ``UUID``, paths (``PurePath`` and its flavours), ``datetime`` and
``date`` (naive and aware), enums, dataclasses, NamedTuples, ``Literal``,
``Optional`` and unions, and lists, tuples, dicts, sets of these.  Anything else
goes through Hypothesis's ``from_type``, so a strategy the team registered with
``hypothesis.strategies.register_type_strategy`` is used.  An untyped parameter
keeps the mixed pools of :func:`~.keys.gate_keys`.

Every value is *canonical*: it is equal to itself and survives a pickle round trip
equal to itself (so no NaN, and every value can cross to another process); a type
with identity equality only has to pickle.
The suite compares keys by Python equality, and a value unequal to itself would
make one account look like two.  The equal-but-differently-built forms of a type
are the key audit's business (:mod:`.equal_keys`), not the gate's.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import enum
import inspect
import pathlib
import pickle
import types
import typing
import uuid
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import ResolutionFailed

from pynenc_suite.strategies.keys import gate_keys, realistic_keys

UNTYPED = (inspect.Parameter.empty, Any, object)
ZONES = (dt.UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-5)))
_path_parts = st.text(alphabet="abcxyz", min_size=1, max_size=3)


class TypeNotDrawable(TypeError):
    """No values can be drawn for a declared type; ``str()`` says which and how to register a strategy."""


def is_untyped(hint: Any) -> bool:
    return hint in UNTYPED


@cache
def values_for(hint: Any) -> st.SearchStrategy[Any]:
    """Canonical values of the declared type ``hint`` (mixed pools if untyped)."""
    if is_untyped(hint):
        return gate_keys()
    return _of(hint).filter(canonical)


def _of(hint: Any) -> st.SearchStrategy[Any]:  # noqa: C901, PLR0911 - one case per kind of type
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(_of(arg) for arg in args))
    if origin in (list, collections.abc.Sequence) or hint is list:
        return st.lists(_of(args[0]) if args else gate_keys(), max_size=3)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(_of(args[0]), max_size=3).map(tuple)
        return st.tuples(*(_of(arg) for arg in args))
    if origin is dict or hint is dict:
        keys, values = args or (str, int)
        return st.dictionaries(_of(keys), _of(values), max_size=3)
    if origin in (set, frozenset) or hint in (set, frozenset):
        kind = origin or hint
        return st.sets(_of(args[0]) if args else st.integers(0, 9), max_size=3).map(kind)
    if hint is type(None):
        return st.none()
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers(0, 3) | st.integers(-(2**40), 2**40)
    if hint is float:
        return st.integers(0, 3).map(float) | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
    if hint is str:
        return st.text(alphabet="ab", min_size=1, max_size=2) | realistic_keys()
    if hint is Decimal:
        return st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
    if hint is uuid.UUID:
        return st.uuids()
    if isinstance(hint, type) and issubclass(hint, pathlib.PurePath):
        return st.lists(_path_parts, min_size=1, max_size=3).map(lambda parts: hint(*parts))
    if hint is dt.datetime:
        moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1))
        return moments | st.tuples(moments, st.sampled_from(ZONES)).map(lambda m: m[0].replace(tzinfo=m[1]))
    if hint is dt.date:
        return st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        fields = typing.get_type_hints(hint)
        return st.builds(hint, **{f.name: _of(fields[f.name]) for f in dataclasses.fields(hint) if f.init})
    if is_pydantic_model(hint):
        return st.builds(hint, **{(field.alias or name): _field(field.annotation, field)
                                  for name, field in hint.model_fields.items()})  # fmt: skip
    if is_attrs_class(hint):
        import attrs

        return st.builds(hint, **{(getattr(a, "alias", None) or a.name.lstrip("_")): _of(a.type or Any)
                                  for a in attrs.fields(hint) if a.init})  # fmt: skip
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        fields = typing.get_type_hints(hint)
        return st.builds(hint, **{name: _of(fields.get(name, Any)) for name in hint._fields})
    if is_untyped(hint):
        return gate_keys()
    return st.from_type(hint)


def _field(annotation: Any, field: Any) -> st.SearchStrategy[Any]:
    """A pydantic field's values: its default first (so a value often leaves it at the default), or any."""
    if field.is_required() or field.default_factory is not None:
        return _of(annotation)
    return st.just(field.default) | _of(annotation)


def is_pydantic_model(hint: Any) -> bool:
    """A pydantic v2 model class (recognised by its protocol; pydantic is never imported here)."""
    return isinstance(hint, type) and hasattr(hint, "model_fields") and hasattr(hint, "model_validate")


def is_attrs_class(hint: Any) -> bool:
    """An attrs class (recognised by its protocol)."""
    return isinstance(hint, type) and hasattr(hint, "__attrs_attrs__")


def check_drawable(task: str, argument: str, hint: Any) -> None:
    """Raise :class:`TypeNotDrawable` with one line if no values of ``hint`` can be drawn."""
    try:
        values_for(hint).validate()
    except (ResolutionFailed, TypeError, IndexError, ValueError) as error:
        name = getattr(hint, "__qualname__", repr(hint))
        raise TypeNotDrawable(
            f"task {task!r} argument {argument!r}: cannot draw values of type {name} ({type(error).__name__}); "
            f"register one with hypothesis.strategies.register_type_strategy({name}, <strategy>) in a module the "
            "suite imports (--strategies MODULE)"
        ) from None


def canonical(value: Any) -> bool:
    """The value is equal to itself and survives a pickle round trip equal to itself (no NaN; it can cross
    to another process).  A value of a type with identity equality only has to pickle."""
    try:
        copy = pickle.loads(pickle.dumps(value))
        return bool(value == value) and (type(value).__eq__ is object.__eq__ or bool(copy == value))
    except Exception:  # noqa: BLE001 - a value that cannot be pickled or compared is not canonical
        return False


def conforms(value: Any, hint: Any) -> bool:  # noqa: C901, PLR0911 - one case per kind of type
    """``value`` is one the declared type ``hint`` admits (with PEP 484's numeric tower: an int is a float)."""
    if is_untyped(hint):
        return True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return conforms(value, args[0])
    if origin is typing.Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float)
    if hint is complex:
        return isinstance(value, int | float | complex)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(conforms(item, args[0]) for item in value)
        return not args or (len(args) == len(value) and all(conforms(v, a) for v, a in zip(value, args, strict=True)))
    if origin in (list, set, frozenset, collections.abc.Sequence):
        return (
            isinstance(value, origin) and all(conforms(item, args[0]) for item in value)
            if args
            else isinstance(value, origin)
        )
    if origin is dict:
        return isinstance(value, dict) and all(conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
    try:
        return isinstance(value, origin or hint)
    except TypeError:  # a form isinstance cannot check (a TypeVar, a NewType...): admit it
        return True
