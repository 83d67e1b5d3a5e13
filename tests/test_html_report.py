"""The failure page: self-contained, one lane per key, the violation's events marked and linked; committed
findings carry an up-to-date page; and a real browser (Debian's chromium through Playwright) shows it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pynenc_suite import artefacts, invariants
from pynenc_suite.findings.registry import ARTEFACTS, artefact_folders
from pynenc_suite.history.html_report import REPORT, html_report
from pynenc_suite.history.model import build
from tests.histories import POLICIES, end, enqueue, hist, runs, start, status

K = "call_keyed"


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
    assert (ARTEFACTS / name / REPORT).read_text() == expected, (
        f"regenerate: pynenc-suite report findings/artefacts/{name}"
    )


SCREENSHOTS = Path(os.environ.get("PYNENC_SUITE_ARTEFACTS", ".pynenc-suite")) / "browser-check"


def _realtime_page() -> str:
    """A real-time failure as the tier writes it: two runners' calls for one account overlap, then a SIGKILL."""
    events = [
        {"time": 0.00, "kind": "status", "invocation_id": "i1", "task": K, "status": "registered", "key": "k1"},
        {"time": 0.01, "kind": "enqueue", "invocation_id": "i1", "task": K, "key": "k1", "worker": "p0"},
        {"time": 0.05, "kind": "status", "invocation_id": "i2", "task": K, "status": "registered", "key": "k1"},
        {"time": 0.06, "kind": "enqueue", "invocation_id": "i2", "task": K, "key": "k1", "worker": "p1"},
        {"time": 0.10, "kind": "status", "invocation_id": "i1", "task": K, "status": "pending", "key": "k1", "worker": "r0"},
        {"time": 0.12, "kind": "status", "invocation_id": "i1", "task": K, "status": "running", "key": "k1", "worker": "r0"},
        {"time": 0.13, "kind": "provider_start", "invocation_id": "i1", "task": K, "key": "k1", "worker": "r0"},
        {"time": 1.20, "kind": "status", "invocation_id": "i2", "task": K, "status": "pending", "key": "k1", "worker": "r1"},
        {"time": 1.22, "kind": "status", "invocation_id": "i2", "task": K, "status": "running", "key": "k1", "worker": "r1"},
        {"time": 1.23, "kind": "provider_start", "invocation_id": "i2", "task": K, "key": "k1", "worker": "r1"},
        {"time": 2.13, "kind": "provider_end", "invocation_id": "i1", "task": K, "key": "k1", "worker": "r0", "outcome": "ok"},
        {"time": 2.14, "kind": "status", "invocation_id": "i1", "task": K, "status": "success", "key": "k1", "worker": "r0"},
        {"time": 2.50, "kind": "crash", "worker": "r1", "fault": "kill", "detail": "SIGKILL process group"},
        {"time": 3.23, "kind": "provider_end", "invocation_id": "i2", "task": K, "key": "k1", "worker": "r1", "outcome": "aborted"},
    ]  # fmt: skip
    history = build(events, POLICIES)
    violations = invariants.check("no-overlap", history)
    assert violations
    return html_report(
        history,
        violations,
        title="schedule #1: 1 decided violation(s) on sqlite",
        real_time=True,
        schedule="runners: r0=ThreadRunner, r1=ThreadRunner",
        replay="pynenc-suite realtime --replay=x",
    )


def _open(browser, page_file: Path):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(page_file.as_uri())
    return page, requests, errors


def _follow_first_violation(page) -> str:  # type: ignore[no-untyped-def]
    first = page.locator("ol.violations a").first
    target = first.get_attribute("href")
    first.click()
    assert page.evaluate("document.querySelector(':target').id") == target.lstrip("#")
    assert page.evaluate("getComputedStyle(document.querySelector(':target')).stroke") == "rgb(238, 0, 0)"
    box = page.locator(target).bounding_box()
    assert box is not None and box["width"] > 0  # drawn where the browser can show it
    return target


@pytest.mark.parametrize("kind", ["gate-finding", "realtime"])
def test_a_real_browser_shows_the_lanes_the_violation_and_the_replay_command(  # type: ignore[no-untyped-def]
    browser, tmp_path: Path, kind: str
) -> None:
    """Headless chromium opens a committed gate finding's page (PYN-005: two calls for account 0 admitted
    together) and a real-time page; the lanes, the circled events and the replay command are visible, the
    violation's link lands on its event, nothing else is loaded.  The screenshot is kept as an artefact."""
    page_file = tmp_path / REPORT
    page_file.write_text((ARTEFACTS / "PYN-005" / REPORT).read_text() if kind == "gate-finding" else _realtime_page())
    page, requests, errors = _open(browser, page_file)
    assert page.locator("g.lane").count() == 1 and page.locator("g.lane").first.is_visible()
    assert page.locator("circle.event.violation").count() == 4  # both calls: their starts and ends
    assert all(circle.is_visible() for circle in page.locator("circle.event.violation").all())
    assert page.locator("pre.replay").is_visible() and "pynenc-suite re" in page.locator("pre.replay").inner_text()
    if kind == "realtime":
        assert page.locator('g.marker[data-kind="crash"]').count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{kind}.png"), full_page=True)
    _follow_first_violation(page)
    assert requests == [page_file.as_uri()] and errors == []


LONG_KEY = "(UserRef(tenant='acme-industries', user_id=4711, region='eu-central'),)"


def _long_key_page() -> str:
    history = hist(enqueue("a", K, LONG_KEY), runs("a", K, LONG_KEY), enqueue("b", K, "k2"), runs("b", K, "k2"))
    return html_report(history, [], title="a long key", schedule="Schedule(...)", replay="pynenc-suite replay here")


def test_a_long_key_is_cut_on_the_lane_and_whole_on_hover() -> None:
    page = _long_key_page()
    names = re.findall(r'<text class="lane-name"[^>]*>([^<]*)<title>([^<]*)</title>', page)
    long_name = next((shown, whole) for shown, whole in names if "acme" in whole)
    assert len(long_name[0]) <= 19 and long_name[0].endswith("…") and "region=&#x27;eu-central&#x27;" in long_name[1]


def test_a_real_browser_draws_a_long_key_clear_of_the_invocation_labels(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page_file = tmp_path / REPORT
    page_file.write_text(_long_key_page())
    page, requests, errors = _open(browser, page_file)
    for lane in page.locator("g.lane").all():
        name = lane.locator("text.lane-name").bounding_box()
        labels = [label.bounding_box() for label in lane.locator("text.inv").all()]
        bars = [bar.bounding_box() for bar in lane.locator("rect").all()[1:]]
        assert name is not None and all(b is not None for b in labels + bars)
        right = name["x"] + name["width"]
        assert all(right < box["x"] for box in labels + bars if abs(box["y"] - name["y"]) < 12), (name, labels)
    assert errors == [] and requests == [page_file.as_uri()]
