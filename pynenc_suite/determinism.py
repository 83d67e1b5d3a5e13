"""Examples that depend on the seed alone, not on which modules a process happens to have loaded.

Hypothesis mixes into its draws the literals it finds in every *local* module
loaded so far (any module outside site-packages and outside test folders: the
suite's own modules in a checkout, a team's app on ``PYTHONPATH``).  Which
modules are loaded when a property runs depends on which tests ran before it on
that xdist worker, on lazy imports, and on whether the suite and the app are
installed or checked out.  So the same derandomized seed drew different
schedules in different runs, and a verdict could change between runs of the
same command.  The suite therefore draws with no local constants:
Hypothesis's own global constants stay, and are the same everywhere.
"""

from __future__ import annotations

from typing import Any

_PROVIDERS = "hypothesis.internal.conjecture.providers"


class HypothesisInternalsChanged(RuntimeError):
    """The Hypothesis function this module pins is gone: the installed Hypothesis is newer than the suite."""


def without_local_constants() -> None:
    """Make every draw in this process independent of the local modules loaded (idempotent)."""
    import importlib

    providers: Any = importlib.import_module(_PROVIDERS)
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "Constants"):
        raise HypothesisInternalsChanged(
            f"{_PROVIDERS}._get_local_constants is gone: this Hypothesis draws local constants in a way the "
            "suite does not pin; use the hypothesis version pinned in pynenc-suite's dependencies"
        )
    if getattr(providers._get_local_constants, "pinned_by_pynenc_suite", False):
        return
    empty = providers.Constants()

    def no_local_constants() -> Any:
        return empty

    no_local_constants.pinned_by_pynenc_suite = True  # type: ignore[attr-defined]  # a mark: the pin is set once
    providers._get_local_constants = no_local_constants
    providers.CONSTANTS_CACHE.cache.clear()
