"""Equal values built the ways a declared type lets its callers build them.

Two producers that mean one account rarely build its value the same way: one
passes a model's default explicitly, another reads the model from JSON; one
builds a dict in another order, passes a NamedTuple where the type says
``tuple[str, str]``, the raw ``2`` of an ``IntEnum``, or one object in two
places where the other passes two equal objects.  :func:`equal_pairs` draws a
value of the declared type and builds it twice from its parts, never copying
it: once the *plain* way (keyword constructors, defaults omitted, the drawn
order, no shared parts) and once along one *construction path*
(:data:`PATHS`), applied wherever the value offers it (Hypothesis decides where,
and shrinks to the fewest places).  Each value comes with the expression that
builds it, so a report can say how the two were made.

:func:`transformed_pairs` pairs a value with the same value whose strings went
through a text transformation a normaliser may identify (case, surrounding
whitespace, Unicode normal forms, ...), and :func:`distinct_pairs` draws values
that may differ.  Which pairs "are the same" is the caller's business (Python
equality, or the team's normaliser).  Everything here is plain Hypothesis and
the standard library; pydantic and attrs values are recognised by their
protocols, never imported.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import enum
import math
import pathlib
import re
import types
import typing
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from pynenc_suite.strategies.types import conforms, is_attrs_class, is_pydantic_model, values_for

PATHS: dict[str, str] = {
    "rebuilt": "built again the plain way from its parts",
    "defaults-explicit": "fields left at their default passed explicitly",
    "keyword-order": "keyword arguments in another order",
    "positional": "fields passed positionally",
    "from-instance": "built from another instance (dataclasses.replace, attrs.evolve, NamedTuple._replace, model_copy)",
    "model-validate": "a pydantic model from a dict (model_validate)",
    "model-validate-json": "a pydantic model from its JSON (model_validate_json)",
    "model-construct": "a pydantic model built without validation (model_construct)",
    "namedtuple-make": "a NamedTuple from an iterable (_make)",
    "enum-value": "an enum member's raw value instead of the member",
    "namedtuple": "a NamedTuple where the type says tuple",
    "dict-order": "a dict's items inserted in another order",
    "set-order": "a set's members inserted in another order",
    "shared-parts": "one object used in two places instead of two equal objects",
    "int-for-float": "an int where the type says float (2 for 2.0)",
    "negative-zero": "-0.0 for 0.0",
    "decimal-exponent": "a Decimal with another exponent (1.5 and 1.50)",
    "timezone": "one instant in another time zone",
    "path-flavour": "a concrete path for a pure one, or a pure path for a concrete one",
}
TRANSFORMS: dict[str, Callable[[str], str]] = {
    "lower": str.lower,
    "upper": str.upper,
    "title": str.title,
    "swapcase": str.swapcase,
    "casefold": str.casefold,
    "surrounding-space": lambda s: f" {s} ",
    "trailing-newline": lambda s: f"{s}\n",
    "strip": str.strip,
    "nfc": lambda s: unicodedata.normalize("NFC", s),
    "nfd": lambda s: unicodedata.normalize("NFD", s),
    "nfkc": lambda s: unicodedata.normalize("NFKC", s),
    "nfkd": lambda s: unicodedata.normalize("NFKD", s),
    "double-inner-space": lambda s: s.replace(" ", "  "),
    "plus-tag": lambda s: re.sub(r"^([^@+]+)@", r"\1+tag@", s),
    "without-plus-tag": lambda s: re.sub(r"^([^@+]+)\+[^@]*@", r"\1@", s),
    "leading-zero": lambda s: f"0{s}" if s.isdigit() else s,
    "without-leading-zeros": lambda s: s.lstrip("0") or "0" if s.isdigit() else s,
    "trailing-dot": lambda s: f"{s}.",
}
ZONES = tuple(dt.timezone(dt.timedelta(hours=h)) for h in (0, 2, -5, 9))


@dataclass(frozen=True)
class Built:
    """A value and the expression that built it (``UserRef.model_validate({...})``)."""

    value: Any
    how: str


def namedtuple_of(arity: int) -> type:
    """The suite's NamedTuple of ``arity`` fields: a module attribute (``Row2``), so its values pickle."""
    name = f"Row{arity}"
    if name not in globals():
        cls = collections.namedtuple(name, [f"f{i}" for i in range(arity)])  # type: ignore[misc]  # mypy needs a literal name  # noqa: PYI024 - fields untyped
        cls.__module__ = __name__
        globals()[name] = cls
    return globals()[name]


