"""The decision matrix as Markdown (and charts, when matplotlib is installed): measured numbers per policy
and cell, each claim of the seed article marked confirmed or refuted with its figure, and a recommendation
per workload class."""

from __future__ import annotations

import functools
import statistics
from collections.abc import Callable
from pathlib import Path

from pynenc_suite.matrix.grid import Cell
from pynenc_suite.matrix.measures import CellMeasure, spread
from pynenc_suite.matrix.sweep import Results

ROUTED, DROP, DEDUP = "reroute=True", "reroute=False", "registration KEYS"


def _mean(results: Results, policy: str, cell: Cell, of: Callable[[CellMeasure], float]) -> float:
    return statistics.fmean(of(m) for m in results.measured[(policy, cell)])


def _figure(results: Results, policy: str, cell: Cell, of: Callable[[CellMeasure], float], fmt: str) -> str:
    mean, low, high = spread([of(m) for m in results.measured[(policy, cell)]])
    if results.grid.repeats == 1:
        return format(mean, fmt)
    return f"{mean:{fmt}} ({low:{fmt}}-{high:{fmt}})"


def tables(results: Results) -> list[str]:
    lines = []
    for policy, task in results.policies.items():
        lines += [f"### {policy} (`{task}`)", "",
                  "| accounts | calls per account | hold s | threads | makespan s | latency p50 s | p95 s "
                  "| completed calls | collisions | dropped | reroutes per completed call | collapsed | busy threads "
                  "| decided violations |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for cell in results.grid.cells():
            f = functools.partial(_figure, results, policy, cell)
            lines.append(
                f"| {cell.accounts} | {cell.calls_per_account} | {cell.hold:g} | {cell.pool} | {f(lambda m: m.makespan, '.2f')} | {f(lambda m: m.latency_p50, '.2f')} "
                f"| {f(lambda m: m.latency_p95, '.2f')} | {f(lambda m: m.completed_calls, '.0f')} "
                f"| {f(lambda m: m.collisions, '.0f')} | {f(lambda m: m.drops, '.0f')} "
                f"| {f(lambda m: m.reroutes_per_completed, '.2f')} | {f(lambda m: m.collapsed, '.0f')} "
                f"| {f(lambda m: 100 * m.busy, '.0f')}% | {results.violations[(policy, cell)]} |"
            )
        lines.append("")
    return lines


def claims(results: Results) -> list[str]:
    cells = results.grid.cells()
    out = ["## The seed article's claims, measured", ""]
    # 1. reroute=True costs about 50% more time than reroute=False.
    by_level = {}
    for accounts in results.grid.accounts:
        ratios = [_mean(results, ROUTED, c, lambda m: m.makespan) / max(_mean(results, DROP, c, lambda m: m.makespan), 1e-9)
                  for c in cells if c.accounts == accounts]  # fmt: skip
        by_level[accounts] = statistics.fmean(ratios)
    near = all(1.3 <= r <= 1.7 for r in by_level.values())
    figures = "; ".join(f"{a} account(s): {100 * (r - 1):+.0f}%" for a, r in by_level.items())
    out.append(f"1. **\"reroute=True costs ~50% more time (queue cycling)\"**: {'confirmed' if near else 'refuted'}. "
               f"Makespan of reroute=True against reroute=False on the same workload, mean over thread pools: {figures}. "
               "reroute=False finishes sooner partly because it does less: it drops the blocked calls.")  # fmt: skip
    # 2. reroute=False has the lowest latency.
    lowest = sum(1 for c in cells
                 if _mean(results, DROP, c, lambda m: m.latency_p50)
                 <= min(_mean(results, p, c, lambda m: m.latency_p50) for p in results.policies))  # fmt: skip
    out.append(f"2. **\"reroute=False achieves the lowest latency\"**: {'confirmed' if lowest == len(cells) else 'refuted'}. "
               f"Its median enqueue-to-final latency is the lowest of the three policies in {lowest} of {len(cells)} "
               "cells (a dropped call's latency is the time to be dropped).")  # fmt: skip
    # 3. registration KEYS prevents queue bloat.
    collapsed = sum(_mean(results, DEDUP, c, lambda m: m.collapsed) for c in cells)
    routed = sum(_mean(results, ROUTED, c, lambda m: m.reroutes_per_completed) for c in cells) / len(cells)
    dedup = sum(_mean(results, DEDUP, c, lambda m: m.reroutes_per_completed) for c in cells) / len(cells)
    confirmed = collapsed > 0 and dedup < routed
    out.append(f"3. **\"registration KEYS prevents queue bloat\"**: {'confirmed' if confirmed else 'refuted'}. "
               f"Over the grid it collapsed {collapsed:.0f} enqueues into queued invocations, and rerouted "
               f"{dedup:.2f} times per completed call against {routed:.2f} for reroute=True alone.")  # fmt: skip
    # 4. Pool sizing: much larger than the active keys idles, much smaller starves.
    large = [c for c in cells if c.pool >= 4 * c.accounts]
    small = [c for c in cells if c.pool < c.accounts]
    busy_large = statistics.fmean(_mean(results, ROUTED, c, lambda m: m.busy) for c in large) if large else None
    fitted = [c for c in cells if c.accounts <= c.pool < 4 * c.accounts] or [c for c in cells if c.pool >= c.accounts]
    busy_fit = statistics.fmean(_mean(results, ROUTED, c, lambda m: m.busy) for c in fitted) if fitted else None
    if busy_large is not None and busy_fit is not None:
        idles = busy_large < busy_fit
        out.append(f"4a. **\"a pool much larger than the active keys idles\"**: {'confirmed' if idles else 'refuted'}. "
                   f"reroute=True keeps {100 * busy_large:.0f}% of its threads busy with 4 or more threads per key, "
                   f"against {100 * busy_fit:.0f}% with about one per key.")  # fmt: skip
    if small:
        starved = statistics.fmean(_mean(results, ROUTED, c, lambda m: m.latency_p95) for c in small)
        enough = statistics.fmean(_mean(results, ROUTED, c, lambda m: m.latency_p95) for c in cells if c.pool >= c.accounts
                                  and c.accounts in {s.accounts for s in small}) if any(
            c.pool >= c.accounts and c.accounts in {s.accounts for s in small} for c in cells) else None  # fmt: skip
        if enough is not None:
            out.append(f"4b. **\"a pool much smaller than the active keys starves keys\"**: "
                       f"{'confirmed' if starved > enough else 'refuted'}. reroute=True's p95 latency is "
                       f"{starved:.2f}s with fewer threads than keys, {enough:.2f}s with at least one per key "
                       "(same account counts).")  # fmt: skip
    return [*out, ""]


def recommendations(results: Results) -> list[str]:
    cells = results.grid.cells()
    drops = sum(_mean(results, DROP, c, lambda m: m.drops) for c in cells)
    calls = sum(c.accounts * c.calls_per_account for c in cells)
    collapsed = sum(_mean(results, DEDUP, c, lambda m: m.collapsed) for c in cells)
    return [
        "## Recommendation per workload",
        "",
        "| workload | low contention (many keys) | high contention (few keys) |",
        "|---|---|---|",
        "| stateful (each call must happen) | reroute=True: it completes every call | reroute=True, with at least one "
        f"thread per active key; reroute=False dropped {drops:.0f} of {calls} calls over this grid |",
        "| idempotent (a repeat is redundant) | reroute=True or registration KEYS | registration KEYS: it collapsed "
        f"{collapsed:.0f} enqueues over this grid; reroute=False only where dropping is harmless |",
        "",
    ]


def markdown(results: Results, command: str, machine: str) -> str:
    lines = ["# Decision matrix, measured", "",
             f"`{command}`: {results.engine}, {results.runner}, {results.grid.repeats} repeat(s) per cell, "
             f"{results.seconds:.0f} s. Machine: {machine}.", "",
             "Each cell enqueues every call within 0.1 s from two producers; each call holds the provider for the "
             f"cell's hold time ({', '.join(f'{h:g} s' for h in results.grid.holds)}), "
             f"{' or '.join(str(c) for c in results.grid.calls_per_account)} calls per account. "
             "Figures are means over the repeats, with (min-max) when repeated.", ""]  # fmt: skip
    return "\n".join([*lines, *claims(results), *recommendations(results), "## Measurements", "", *tables(results)])


def charts(results: Results, folder: Path) -> list[Path]:
    """PNG charts, if matplotlib is installed (the ``charts`` extra); none otherwise."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    for name, of, label in (("makespan", lambda m: m.makespan, "makespan (s)"),
                            ("busy", lambda m: 100 * m.busy, "busy threads (%)")):  # fmt: skip
        figure, axes = plt.subplots(
            1, len(results.grid.pools), figsize=(4 * len(results.grid.pools), 3.2), squeeze=False
        )
        for axis, pool in zip(axes[0], results.grid.pools, strict=True):
            for policy in results.policies:
                first = (results.grid.calls_per_account[0], results.grid.holds[0])
                points = [(c.accounts, _mean(results, policy, c, of)) for c in results.grid.cells()
                          if c.pool == pool and (c.calls_per_account, c.hold) == first]  # fmt: skip
                axis.plot([a for a, _ in points], [v for _, v in points], marker="o", label=policy)
            axis.set_xscale("log", base=2)
            axis.set_title(f"{pool} thread(s)")
            axis.set_xlabel("distinct accounts")
            axis.set_ylabel(label)
        axes[0][0].legend(fontsize=7)
        figure.tight_layout()
        path = folder / f"matrix-{name}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)
    return written
