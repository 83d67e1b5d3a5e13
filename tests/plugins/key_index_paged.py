"""A pytest plugin for the selftest and the fuzz demonstration: pynenc's in-memory key index answers with one page
(:func:`tests.regressions.key_index_paged`; ``PYNENC_SUITE_KEY_PAGE`` sets the page), applied for the rest of the
process: HypoFuzz collects with pytest, which unconfigures its plugins, and then fuzzes in the same process."""

from __future__ import annotations

import os

import pytest

from tests.regressions import KEY_INDEX_PAGE, key_index_paged

_patch = pytest.MonkeyPatch()


def pytest_configure() -> None:
    key_index_paged(_patch, int(os.environ.get("PYNENC_SUITE_KEY_PAGE", KEY_INDEX_PAGE)))
