"""The suite's Hypothesis profiles.

``ci`` (derandomized, 100 examples a property, no example database, prints the
reproduce blob), ``dev`` (100 random examples, with the database), ``nightly``
(2000) and ``smoke`` (8, for wiring checks).  They are registered when the
plugin loads; one is *loaded* only in a session that runs the suite, so a
team's own Hypothesis settings are untouched elsewhere.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

NAMES = ("ci", "dev", "nightly", "smoke")
ENV = "HYPOTHESIS_PROFILE"

_common = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)


def register() -> None:
    settings.register_profile("ci", derandomize=True, database=None, max_examples=100, **_common)
    settings.register_profile("dev", max_examples=100, **_common)
    settings.register_profile("smoke", derandomize=True, database=None, max_examples=8, **_common)
    settings.register_profile("nightly", max_examples=2000, phases=list(Phase), **_common)


def default_name() -> str:
    """``$HYPOTHESIS_PROFILE``, else ``ci`` when ``CI=true``, else ``dev``."""
    return os.environ.get(ENV) or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
