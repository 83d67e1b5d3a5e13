"""What a change of a task's concurrency policy means for its callers, in plain words.

``policy_diff(locked, current)`` compares two lock contents (:mod:`.lock`) and
gives one :class:`PolicyChange` per changed task: a task added, removed or
renamed (same policy, new id), or each option that changed, with what changes
for callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PolicyChange:
    """One changed task: ``what`` names it; each line of ``consequences`` is one option's change."""

    task: str
    what: str
    consequences: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        return "\n".join([f"{self.task}: {self.what}", *(f"  - {line}" for line in self.consequences)])

    def markdown(self) -> str:
        return "\n".join([f"- **{self.task}**: {self.what}", *(f"  - {line}" for line in self.consequences)])


POLICY_FIELDS = ("running", "registration", "key_arguments", "reroute", "retry_for", "max_retries", "key_types")


def policy_diff(locked: dict[str, Any], current: dict[str, Any]) -> list[PolicyChange]:
    """Every task whose policy differs between the lock and the app, in task-id order."""
    old, new = locked["tasks"], current["tasks"]
    removed = {tid: old[tid] for tid in old.keys() - new.keys()}
    added = {tid: new[tid] for tid in new.keys() - old.keys()}
    changes: list[PolicyChange] = []
    for tid, entry in sorted(added.items()):
        was = next((r for r, e in sorted(removed.items()) if _policy(e) == _policy(entry)), None)
        if was is not None:
            removed.pop(was)
            changes.append(
                PolicyChange(
                    tid,
                    f"renamed from {was}, same policy",
                    (
                        "its invocations and keys now live under the new task id; "
                        "invocations still queued under the old id are not its",
                    ),
                )
            )
            continue
        changes.append(PolicyChange(tid, f"added ({_summary(entry)})", ()))
    for tid, entry in sorted(removed.items()):
        changes.append(PolicyChange(tid, f"removed (was {_summary(entry)})", ()))
    for tid in sorted(old.keys() & new.keys()):
        lines = _consequences(old[tid], new[tid])
        if lines:
            changes.append(PolicyChange(tid, "policy changed", tuple(lines)))
    return sorted(changes, key=lambda c: c.task)


def _policy(entry: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(repr(entry[f]) for f in POLICY_FIELDS)


def _summary(entry: dict[str, Any]) -> str:
    keys = ", ".join(entry["key_arguments"]) or "-"
    return (
        f"running {entry['running']}, registration {entry['registration']}, keys ({keys}), "
        f"reroute {entry['reroute']}, max_retries {entry['max_retries']}"
    )


def _consequences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if old["running"] != new["running"]:
        lines.append(f"running concurrency {old['running']} -> {new['running']}: {_running(old, new)}")
    removed = [k for k in old["key_arguments"] if k not in new["key_arguments"]]
    added = [k for k in new["key_arguments"] if k not in old["key_arguments"]]
    if "keys" in (old["running"], old["registration"]) or "keys" in (new["running"], new["registration"]):
        for arg in removed:
            lines.append(f"key argument `{arg}` removed: calls that differ only in `{arg}` now exclude each other")
        kept = [k for k in new["key_arguments"] if k in old["key_arguments"]]
        for arg in added:
            same = f"the same {', '.join(f'`{k}`' for k in kept)}" if kept else "one task"
            lines.append(f"key argument `{arg}` added: calls for {same} with different `{arg}` may now overlap")
    if old["reroute"] != new["reroute"]:
        lines.append(
            "reroute True -> False: blocked calls now end CONCURRENCY_CONTROLLED_FINAL; their `result` raises"
            if old["reroute"]
            else "reroute False -> True: blocked calls are now rerouted and run later; none ends "
            "CONCURRENCY_CONTROLLED_FINAL, and each reroute costs a trip through the queue"
        )
    if old["registration"] != new["registration"]:
        lines.append(
            f"registration concurrency {old['registration']} -> {new['registration']}: "
            f"{_registration(old['registration'], new['registration'])}"
        )
    if old["max_retries"] != new["max_retries"]:
        lines.append(
            f"max_retries {old['max_retries']} -> {new['max_retries']}: a failing call now runs up to "
            f"{new['max_retries'] + 1} time(s) (was {old['max_retries'] + 1})"
        )
    if old["retry_for"] != new["retry_for"]:
        gone = sorted(set(old["retry_for"]) - set(new["retry_for"]))
        more = sorted(set(new["retry_for"]) - set(old["retry_for"]))
        parts = ([f"no longer retried on {', '.join(gone)}"] if gone else []) + (
            [f"now retried on {', '.join(more)}"] if more else []
        )
        lines.append("retry_for changed: " + "; ".join(parts))
    for arg in sorted(set(old["key_types"]) & set(new["key_types"])):
        if old["key_types"][arg] != new["key_types"][arg]:
            lines.append(
                f"key argument `{arg}` typed {old['key_types'][arg]} -> {new['key_types'][arg]}: callers "
                "that still pass the old type get other keys than those that pass the new one"
            )
    return lines


def _running(old: dict[str, Any], new: dict[str, Any]) -> str:
    before, after = old["running"], new["running"]
    if after == "disabled":
        return "calls now run at once whatever their arguments; nothing excludes them"
    if before == "disabled":
        return f"calls now exclude each other ({_scope(new)}) while one runs"
    return f"exclusion moves from {_scope(old)} to {_scope(new)}"


def _scope(entry: dict[str, Any]) -> str:
    mode = entry["running"]
    if mode == "task":
        return "one call of the task at a time"
    if mode == "arguments":
        return "one call per set of identical arguments"
    return f"one call per ({', '.join(entry['key_arguments'])})"


def _registration(before: str, after: str) -> str:
    if after == "disabled":
        return "every enqueue now creates a new invocation, even while an equal one is REGISTERED"
    if before == "disabled":
        return "enqueues while an equal one is REGISTERED now return the existing invocation"
    return f"which enqueues collapse into a REGISTERED one changes ({before} -> {after})"
