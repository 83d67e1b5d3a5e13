"""Gate fixtures: the app under test, loaded once per session, with clear errors for bad input."""

from __future__ import annotations

import pytest

from harness.keys import Normalisers
from harness.target import REFERENCE_APP, Target, TargetError, load, load_normalisers

_targets: dict[str, Target] = {}
_audit_rows: list[dict] = []


def target_for(config: pytest.Config) -> Target:
    spec = config.getoption("--pynenc-app") or REFERENCE_APP
    if spec not in _targets:
        try:
            probed = False if config.getoption("--run-bodies") else None
            _targets[spec] = load(spec, probed=probed, backend=config.getoption("--backend"))
        except TargetError as error:
            raise pytest.UsageError(str(error)) from None
        _targets[spec].normalisers = normalisers_for(config)
    return _targets[spec]


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    return target_for(pytestconfig)


def normalisers_for(config: pytest.Config) -> Normalisers | None:
    spec = config.getoption("--key-normalisers")
    if not spec:
        return None
    try:
        return load_normalisers(spec)
    except TargetError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _audit_rows.extend(value for name, value in report.user_properties if name == "key_audit")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The key audit as a table: per task and key argument, which shapes of one value pynenc keys wrongly."""
    if not _audit_rows:
        return
    write = terminalreporter.write_line
    terminalreporter.section("key serialization audit")
    bad = [r for r in _audit_rows if r["verdict"] not in ("one-key", "distinct-keys") or r["process_stable"] is False]
    write(f"{len(_audit_rows)} (task, argument, value class) checked; {len(bad)} keyed wrongly")
    write(f"{'task':16} {'argument':12} {'class':18} {'verdict':16} {'same in all processes':22} minimal example")
    for r in sorted(_audit_rows, key=lambda r: (r["task"], r["argument"], r["class"])):
        stable = {True: "yes", False: "NO", None: "-"}[r["process_stable"]]
        example = r["example"].split(": ", 1)[-1]
        write(f"{r['task']:16} {r['argument']:12} {r['class']:18} {r['verdict']:16} {stable:22} {example[:90]}")
    if not bad:
        write("every class locks correctly: equal values share one key, distinct values never collapse")
