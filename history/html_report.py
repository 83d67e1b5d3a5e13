"""A failure as a page: one self-contained HTML file with a lane per key along the history's time axis.

Each lane is one (task, running key); each invocation in it is a row of status
bars (one colour per status) with its provider calls drawn as intervals under
them.  Faults (crash, stop, stall, connection drop) and recovery sweeps are
markers across every lane.  The violation's events are circled in red; each
violation's text links to them, and the linked event is highlighted (CSS
``:target``, no script).  The page also holds the minimal schedule and the
command that replays it.  It loads nothing: no script, no font, no image.

The gate's clock is virtual and most events happen at one virtual instant, so its
axis is the order of events, labelled with the virtual time; the real-time tier's
axis is seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from pynenc_suite.history.model import Event, Fault, History, Kind, Violation
from pynenc_suite.history.queries import provider_calls
from pynenc_suite.history.timeline import lanes

STATUS_COLOURS = {
    "registered": "#c7c7c7",
    "pending": "#f2c94c",
    "running": "#27ae60",
    "success": "#1e6b3a",
    "failed": "#b03a2e",
    "concurrency_controlled": "#e67e22",
    "concurrency_controlled_final": "#c0392b",
    "rerouted": "#f5b041",
    "retry": "#5dade2",
    "killed": "#8e44ad",
    "pending_recovery": "#a0522d",
    "running_recovery": "#a0522d",
}
MARKERS = {Kind.CRASH: "#c0392b", Kind.STOP: "#d35400", Kind.RESTART: "#7f8c8d", Kind.RESUME: "#7f8c8d",
           Kind.RECOVER: "#2e86c1", Kind.DRAIN: "#34495e", Kind.BOUND: "#000000", Kind.SKEW: "#b7950b"}  # fmt: skip
REPORT = "report.html"  # the page's name in a failure's folder
ROW, LANE_GAP, LEFT, TOP = 22, 16, 170, 62
NAME_CHARS = 19  # a lane name's characters (bold 11px monospace) that fit before the invocation labels


@dataclass(frozen=True)
class Axis:
    """Where an event goes on the page: by seq (virtual time) or by seconds (real time)."""

    real_time: bool
    start: float
    span: float
    width: float

    @classmethod
    def of(cls, history: History, real_time: bool) -> Axis:
        events = history.events
        if real_time:
            start = min((e.time for e in events), default=0.0)
            span = max(max((e.time for e in events), default=0.0) - start, 1e-6)
            return cls(True, start, span, 1000.0)
        return cls(False, 0.0, float(max(len(events), 1)), max(800.0, 16.0 * len(events)))

    def x(self, event: Event) -> float:
        value = event.time - self.start if self.real_time else event.seq + 0.5
        return LEFT + self.width * value / self.span

    def end(self) -> float:
        return LEFT + self.width


def html_report(
    history: History,
    violations: Iterable[Violation] = (),
    *,
    title: str,
    schedule: str = "",
    replay: str = "",
    real_time: bool = False,
) -> str:
    """The whole page for ``history``; the lanes shown are every key's (the violated ones first)."""
    violations = list(violations)
    marked = {s for v in violations for s in v.events}
    groups, runners, labels = lanes(history)
    touched = {(v.task, v.key) for v in violations}
    order = sorted(groups, key=lambda g: (g not in touched and not any(e.seq in marked for e in groups[g]),
                                          str(g[0]), str(g[1])))  # fmt: skip
    axis = Axis.of(history, real_time)
    calls = provider_calls(history)
    svg: list[str] = []
    height: float = TOP
    for task, key in order:
        shown = next((e.key.value for e in groups[(task, key)] if e.key is not None and e.key.value), key)
        body, height = _lane(f"{task} {shown}", groups[(task, key)], calls, labels, marked, axis, height)
        svg += body
    svg = _groups(runners, axis, height) + svg + _markers(runners, marked, axis, height)
    svg += _ticks(history, axis, height)
    page = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        _violations(violations),
        f'<svg class="timeline" width="{axis.end() + 40:.0f}" height="{height + 30:.0f}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        *svg,
        "</svg>",
        _legend(real_time),
    ]
    if schedule:
        page.append(f'<h2>Minimal schedule</h2><pre class="schedule">{escape(schedule)}</pre>')
    if replay:
        page.append(f'<h2>Replay</h2><pre class="replay"><code>{escape(replay)}</code></pre>')
    page.append("</body></html>")
    return "\n".join(page) + "\n"


