"""Key values for concurrency keys.

``gate_keys`` draws values of mixed types whose serialization is canonical, so
two calls share a key exactly when they were given the same value: the gate
tests pynenc's control, not its serialization.  Realistic values (account ids,
emails, UUIDs, company names in several locales) come from Faker seeded by a
Hypothesis draw, so shrinking and replay stay deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from faker import Faker
from hypothesis import strategies as st

LOCALES = ("en_US", "de_DE", "ja_JP", "es_ES")
_fakers: dict[str, Faker] = {}


def _faker(locale: str) -> Faker:
    if locale not in _fakers:
        _fakers[locale] = Faker(locale)
    return _fakers[locale]


@st.composite
def _faked(draw: st.DrawFn, kind: Callable[[Faker], Any]) -> Any:
    fake = _faker(draw(st.sampled_from(LOCALES)))
    fake.seed_instance(draw(st.integers(0, 2**16)))
    return kind(fake)


# Strategies are immutable: built once, they are shared by every example (building them anew for
# each draw cost a third of a gate example's time).
@cache
def realistic_keys() -> st.SearchStrategy[Any]:
    """Account ids, emails, UUIDs and company names, made by seeded Faker."""
    return st.one_of(
        _faked(lambda f: f.bothify("acct-####")),
        _faked(lambda f: f.email()),
        _faked(lambda f: str(f.uuid4())),
        _faked(lambda f: f.company()),
    )


@cache
def gate_keys() -> st.SearchStrategy[Any]:
    """Mixed str / int / realistic keys with one serialization per value."""
    return st.one_of(
        st.integers(0, 3),
        st.text(alphabet="ab", min_size=1, max_size=2),
        realistic_keys(),
    )
