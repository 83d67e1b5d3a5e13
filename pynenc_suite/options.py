"""The suite's options, each declared once: the commands' flags, the pytest options and the options object.

:data:`OPTIONS` is the table.  An :class:`Option` names its field of :class:`SuiteOptions` (the options a
session runs the suite with), its help, its type and default, the commands that take it with the flag each
spells it (``realtime --budget``), and whether pytest takes it too (as ``--pynenc-<field>``, with dashes).
From the table :func:`add_to_command` makes a command's flags, :func:`add_to_pytest` the plugin's options,
:meth:`SuiteOptions.from_config` the options object of a pytest session, and :func:`pytest_arguments` the
pytest options a command passes on for the flags it was given.  Adding an option is one row.

Importing this module imports neither pynenc nor Hypothesis: the plugin imports it in every pytest session.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pytest

from pynenc_suite.apps import REFERENCE_APP
from pynenc_suite.engines.registry import DEFAULT_FOR_TIER, ENGINES
from pynenc_suite.example_db import METAVAR as DATABASE_METAVAR
from pynenc_suite.profiles import NAMES as PROFILE_NAMES

TIERS = ("gate", "realtime", "explore", "fuzz")
ARTEFACTS_ENV = "PYNENC_SUITE_ARTEFACTS"
BUDGET_ENV = "PYNENC_SUITE_REALTIME_BUDGET"
DEFAULT_BUDGET = 180.0

RUNS = ("gate", "realtime", "explore")  # the commands that run a tier through pytest
APP_COMMANDS = (*RUNS, "lock")  # ... and the one that measures a policy change outside pytest
GATE_LIKE = ("gate", "fuzz")  # the commands that judge the gate's properties


def _on(commands: tuple[str, ...], flag: str) -> dict[str, str]:
    return dict.fromkeys(commands, flag)


@dataclass(frozen=True)
class Option:
    """One option: its name, help, type, default, the commands that take it (command -> its flag) and whether
    pytest takes it (``--pynenc-<field>``)."""

    name: str  # the field of SuiteOptions, and (dashed) of the pytest option
    help: str
    commands: Mapping[str, str] = field(default_factory=dict)
    kind: Callable[[str], Any] | None = None  # int, float, Path...; None: text; ``flag`` options take no value
    flag: bool = False  # a switch (store_true)
    default: Any = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    pytest: bool = True
    aliases: tuple[str, ...] = ()  # other spellings a command also accepts

    @property
    def pytest_flag(self) -> str:
        return "--pynenc-" + self.name.replace("_", "-")

    def spelled(self, flag: str, value: Any, joined: bool = False) -> list[str]:
        """``value`` as arguments of ``flag`` (``--flag=value`` if ``joined``); none if it is not given (None, off,
        or the default).  A path is made absolute: the arguments go to a process that may run elsewhere."""
        if value is None or value is False or (not self.flag and value == self.default):
            return []
        if self.flag:
            return [flag]
        text = str(value.resolve() if isinstance(value, Path) else value)
        return [f"{flag}={text}"] if joined else [flag, text]

    def _spec(self) -> dict[str, Any]:
        if self.flag:
            return {"action": "store_true", "default": self.default if self.default is not None else False}
        spec: dict[str, Any] = {"default": self.default, "metavar": self.metavar}
        if self.kind is not None:
            spec["type"] = self.kind
        if self.choices is not None:
            spec["choices"] = self.choices
        return spec


OPTIONS: tuple[Option, ...] = (
    Option(
        "engine",
        "where pynenc keeps its state: memory (the gate's and explore's default), sqlite (realtime's "
        "default), redis (a redis-server started on a loopback port; pynenc-redis runs with pynenc<0.4) or "
        "rabbitmq",
        _on((*RUNS, "lock", "fuzz"), "--engine"),
        choices=tuple(sorted(ENGINES)),
    ),
    Option(
        "profile",
        "examples per property: ci (100, derandomized; the default when CI=true), dev (100, random; "
        "the default), nightly (2000), smoke (8), engine (20); or $PYNENC_SUITE_PROFILE",
        _on(APP_COMMANDS, "--hypothesis-profile"),
        choices=PROFILE_NAMES,
        aliases=("--profile",),
    ),
    Option(
        "key_normalisers",
        "a dict {task: {argument: callable}} of values your code treats as one account (e.g. "
        "str.casefold for an email); the history and the key audit use it",
        _on((*APP_COMMANDS, "doctor", "fuzz"), "--key-normalisers"),
        metavar="MODULE:ATTR",
    ),
    Option(
        "strategies",
        "a module imported first, where you register Hypothesis strategies for your own argument types",
        _on((*APP_COMMANDS, "doctor", "fuzz"), "--strategies"),
        metavar="MODULE",
    ),
    Option(
        "run_bodies",
        "run your tasks' real bodies instead of recording probes (they must call the provider)",
        _on((*APP_COMMANDS, "fuzz"), "--run-bodies"),
        flag=True,
    ),
    Option(
        "artefacts",
        "where failures, real-time runs and pynenc's log are written, and where doctor reads the measured "
        "tolerances of real-time runs (default .pynenc-suite, or $PYNENC_SUITE_ARTEFACTS)",
        _on((*APP_COMMANDS, "doctor", "fuzz"), "--artefacts"),
        kind=Path,
        metavar="DIR",
    ),
    Option(
        "log_to_terminal",
        "pynenc's own log lines on the terminal (default: in the artefact folder, pynenc-<command>.log)",
        _on((*APP_COMMANDS, "doctor", "fuzz"), "--pynenc-log-to-terminal"),
        flag=True,
    ),
    Option(
        "github",
        "end with a GitHub Actions ::error annotation per failure of yours (on by default under "
        "GitHub Actions); recorded pynenc defects get none",
        _on(APP_COMMANDS, "--github"),
        flag=True,
        default=os.environ.get("GITHUB_ACTIONS") == "true",
    ),
    Option(
        "lock",
        "the policy lock to compare the app with before running anything (default: "
        "pynenc-policies.lock in the current directory, if there is one)",
        {"gate": "--lock"},
        kind=Path,
        metavar="FILE",
    ),
    Option("require_lock", "a missing policy lock is a failure", {"gate": "--require-lock"}, flag=True),
    Option(
        "policy_seed",
        "seed of the schedules a policy change's consequences are measured on (default 0)",
        {"gate": "--policy-seed", "lock": "--seed"},
        kind=int,
        default=0,
        metavar="N",
    ),
    Option(
        "without_fixes",
        "run pynenc as installed, without the candidate fixes of recorded findings (every "
        "finding's examples are then discarded by its signature)",
        _on(("gate", "explore", "fuzz"), "--without-fixes"),
        flag=True,
    ),
    Option(
        "database",
        "a Hypothesis example database shared with `pynenc-suite fuzz` runs: fuzz stores its failing examples "
        "there (default: <artefacts>/examples); the gate replays, read-only, every one stored for the app "
        "before its own examples",
        _on(GATE_LIKE, "--database"),
        metavar=DATABASE_METAVAR,
    ),
    Option(
        "realtime_budget",
        "real-time tier: wall time for drawing and running schedules (default 180, or "
        "$PYNENC_SUITE_REALTIME_BUDGET); a soak is a large budget",
        {"realtime": "--budget"},
        kind=float,
        metavar="SECONDS",
    ),
    Option(
        "realtime_seed",
        "real-time tier: seed for drawing schedules (default: a fresh one, printed in the summary)",
        {"realtime": "--seed"},
        kind=int,
        metavar="N",
    ),
    Option(
        "realtime_replay",
        "real-time tier: run one saved schedule again (a schedule-NNN folder of an earlier run)",
        {"realtime": "--replay"},
        metavar="SCHEDULE_FOLDER",
    ),
    Option(
        "redis_url",
        "real-time tier: use this Redis (redis://host:port) instead of starting redis-server on a free loopback port",
        {"realtime": "--redis-url"},
        metavar="URL",
    ),
    Option(
        "explore_size",
        "explore tier: operations per group (every multiset of N operation kinds; default 3)",
        {"explore": "--size"},
        kind=int,
        default=3,
        metavar="N",
    ),
    Option(
        "explore_bound",
        "explore tier: preemptions per interleaving, every placement tried, fewest first (default 1)",
        {"explore": "--bound"},
        kind=int,
        default=1,
        metavar="N",
    ),
)


@dataclass(frozen=True)
class SuiteOptions:
    """What a session runs the suite with: the app, the tier, and a value per row of :data:`OPTIONS`, resolved
    (the tier's engine, the artefact folder, the real-time budget)."""

    app: str = REFERENCE_APP
    tier: str = "gate"
    engine: str = "memory"
    profile: str | None = None
    key_normalisers: str | None = None
    strategies: str | None = None
    run_bodies: bool = False
    artefacts: Path = field(default_factory=lambda: default_artefacts())
    log_to_terminal: bool = False
    github: bool = False
    lock: Path | None = None
    require_lock: bool = False
    policy_seed: int = 0
    without_fixes: bool = False
    database: str | None = None
    realtime_budget: float = DEFAULT_BUDGET
    realtime_seed: int | None = None
    realtime_replay: str | None = None
    redis_url: str | None = None
    explore_size: int = 3
    explore_bound: int = 1

    @property
    def example_database(self) -> str:
        """Where fuzzing stores its failing examples: ``--database``, else ``examples`` in the artefact folder."""
        return self.database or str(self.artefacts / "examples")

    @property
    def fixes(self) -> bool:
        """The candidate fixes of recorded findings are on (off: ``--without-fixes``)."""
        return not self.without_fixes

    @classmethod
    def resolved(cls, app: str | None, tier: str, values: Mapping[str, Any]) -> SuiteOptions:
        """The options for ``values`` by field (None: not given), defaults filled in for ``tier``."""
        given = {k: v for k, v in values.items() if v is not None and k in _FIELDS - {"app", "tier"}}
        given["engine"] = given.get("engine") or DEFAULT_FOR_TIER[tier]
        given["artefacts"] = Path(given.get("artefacts") or default_artefacts())
        if "realtime_budget" not in given:
            given["realtime_budget"] = float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET))
        return cls(app=app or REFERENCE_APP, tier=tier, **given)

    @classmethod
    def from_config(cls, config: pytest.Config) -> SuiteOptions:
        values = {option.name: config.getoption(option.pytest_flag) for option in OPTIONS if option.pytest}
        return cls.resolved(config.getoption("--pynenc-app"), config.getoption("--pynenc-tier"), values)