def __getattr__(name: str) -> Any:  # a pickled Row3 is found again in a fresh process
    if re.fullmatch(r"Row\d+", name):
        return namedtuple_of(int(name[3:]))
    raise AttributeError(name)


# ---- which paths a declared type offers -------------------------------------------------------------------------


def paths_for(hint: Any) -> list[str]:
    """The construction paths (keys of :data:`PATHS`) a value of ``hint`` may be built along, besides the plain
    way.  Only paths to values of the declared type (an enum-typed argument's raw value is its member's equal):
    a ``str`` argument is never handed some enum's member, since nothing says its callers have one."""
    found: list[str] = ["rebuilt"]
    _collect_paths(hint, found, set())
    return found


def _add(found: list[str], *names: str) -> None:
    found.extend(n for n in names if n not in found)


def _collect_paths(hint: Any, found: list[str], seen: set[int]) -> None:  # noqa: C901 - one case per kind of type
    if id(hint) in seen:
        return
    seen.add(id(hint))
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return _collect_paths(args[0], found, seen)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            _collect_paths(arg, found, seen)
        return
    if origin is tuple:
        if not (len(args) == 2 and args[1] is Ellipsis):
            _add(found, "namedtuple")
        _add(found, "shared-parts")
    if origin in (list, collections.abc.Sequence):
        _add(found, "shared-parts")
    if origin is dict or hint is dict:
        _add(found, "dict-order", "shared-parts")
    if origin in (set, frozenset) or hint in (set, frozenset):
        _add(found, "set-order")
    for arg in args:
        if arg is not Ellipsis:
            _collect_paths(arg, found, seen)
    if origin is not None:
        return
    if hint is float:
        _add(found, "int-for-float", "negative-zero")
    elif hint is Decimal:
        _add(found, "decimal-exponent")
    elif hint is dt.datetime:
        _add(found, "timezone")
    elif isinstance(hint, type) and issubclass(hint, pathlib.PurePath) and _flavour_swap(hint) is not None:
        _add(found, "path-flavour")
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        if any(_member_equals_value(m) for m in hint):
            _add(found, "enum-value")
    elif is_pydantic_model(hint):
        _add(
            found,
            "defaults-explicit",
            "keyword-order",
            "from-instance",
            "model-validate",
            "model-validate-json",
            "model-construct",
            "shared-parts",
        )
        for field in hint.model_fields.values():
            _collect_paths(field.annotation, found, seen)
    elif dataclasses.is_dataclass(hint) and isinstance(hint, type):
        _add(found, "defaults-explicit", "keyword-order", "positional", "from-instance", "shared-parts")
        hints = _type_hints(hint)
        for field in dataclasses.fields(hint):
            _collect_paths(hints.get(field.name, Any), found, seen)
    elif is_attrs_class(hint):
        _add(found, "defaults-explicit", "keyword-order", "positional", "from-instance", "shared-parts")
        for field in hint.__attrs_attrs__:
            _collect_paths(field.type if field.type is not None else Any, found, seen)
    elif _is_namedtuple(hint):
        _add(found, "keyword-order", "positional", "from-instance", "namedtuple-make", "shared-parts")
        for field_hint in _type_hints(hint).values():
            _collect_paths(field_hint, found, seen)


# ---- building a value twice --------------------------------------------------------------------------------------


