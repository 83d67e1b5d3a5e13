"""The pytest plugin (entry point ``pytest11: pynenc_suite``): options, markers, profiles, summaries.

This package is the suite's pytest glue: the hooks here, ``fixtures`` (registered only in a session that runs the
suite), ``summaries`` (the end-of-run sections and verdict), ``tallies`` (examples judged and discarded per
property) and ``worker_groups`` (``--dist loadgroup`` on every supported pytest).

Installed, it is loaded by every pytest session of the environment and stays
inert there: it only adds its options.  A session *runs the suite* when it is
given ``--pynenc-app`` or collects the suite's own modules; then it loads the
app once (a mistake is one line and exit status 2), loads the Hypothesis
profile, and, if no test paths were named, collects the tier asked for:

    pytest --pynenc-app=mypkg.tasks:app                          # the gate
    pytest --pynenc-app=mypkg.tasks:app --pynenc-tier=realtime   # the real-time tier (SQLite)

Every option carries the ``--pynenc-`` prefix and sits in one ``pynenc-suite``
group of ``pytest --help``.  Importing the plugin imports neither pynenc nor the
drivers: a session that does not run the suite does not pay for them.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from pynenc_suite import interrupts, profiles
from pynenc_suite.active import active_options, set_options, target_for
from pynenc_suite.apps import REFERENCE_APP
from pynenc_suite.engines.registry import EngineError, engine_for_tier
from pynenc_suite.findings.registry import by_id, use_candidate_fixes
from pynenc_suite.options import SuiteOptions, add_to_pytest
from pynenc_suite.plugin import tallies
from pynenc_suite.plugin.summaries import (
    SUITE_ERROR,
    annotate_for_github,
    collect,
    interrupted,
    not_applicable,
    suite_errors,
    write_summaries,
)
from pynenc_suite.verdicts import PropertyViolation

# This process's hash seed, read when pytest loads its plugins: before any conftest can change the variable.
HASH_SEED_AT_START = os.environ.get("PYTHONHASHSEED")
NOT_APPLICABLE = "pynenc_not_applicable"  # an xdist worker's count of tests deselected for a team's app
SUITE_ERROR_STATUS = 3  # the suite itself failed: neither a pass nor a violated property


def suite_folders(tier: str, stored: bool = False) -> list[str]:
    """Where the tier's test modules are (inside the installed package, or the checkout); for the gate with an
    example database (``stored``), first the replay of its stored failing examples."""
    from pynenc_suite import suite

    root = Path(suite.__file__).resolve().parent
    folders = {"gate": ["gate", "keys"], "explore": ["explore"], "fuzz": ["fuzz"]}.get(tier, ["realtime"])
    return [str(root / name) for name in (["stored"] if stored and tier == "gate" else []) + folders]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The replay of stored failing examples runs only with ``--pynenc-database`` (``gate --database``); the fuzz
    targets only under ``pynenc-suite fuzz``: neither is collected from the suite's folder otherwise."""
    options = active_options()
    if collection_path.parent == Path(suite_folders("gate")[0]).parent:
        if collection_path.name == "stored" and (options is None or options.database is None):
            return True
        if collection_path.name == "fuzz" and (options is None or options.tier != "fuzz"):
            return True
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    add_to_pytest(parser.getgroup("pynenc-suite", "pynenc-suite: concurrency-control gate for a pynenc app"))


