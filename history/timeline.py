"""A per-key text timeline of a history, for failure messages.

Events are grouped by (task, running key identity); invocations get short labels (I1, I2,
...) with a legend; the events that prove a violation are marked ``>>``.  Events with no
invocation and no key (crash, stop, start, recover, drain) go to a "runners" section;
clock ticks are left out unless marked.
"""

from __future__ import annotations

from collections.abc import Iterable

from pynenc_suite.history.model import Event, History, Kind, Violation
from pynenc_suite.history.queries import invocations


def _describe(ev: Event, labels: dict[str, str]) -> str:
    parts = [labels.get(ev.invocation_id or "", ""), ev.kind.value]
    if ev.status:
        parts.append(ev.status)
    if ev.outcome:
        parts.append(ev.outcome)
    if ev.kind in (Kind.ENQUEUE, Kind.REUSED) and ev.reg_key is not None:
        parts.append(f"reg={ev.reg_key.identity}")
    if ev.probe:
        parts.append("probe")
    if ev.via:
        parts.append(f"via {ev.via}")
    if ev.detail:
        parts.append(f"({ev.detail})")
    return " ".join(p for p in parts if p)


def _line(ev: Event, marked: set[int], labels: dict[str, str]) -> str:
    mark = ">>" if ev.seq in marked else "  "
    return f"{mark} #{ev.seq:<4} t={ev.time:<7.2f} {ev.worker or '-':<6} {_describe(ev, labels)}"


Lane = tuple[str | None, str | None]  # (task, running key identity)


def lanes(history: History) -> tuple[dict[Lane, list[Event]], list[Event], dict[str, str]]:
    """(events by lane, events of no invocation and no key, invocation labels I1, I2, ...)."""
    infos = invocations(history)
    labels = {inv: f"I{i}" for i, inv in enumerate(infos, 1)}
    groups: dict[Lane, list[Event]] = {}
    runners: list[Event] = []
    for ev in history:
        info = infos.get(ev.invocation_id or "")
        task = ev.task or (info.task if info else None)
        key = ev.key or (info.key if info else None)
        if ev.invocation_id is None and key is None:
            runners.append(ev)
            continue
        groups.setdefault((task, key.identity if key else None), []).append(ev)
    return groups, runners, labels


def render(history: History, violations: Iterable[Violation] = (), only_violated: bool = True) -> str:
    """Render the timeline; with violations and ``only_violated``, only the keys they touch."""
    violations = list(violations)
    marked = {s for v in violations for s in v.events}
    infos = invocations(history)
    groups, every_runner_event, labels = lanes(history)
    runners = [ev for ev in every_runner_event if ev.kind is not Kind.CLOCK or ev.seq in marked]

    wanted = set(groups)
    if violations and only_violated:
        touched = {(v.task, v.key) for v in violations}
        wanted = {g for g, evs in groups.items() if g in touched or any(e.seq in marked for e in evs)}

    out = []
    for v in violations:
        out.append(f"!! {v}")
    shown = {e.invocation_id for g in wanted for e in groups[g] if e.invocation_id}
    legend = [f"{labels[i]}={i} ({infos[i].task})" + (" probe" if infos[i].probe else "") for i in infos if i in shown]
    if legend:
        out.append("invocations: " + ", ".join(legend))
    for task, key in sorted(wanted, key=lambda g: (str(g[0]), str(g[1]))):
        out.append(f"== {task} key={key} ==")
        out.extend(_line(e, marked, labels) for e in groups[(task, key)])
    if runners:
        out.append("== runners ==")
        out.extend(_line(e, marked, labels) for e in runners)
    return "\n".join(out)