class _Builder:
    """Builds an equal value from ``value``'s parts; ``path`` (or None: the plain way) is applied where the drawn
    booleans say, so Hypothesis shrinks to the fewest places a split needs."""

    def __init__(self, draw: st.DrawFn, path: str | None) -> None:
        self.draw, self.path = draw, path
        self.built: list[tuple[Any, Built]] = []  # composite parts built so far, for shared-parts

    def here(self, path: str) -> bool:
        return self.path == path and self.draw(st.booleans())

    def build(self, hint: Any, value: Any) -> Built:  # noqa: C901, PLR0911 - one case per kind of value
        hint = _unannotated(hint)
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next((arm for arm in typing.get_args(hint) if conforms(value, arm)), Any)
        if value is None or isinstance(value, bool):
            return Built(value, repr(value))
        if isinstance(value, enum.Enum):
            return self._enum(value)
        if isinstance(value, float):
            return self._float(value)
        if isinstance(value, int | str | bytes):
            return Built(value, repr(value))
        if isinstance(value, Decimal):
            return self._decimal(value)
        if isinstance(value, uuid.UUID):
            return Built(uuid.UUID(str(value)), f"UUID({str(value)!r})")
        if isinstance(value, dt.datetime):
            return self._datetime(value)
        if isinstance(value, dt.date | dt.time | dt.timedelta):
            return Built(value.replace() if hasattr(value, "replace") else value, repr(value))
        if isinstance(value, pathlib.PurePath):
            return self._path(hint, value)
        shared = self._shared(value)
        if shared is not None:
            return shared
        built = self._composite(hint, value)
        self.built.append((value, built))
        return built

    def _composite(self, hint: Any, value: Any) -> Built:  # noqa: PLR0911 - one case per kind of value
        if is_pydantic_model(type(value)):
            return self._model(value)
        if dataclasses.is_dataclass(value):
            return self._dataclass(value)
        if is_attrs_class(type(value)):
            return self._attrs(value)
        if _is_namedtuple(type(value)):
            return self._namedtuple(value)
        if isinstance(value, tuple):
            return self._tuple(hint, value)
        if isinstance(value, list):
            return self._list(hint, value)
        if isinstance(value, dict):
            return self._dict(hint, value)
        if isinstance(value, set | frozenset):
            return self._set(hint, value)
        return _unpickled(value)

    def _shared(self, value: Any) -> Built | None:
        """With ``shared-parts``, a part equal to one built before may be that same object."""
        if self.path != "shared-parts":
            return None
        for seen, built in self.built:
            # Sharing is the simplest choice (False shrinks to "share"): the plainest value, all parts alike, shows it.
            if type(seen) is type(value) and _equal(seen, value) and not self.draw(st.booleans()):
                return Built(built.value, f"{built.how} (the same object again)")
        return None

    def _enum(self, member: enum.Enum) -> Built:
        if _member_equals_value(member) and self.here("enum-value"):
            return Built(member.value, repr(member.value))
        return Built(type(member)(member.value), f"{type(member).__name__}.{member.name}")

    def _float(self, value: float) -> Built:
        if value.is_integer() and abs(value) < 2**53 and self.here("int-for-float"):
            return Built(int(value), repr(int(value)))
        if value == 0.0 and self.here("negative-zero"):
            other = -math.copysign(0.0, value)
            return Built(other, repr(other))
        return Built(float(repr(value)), repr(value))

    def _decimal(self, value: Decimal) -> Built:
        if value.is_finite() and self.here("decimal-exponent"):
            exponent = value.as_tuple().exponent
            longer = value.quantize(Decimal(1).scaleb(int(exponent) - 1))
            return Built(longer, f"Decimal({str(longer)!r})")
        return Built(Decimal(str(value)), f"Decimal({str(value)!r})")

    def _datetime(self, value: dt.datetime) -> Built:
        if value.tzinfo is not None and self.here("timezone"):
            zone = self.draw(st.sampled_from([z for z in ZONES if z.utcoffset(None) != value.utcoffset()]))
            moved = value.astimezone(zone)
            return Built(moved, f"{value!r}.astimezone({zone})")
        return Built(value.replace(), repr(value))

    def _path(self, hint: Any, value: pathlib.PurePath) -> Built:
        other = _flavour_swap(type(value))
        if other is not None and conforms(other(*value.parts), hint) and self.here("path-flavour"):
            return Built(other(*value.parts), f"{other.__name__}({str(value)!r})")
        return Built(type(value)(*value.parts), f"{type(value).__name__}({str(value)!r})")

    def _fields(self, hints: dict[str, Any], values: dict[str, Any]) -> dict[str, Built]:
        return {name: self.build(hints.get(name, Any), v) for name, v in values.items()}

    def _call(
        self,
        cls: type,
        fields: dict[str, Built],
        defaults: dict[str, Any],
        positional: bool = False,
        keyword_order: bool = False,
    ) -> tuple[dict[str, Built], str]:
        """The fields a constructor is given (defaults omitted unless ``defaults-explicit`` says) and its text."""
        explicit = self.here("defaults-explicit")
        given = {n: b for n, b in fields.items() if explicit or n not in defaults or not _equal(b.value, defaults[n])}
        if keyword_order and len(given) > 1:
            given = dict(reversed(list(given.items())))
        if positional:
            return fields, f"{cls.__name__}({', '.join(b.how for b in fields.values())})"
        return given, f"{cls.__name__}({', '.join(f'{n}={b.how}' for n, b in given.items())})"

    def _dataclass(self, value: Any) -> Built:
        cls = type(value)
        init = [f for f in dataclasses.fields(cls) if f.init]
        fields = self._fields(_type_hints(cls), {f.name: getattr(value, f.name) for f in init})
        defaults = {f.name: f.default for f in init if f.default is not dataclasses.MISSING}
        positional = self.here("positional")
        given, how = self._call(cls, fields, defaults, positional, self.here("keyword-order"))
        built = (
            cls(*(b.value for b in fields.values())) if positional else cls(**{n: b.value for n, b in given.items()})
        )
        if self.here("from-instance"):
            return Built(dataclasses.replace(built), f"dataclasses.replace({how})")
        return Built(built, how)

    def _attrs(self, value: Any) -> Built:
        import attrs  # the value is an attrs instance, so attrs is installed

        cls = type(value)
        init = [a for a in attrs.fields(cls) if a.init]
        alias = {a.name: getattr(a, "alias", None) or a.name.lstrip("_") for a in init}
        fields = {alias[a.name]: self.build(a.type or Any, getattr(value, a.name)) for a in init}
        defaults = {alias[a.name]: a.default for a in init
                    if a.default is not attrs.NOTHING and not isinstance(a.default, attrs.Factory)}  # type: ignore[arg-type]  # a class, typed as a function  # fmt: skip
        positional = self.here("positional")
        given, how = self._call(cls, fields, defaults, positional, self.here("keyword-order"))
        built = (
            cls(*(b.value for b in fields.values())) if positional else cls(**{n: b.value for n, b in given.items()})
        )
        if self.here("from-instance"):
            return Built(attrs.evolve(built), f"attrs.evolve({how})")
        return Built(built, how)

    def _namedtuple(self, value: Any) -> Built:
        cls = type(value)
        fields = self._fields(_type_hints(cls), value._asdict())
        if self.here("namedtuple-make"):
            return Built(
                cls._make(b.value for b in fields.values()),
                f"{cls.__name__}._make([{', '.join(b.how for b in fields.values())}])",
            )
        positional = self.here("positional")
        given, how = self._call(cls, fields, dict(cls._field_defaults), positional, self.here("keyword-order"))
        built = (
            cls(*(b.value for b in fields.values())) if positional else cls(**{n: b.value for n, b in given.items()})
        )
        if self.here("from-instance"):
            first = next(iter(fields), None)
            return Built(built._replace(**({first: fields[first].value} if first else {})), f"{how}._replace()")
        return Built(built, how)

    def _model(self, value: Any) -> Built:
        cls = type(value)
        declared = cls.model_fields
        fields = self._fields({n: f.annotation for n, f in declared.items()}, {n: getattr(value, n) for n in declared})
        defaults = {n: f.default for n, f in declared.items() if not f.is_required() and f.default_factory is None}
        given, how = self._call(cls, fields, defaults, keyword_order=self.here("keyword-order"))
        keys = {(declared[n].alias or n): b.value for n, b in given.items()}
        shown = "{" + ", ".join(f"{(declared[n].alias or n)!r}: {b.how}" for n, b in given.items()) + "}"
        if self.here("model-validate"):
            return Built(cls.model_validate(keys), f"{cls.__name__}.model_validate({shown})")
        if self.here("model-construct"):
            return Built(
                cls.model_construct(**{n: b.value for n, b in given.items()}),
                f"{cls.__name__}.model_construct({how[len(cls.__name__) + 1 : -1]})",
            )
        built = cls(**keys)
        if self.here("model-validate-json"):
            text = built.model_dump_json(exclude_unset=True, by_alias=True)
            return Built(cls.model_validate_json(text), f"{cls.__name__}.model_validate_json({text!r})")
        if self.here("from-instance"):
            return Built(built.model_copy(), f"{how}.model_copy()")
        return Built(built, how)

    def _items(self, hint: Any, values: Iterable[Any], index: Callable[[int], Any]) -> list[Built]:
        return [self.build(index(i), v) for i, v in enumerate(values)]

    def _tuple(self, hint: Any, value: tuple) -> Built:
        args = typing.get_args(hint)
        fixed = bool(args) and not (len(args) == 2 and args[1] is Ellipsis)
        parts = self._items(hint, value, lambda i: args[i] if fixed else (args[0] if args else Any))
        shown = ", ".join(b.how for b in parts) + ("," if len(parts) == 1 else "")
        if fixed and value and self.here("namedtuple"):
            cls = namedtuple_of(len(parts))
            return Built(cls(*(b.value for b in parts)), f"{cls.__name__}({', '.join(b.how for b in parts)})")
        return Built(tuple(b.value for b in parts), f"({shown})")

    def _list(self, hint: Any, value: list) -> Built:
        args = typing.get_args(hint)
        parts = self._items(hint, value, lambda i: args[0] if args else Any)
        return Built([b.value for b in parts], f"[{', '.join(b.how for b in parts)}]")

    def _dict(self, hint: Any, value: dict) -> Built:
        key_hint, value_hint = typing.get_args(hint) or (Any, Any)
        items = [(self.build(key_hint, k), self.build(value_hint, v)) for k, v in value.items()]
        if len(items) > 1 and self.here("dict-order"):
            order = self.draw(st.permutations(range(len(items))).filter(lambda p: list(p) != sorted(p)))
            items = [items[i] for i in order]
        return Built({k.value: v.value for k, v in items}, "{" + ", ".join(f"{k.how}: {v.how}" for k, v in items) + "}")

    def _set(self, hint: Any, value: set | frozenset) -> Built:
        args = typing.get_args(hint)
        parts = self._items(hint, value, lambda i: args[0] if args else Any)
        if len(parts) > 1 and self.here("set-order"):
            parts = parts[::-1]
        kind = type(value)
        return Built(kind(b.value for b in parts), f"{kind.__name__}([{', '.join(b.how for b in parts)}])")


