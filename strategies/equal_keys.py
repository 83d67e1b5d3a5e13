"""Key values that mean "the same account" but are built differently.

Each :class:`EqualityClass` draws its members: two or more values.  Most members are
equal in Python (``1`` and ``1.0``, a dict and the same dict built in another
order); some are only equal to a person (NFC and NFD spellings, a tuple and the
list it becomes after a JSON round trip) and are marked ``python_equal=False``:
for those the suite expects two keys unless the user declares a normaliser.
Realistic values come from Faker seeded by a Hypothesis draw, so shrinking and
replay stay deterministic.

These are the suite's own catalogue of variants.  An untyped argument is tried
with every class; an argument with a declared type only with the classes that
pair its values with values of *other* types the type admits (:data:`OTHER_TYPES`:
a ``str`` subclass, a ``StrEnum`` member of the suite's own), and a class whose
values a union admits from two different types (``int | str``: 42 and '42') is
marked as a *risk*.  What a declared type's own callers build (its constructors,
orders, enums, element types) is :mod:`.equal_forms`'s business.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Any, NamedTuple

from hypothesis import strategies as st

from pynenc_suite.strategies.keys import _faked
from pynenc_suite.strategies.types import conforms, is_untyped

small_ints = st.integers(-3, 1000)


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"


class Tier(IntEnum):
    BASIC = 1
    GOLD = 2


class AccountName(str):
    """A team's own str subclass for account names."""

    __slots__ = ()


class AccountRef(NamedTuple):
    bank: int
    account: int


@dataclass(frozen=True)
class EqualityClass:
    """A way of building key values; ``python_equal`` says whether its drawn members are ``==``.

    Equal members must get one key; distinct members (``python_equal=False``) must get distinct keys,
    unless the user's normaliser says they are the same account.
    """

    name: str
    description: str
    members: st.SearchStrategy[tuple[Any, ...]]
    python_equal: bool = True


class Opaque:
    """A key object whose state pynenc's serializer cannot read."""

    def __init__(self, ident: int) -> None:
        self.ident = ident

    def __getstate__(self) -> dict:
        raise TypeError("state not serializable")

    def __repr__(self) -> str:
        return f"Opaque({self.ident})"


def _accented_names() -> st.SearchStrategy[str]:
    return _faked(lambda f: f.name()).filter(lambda s: unicodedata.normalize("NFD", s) != s) | st.sampled_from(
        ["José Müller", "Zoë Ångström", "Renée Françoise"]
    )


def _dict_orders() -> st.SearchStrategy[tuple[dict, dict]]:
    items = st.lists(
        st.tuples(st.text("abcdef", min_size=1, max_size=3), small_ints),
        min_size=2,
        max_size=4,
        unique_by=lambda kv: kv[0],
    )
    return items.map(lambda kvs: (dict(kvs), dict(reversed(kvs))))


def _set_orders(kind: type) -> st.SearchStrategy[tuple[Any, Any]]:
    members = st.lists(_faked(lambda f: f.email()), min_size=3, max_size=6, unique=True)
    return members.map(lambda xs: (kind(xs), kind(reversed(xs))))


def _same_instant() -> st.SearchStrategy[tuple[dt.datetime, dt.datetime]]:
    instants = st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)
    )
    offsets = st.integers(-12, 14).filter(bool).map(lambda h: dt.timezone(dt.timedelta(hours=h)))
    return st.tuples(instants, offsets).map(lambda p: (p[0], p[0].astimezone(p[1])))


