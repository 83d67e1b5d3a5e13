"""The reference app under a pynenc whose KEYS are not enforced (:func:`tests.regressions.keys_not_enforced`).

Importing this module patches pynenc in the importing process, for as long as it lives: the gate run on
``tests.apps.keys_not_enforced:app`` (controller and every xdist worker import it) fails its no-overlap
properties, which is what the exit-status tests need.
"""

from __future__ import annotations

import pytest

from pynenc_suite.apps.reference import app
from tests.regressions import keys_not_enforced

keys_not_enforced(pytest.MonkeyPatch())

__all__ = ["app"]
