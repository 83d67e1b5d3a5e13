"""The suite's Hypothesis profiles, under names of their own so that they never replace a team's.

``ci`` (derandomized, 100 examples a property, no example database, prints the
reproduce blob), ``dev`` (100 random examples, with the database), ``nightly``
(2000), ``smoke`` (8, for wiring checks) and ``engine`` (20, derandomized: the gate's
properties on an engine that costs ten times memory's per run, such as SQLite).  They are registered as
``pynenc-suite-<name>`` in a session that runs the suite or names one of them
(Hypothesis has a ``ci`` profile of its own, which it loads by itself on CI
machines); one is *loaded* only in a session that runs the suite.  Importing this
module imports no Hypothesis: the plugin imports it in every pytest session.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from hypothesis import HealthCheck, settings

NAMES = ("ci", "dev", "nightly", "smoke", "engine")
ENV = "PYNENC_SUITE_PROFILE"
PREFIX = "pynenc-suite-"


def registered(name: str) -> str:
    """The name Hypothesis knows the suite's profile ``name`` by."""
    return f"{PREFIX}{name}"


class _Common(TypedDict):
    """The settings every profile shares (typed, so that each one meets its register_profile parameter)."""

    deadline: None
    suppress_health_check: list[HealthCheck]
    print_blob: bool


def register() -> None:
    from hypothesis import HealthCheck, Phase, settings

    _common = _Common(
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )
    # Each on Hypothesis's defaults, never on whatever profile is loaded: with CI set, Hypothesis loads its own
    # derandomized `ci` profile without a database, which would make `dev` and `nightly` draw the same examples
    # every night, and leave HypoFuzz nothing to fuzz.
    base = settings.get_profile("default")
    settings.register_profile(registered("ci"), base, derandomize=True, database=None, max_examples=100, **_common)
    settings.register_profile(registered("dev"), base, max_examples=100, **_common)
    settings.register_profile(registered("smoke"), base, derandomize=True, database=None, max_examples=8, **_common)
    settings.register_profile(registered("engine"), base, derandomize=True, database=None, max_examples=20, **_common)
    settings.register_profile(registered("nightly"), base, max_examples=2000, phases=list(Phase), **_common)


FUZZ = "fuzz"  # HypoFuzz's: random, with the shared example database (registered by load_fuzz)


def load_fuzz(location: str) -> None:
    """Load the fuzz profile: the suite's settings with the example database at ``location`` (the same object for
    the same location: HypoFuzz fuzzes only tests whose database is the profile's)."""
    from hypothesis import settings

    from pynenc_suite.example_db import open_database

    register()
    settings.register_profile(registered(FUZZ), get("dev"), database=open_database(location))
    settings.load_profile(registered(FUZZ))


def default_name() -> str:
    """``$PYNENC_SUITE_PROFILE``, else ``ci`` when ``CI=true``, else ``dev``."""
    return os.environ.get(ENV) or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")


def load(name: str) -> None:
    from hypothesis import settings

    register()
    settings.load_profile(registered(name))


def get(name: str) -> settings:
    """The suite's profile ``name`` (registered first)."""
    from hypothesis import settings

    register()
    return settings.get_profile(registered(name))


def max_examples(name: str) -> int:
    """Examples per property under the suite's profile ``name``."""
    return int(get(name).max_examples)


def current() -> str:
    """The loaded Hypothesis profile's name, without the suite's prefix."""
    from hypothesis import settings

    return settings.get_current_profile_name().removeprefix(PREFIX)
