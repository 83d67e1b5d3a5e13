"""Key serialization audit: do values that mean the same account get one pynenc concurrency key?

For a task's key argument and a class of equal values (``strategies.equal_keys``)
the audit searches, with Hypothesis, for members of a class that are equal (in
Python, or after the user's normaliser) but get different concurrency keys from
pynenc's own key computation (``Call.serialized_args_for_concurrency_control``).
It also computes the keys of one sample of members in separate processes started
with different ``PYTHONHASHSEED`` values, to catch keys that depend on the
process (set iteration order).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from pynenc_suite.drivers.child_env import child_environment
from pynenc_suite.history.model import Mode
from pynenc_suite.recorder.keys import Normalisers, normalised
from pynenc_suite.strategies.arguments import declared_types
from pynenc_suite.strategies.equal_keys import RISK, EqualityClass, is_risk

HASH_SEEDS = (1, 2, 3)
PROBE_MODULE = "pynenc_suite.drivers.keys.probe"


@dataclass(frozen=True)
class KeyedArgument:
    """One argument that takes part in a task's concurrency key, and the mode that uses it."""

    task: str
    argument: str
    mode: Mode


@dataclass
class AuditRow:
    target: KeyedArgument
    cls: EqualityClass
    verdict: str  # one-key / distinct-keys / risk / split / collapsed / cannot-serialize
    example: list[tuple[str, str]] = field(default_factory=list)  # (value repr, pynenc key)
    sample: tuple[Any, ...] = ()
    process_keys: dict[int, list[str]] = field(default_factory=dict)  # PYTHONHASHSEED -> keys of sample

    @property
    def process_stable(self) -> bool | None:
        if not self.process_keys:
            return None
        return len({json.dumps(keys) for keys in self.process_keys.values()}) == 1

    def describe(self) -> str:
        shown = "; ".join(f"{value} -> {key}" for value, key in self.example[:3])
        return f"{self.verdict}: {shown}" if shown else self.verdict


def keyed_arguments(name: str, task: Any, policy: Any) -> list[KeyedArgument]:
    """Arguments whose values decide the task's keys: KEYS -> key_arguments, ARGUMENTS -> all parameters."""
    import inspect

    out: list[KeyedArgument] = []
    for mode in (policy.running, policy.registration):
        if mode is Mode.KEYS:
            names: Sequence[str] = policy.key_arguments
        elif mode is Mode.ARGUMENTS:
            names = list(inspect.signature(task.func).parameters)
        else:
            continue
        out += [KeyedArgument(name, arg, mode) for arg in names if KeyedArgument(name, arg, mode) not in out]
    return out


def concurrency_key(task: Any, mode: Mode, kwargs: Mapping[str, Any]) -> str:
    """pynenc's own serialized key for a call of ``task`` under ``mode``."""
    from pynenc.arguments import Arguments
    from pynenc.call import Call
    from pynenc.conf.config_task import ConcurrencyControlType

    call: Call = Call(task, Arguments(dict(kwargs), app=task.app))
    return json.dumps(call.serialized_args_for_concurrency_control(ConcurrencyControlType(mode.value)), sort_keys=True)


def _kwargs(task: Any, argument: str, value: Any) -> dict[str, Any]:
    import inspect

    return {name: (value if name == argument else None) for name in inspect.signature(task.func).parameters}


def keys_of(task: Any, target: KeyedArgument, values: Sequence[Any]) -> list[str]:
    """Keys for ``values`` of one argument, other arguments fixed; an error becomes ``!ErrorType: message``."""
    keys = []
    for value in values:
        try:
            keys.append(concurrency_key(task, target.mode, _kwargs(task, target.argument, value)))
        except Exception as error:  # noqa: BLE001 - what pynenc raises is the audit's observation
            keys.append(f"!{type(error).__name__}: {str(error).splitlines()[0]}")
    return keys


def _same_for_user(target: KeyedArgument, members: Sequence[Any], normalisers: Normalisers | None) -> bool:
    values = [normalised(target.task, {target.argument: v}, normalisers)[target.argument] for v in members]
    try:
        return all(values[0] == v for v in values[1:])
    except Exception:  # noqa: BLE001 - uncomparable values are not the same
        return False


def key_verdict(task: Any, target: KeyedArgument, members: Sequence[Any], normalisers: Normalisers | None) -> str:
    """The rule: one key exactly when the user considers the values one account; every value serializes."""
    keys = keys_of(task, target, members)
    if any(k.startswith("!") or _unreadable(k, target.argument, v) for k, v in zip(keys, members, strict=True)):
        return "cannot-serialize"
    same = _same_for_user(target, members, normalisers)
    if same:
        return "one-key" if len(set(keys)) == 1 else "split"
    return "distinct-keys" if len(set(keys)) == len(keys) else "collapsed"


