"""The policy lock: every task's concurrency policy as reviewed, in a diff-friendly file.

``pynenc-suite lock APP`` writes ``pynenc-policies.lock`` (JSON, keys sorted): for
each task of the app, its running and registration concurrency, key arguments,
reroute, retry settings and the declared types of its key arguments.  The gate
compares the app with the lock before running anything; a change is a failure
until someone accepts it with ``pynenc-suite lock APP --update``
(:mod:`.policy_diff` says what each change means for callers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = "pynenc-suite-policy-lock/1"
DEFAULT_PATH = Path("pynenc-policies.lock")
TASK_FIELDS = frozenset(
    {"name", "running", "registration", "key_arguments", "reroute", "retry_for", "max_retries", "key_types"}
)


class LockError(ValueError):
    """The lock cannot be used (corrupt, another app's, an unknown field); ``str()`` is one line."""


def snapshot(target: Any) -> dict[str, Any]:
    """The lock's content for ``target``: one entry per task, keyed by pynenc's task id."""
    from pynenc_suite.strategies.arguments import declared_types

    tasks = {}
    for name, task in target.tasks.items():
        conf = task.conf
        hints = declared_types(task.func)
        keys = tuple(conf.key_arguments)
        tasks[task.task_id.key] = {
            "name": name,
            "running": conf.running_concurrency.value,
            "registration": conf.registration_concurrency.value,
            "key_arguments": list(keys),
            "reroute": bool(conf.reroute_on_concurrency_control),
            "retry_for": sorted(f"{e.__module__}.{e.__qualname__}" for e in conf.retry_for),
            "max_retries": int(conf.max_retries),
            "key_types": {arg: _type_name(hints.get(arg)) for arg in keys},
        }
    return {"format": FORMAT, "app": target.app.app_id, "tasks": tasks}


def _type_name(hint: Any) -> str:
    import inspect

    if hint is None or hint is inspect.Parameter.empty:
        return "untyped"
    if isinstance(hint, type):
        return f"{hint.__module__}.{hint.__qualname__}".removeprefix("builtins.")
    return str(hint).replace("typing.", "")


def dumps(content: dict[str, Any]) -> str:
    return json.dumps(content, indent=2, sort_keys=True) + "\n"


def read(path: Path, app_id: str) -> dict[str, Any]:
    """The lock at ``path``, checked: its format, that it was written for ``app_id``, and its fields."""
    try:
        content = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise LockError(f"policy lock {path}: cannot be read as JSON ({type(error).__name__}: {error})") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT or not isinstance(content.get("tasks"), dict):
        raise LockError(f"policy lock {path}: not a {FORMAT} file")
    if content.get("app") != app_id:
        raise LockError(f"policy lock {path}: written for app {content.get('app')!r}, not {app_id!r}")
    unknown = sorted({f for entry in content["tasks"].values() for f in entry} - TASK_FIELDS)
    if unknown:
        raise LockError(f"policy lock {path}: unknown field(s) {', '.join(unknown)}")
    missing = sorted({f for entry in content["tasks"].values() for f in TASK_FIELDS - set(entry)})
    if missing:
        raise LockError(f"policy lock {path}: missing field(s) {', '.join(missing)}")
    return content


def write(path: Path, content: dict[str, Any]) -> None:
    path.write_text(dumps(content))
