"""What one pytest session runs the suite with: the options it was given and the app it loaded.

The plugin reads the options once (:meth:`SuiteOptions.from_config`) and every
fixture and parametrization reads them from here, so the app is imported and
checked once per process, whichever test module asks first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pynenc_suite.apps import REFERENCE_APP
from pynenc_suite.engines.registry import DEFAULT_FOR_TIER

if TYPE_CHECKING:
    from pynenc_suite.apps.target import Target

ARTEFACTS_ENV = "PYNENC_SUITE_ARTEFACTS"
BUDGET_ENV = "PYNENC_SUITE_REALTIME_BUDGET"
DEFAULT_BUDGET = 180.0


@dataclass(frozen=True)
class SuiteOptions:
    app: str = REFERENCE_APP
    tier: str = "gate"
    engine: str = "memory"
    key_normalisers: str | None = None
    strategies: str | None = None
    run_bodies: bool = False
    artefacts: Path = field(default_factory=lambda: default_artefacts())
    realtime_budget: float = DEFAULT_BUDGET
    realtime_seed: int | None = None
    realtime_replay: str | None = None
    redis_url: str | None = None
    explore_size: int = 3
    explore_bound: int = 1
    fixes: bool = True  # the candidate fixes of recorded findings (off: --pynenc-without-fixes)

    @classmethod
    def from_config(cls, config: pytest.Config) -> SuiteOptions:
        tier = config.getoption("--pynenc-tier")
        budget = config.getoption("--pynenc-realtime-budget")
        return cls(
            app=config.getoption("--pynenc-app") or REFERENCE_APP,
            tier=tier,
            engine=config.getoption("--pynenc-engine") or DEFAULT_FOR_TIER[tier],
            key_normalisers=config.getoption("--pynenc-key-normalisers"),
            strategies=config.getoption("--pynenc-strategies"),
            run_bodies=config.getoption("--pynenc-run-bodies"),
            artefacts=Path(config.getoption("--pynenc-artefacts") or default_artefacts()),
            realtime_budget=budget if budget is not None else float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET)),
            realtime_seed=config.getoption("--pynenc-realtime-seed"),
            realtime_replay=config.getoption("--pynenc-realtime-replay"),
            redis_url=config.getoption("--pynenc-redis-url"),
            explore_size=config.getoption("--pynenc-explore-size"),
            explore_bound=config.getoption("--pynenc-explore-bound"),
            fixes=not config.getoption("--pynenc-without-fixes"),
        )


def default_artefacts() -> Path:
    """``$PYNENC_SUITE_ARTEFACTS``, else ``.pynenc-suite`` in the current directory."""
    return Path(os.environ.get(ARTEFACTS_ENV) or ".pynenc-suite")


_options: SuiteOptions | None = None
_targets: dict[SuiteOptions, Target] = {}


def set_options(options: SuiteOptions) -> None:
    global _options
    _options = options


def active_options() -> SuiteOptions | None:
    """The options of the session that runs the suite, or None if this session does not run it."""
    return _options


def options() -> SuiteOptions:
    """The session's options; the suite's defaults when its modules are used outside a suite session."""
    return _options or SuiteOptions()


def target_for(chosen: SuiteOptions | None = None) -> Target:
    """The app under test, loaded once per process; raises TargetError with a one-line reason."""
    chosen = chosen or options()
    if chosen not in _targets:
        _targets[chosen] = load_target(chosen)
    return _targets[chosen]


def load_target(chosen: SuiteOptions, strict: bool = True) -> Target:
    """The app the options name, with the user's strategies imported first and their normalisers attached
    (``strict=False``: tasks the gate could not use are kept, for the doctor to report)."""
    from pynenc_suite.apps.target import load, load_normalisers, load_strategies

    if chosen.strategies:
        load_strategies(chosen.strategies)
    target = load(chosen.app, probed=False if chosen.run_bodies else None, engine=chosen.engine, strict=strict)
    target.normalisers = load_normalisers(chosen.key_normalisers) if chosen.key_normalisers else None
    if target.normalisers:
        from pynenc_suite.apps.normaliser_check import check_normalisers

        check_normalisers(target.tasks, target.normalisers, chosen.key_normalisers or "")
    return target


def artefacts_root(*parts: str) -> Path:
    return options().artefacts.joinpath(*parts)