def _fitted(name: str) -> str:
    """The lane's name cut to what fits left of the invocation labels; the page shows the whole name on hover."""
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _lane(
    name: str,
    events: list[Event],
    calls: list[tuple[Event, Event | None]],
    labels: dict[str, str],
    marked: set[int],
    axis: Axis,
    top: float,
) -> tuple[list[str], float]:
    invocations = list(dict.fromkeys(e.invocation_id for e in events if e.invocation_id))
    rows = max(len(invocations), 1)
    out = [f'<g class="lane" data-lane="{escape(name)}">',
           f'<rect class="lane-bg" x="0" y="{top:.0f}" width="{axis.end() + 20:.0f}" height="{rows * ROW + 8}"/>',
           f'<text class="lane-name" x="6" y="{top + 14:.0f}">{escape(_fitted(name))}'
           f"<title>{escape(name)}</title></text>"]  # fmt: skip
    for row, inv in enumerate(invocations):
        y = top + 4 + row * ROW
        out.append(f'<text class="inv" x="{LEFT - 8}" y="{y + 13:.0f}" text-anchor="end">{escape(labels[inv])}</text>')
        statuses = [e for e in events if e.invocation_id == inv and e.kind is Kind.STATUS]
        for current, following in zip(statuses, [*statuses[1:], None], strict=True):
            x0 = axis.x(current)
            x1 = axis.x(following) if following is not None else axis.end()
            colour = STATUS_COLOURS.get(current.status or "", "#999")
            out.append(f'<rect class="status" x="{x0:.1f}" y="{y:.0f}" width="{max(x1 - x0, 2):.1f}" height="10" '
                       f'fill="{colour}"><title>{escape(labels[inv])} {escape(current.status or "")} '
                       f'(#{current.seq}, t={current.time:.2f})</title></rect>')  # fmt: skip
        for start, end in calls:
            if start.invocation_id != inv:
                continue
            x0, x1 = axis.x(start), (axis.x(end) if end is not None else axis.end())
            outcome = end.outcome if end is not None else "never answered"
            proving = start.seq in marked or (end is not None and end.seq in marked)
            css = "call violation" if proving else "call"
            out.append(f'<line class="{css}" x1="{x0:.1f}" y1="{y + 15:.0f}" x2="{x1:.1f}" y2="{y + 15:.0f}">'
                       f'<title>{escape(labels[inv])} provider call by {escape(start.worker or "-")}: '
                       f'{escape(outcome or "")} (#{start.seq} to #{end.seq if end else "end"})</title></line>')  # fmt: skip
        for e in events:
            if e.invocation_id == inv and e.kind is not Kind.CLOCK:
                out.append(_point(e, labels, marked, axis.x(e), y + 5))
    out.append("</g>")
    return out, top + rows * ROW + 8 + LANE_GAP


def _point(e: Event, labels: dict[str, str], marked: set[int], x: float, y: float) -> str:
    css = "event violation" if e.seq in marked else "event"
    what = " ".join(p for p in (labels.get(e.invocation_id or "", ""), e.kind.value, e.status or "", e.outcome or "",
                                f"by {e.worker}" if e.worker else "", e.detail) if p)  # fmt: skip
    return (
        f'<circle id="e{e.seq}" class="{css}" cx="{x:.1f}" cy="{y:.0f}" r="{6 if e.seq in marked else 2.5}">'
        f"<title>#{e.seq} t={e.time:.2f} {escape(what)}</title></circle>"
    )


def _groups(runners: list[Event], axis: Axis, height: float) -> list[str]:
    """A band behind the lanes for each interleaved group: its operations ran concurrently."""
    out, begin = [], None
    for e in runners:
        if e.kind is Kind.GROUP_BEGIN:
            begin = e
        elif e.kind is Kind.GROUP_END and begin is not None:
            x0, x1 = axis.x(begin), axis.x(e)
            out.append(f'<g class="group"><rect x="{x0:.1f}" y="{TOP - 6}" width="{max(x1 - x0, 2):.1f}" '
                       f'height="{height - TOP + 6:.0f}"/><text x="{x0 + 2:.1f}" y="{height + 8:.0f}">interleaved'
                       f"</text><title>#{begin.seq} to #{e.seq}: operations interleaved at pynenc's yield points"
                       "</title></g>")  # fmt: skip
            begin = None
    return out


