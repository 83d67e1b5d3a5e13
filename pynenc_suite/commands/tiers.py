"""``gate``, ``realtime`` and ``explore``: load the app, check its policy lock (the gate), run the tier's test
modules under pytest with the suite's own configuration, and turn pytest's outcome into the command's status."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from pynenc_suite import profiles
from pynenc_suite.exit_status import BAD_INPUT, FAILED, INTERRUPTED, INTERRUPTED_LINE, SUITE_ERROR, BadInput
from pynenc_suite.options import SuiteOptions, pytest_arguments


def chosen_app(args: argparse.Namespace, tier: str) -> tuple[SuiteOptions, Any]:
    """(the suite options the command was given, the app loaded with them); bad input is one line."""
    from pynenc_suite.active import target_for
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.engines.registry import EngineError, engine_for_tier

    try:
        engine = engine_for_tier(args.engine, tier)
        chosen = SuiteOptions.resolved(args.app, tier, {**vars(args), "engine": engine.name})
        return chosen, target_for(chosen)
    except (TargetError, EngineError) as error:
        raise BadInput(str(error)) from None


def run_gate(args: argparse.Namespace, passthrough: list[str]) -> int:
    chosen, target = chosen_app(args, "gate")
    changed = policy_change(target, args.lock, args.require_lock, chosen.artefacts, args.policy_seed, args.profile)
    if changed:
        print(changed)
        return 1
    options = pytest_arguments(chosen, args, "gate")
    return _pytest("gate", [*options, *_distribution(passthrough), *passthrough], stored=chosen.database is not None)


def policy_change(
    target: Any, lock: Path | None, required: bool, artefacts: Path, seed: int, profile: str | None
) -> str:
    """The policy diff and its measured consequences if the app differs from its lock (empty if it matches,
    or there is none); the locked rules get the examples of a gate property under ``profile``."""
    from pynenc_suite.policy_lock.check import PolicyChanged, check
    from pynenc_suite.policy_lock.consequences import Budget
    from pynenc_suite.policy_lock.lock_file import LockError

    try:
        check(target, lock, required, artefacts, Budget(seed, profile or profiles.default_name()))
    except LockError as error:
        raise BadInput(str(error)) from None
    except PolicyChanged as change:
        return str(change)
    return ""


def run_realtime(args: argparse.Namespace, passthrough: list[str]) -> int:
    options = pytest_arguments(chosen_app(args, "realtime")[0], args, "realtime")
    return _pytest("realtime", [*options, "-p", "no:xdist", *passthrough])


def run_explore(args: argparse.Namespace, passthrough: list[str]) -> int:
    if args.explore_size < 1 or args.explore_bound < 0:
        raise BadInput("explore: --size must be at least 1 and --bound at least 0")
    options = pytest_arguments(chosen_app(args, "explore")[0], args, "explore")
    return _pytest("explore", [*options, *_distribution(passthrough), *passthrough])


def _distribution(passthrough: list[str]) -> list[str]:
    """xdist workers for the gate: every core (``-n auto``) unless the pytest arguments name a number, and
    ``--dist loadgroup`` unless they name another mode: the key audit's tests share one
    worker, which computes the app's audit once."""
    if any(arg.endswith("no:xdist") for arg in passthrough):
        return []
    workers = [] if any(arg.startswith(("-n", "--numprocesses")) for arg in passthrough) else ["-n", "auto"]
    mode = [] if any(arg.startswith("--dist") for arg in passthrough) else ["--dist", "loadgroup"]
    return [*workers, *mode]


def suite_configuration(rootdir: Path) -> list[str]:
    """The pytest options that make a run the suite's own: its pytest.ini, ``rootdir``, and its plugins even where
    plugin autoloading is off."""
    package = Path(__file__).resolve().parent.parent  # pynenc_suite/, where pytest.ini is
    config = ["-c", str(package / "pytest.ini"), f"--rootdir={rootdir}"]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        config += ["-p", "pynenc_suite.plugin", "-p", "xdist.plugin", "-p", "hypothesis.extra.pytestplugin"]
    return config


def _pytest(tier: str, arguments: list[str], stored: bool = False) -> int:
    """Run the tier's test modules with the suite's own pytest configuration, from any directory."""
    import pytest

    from pynenc_suite.plugin import suite_folders

    config = suite_configuration(Path(suite_folders(tier)[0]).parent.parent)
    outcome = Outcome()
    code = int(pytest.main([*suite_folders(tier, stored), *config, *arguments], plugins=[outcome]))
    status, line = outcome.status(code, tier)
    if line:
        print(line, file=sys.stderr)
    return status


class Outcome:
    """What the exit status needs beyond pytest's own code, passed to ``pytest.main`` as a plugin.

    pytest's code 2 ("interrupted") means three things: ``pytest.exit`` from the suite's plugin (bad input,
    its line already printed), a run stopped early (``-x``/``--maxfail`` under xdist, errors during
    collection), or Ctrl-C.  So the plugin counts the failed test reports (in the controller, which receives
    every xdist worker's reports) and notes a user's KeyboardInterrupt: a run in which a test failed exits 1
    however it stopped, Ctrl-C exits 130, and only the rest is bad input.
    """

    def __init__(self) -> None:
        self.failed = 0
        self.by_user = False
        self.selection = ""

    def pytest_configure(self, config: Any) -> None:
        expressions = [
            f"{flag} {value!r}"
            for flag, value in (("-k", config.option.keyword), ("-m", config.option.markexpr))
            if value
        ]
        self.selection = " and ".join(expressions) or "the test ids given"

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.failed:
            self.failed += 1

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        # Exactly KeyboardInterrupt: pytest.exit and the Interrupted of -x/--maxfail are subclasses or others.
        self.by_user = type(excinfo.value) is KeyboardInterrupt

    def status(self, code: int, tier: str) -> tuple[int, str]:
        """The command's exit status for pytest's ``code``, and the one line to print (empty: none)."""
        if self.by_user:
            return INTERRUPTED, INTERRUPTED_LINE
        if code in (0, 1):
            return code, ""
        if code == 2 and self.failed:
            return FAILED, ""
        if code == 5:
            return BAD_INPUT, f"pynenc-suite: nothing matched: no {tier} test is selected by {self.selection}"
        return {2: BAD_INPUT, 4: BAD_INPUT}.get(code, SUITE_ERROR), ""
