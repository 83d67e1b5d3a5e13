"""``pynenc-suite fuzz``: without its optional extra, one line and exit 2; with it (``tox -e fuzz``), HypoFuzz fuzzes
the reference app's properties for a set time, its dashboard (loopback only) lists them in a real browser, and the
command stops it and every worker, with no failing example on unmodified pynenc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from pynenc_suite.apps.target import load
from pynenc_suite.commands import fuzz
from pynenc_suite.exit_status import BadInput
from pynenc_suite.tiers.fuzz import cases_for

HAS_HYPOFUZZ = find_spec("hypofuzz") is not None
REQUIRE_HYPOFUZZ = os.environ.get("PYNENC_SUITE_REQUIRE_HYPOFUZZ") == "1"  # tox -e fuzz: never skipped there


def _fuzz(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pynenc_suite", "fuzz", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


@pytest.mark.skipif(HAS_HYPOFUZZ, reason="this environment has the fuzz extra")
def test_without_the_extra_fuzz_is_one_line_and_exit_2(tmp_path: Path) -> None:
    process = _fuzz("--minutes", "1", cwd=tmp_path)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2, out + err
    assert err.strip() == "pynenc-suite: fuzz needs HypoFuzz, an optional extra: pip install 'pynenc-suite[fuzz]'"


def test_a_hypothesis_that_hypofuzz_cannot_run_with_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    versions = {"hypofuzz": "25.11.1", "hypothesis": "6.170.27"}
    monkeypatch.setattr(fuzz.metadata, "version", lambda name: versions[name])
    with pytest.raises(BadInput, match=r"HypoFuzz 25\.11\.1 stops its workers under Hypothesis 6\.170\.27"):
        fuzz._require_hypofuzz()
    versions["hypothesis"] = "6.157.0"
    fuzz._require_hypofuzz()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _processes_naming(text: str) -> list[str]:
    """The command lines of this machine's processes that contain ``text`` (HypoFuzz's hub and its forked workers
    and dashboard carry the fuzz command's arguments)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in line:
            found.append(line)
    return found


@pytest.mark.skipif(not HAS_HYPOFUZZ and not REQUIRE_HYPOFUZZ, reason="needs the fuzz extra (tox -e fuzz)")
def test_fuzz_serves_its_dashboard_on_loopback_and_stops_every_worker(browser: Any, tmp_path: Path) -> None:
    port = _free_port()
    artefacts = tmp_path / "fuzz-artefacts"
    process = _fuzz("--minutes", "0.75", "--workers", "1", "--dashboard", "--port", str(port),
                    "--artefacts", str(artefacts), cwd=tmp_path)  # fmt: skip
    page = browser.new_page()
    try:
        listed = ""
        deadline = time.monotonic() + 80
        while time.monotonic() < deadline and "call_keyed-no-overlap" not in listed:
            try:
                page.goto(f"http://127.0.0.1:{port}/", timeout=5000)
                page.wait_for_selector("text=call_keyed-no-overlap", timeout=5000)
                listed = page.content()
            except Exception:  # not serving yet
                time.sleep(2)
        assert listed.count("@pynenc_suite.apps.reference:app]") >= 10, listed[-2000:]  # its first page of targets
        api = page.request.get(f"http://127.0.0.1:{port}/api/tests/").text()
        assert all(f"{case.id}]" in api for case in cases_for(load())), api[:2000]  # every property
        out, err = process.communicate(timeout=300)
    finally:
        page.close()
        if process.poll() is None:
            os.killpg(process.pid, 9)
    assert process.returncode == 0, out + err
    assert "fuzz: no failing example of pynenc_suite.apps.reference:app's 49 properties" in out, out
    assert not _processes_naming(str(artefacts))  # no worker, hub or dashboard left behind
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the dashboard is gone too


@pytest.mark.skipif(not HAS_HYPOFUZZ and not REQUIRE_HYPOFUZZ, reason="needs the fuzz extra (tox -e fuzz)")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_fuzz_command_leaves_no_process_behind(tmp_path: Path, sig: signal.Signals) -> None:
    """SIGKILL (nothing of the command runs) or SIGTERM (a cancelled CI job): HypoFuzz's hub, workers, manager
    and dashboard all end with it."""
    artefacts = tmp_path / "fuzz-artefacts"
    process = _fuzz("--minutes", "5", "--workers", "2", "--dashboard", "--port", str(_free_port()),
                    "--artefacts", str(artefacts), cwd=tmp_path)  # fmt: skip
    deadline = time.monotonic() + 60
    while len(_processes_naming(str(artefacts))) < 4 and time.monotonic() < deadline:  # command, hub, 2 workers
        time.sleep(1)
    assert len(_processes_naming(str(artefacts))) >= 4
    process.send_signal(sig)
    process.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while _processes_naming(str(artefacts)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _processes_naming(str(artefacts))
    if sig == signal.SIGTERM:
        assert process.returncode == 130
