"""What one pytest session runs the suite with: the options it was given and the app it loaded.

The plugin reads the options once (:meth:`SuiteOptions.from_config`) and every
fixture and parametrization reads them from here, so the app is imported and
checked once per process, whichever test module asks first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pynenc_suite.options import SuiteOptions

if TYPE_CHECKING:
    from pynenc_suite.apps.target import Target

_options: SuiteOptions | None = None
_targets: dict[tuple[object, ...], Target] = {}


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
    loaded_by = (chosen.app, chosen.engine, chosen.key_normalisers, chosen.strategies, chosen.run_bodies)
    if loaded_by not in _targets:
        _targets[loaded_by] = load_target(chosen)
    return _targets[loaded_by]


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


REALTIME_SESSIONS = "realtime"  # <artefacts>/realtime/<engine>-<time>/: one real-time session's runs


def artefacts_root(*parts: str) -> Path:
    return options().artefacts.joinpath(*parts)