_FIELDS = {f.name for f in fields(SuiteOptions)}


def default_artefacts() -> Path:
    """``$PYNENC_SUITE_ARTEFACTS``, else ``.pynenc-suite`` in the current directory."""
    return Path(os.environ.get(ARTEFACTS_ENV) or ".pynenc-suite")


def add_to_command(parser: argparse.ArgumentParser, command: str) -> None:
    """The flags of ``command``, as the table declares them."""
    for option in OPTIONS:
        if command in option.commands:
            parser.add_argument(option.commands[command], *option.aliases, dest=option.name, help=option.help,
                                **option._spec())  # fmt: skip


def add_to_pytest(group: Any) -> None:
    """The plugin's options: ``--pynenc-app`` and ``--pynenc-tier``, then every row pytest takes."""
    group.addoption("--pynenc-app", default=None, metavar="MODULE:ATTR",
                    help=f"the app to test, as package.module:attribute (default: {REFERENCE_APP}); given alone, "
                    "runs the suite's gate on it")  # fmt: skip
    group.addoption("--pynenc-tier", default="gate", choices=TIERS,
                    help="gate: the deterministic properties, key audit and explorer (default); realtime: pynenc's "
                    "own runners in separate processes with real faults; explore: every small interleaving; fuzz: the gate's "
                    "properties as HypoFuzz targets (pynenc-suite fuzz)")  # fmt: skip
    for option in OPTIONS:
        if option.pytest:
            group.addoption(option.pytest_flag, help=option.help, **option._spec())


def pytest_arguments(chosen: SuiteOptions, args: argparse.Namespace, command: str) -> list[str]:
    """The plugin's options for a run of ``command``: the app, tier and engine ``chosen``, and each flag of the
    command that was given (a value other than its default)."""
    out = [f"--pynenc-app={chosen.app}", f"--pynenc-tier={chosen.tier}", f"--pynenc-engine={chosen.engine}"]
    for option in OPTIONS:
        if command in option.commands and option.pytest and option.name != "engine":
            out += option.spelled(option.pytest_flag, getattr(args, option.name, None), joined=True)
    return out


def command_arguments(chosen: SuiteOptions, command: str, names: tuple[str, ...]) -> list[str]:
    """``command``'s flags for the fields ``names`` of ``chosen`` that differ from their defaults."""
    out: list[str] = []
    for option in OPTIONS:
        if option.name in names and command in option.commands:
            out += option.spelled(option.commands[command], getattr(chosen, option.name))
    return out
