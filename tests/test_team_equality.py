"""The team's own equality, on a team's app outside the suite's folders, through the installed command.

``tests/notify_app`` (importable only through ``PYTHONPATH``) keys a pydantic model
with a default field, an email under a ``str.lower`` normaliser, an ``IntEnum``, a
``tuple[str, str]`` its callers pass as a NamedTuple, a ``dict[str, str]`` built in
any order, and a ``UUID`` keyed correctly.  The gate, run from another directory,
must report each of the first five splits with its minimal pair and a folder, and
nothing for the UUID; every pair it reports must be real when both keys are
recomputed by calling pynenc directly; each folder replays; its page passes the
browser check.
"""

from __future__ import annotations

import inspect
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pynenc_suite.apps import REFERENCE_APP
from pynenc_suite.apps.target import load, load_normalisers
from pynenc_suite.history.html_report import REPORT

pytestmark = pytest.mark.xdist_group("notify-app")  # one worker runs the team app's audit, once

APP_SOURCE = Path(__file__).resolve().parent / "notify_app" / "src"
APP, NORMALISERS = "notify_app.tasks:app", "notify_app.keys:NORMALISERS"
EXPECTED = {  # folder -> what the audit must report: the five splits, the model's also across processes
    "keys-send_digest-user-split-defaults-explicit",
    "keys-send_digest-user-process-split-process",
    "keys-sync_contact-email-split-normaliser_lower",
    "keys-drain_channel-channel-split-enum-value",
    "keys-relay-route-split-namedtuple",
    "keys-retag-labels-split-dict-order",
}


@dataclass
class Run:
    done: subprocess.CompletedProcess
    cwd: Path

    @property
    def failures(self) -> Path:
        return self.cwd / ".pynenc-suite" / "failures"

    def meta(self, name: str) -> dict[str, Any]:
        return json.loads((self.failures / name / "meta.json").read_text())


def _command() -> list[str]:
    """The installed ``pynenc-suite`` beside this interpreter (``python -m pynenc_suite`` if there is none)."""
    script = Path(sys.executable).parent / "pynenc-suite"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pynenc_suite"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(APP_SOURCE)}


@pytest.fixture(scope="session")
def notify_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    elsewhere = tmp_path_factory.mktemp("notify-repo")
    done = subprocess.run([*_command(), "gate", APP, f"--key-normalisers={NORMALISERS}", "-p", "no:xdist",
                           "-k", "key_consistency", "-q", "--github", "--junitxml=junit.xml"],
                          cwd=elsewhere, env=_env(), capture_output=True, text=True, timeout=600)  # fmt: skip
    return Run(done, elsewhere)


@pytest.fixture(scope="module")
def notify_app() -> Iterator[Any]:
    sys.path.insert(0, str(APP_SOURCE))
    try:
        yield load(APP)
    finally:
        sys.path.remove(str(APP_SOURCE))


def test_the_audit_reports_each_split_of_the_teams_equality_and_nothing_else(notify_run: Run) -> None:
    assert notify_run.done.returncode == 1, notify_run.done.stdout[-3000:] + notify_run.done.stderr[-2000:]
    assert {folder.name for folder in notify_run.failures.iterdir()} == EXPECTED
    summary = notify_run.done.stdout.split("key serialization audit", 1)[1]
    assert "confirm_order    order_id     UUID" in summary and "one key per value" in summary
    assert "5 keyed against it (your failures)" in summary


def test_each_split_is_reported_with_its_minimal_pair(notify_run: Run) -> None:
    how = {name: [side["how"] for side in notify_run.meta(name)["sides"]] for name in EXPECTED}
    assert how["keys-send_digest-user-split-defaults-explicit"] == [
        "UserRef(tenant='a', user_id=0)",
        "UserRef(tenant='a', user_id=0, region='eu')",
    ]
    first, second = how["keys-sync_contact-email-split-normaliser_lower"]
    assert first != second and first.lower() == second.lower()
    assert [side["type"] for side in notify_run.meta("keys-drain_channel-channel-split-enum-value")["sides"]] == [
        "Channel",
        "int",
    ]
    assert [side["type"] for side in notify_run.meta("keys-relay-route-split-namedtuple")["sides"]] == ["tuple", "Row2"]
    first, second = notify_run.meta("keys-retag-labels-split-dict-order")["sides"]
    assert len(first["repr"]) == len(second["repr"]) and first["repr"] != second["repr"]
    assert (
        notify_run.meta("keys-send_digest-user-process-split-process")["sides"][0]["how"]
        == how["keys-send_digest-user-split-defaults-explicit"][0]
    )