def _runs_the_suite(config: pytest.Config) -> bool:
    if config.getoption("--pynenc-app"):
        return True
    from pynenc_suite import suite

    root = Path(suite.__file__).resolve().parent
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == root or root in path.parents:
            return True
    return False


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's plugin loads the --hypothesis-profile named
def pytest_configure(config: pytest.Config) -> None:
    """Markers; in a session that runs the suite (or names one of its profiles), its profiles, its fixtures, and
    the app validated before any test.  Nothing heavy is imported otherwise (``tests/test_plugin.py``)."""
    config.addinivalue_line(
        "markers",
        "pynenc_finding(id, raises=PropertyViolation, condition=True): reproduces "
        "a recorded pynenc defect; a strict xfail expecting only ``raises``",
    )
    config.addinivalue_line(
        "markers", "pynenc_reference_app: applies to the suite's reference app only (deselected for a team's app)"
    )
    config.addinivalue_line("markers", "pynenc_realtime: a test of the real-time tier (needs --pynenc-tier=realtime)")
    config.addinivalue_line(
        "markers", "pynenc_explore: a test of the exhaustive explore tier (needs --pynenc-tier=explore)"
    )
    config.addinivalue_line("markers", "xdist_group(name): tests that share one xdist worker (known without xdist too)")
    if getattr(config.option, "loadgroup", False) or getattr(config.option, "dist", None) == "loadgroup":
        from pynenc_suite.plugin import worker_groups  # a --dist loadgroup run's worker or controller

        config.pluginmanager.register(worker_groups, "pynenc_suite.plugin.worker_groups")
    if (config.getoption("--hypothesis-profile", default=None) or "").startswith(profiles.PREFIX):
        profiles.register()
    if not _runs_the_suite(config):
        return
    from hypothesis.errors import HypothesisSideeffectWarning

    profiles.register()
    from pynenc_suite.apps.target import TargetError
    from pynenc_suite.determinism import without_local_constants
    from pynenc_suite.example_db import DatabaseError
    from pynenc_suite.plugin import fixtures
    from pynenc_suite.policy_lock.check import PolicyChanged
    from pynenc_suite.policy_lock.check import check as check_lock
    from pynenc_suite.policy_lock.consequences import Budget
    from pynenc_suite.policy_lock.lock_file import LockError

    config.pluginmanager.register(fixtures, "pynenc_suite.plugin.fixtures")
    # The app is validated here, before any test (a type no strategy draws, a normaliser that raises, a changed
    # policy: one line), which draws values while plugins load: Hypothesis's HypothesisSideeffectWarning about
    # drawing there is this validation's cost, not a team's to read.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisSideeffectWarning)
        try:
            options = SuiteOptions.from_config(config)
            _route_pynenc_log(config, options)
            engine_for_tier(options.engine, options.tier)
            use_candidate_fixes(options.fixes)
            if not hasattr(config, "workerinput"):  # the controller validates; xdist workers load lazily
                target = target_for(options)
                if options.tier == "gate":
                    # The consequences are measured under the suite's hash seed: here, or in a child process.
                    child = None if HASH_SEED_AT_START == "0" else options
                    budget = Budget(options.policy_seed, options.profile or profiles.default_name())
                    check_lock(target, options.lock, options.require_lock, options.artefacts, budget, child)
                if options.database is not None and options.tier == "gate":
                    _plan_replay(config, options.database, target)
        except (TargetError, EngineError, LockError, DatabaseError) as error:
            pytest.exit(f"pynenc-suite: {error}", returncode=2)
        except PolicyChanged as change:
            sys.stderr.write(f"{change}\n")
            pytest.exit("pynenc-suite: the concurrency policies differ from the policy lock (above)", returncode=1)
    _pin_hash_seed(config)
    set_options(options)
    annotate_for_github(options.github)
    without_local_constants()  # the same seed draws the same examples in every process (determinism.py)
    interrupts.install()  # a Ctrl-C Python drops inside a finalizer still ends the run (interrupts.py)
    if options.tier == "fuzz":  # HypoFuzz's workers: the shared database, before the targets are collected
        profiles.load_fuzz(options.example_database)
    elif config.getoption("--hypothesis-profile", default=None) is None:  # a profile named to Hypothesis wins
        profiles.load(options.profile or profiles.default_name())
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args = suite_folders(options.tier, stored=options.database is not None)


def _route_pynenc_log(config: pytest.Config, options: SuiteOptions) -> None:
    """pynenc's log lines to the run's file (workers append to the controller's), or the terminal if asked."""
    from pynenc_suite import pynenc_log

    append = hasattr(config, "workerinput") or options.tier == "fuzz"  # HypoFuzz collects in every worker
    pynenc_log.route(options.artefacts, options.tier, options.log_to_terminal, append=append)


def _plan_replay(config: pytest.Config, location: str, target: Any) -> None:
    """What the database holds for the app, for the header (before any test runs)."""
    from pynenc_suite.example_db import open_database
    from pynenc_suite.tiers.fuzz import replay_plan

    config.stash[_PLAN] = replay_plan(open_database(location), target).lines(location)