class _Transformer(_Builder):
    """Builds the value the plain way, with the text transformation ``name`` applied to the strings the drawn
    booleans pick."""

    def __init__(self, draw: st.DrawFn, name: str) -> None:
        super().__init__(draw, None)
        self.transform, self.name = TRANSFORMS[name], name

    def build(self, hint: Any, value: Any) -> Built:
        if type(value) is str:
            changed = self.transform(value)
            # Every string is transformed unless a draw says otherwise (False, the simplest draw, transforms).
            if changed != value and not self.draw(st.booleans()):
                return Built(changed, repr(changed))
            return Built(value, repr(value))
        return super().build(hint, value)


@st.composite
def _plain_and(draw: st.DrawFn, hint: Any, path: str) -> tuple[Built, Built]:
    value = draw(values_for(hint))
    return _Builder(draw, None).build(hint, value), _Builder(draw, path).build(hint, value)


def equal_pairs(hint: Any, path: str) -> st.SearchStrategy[tuple[Built, Built]]:
    """A value of ``hint`` built the plain way, and built again along ``path`` (a key of :data:`PATHS`)."""
    return _plain_and(hint, path)


@st.composite
def transformed_pairs(draw: st.DrawFn, hint: Any, names: tuple[str, ...] = tuple(TRANSFORMS)) -> tuple[Built, Built]:
    """A value of ``hint`` and the same value with one of the text transformations ``names`` (keys of
    :data:`TRANSFORMS`) applied to its strings."""
    value = draw(values_for(hint))
    name = draw(st.sampled_from(names))
    return _Builder(draw, None).build(hint, value), _Transformer(draw, name).build(hint, value)


