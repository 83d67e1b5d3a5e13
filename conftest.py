"""The selftest's shared fixtures (``tests/``): the suite's own machinery, tested on the reference app.

The suite itself is a pytest plugin (``pynenc_suite.plugin``), installed with the
package; nothing here is needed to run it on an app.
"""

from __future__ import annotations

import os

import pytest

from pynenc_suite.apps.target import Target, load
from pynenc_suite.determinism import without_local_constants

without_local_constants()  # the selftest draws as the suite does: from the seed alone
os.environ["PYTHONHASHSEED"] = "0"  # the suite's processes the selftest starts run as the command runs them


@pytest.fixture(scope="session")
def target() -> Target:
    """The reference app, with its real task bodies."""
    return load()
