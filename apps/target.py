"""The app under test: the reference app, or the user's app named ``package.module:attribute``.

Loading a user's app finds every task with a concurrency policy and keeps the
real Task object, options and key arguments.  Unless asked to run the real
bodies, each body is replaced by a recording probe with the same signature that
makes one provider call, so the suite observes exactly when pynenc lets the
invocation run.  Mistakes a user can make are reported as :class:`TargetError`
with one line that says what to fix.
"""

from __future__ import annotations

import copy
import functools
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pynenc_suite.apps import REFERENCE_APP
from pynenc_suite.apps.policies import PolicyError, validate
from pynenc_suite.history.model import TaskPolicy
from pynenc_suite.provider.failures import call_provider_or_fail
from pynenc_suite.recorder.policies import policy_of, task_name
from pynenc_suite.schedules.tasks import TaskUnderTest
from pynenc_suite.strategies.arguments import check_parameters
from pynenc_suite.strategies.types import TypeNotDrawable


class TargetError(Exception):
    """The app given to the suite cannot be tested; ``str()`` is the one-line reason."""


@dataclass
class Target:
    app: Any
    spec: str
    tasks: dict[str, Any] = field(default_factory=dict)  # every user task, by name
    probed: bool = False
    engine: str = "memory"  # the in-process engine the gate puts under the app (engines.registry)
    normalisers: Any = None  # {task: {argument: callable}}: the user's declared key equivalence
    policies: dict[str, TaskPolicy] = field(default_factory=dict)  # as declared, read once at load
    # Tasks judged by another contract than their own (judged_by): their configured policy.
    configured: dict[str, TaskPolicy] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.policies = {name: policy_of(task) for name, task in self.tasks.items()}
        self.functions = {name: task.func for name, task in self.tasks.items()}

    def judged_by(self, contracts: dict[str, TaskPolicy]) -> Target:
        """The same app and tasks, with histories recorded and judged by ``contracts`` (task: policy).

        The tasks keep running as configured; this is how an old policy's contract (a policy
        lock's) is checked against the app as it is now."""
        judged = copy.copy(self)
        judged.policies = {**self.policies, **contracts}
        judged.configured = {**self.configured, **{name: self.policies[name] for name in contracts}}
        return judged

    @property
    def controlled(self) -> dict[str, Any]:
        return {
            name: task
            for name, task in self.tasks.items()
            if self.policies[name].controls_running or self.policies[name].controls_registration
        }

    def under_test(self, name: str) -> TaskUnderTest:
        policy = self.policies[name]
        return TaskUnderTest(
            name=name, func=self.functions[name], key_arguments=policy.key_arguments, retries=policy.retries
        )

    @contextmanager
    def probes(self) -> Iterator[None]:
        """Replace controlled task bodies by recording probes while the block runs."""
        if not self.probed:
            yield
            return
        # A task judged by another contract is probed if either policy controls it.
        probed = {**self.controlled, **{name: self.tasks[name] for name in self.configured}}
        saved = {name: task.func for name, task in probed.items()}
        try:
            for name, task in probed.items():
                task.func = _probe(self.app.app_id, name, saved[name])
            yield
        finally:
            for name, task in probed.items():
                task.func = saved[name]


def _probe(app_id: str, name: str, original: Any) -> Any:
    @functools.wraps(original)
    def probe(*args: Any, **kwargs: Any) -> dict:
        return call_provider_or_fail(app_id, name, "probe")

    return probe


def load(spec: str = REFERENCE_APP, probed: bool | None = None, engine: str = "memory", strict: bool = True) -> Target:
    """Import ``package.module:attribute`` and check it is a pynenc app with controlled tasks.

    ``strict=False`` (the doctor) keeps tasks whose policy or argument types the suite cannot use,
    so that each is reported as an item instead of stopping the load."""
    from pynenc import Pynenc

    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise TargetError(f"app {spec!r}: expected 'package.module:app_attribute'")
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001 - any import failure is the user's to fix
        raise TargetError(f"app {spec!r}: cannot import module {module_name!r}: {error}") from None
    app = getattr(module, attribute, None)
    if app is None:
        raise TargetError(f"app {spec!r}: module {module_name!r} has no attribute {attribute!r}")
    if not isinstance(app, Pynenc):
        raise TargetError(f"app {spec!r}: {attribute!r} is a {type(app).__name__}, not a pynenc.Pynenc app")
    own = [task for task in app.tasks.values() if not task.func.__module__.startswith("pynenc.")]
    tasks = {task_name(task): task for task in own}
    if len(tasks) < len(own):
        same = sorted({t.task_id.key for t in own if sum(task_name(o) == task_name(t) for o in own) > 1})
        raise TargetError(
            f"app {spec!r}: tasks {', '.join(same)} share a function name; the suite names tasks by function "
            "name, so give each task its own"
        )
    target = Target(
        app=app, spec=spec, tasks=tasks, probed=(spec != REFERENCE_APP) if probed is None else probed, engine=engine
    )
    if not target.controlled:
        raise TargetError(
            f"app {spec!r}: no task has a concurrency policy "
            f"(tasks: {', '.join(tasks) or 'none'}); set running_concurrency or registration_concurrency"
        )
    # A Target is an app the suite can test: its policies can be enforced and its arguments drawn (which types
    # can be drawn is the strategies' to say, so the check is theirs; callers import a team's own first: load_strategies).
    for name, task in target.controlled.items() if strict else ():
        try:
            validate(task)
            check_parameters(name, target.functions[name])
        except (PolicyError, TypeNotDrawable) as error:
            raise TargetError(f"app {spec!r}: {error}") from None
    return target


def load_strategies(module: str) -> None:
    """Import ``module``, where a team registers strategies for its own types (``register_type_strategy``)."""
    try:
        importlib.import_module(module)
    except Exception as error:  # noqa: BLE001 - any import failure is the user's to fix
        raise TargetError(f"strategies module {module!r} cannot be imported: {error}") from None


def load_normalisers(spec: str) -> Any:
    """Import ``package.module:ATTRIBUTE`` holding ``{task: {argument: callable}}`` (the user's key equivalence)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep:
        raise TargetError(f"key normalisers {spec!r}: expected 'package.module:ATTRIBUTE'")
    try:
        value = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise TargetError(f"key normalisers {spec!r}: {error}") from None
    ok = isinstance(value, dict) and all(
        isinstance(per_arg, dict) and all(callable(f) for f in per_arg.values()) for per_arg in value.values()
    )
    if not ok:
        raise TargetError(f"key normalisers {spec!r}: expected a dict {{task: {{argument: callable}}}}")
    return value
