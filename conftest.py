"""Suite-wide pytest configuration: Hypothesis profiles and the options that choose what is tested.

Profiles: ``ci`` (derandomized, bounded, no deadline, prints the reproduce blob;
loaded automatically when ``CI=true``), ``dev`` (the default, random),
``nightly`` (many more examples) and ``smoke`` (8 examples, for quick wiring checks).  Choose one with ``--hypothesis-profile=NAME``
or ``HYPOTHESIS_PROFILE=NAME``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

_common = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile("ci", derandomize=True, database=None, max_examples=100, **_common)
settings.register_profile("dev", max_examples=100, **_common)
settings.register_profile("smoke", derandomize=True, database=None, max_examples=8, **_common)
settings.register_profile("nightly", max_examples=2000, phases=list(Phase), **_common)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "dev")
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("pynenc-suite")
    group.addoption(
        "--pynenc-app",
        default=None,
        help="app to test as package.module:attribute (default: the reference app apps.reference:app)",
    )
    group.addoption(
        "--backend",
        default="memory",
        choices=["memory", "sqlite"],
        help="in-process pynenc backend the deterministic gate puts under the app (default memory; sqlite uses a temp file)",
    )
    group.addoption(
        "--key-normalisers",
        default=None,
        help="package.module:ATTRIBUTE holding {task: {argument: callable}}: values your code treats as one "
        "account (e.g. str.casefold for emails); the history and the key audit use it",
    )
    group.addoption(
        "--replay",
        default=None,
        metavar="RUN_FOLDER",
        help="replay a saved counterexample (a folder under .pynenc-suite/failures/) with suite/test_replay.py",
    )
    group.addoption(
        "--run-bodies",
        action="store_true",
        default=False,
        help="run your tasks' real bodies instead of recording probes (they must call the provider)",
    )


    chaos = parser.getgroup("pynenc-suite real-time tier (suite/chaos)")
    chaos.addoption(
        "--engine",
        default=None,
        choices=["sqlite", "redis"],
        help="run the real-time chaos tier on this engine (without it suite/chaos is skipped)",
    )
    chaos.addoption(
        "--chaos-budget",
        type=float,
        default=float(os.environ.get("PYNENC_SUITE_CHAOS_BUDGET", 180)),
        metavar="SECONDS",
        help="wall time for drawing and running chaos schedules (default 180, or $PYNENC_SUITE_CHAOS_BUDGET); "
        "a soak is a large budget",
    )
    chaos.addoption(
        "--chaos-seed",
        type=int,
        default=None,
        help="seed for drawing chaos schedules (default: a fresh one, printed in the summary)",
    )
    chaos.addoption(
        "--redis-url",
        default=None,
        help="use this Redis (redis://host:port) instead of starting redis-server on a free loopback port",
    )
    chaos.addoption(
        "--chaos-replay",
        default=None,
        metavar="SCHEDULE_FOLDER",
        help="run one saved chaos schedule again (a schedule-NNN folder of an earlier session)",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    seed = os.environ.get("PYTHONHASHSEED")
    lines = [f"pynenc-suite: app={config.getoption('--pynenc-app') or 'apps.reference:app'} "
             f"backend={config.getoption('--backend')} hypothesis-profile={settings.get_current_profile_name()}"]
    if seed != "0":
        lines.append("pynenc-suite: PYTHONHASHSEED is not 0; runs are deterministic only with PYTHONHASHSEED=0 (tox sets it)")
    return lines