def test_the_advice_is_true(notify_run: Run) -> None:
    """A normaliser never appears as a fix; the normaliser's split says it only changes the suite's judgement."""
    for name in EXPECTED:
        assert "declare a normaliser" not in notify_run.meta(name)["fix"]
    assert "never fixes a split" in notify_run.meta("keys-sync_contact-email-split-normaliser_lower")["fix"]
    assert notify_run.meta("keys-retag-labels-split-dict-order")["finding"] == "PYN-002"


def _pynenc_key(task: Any, argument: str, value: Any, mode: str) -> str:
    """pynenc's own key for a call with ``argument=value`` (other arguments None), computed here, not by the suite."""
    from pynenc.arguments import Arguments
    from pynenc.call import Call
    from pynenc.conf.config_task import ConcurrencyControlType

    kwargs = {name: (value if name == argument else None) for name in inspect.signature(task.func).parameters}
    call = Call(task, Arguments(kwargs, app=task.app))
    return json.dumps(call.serialized_args_for_concurrency_control(ConcurrencyControlType(mode)), sort_keys=True)


def _is_real(tasks: dict[str, Any], meta: dict[str, Any], values: list[Any], normalisers: Any) -> bool:
    task = tasks[meta["task"]]
    keys = [_pynenc_key(task, meta["argument"], v, meta["mode"]) for v in values]
    judge = (normalisers or {}).get(meta["task"], {}).get(meta["argument"], lambda v: v)
    same = judge(values[0]) == judge(values[1])
    return (same and keys[0] != keys[1]) if meta["verdict"] == "split" else (not same and keys[0] == keys[1])


def test_every_reported_pair_of_the_team_app_is_real(notify_run: Run, notify_app: Any) -> None:
    normalisers = load_normalisers(NORMALISERS)
    for name in EXPECTED - {"keys-send_digest-user-process-split-process"}:
        meta = notify_run.meta(name)
        values = pickle.loads((notify_run.failures / name / "pair.pickle").read_bytes())
        assert _is_real(notify_app.tasks, meta, values, normalisers), (name, values)


def test_the_reported_process_split_is_real(notify_run: Run) -> None:
    """The model's key, computed by pynenc in fresh processes with the recorded hash seeds, differs."""
    folder = notify_run.failures / "keys-send_digest-user-process-split-process"
    seeds = json.loads((folder / "meta.json").read_text())["seeds"]
    script = ("import json, pickle, sys; from notify_app.tasks import send_digest; "
              "from pynenc.arguments import Arguments; from pynenc.call import Call; "
              "from pynenc.conf.config_task import ConcurrencyControlType as C; "
              "value = pickle.load(open(sys.argv[1], 'rb'))[0]; "
              "call = Call(send_digest, Arguments({'user': value, 'since': None}, app=send_digest.app)); "
              "print(json.dumps(call.serialized_args_for_concurrency_control(C.KEYS), sort_keys=True))")  # fmt: skip
    keys = {seed: subprocess.run([sys.executable, "-c", script, str(folder / "pair.pickle")], check=True, text=True,
                                 capture_output=True, env={**_env(), "PYTHONHASHSEED": seed}).stdout.strip()
            for seed in seeds}  # fmt: skip
    assert len(set(keys.values())) > 1, keys


def test_every_reported_pair_of_the_reference_app_is_real() -> None:
    from pynenc_suite.drivers.keys.app_audit import audit_app
    from pynenc_suite.drivers.keys.equality import catalogue_defect

    target = load(REFERENCE_APP)
    result = audit_app(target)
    defects = [d for searched in result.equality.values() for d in searched.defects]
    defects += [catalogue_defect(row) for rows in result.classes.values() for row in rows.values()
                if row.verdict in ("split", "collapsed")]  # fmt: skip
    assert defects  # the reference app's str keys split against a str subclass and a StrEnum (PYN-002)
    for defect in defects:
        meta = {
            "task": defect.target.task,
            "argument": defect.target.argument,
            "verdict": defect.verdict,
            "mode": defect.target.mode.value,
        }
        assert _is_real(target.tasks, meta, [side.value for side in defect.sides], None), defect.describe()