CLASSES: tuple[EqualityClass, ...] = (
    EqualityClass("int-float", "1 and 1.0", small_ints.map(lambda n: (n, float(n)))),
    EqualityClass("int-bool", "1 and True, 0 and False", st.booleans().map(lambda b: (int(b), b))),
    EqualityClass("negative-zero", "0.0 and -0.0", st.just((0.0, -0.0))),
    EqualityClass("int-decimal", "7 and Decimal(7)", small_ints.map(lambda n: (n, Decimal(n)))),
    EqualityClass(
        "decimal-exponent",
        "Decimal('1.5') and Decimal('1.50')",
        small_ints.map(lambda n: (Decimal(n) / 2, (Decimal(n) / 2).quantize(Decimal("0.001")))),
    ),
    EqualityClass(
        "tuple-namedtuple",
        "(1, 2) and AccountRef(1, 2)",
        st.tuples(small_ints, small_ints).map(lambda t: (t, AccountRef(*t))),
    ),
    EqualityClass("strenum-value", "Plan.PRO and 'pro'", st.sampled_from(list(Plan)).map(lambda p: (p, p.value))),
    EqualityClass("intenum-value", "Tier.GOLD and 2", st.sampled_from(list(Tier)).map(lambda t: (t, int(t)))),
    EqualityClass("dict-order", "{'a': 1, 'b': 2} and {'b': 2, 'a': 1}", _dict_orders()),
    EqualityClass("set-order", "a set of emails built in two orders", _set_orders(set)),
    EqualityClass("frozenset-order", "a frozenset of emails built in two orders", _set_orders(frozenset)),
    EqualityClass("datetime-timezone", "one instant in UTC and in another zone", _same_instant()),
    EqualityClass(
        "nested-containers",
        "{'acct': (7, 'eu')} and {'acct': (7.0, 'eu')}",
        st.tuples(small_ints, st.sampled_from(["eu", "us"])).map(
            lambda p: ({"acct": (p[0], p[1])}, {"acct": (float(p[0]), p[1])})
        ),
    ),
    EqualityClass(
        "str-subclass",
        "'acme' and AccountName('acme'), a str subclass",
        _faked(lambda f: f.company()).map(lambda s: (s, AccountName(s))),
    ),
    EqualityClass(
        "path-pure-concrete",
        "PurePosixPath('a/b') and PosixPath('a/b')",
        st.lists(st.text("abcxyz", min_size=1, max_size=3), min_size=1, max_size=3).map(
            lambda parts: (pathlib.PurePosixPath(*parts), pathlib.PosixPath(*parts))
        ),
    ),
    EqualityClass(
        "unicode-nfc-nfd",
        "'José' in NFC and NFD (equal to a person, not to Python)",
        _accented_names().map(lambda s: (unicodedata.normalize("NFC", s), unicodedata.normalize("NFD", s))),
        python_equal=False,
    ),
    EqualityClass(
        "json-roundtrip",
        "(1, 2) and the [1, 2] it becomes through JSON (not equal in Python)",
        st.tuples(small_ints, small_ints).map(lambda t: (t, json.loads(json.dumps(t)))),
        python_equal=False,
    ),
    EqualityClass(
        "int-str",
        "42 and '42', the article's pitfall (not equal in Python)",
        small_ints.map(lambda n: (n, str(n))),
        python_equal=False,
    ),
    EqualityClass(
        "plain-objects",
        "two distinct object() instances (distinct accounts)",
        st.just(None).map(lambda _: (object(), object())),
        python_equal=False,
    ),
    EqualityClass(
        "unreadable-state",
        "two distinct objects whose state cannot be serialized",
        st.tuples(small_ints, small_ints).filter(lambda p: p[0] != p[1]).map(lambda p: (Opaque(p[0]), Opaque(p[1]))),
        python_equal=False,
    ),
    EqualityClass(
        "callables",
        "two different functions used as keys",
        st.just(None).map(lambda _: (len, repr)),
        python_equal=False,
    ),
)

BY_NAME = {c.name: c for c in CLASSES}
RISK = "risk"  # the verdict of a class whose values a union admits from two types a caller may mix
# Classes that pair a value of the declared type with a value of a type the app's code never names (a str
# subclass, the suite's own enums, a bool for an int): what a typed argument is tried with here.  Everything
# else equal that a declared type admits is built from the type itself (:mod:`.equal_forms`).
OTHER_TYPES = ("int-bool", "int-decimal", "strenum-value", "intenum-value", "str-subclass", "int-str")


def classes_for(hint: Any) -> list[EqualityClass]:
    """The catalogue's classes for an argument: every class if it is untyped; else the classes of other types
    (:data:`OTHER_TYPES`) whose every value the declared type admits."""
    if is_untyped(hint):
        return list(CLASSES)
    return [c for c in CLASSES if c.name in OTHER_TYPES and _admitted(c, hint)]


def is_risk(cls: EqualityClass, hint: Any) -> bool:
    """A union admits this class's two different-looking values from two types: a caller may mix them."""
    if is_untyped(hint) or cls.python_equal:
        return False
    sample = _sample(cls)
    return len({type(v) for v in sample}) > 1


def _admitted(cls: EqualityClass, hint: Any) -> bool:
    return all(conforms(value, hint) for value in _sample(cls))


def _sample(cls: EqualityClass) -> tuple[Any, ...]:
    """Members of the class as written by hand (its values have the types the class draws), to see which
    types its values have without running Hypothesis at collection time."""
    return SAMPLES[cls.name]


_instant = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
SAMPLES: dict[str, tuple[Any, ...]] = {
    "int-float": (1, 1.0),
    "int-bool": (1, True),
    "negative-zero": (0.0, -0.0),
    "int-decimal": (7, Decimal(7)),
    "decimal-exponent": (Decimal("1.5"), Decimal("1.500")),
    "tuple-namedtuple": ((1, 2), AccountRef(1, 2)),
    "strenum-value": (Plan.PRO, "pro"),
    "intenum-value": (Tier.GOLD, 2),
    "dict-order": ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
    "set-order": ({"a@x.io", "b@x.io", "c@x.io"}, {"c@x.io", "b@x.io", "a@x.io"}),
    "frozenset-order": (frozenset({"a@x.io", "b@x.io"}), frozenset({"b@x.io", "a@x.io"})),
    "datetime-timezone": (_instant, _instant.astimezone(dt.timezone(dt.timedelta(hours=1)))),
    "nested-containers": ({"acct": (7, "eu")}, {"acct": (7.0, "eu")}),
    "str-subclass": ("acme", AccountName("acme")),
    "path-pure-concrete": (pathlib.PurePosixPath("a/b"), pathlib.PosixPath("a/b")),
    "unicode-nfc-nfd": (unicodedata.normalize("NFC", "José"), unicodedata.normalize("NFD", "José")),
    "json-roundtrip": ((1, 2), [1, 2]),
    "int-str": (42, "42"),
    "plain-objects": (object(), object()),
    "unreadable-state": (Opaque(1), Opaque(2)),
    "callables": (len, repr),
}