_PLAN = pytest.StashKey[list[str]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Real-time tests run only in the real-time tier; a test marked with a finding is its strict xfail; the
    DeprecationWarnings pynenc's serializer raises at every call are not the suite's to report."""
    options = active_options()
    tier = options.tier if options is not None else "gate"
    skip = pytest.mark.skip(reason="real-time tier: run with --pynenc-tier=realtime (pynenc-suite realtime)")
    skip_explore = pytest.mark.skip(reason="explore tier: run with --pynenc-tier=explore (pynenc-suite explore)")
    quiet = pytest.mark.filterwarnings("ignore::DeprecationWarning")
    root = Path(suite_folders("gate")[0]).parent
    if options is not None and options.app != REFERENCE_APP:
        items[:] = _applicable(config, items)
    if options is not None and options.tier == "fuzz":
        _fuzz_targets(options, items)
    for item in items:
        if root in Path(str(item.path)).parents:
            item.add_marker(quiet)
        if item.get_closest_marker("pynenc_realtime") and tier != "realtime":
            item.add_marker(skip)
        if item.get_closest_marker("pynenc_explore") and tier != "explore":
            item.add_marker(skip_explore)
        finding = item.get_closest_marker("pynenc_finding")
        if finding is not None:
            item.add_marker(finding_xfail(*finding.args, **finding.kwargs))


def _fuzz_targets(options: SuiteOptions, items: list[pytest.Item]) -> None:
    """The fuzz targets' node ids are part of their database keys: collected otherwise than by ``pynenc-suite
    fuzz`` (this folder as the rootdir), a gate could not find what they store.  Notes the fuzzed properties."""
    from pynenc_suite.example_db import open_database
    from pynenc_suite.tiers.fuzz import FuzzCase, node_id, record_properties

    targets = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        case = callspec.params.get("case") if callspec is not None else None
        if not isinstance(case, FuzzCase):
            continue
        if item.nodeid != node_id(case):
            pytest.exit(f"pynenc-suite: fuzz target {item.nodeid} is not {node_id(case)}: run the fuzz targets with "
                        "`pynenc-suite fuzz APP`", returncode=2)  # fmt: skip
        targets.append(case)
    record_properties(open_database(options.example_database), targets)


def _applicable(config: pytest.Config, items: list[pytest.Item]) -> list[pytest.Item]:
    """The items that apply to a team's app: those that reproduce findings on the suite's reference app (its
    ``reference`` fixture, or the ``pynenc_reference_app`` mark) are deselected and counted, never skipped."""
    only_reference = [i for i in items if "reference" in getattr(i, "fixturenames", ())
                      or i.get_closest_marker("pynenc_reference_app")]  # fmt: skip
    if only_reference:
        config.hook.pytest_deselected(items=only_reference)
        not_applicable(len(only_reference))
        if hasattr(config, "workeroutput"):  # an xdist worker: its controller prints the summary
            config.workeroutput[NOT_APPLICABLE] = len(only_reference)
    return [i for i in items if i not in only_reference]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller: every worker deselected the same tests; count them once."""
    counted = getattr(node, "workeroutput", {}).get(NOT_APPLICABLE)
    if counted is not None and not_applicable(0) == 0:
        not_applicable(counted)


def finding_xfail(finding_id: str, raises: type[BaseException] = PropertyViolation, condition: bool = True) -> Any:
    """The strict xfail of a test that reproduces a recorded finding (``@pytest.mark.pynenc_finding(id)``)."""
    return pytest.mark.xfail(condition, strict=True, raises=raises, reason=by_id(finding_id).reason)


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = active_options()
    if options is None:
        return []
    profile = profiles.current()
    lines = [f"pynenc-suite: app={options.app} tier={options.tier} engine={options.engine} profile={profile}"]
    return [*lines, *config.stash.get(_PLAN, [])]


def _pin_hash_seed(config: pytest.Config) -> None:
    """Histories are deterministic only under one hash seed: pynenc's in-memory state keeps invocation ids
    in sets of strings.  Every process the session starts (xdist workers, key probes, runners) gets
    ``PYTHONHASHSEED=0``; a process that would run the properties under another seed stops with one line."""
    started_with = HASH_SEED_AT_START
    os.environ["PYTHONHASHSEED"] = "0"
    runs_tests_here = not config.getoption("numprocesses", default=None) or hasattr(config, "workerinput")
    if started_with != "0" and runs_tests_here:
        pytest.exit(
            f"pynenc-suite: this process has PYTHONHASHSEED={started_with or 'random'}, and pynenc orders its "
            "in-memory state by string hashes; run with PYTHONHASHSEED=0, with -n N, or with the pynenc-suite "
            "command (which sets it)",
            returncode=2,
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if active_options() is not None:
        interrupts.check()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """A test of the suite that fails with anything but a violated property (:class:`PropertyViolation`) failed
    because the suite itself broke; its report says so, so that the session ends as an error, never as a finding."""
    report = yield
    if active_options() is not None and report.when == "call":
        tally = tallies.take(item.nodeid)
        if tally is not None:
            report.user_properties = [*report.user_properties, (tallies.EXAMPLES, tally)]
    if active_options() is not None and report.failed and call.excinfo is not None:
        if report.when == "call" and call.excinfo.errisinstance(PropertyViolation):
            report.longrepr = str(call.excinfo.value)  # the proof is the message: no traceback of the suite's code
        if report.when != "call" or not call.excinfo.errisinstance(PropertyViolation):
            cause = (str(call.excinfo.value).splitlines() or [""])[0][:300]
            line = f"{report.nodeid}: {call.excinfo.typename}: {cause}"
            report.user_properties = [*report.user_properties, (SUITE_ERROR, line)]
    return report


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    collect(report)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    write_summaries(terminalreporter, verdict=active_options() is not None)


def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    if type(excinfo.value) is KeyboardInterrupt:  # the user's Ctrl-C, not pytest.exit or -x's stop
        interrupted()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if suite_errors():
        session.exitstatus = SUITE_ERROR_STATUS