@st.composite
def distinct_pairs(draw: st.DrawFn, hint: Any) -> tuple[Built, Built]:
    """Two values of ``hint`` drawn independently, each built the plain way."""
    first, second = draw(values_for(hint)), draw(values_for(hint))
    return _Builder(draw, None).build(hint, first), _Builder(draw, None).build(hint, second)


# ---- helpers -----------------------------------------------------------------------------------------------------


def _unannotated(hint: Any) -> Any:
    return typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - uncomparable values are not equal
        return False


def _member_equals_value(member: enum.Enum) -> bool:
    """An enum whose members equal their raw values (IntEnum, StrEnum, or a mixin)."""
    return _equal(member, member.value) and type(member.value) is not type(member)


def _flavour_swap(cls: type) -> type | None:
    """The concrete class of a pure path flavour, or the pure class of a concrete one (None if neither)."""
    pairs: dict[type, type] = {pathlib.PurePosixPath: pathlib.PosixPath, pathlib.PureWindowsPath: pathlib.WindowsPath}
    pairs.update({concrete: pure for pure, concrete in list(pairs.items())})
    if cls is pathlib.PurePath:
        return pathlib.PosixPath
    return pairs.get(cls)


def _is_namedtuple(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")


def _type_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001 - unresolvable annotations count as none
        return {}


def _unpickled(value: Any) -> Built:
    """A value of a kind the builder does not know, made again through its own pickle protocol (never a copy of
    its memory): the way it crosses to another process."""
    import pickle

    return Built(pickle.loads(pickle.dumps(value)), repr(value))
