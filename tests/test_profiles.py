"""The suite's profiles are the same wherever they run: with ``CI`` set, Hypothesis loads a derandomized profile of
its own without a database, and a profile registered on top of it would inherit both (a nightly run drawing the same
examples every night, and nothing for HypoFuzz to fuzz)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

SHOW = """
import json
from hypothesis import settings
from pynenc_suite import profiles
out = {name: [profiles.get(name).derandomize, profiles.get(name).database is not None] for name in profiles.NAMES}
profiles.load_fuzz(sys.argv[1])
out["fuzz"] = [settings.default.derandomize, settings.default.database is not None]
print(json.dumps(out))
"""


def test_random_profiles_stay_random_with_a_database_under_ci(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shown = subprocess.run(
        [sys.executable, "-c", "import sys\n" + SHOW, str(tmp_path / "db")],
        env={**os.environ, "CI": "true"}, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert json.loads(shown) == {
        "ci": [True, False], "smoke": [True, False], "engine": [True, False],
        "dev": [False, True], "nightly": [False, True], "fuzz": [False, True],
    }  # fmt: skip
