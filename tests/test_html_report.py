"""The failure page: self-contained, one lane per key, the violation's events marked and linked; committed
findings carry an up-to-date page; and a real browser (Debian's chromium through Playwright) shows it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from pynenc_suite import artefacts, invariants
from pynenc_suite.findings.registry import ARTEFACTS, artefact_folders
from pynenc_suite.history.html_report import REPORT, html_report
from tests.histories import end, enqueue, hist, runs, start, status

K = "call_keyed"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("PYNENC_SUITE_REQUIRE_BROWSER") == "1"  # .ci/run sets it: never skipped there


def _overlap_page() -> tuple[str, list]:
    history = hist(
        enqueue("a", K, "k1"), enqueue("b", K, "k1"), enqueue("c", K, "k2"),
        status("a", K, "pending", "k1"), status("a", K, "running", "k1"), start("a", K, "k1"),
        status("b", K, "pending", "k1", worker="r2"), status("b", K, "running", "k1", worker="r2"),
        start("b", K, "k1", worker="r2"), end("a", K, "k1"), status("a", K, "success", "k1"),
        {"kind": "crash", "worker": "r2", "fault": "kill"},
        runs("c", K, "k2"),
    )  # fmt: skip
    violations = invariants.check("no-overlap", history)
    return html_report(history, violations, title="no-overlap on call_keyed", schedule="Schedule(...)",
                       replay="pynenc-suite replay here"), violations  # fmt: skip


def test_the_page_has_a_lane_per_key_and_links_each_violation_to_its_events() -> None:
    page, violations = _overlap_page()
    assert len(violations) == 1
    assert page.count('<g class="lane"') == 2
    for seq in violations[0].events:
        assert f'href="#e{seq}"' in page and f'id="e{seq}" class="event violation"' in page
    assert 'data-kind="crash"' in page and "Schedule(...)" in page and "pynenc-suite replay here" in page


def test_the_page_loads_nothing() -> None:
    page, _ = _overlap_page()
    assert not re.search(r"<script|<link|<img|src=|@import|url\(|href=\"(?!#)", page)


@pytest.mark.parametrize(("name", "folder"), [(f.name, f) for _, f in artefact_folders()])
def test_every_committed_finding_has_an_up_to_date_page(name: str, folder: Path) -> None:
    artefact = artefacts.load(folder)
    violations = invariants.check(artefact.meta["rule"], artefact.history)
    expected = html_report(artefact.history, violations, title=f"{len(violations)} violation(s) of "
                           f"{artefact.meta['rule']} on {artefact.meta['task']}", schedule=repr(artefact.schedule),
                           replay=artefacts.replay_command(Path("findings/artefacts") / name))  # fmt: skip
    assert (ARTEFACTS / name / REPORT).read_text() == expected, f"regenerate: pynenc-suite report findings/artefacts/{name}"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if CHROMIUM is None and not REQUIRE_BROWSER:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's)")
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "PYNENC_SUITE_REQUIRE_BROWSER=1 but no chromium is installed"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_a_real_browser_shows_the_lanes_and_follows_the_violation_link(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = ARTEFACTS / "PYN-005"
    page_file = tmp_path / REPORT
    page_file.write_text((folder / REPORT).read_text())
    page = browser.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())
    assert page.locator("g.lane").count() == 1
    assert page.locator("circle.event.violation").count() == 4
    first = page.locator("ol.violations a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("document.querySelector(':target').id") == target.lstrip("#")
    stroke = page.evaluate("getComputedStyle(document.querySelector(':target')).stroke")
    assert stroke == "rgb(238, 0, 0)"
    box = page.locator(target).bounding_box()
    assert box is not None and box["width"] > 0  # drawn where the browser can show it
    assert requests == [page_file.as_uri()] and errors == []