GOOD = frozenset({"one-key", "distinct-keys", RISK})  # a risk is reported, not failed


def _unreadable(key: str, argument: str, value: Any) -> bool:
    """pynenc serializes what it cannot read as JSON null: a non-None value keyed as null lost its identity."""
    try:
        return value is not None and json.loads(json.loads(key)[argument]) is None
    except (ValueError, KeyError, TypeError):
        return False


def audit(
    task: Any, target: KeyedArgument, cls: EqualityClass, normalisers: Normalisers | None = None, examples: int = 40
) -> AuditRow:
    """Search ``cls`` for members that break the rule of :func:`key_verdict`; report the minimal ones, or a sample."""
    search = settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    try:
        members = find(cls.members, lambda g: key_verdict(task, target, g, normalisers) not in GOOD, settings=search)
    except NoSuchExample:
        members = find(cls.members, lambda g: True, settings=search)
    verdict = key_verdict(task, target, members, normalisers)
    if verdict == "distinct-keys" and is_risk(cls, hint_of(task, target)):
        verdict = RISK
    return AuditRow(target, cls, verdict, _pairs(task, target, members), tuple(members))


def hint_of(task: Any, target: KeyedArgument) -> Any:
    """The declared type of the audited argument (``inspect.Parameter.empty`` if it has none)."""
    import inspect

    return declared_types(task.func).get(target.argument, inspect.Parameter.empty)


def _pairs(task: Any, target: KeyedArgument, members: Sequence[Any]) -> list[tuple[str, str]]:
    return [
        (f"{v!r} ({type(v).__name__})", own_part(k, target.argument))
        for v, k in zip(members, keys_of(task, target, members), strict=True)
    ]


def own_part(key: str, argument: str) -> str:
    """The part of a serialized key that belongs to ``argument`` (the rest is the fixed other arguments)."""
    try:
        return json.loads(key)[argument]
    except (ValueError, KeyError, TypeError):
        return key


def keys_in_processes(
    spec: str,
    jobs: Sequence[tuple[KeyedArgument, Sequence[Any]]],
    seeds: Sequence[int] = HASH_SEEDS,
    engine: str = "memory",
) -> dict[int, list[list[str]]]:
    """Each job's values keyed in fresh processes, one per PYTHONHASHSEED, all started at once: seed -> one key
    list per job.  Every value must pickle (it crosses to the other process as a pickle)."""
    request_jobs = [(t.task, t.argument, t.mode.value, list(values)) for t, values in jobs]
    out: dict[int, list[list[str]]] = {}
    with tempfile.TemporaryDirectory(prefix="pynenc-suite-keys-") as folder:
        request = Path(folder) / "request.pickle"
        request.write_bytes(pickle.dumps((spec, engine, request_jobs)))
        probes = {
            seed: subprocess.Popen(
                [sys.executable, "-m", PROBE_MODULE, str(request)],
                env=child_environment(PYTHONHASHSEED=str(seed)),
                cwd=os.getcwd(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for seed in seeds
        }
        for seed, probe in probes.items():
            stdout, err = probe.communicate(timeout=120)
            if probe.returncode != 0:
                raise RuntimeError(f"key probe (PYTHONHASHSEED={seed}) failed: {err.strip().splitlines()[-1:]}")
            out[seed] = json.loads(stdout.strip().splitlines()[-1])
    return out


def add_process_keys(
    spec: str, audited: list[AuditRow], seeds: Sequence[int] = HASH_SEEDS, engine: str = "memory"
) -> None:
    """Compute each row's sample keys in fresh processes, one per PYTHONHASHSEED."""
    rows = [r for r in audited if picklable(r.sample)]  # a value that cannot be pickled cannot cross processes
    by_seed = keys_in_processes(spec, [(r.target, r.sample) for r in rows], seeds, engine)
    for seed, key_lists in by_seed.items():
        for row, keys in zip(rows, key_lists, strict=True):
            row.process_keys[seed] = keys


def picklable(values: Sequence[Any]) -> bool:
    try:
        pickle.dumps(values)
        return True
    except Exception:  # noqa: BLE001 - any pickling failure means "cannot be sent"
        return False


@contextmanager
def on_engine(app: Any, engine: str) -> Iterator[None]:
    """Keys are computed on the engine the gate puts under the app, never on the app's own servers: a large
    value's key goes through the client data store, which for a Redis-configured app would need its Redis."""
    from pynenc_suite.engines.instance import in_process
    from pynenc_suite.engines.registry import get

    with in_process(app, get(engine)):
        yield
