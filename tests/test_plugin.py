"""The pytest plugin: inert in a team's other sessions, one option prefix, exit status 3 when the suite breaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_session_that_does_not_run_the_suite_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "test_team.py").write_text(  # Hypothesis loads a "ci" profile of its own on CI machines
        "from hypothesis import settings\n"
        "def test_team_own():\n"
        "    assert settings.get_current_profile_name() in ('default', 'ci')\n"
        "    assert settings().max_examples == settings.get_profile('default').max_examples\n"
    )
    result = _pytest(tmp_path, "-q", "-p", "no:xdist")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "pynenc-suite:" not in result.stdout  # no header, no summary sections


HEAVY = ("pynenc", "hypothesis", "pynenc_suite.drivers", "pynenc_suite.strategies", "pynenc_suite.apps.target")


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    """pytest loads the plugin in every session of an environment where the suite is installed: importing it
    imports no pynenc, no Hypothesis (so no strategy is evaluated), no driver and no app loader."""
    probe = "import sys, pynenc_suite.plugin; print('\\n'.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    heavy = [name for name in loaded if any(name == root or name.startswith(root + ".") for root in HEAVY)]
    assert heavy == []


def test_a_session_that_names_a_suite_profile_gets_it(tmp_path: Path) -> None:
    """The profiles are registered only where needed, but before Hypothesis loads the one named."""
    (tmp_path / "test_team.py").write_text(
        "from hypothesis import settings\n"
        "def test_team_own():\n"
        "    assert settings.get_current_profile_name() == 'pynenc-suite-smoke'\n"
        "    assert settings().max_examples == 8\n"
    )
    result = _pytest(tmp_path, "-q", "-p", "no:xdist", "--hypothesis-profile=pynenc-suite-smoke")
    assert result.returncode == 0, result.stdout[-2000:]


def test_options_carry_one_prefix_under_one_group(tmp_path: Path) -> None:
    help_text = _pytest(tmp_path, "--help").stdout
    section = help_text.split("pynenc-suite:", 1)[1].split("\n\n", 1)[0]
    options = [line.split()[0].rstrip(",") for line in section.splitlines() if line.strip().startswith("--")]
    assert len(options) >= 8 and all(option.startswith("--pynenc-") for option in options)
    assert "pynenc_finding" in _pytest(tmp_path, "--markers").stdout


@pytest.mark.parametrize(("raised", "status"), [("PropertyViolation", 1), ("AssertionError", 3), ("RuntimeError", 3)])
def test_a_suite_test_that_breaks_is_an_error_not_a_failed_property(tmp_path: Path, raised: str, status: int) -> None:
    """Only a PropertyViolation is a failed property; a bare assert or any other exception is the suite's error."""
    (tmp_path / "test_breaks.py").write_text(
        f"from pynenc_suite.verdicts import PropertyViolation\ndef test_breaks():\n    raise {raised}('boom')\n"
    )
    result = _pytest(tmp_path, "-q", "-p", "no:xdist", "--pynenc-app=pynenc_suite.apps.reference:app", "test_breaks.py")
    assert result.returncode == status, result.stdout[-2000:]
    assert ("the suite itself failed" in result.stdout) is (status == 3)


def test_a_finding_xfail_expects_its_violation_only(tmp_path: Path) -> None:
    """A reproduction of a recorded finding that crashes is an error, never counted as the finding."""
    (tmp_path / "test_finding.py").write_text(
        "import pytest\n"
        "from pynenc_suite.verdicts import PropertyViolation\n"
        "@pytest.mark.pynenc_finding('PYN-011')\n"
        "def test_reproduces():\n    raise PropertyViolation('the defect')\n"
        "@pytest.mark.pynenc_finding('PYN-011')\n"
        "def test_crashes():\n    raise KeyError('call_keyed')\n"
    )
    result = _pytest(
        tmp_path, "-q", "-p", "no:xdist", "-rfxX", "--pynenc-app=pynenc_suite.apps.reference:app", "test_finding.py"
    )
    assert result.returncode == 3, result.stdout[-2000:]
    assert "XFAIL test_finding.py::test_reproduces - PYN-011" in result.stdout
    assert "FAILED test_finding.py::test_crashes" in result.stdout


@pytest.mark.parametrize("seed", ["", "1"])
def test_properties_never_run_under_a_random_hash_seed(tmp_path: Path, seed: str) -> None:
    """pynenc's in-memory state orders invocation ids by string hash: a pytest process that would run the
    properties itself under another seed stops with one line and exit status 2."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTHONHASHSEED"} | ({"PYTHONHASHSEED": seed} if seed else {})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
         "--pynenc-app=pynenc_suite.apps.reference:app", "--collect-only"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout[-2000:]
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "pynenc-suite: this process" in line]
    assert len(lines) == 1 and "PYTHONHASHSEED=0" in lines[0]
