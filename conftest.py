"""The selftest's shared fixtures (``tests/``): the suite's own machinery, tested on the reference app.

The suite itself is a pytest plugin (``pynenc_suite.plugin``), installed with the
package; nothing here is needed to run it on an app.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from pynenc_suite.apps.target import Target, load
from pynenc_suite.determinism import without_local_constants

without_local_constants()  # the selftest draws as the suite does: from the seed alone
os.environ["PYTHONHASHSEED"] = "0"  # the suite's processes the selftest starts run as the command runs them


@pytest.fixture(scope="session")
def target() -> Target:
    """The reference app, with its real task bodies."""
    return load()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("PYNENC_SUITE_REQUIRE_BROWSER") == "1"  # .ci/run sets it: never skipped there


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright (its own browser download cannot reach this network)."""
    if CHROMIUM is None and not REQUIRE_BROWSER:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's)")
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "PYNENC_SUITE_REQUIRE_BROWSER=1 but no chromium is installed"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()