def _markers(runners: list[Event], marked: set[int], axis: Axis, height: float) -> list[str]:
    out: list[str] = []
    for e in runners:
        if e.kind not in MARKERS:
            continue
        x = axis.x(e)
        label_y = TOP - 10 - 11 * (len(out) % 3)  # staggered, so that close markers' labels stay readable
        label = _marker_label(e)
        css = "marker violation" if e.seq in marked else "marker"
        out.append(f'<g id="e{e.seq}" class="{css}" data-kind="{e.kind.value}"><line x1="{x:.1f}" y1="{TOP - 6}" '
                   f'x2="{x:.1f}" y2="{height:.0f}" stroke="{MARKERS[e.kind]}"/>'
                   f'<text x="{x + 2:.1f}" y="{label_y}" fill="{MARKERS[e.kind]}">{escape(label)} '
                   f'{escape(e.worker or "")}</text><title>#{e.seq} t={e.time:.2f} {escape(e.kind.value)} '
                   f'{escape(label)} {escape(e.worker or "")} {escape(e.detail)}</title></g>')  # fmt: skip
    return out


def _marker_label(e: Event) -> str:
    """What a marker says: the fault, or the kind of event; a skewed clock's value, a slowed link's delay."""
    if e.kind is Kind.SKEW:
        return f"clock {e.offset or 0:+g}s" + (f" {(e.drift or 0) * 1000:+g}ms/s" if e.drift else "")
    if e.fault is Fault.PARTITION:
        return "cut" if e.kind is Kind.CRASH else "healed"
    if e.fault is Fault.DELAY:
        return f"+{(e.delay or 0) * 1000:g}ms" if e.kind is Kind.CRASH else "fast"
    return e.fault.value if e.fault is not None else e.kind.value


def _ticks(history: History, axis: Axis, height: float) -> list[str]:
    """Axis labels: seconds in real time; in the gate, the virtual time wherever it changes."""
    out = []
    if axis.real_time:
        step = max(round(axis.span / 10, 1), 0.1)
        value = 0.0
        while value <= axis.span + 1e-9:
            x = LEFT + axis.width * value / axis.span
            out.append(f'<text class="tick" x="{x:.1f}" y="{height + 20:.0f}">{value:.1f}s</text>')
            value += step
        return out
    last = None
    for e in history:
        if e.time != last:
            out.append(f'<text class="tick" x="{axis.x(e):.1f}" y="{height + 20:.0f}">t={e.time:g}</text>')
            last = e.time
    return out


def _violations(violations: list[Violation]) -> str:
    if not violations:
        return "<p>No violation.</p>"
    items = []
    for i, v in enumerate(violations, 1):
        links = ", ".join(f'<a href="#e{s}">#{s}</a>' for s in v.events)
        items.append(f'<li id="v{i}" class="violation-text">{escape(str(v))} <span class="events">events: {links}'
                     "</span></li>")  # fmt: skip
    return '<h2>Violations</h2><ol class="violations">' + "".join(items) + "</ol>"


def _legend(real_time: bool) -> str:
    swatches = "".join(f'<span class="swatch" style="background:{c}"></span>{escape(s)} '
                       for s, c in STATUS_COLOURS.items())  # fmt: skip
    axis = "seconds since the run began" if real_time else "order of events (labels: virtual seconds)"
    return (
        f'<p class="legend">x: {axis}. Bars: statuses {swatches}. Thin lines: provider calls (red: the '
        "violation's). "
        "Vertical lines: crashes, stops, stalls, network cuts and heals, slowed engine links, restarts, recovery "
        "sweeps, skewed clocks. Blue bands: interleaved groups. "
        "Red circles: the violation's events."
        "</p>"
    )


CSS = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
.violations li { margin: .3em 0; font-family: monospace; }
.lane-bg { fill: #f7f7f7; }
.lane-name { font: bold 11px monospace; fill: #333; }
.inv, .tick { font: 10px monospace; fill: #555; }
.call { stroke: #222; stroke-width: 2; } .call.violation { stroke: #e00; stroke-width: 3; }
.event { fill: #444; }
.event.violation { fill: none; stroke: #e00; stroke-width: 2.5; }
.marker text { font: 10px monospace; }
.marker line { stroke-dasharray: 4 3; stroke-width: 1.5; }
.group rect { fill: #dbe9f7; opacity: .6; } .group text { font: 9px monospace; fill: #2e86c1; }
:target { stroke: #e00 !important; stroke-width: 5 !important; }
circle:target { r: 10; }
li:target { background: #ffe0e0; }
.swatch { display: inline-block; width: .9em; height: .9em; margin: 0 .2em 0 .6em; vertical-align: middle; }
pre { background: #f4f4f4; padding: .6em; overflow-x: auto; }
"""