def test_a_key_failure_folder_replays(notify_run: Run, tmp_path: Path) -> None:
    folder = notify_run.failures / "keys-drain_channel-channel-split-enum-value"
    replayed = subprocess.run([*_command(), "replay", str(folder)], cwd=tmp_path, env=_env(), capture_output=True,
                              text=True, timeout=120)  # fmt: skip
    assert replayed.returncode == 0 and "reproduced: split" in replayed.stdout, replayed.stdout + replayed.stderr
    tampered = tmp_path / "tampered"
    shutil.copytree(folder, tampered)
    (tampered / "pair.pickle").write_bytes(pickle.dumps([1, 1]))  # the same raw value twice: one key
    again = subprocess.run([*_command(), "replay", str(tampered)], cwd=tmp_path, env=_env(), capture_output=True,
                           text=True, timeout=120)  # fmt: skip
    assert again.returncode == 1 and "did NOT reproduce" in again.stdout, again.stdout + again.stderr


def test_a_process_split_folder_replays_in_processes_with_the_recorded_seeds(notify_run: Run, tmp_path: Path) -> None:
    folder = notify_run.failures / "keys-send_digest-user-process-split-process"
    replayed = subprocess.run([*_command(), "replay", str(folder)], cwd=tmp_path, env=_env(), capture_output=True,
                              text=True, timeout=120)  # fmt: skip
    assert replayed.returncode == 0 and "reproduced:" in replayed.stdout, replayed.stdout + replayed.stderr


def test_a_real_browser_shows_the_key_failure_page(notify_run: Run, browser: Any) -> None:  # noqa: ANN401
    """The model split's page: both values, how each was built, both long keys wrapped inside the page (nothing
    wider than the window), the cause, the fix and the replay command; nothing is loaded."""
    page_file = notify_run.failures / "keys-send_digest-user-split-defaults-explicit" / REPORT
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    assert page.locator("#sides tr").count() == 3 and page.locator("#sides").is_visible()
    assert "region='eu'" in page.locator("#sides").inner_text()
    assert "__pydantic_fields_set__" in page.locator("#sides").inner_text()
    for part in ("#cause", "#fix", "#replay"):
        assert page.locator(part).is_visible()
    assert "pynenc-suite replay" in page.locator("#replay").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert requests == [page_file.as_uri()]


def test_realtime_on_an_app_without_a_runner_says_so_in_one_line(tmp_path: Path) -> None:
    """The app configures no runner (pynenc's placeholder): the as-configured check is skipped with the reason,
    never a RunnerNotExecutableError as a failure of the suite."""
    done = subprocess.run([*_command(), "realtime", APP, "--engine=sqlite", "-k", "as_configured", "-rs",
                           "-p", "no:xdist"], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-1000:]
    assert "the app configures no runner (runner_cls DummyRunner" in done.stdout
    assert "RunnerNotExecutableError" not in done.stdout + done.stderr


def test_the_pytest_route_prints_no_hypothesis_plugin_warning(tmp_path: Path) -> None:
    """The app is validated while plugins load; Hypothesis's warning about drawing there is not the team's."""
    done = subprocess.run([sys.executable, "-m", "pytest", f"--pynenc-app={APP}", "-p", "no:xdist", "-q",
                           "-k", "confirm_order and no-overlap", "--hypothesis-profile=pynenc-suite-smoke"],
                          cwd=tmp_path, env={**_env(), "PYTHONHASHSEED": "0"}, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    assert "HypothesisSideeffectWarning" not in done.stdout + done.stderr


def test_github_annotations_name_the_teams_failures_only(notify_run: Run) -> None:
    errors = [line for line in notify_run.done.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 6 and all("pynenc-suite test_" in line for line in errors)
    assert any("retag-labels" in line and "split (dict-order)%0A" in line for line in errors)


def test_the_junit_report_shows_each_failure_and_each_recorded_finding(notify_run: Run) -> None:
    import xml.etree.ElementTree as ElementTree

    cases = {case.get("name"): [child.tag for child in case if child.tag != "properties"]
             for case in ElementTree.parse(notify_run.cwd / "junit.xml").getroot().iter("testcase")}  # fmt: skip
    assert cases["test_values_your_code_treats_as_one_get_one_key[retag-labels]"] == ["failure"]
    assert cases["test_values_your_code_treats_as_one_get_one_key[confirm_order-order_id]"] == []
    known = list(ElementTree.parse(notify_run.cwd / "junit.xml").getroot().iter("skipped"))
    assert len(known) == 2 and all(skip.get("message", "").startswith("PYN-002: values equal") for skip in known)
