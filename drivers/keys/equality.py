"""The team's equality: search each key argument for values the team's code treats as one that pynenc keys apart.

"The same value" is the team's: its normaliser for the argument where it declares
one, else ``==``.  For each key argument the search draws pairs of values of the
argument's declared type, one *family* of pairs at a time:

* every construction path the type offers its callers (:data:`~.equal_forms.PATHS`:
  a model's default passed explicitly, a dict built in another order, a NamedTuple
  for a tuple, an enum's raw value, one object in two places, ...), each value built
  independently from the drawn value's parts;
* with a normaliser, the drawn value beside the same value with its strings
  transformed (case, surrounding whitespace, Unicode normal forms, ...), and two
  independently drawn values the normaliser maps together;
* distinct values, independently drawn or transformed, that must not share a key.

Each family is one Hypothesis search (:func:`hypothesis.find`, derandomized), which
shrinks a pair that breaks the rule to a minimal one: two values that are the same
to the team and get two keys (*split*), two that differ and get one key
(*collapsed*), or a value pynenc cannot serialize.  The values each search met are
then keyed again in processes with other hash seeds (:mod:`.audit`): a value whose
key depends on the process is a *process split*.
"""

from __future__ import annotations

import inspect
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from pynenc_suite.drivers.keys.audit import AuditRow, KeyedArgument, hint_of, key_verdict, keys_of, own_part
from pynenc_suite.recorder.keys import Normalisers
from pynenc_suite.strategies.equal_forms import (
    TRANSFORMS,
    Built,
    distinct_pairs,
    equal_pairs,
    paths_for,
    transformed_pairs,
)

NORMALISER = "normaliser"  # the drawn value and the same value with some strings transformed
NORMALISER_COLLISION = "normaliser-collision"  # two drawn values the normaliser maps together
DISTINCT = "distinct"  # values that differ to the team, independently drawn or transformed
PROCESS = "process"  # one value keyed in processes with other hash seeds
OTHER = "other:"  # prefix of a catalogue class's family (values of other types than the declared one)
# What each family's search looks for: pairs meant as one value must not split; distinct ones must not collapse.
LOOKS_FOR = {DISTINCT: ("collapsed", "cannot-serialize")}
SAME = ("split", "cannot-serialize")
SAMPLE_PER_FAMILY = 6  # values of each family's search keyed again in other processes
EXAMPLES = 50  # pairs drawn per family before a search gives up
TRANSFORM_EXAMPLES = 15  # pairs drawn per text transformation under a normaliser


@dataclass(frozen=True)
class Side:
    """One value of a pair: its repr, the expression that built it, and its part of pynenc's key."""

    value: Any
    how: str
    key: str

    def to_json(self) -> dict[str, str]:
        return {"repr": repr(self.value), "type": type(self.value).__name__, "how": self.how, "key": self.key}


@dataclass(frozen=True)
class KeyDefect:
    """Values of one key argument that pynenc keys against the team's equality.

    ``verdict``: split, collapsed, cannot-serialize or process-split; ``family``: the construction path,
    transformation or search that built the pair; ``seeds``: for a process split, the value's key under each
    PYTHONHASHSEED."""

    target: KeyedArgument
    verdict: str
    family: str
    sides: tuple[Side, ...]
    normaliser: str | None = None
    seeds: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.target.task}({self.target.argument}=...): {self.verdict} ({self.family})"

    def pair(self) -> str:
        """The values, how each was built and its key, on one line."""
        if self.verdict == "process-split":
            seeds_by_key: dict[str, list[int]] = {}
            for seed, key in sorted(self.seeds.items()):
                seeds_by_key.setdefault(key, []).append(seed)
            return f"{self.sides[0].how} -> " + "; ".join(
                f"PYTHONHASHSEED {', '.join(map(str, seeds))}: {key}" for key, seeds in seeds_by_key.items()
            )
        return " and ".join(f"{s.how} -> {s.key}" for s in self.sides)

    def values(self) -> str:
        """The values as built, without their keys: ``a`` vs ``b``, or one value and what differs."""
        if self.verdict == "process-split":
            return f"{self.sides[0].how}, keyed in {len(self.seeds)} processes: {len(set(self.seeds.values()))} keys"
        return " vs ".join(side.how for side in self.sides)

    def describe(self) -> str:
        return f"{self.label}: {self.pair()}"


@dataclass
class ArgumentAudit:
    """One key argument's search: the families tried, the pairs judged, what pynenc keyed wrongly, and the
    values to key again in other processes."""

    target: KeyedArgument
    hint: Any
    families: list[str]
    normaliser: str | None
    pairs: int = 0
    seconds: float = 0.0
    defects: list[KeyDefect] = field(default_factory=list)
    sample: list[Built] = field(default_factory=list)

    @property
    def type_name(self) -> str:
        return "untyped" if self.hint is inspect.Parameter.empty else getattr(self.hint, "__name__", repr(self.hint))


def search_argument(
    task: Any, target: KeyedArgument, normalisers: Normalisers | None, examples: int = EXAMPLES
) -> ArgumentAudit:
    """Every family of pairs for one key argument, each searched for a pair that breaks the team's equality."""
    hint = hint_of(task, target)
    normaliser = (normalisers or {}).get(target.task, {}).get(target.argument)
    families = [*paths_for(hint), *([NORMALISER, NORMALISER_COLLISION] if normaliser else []), DISTINCT]
    audit = ArgumentAudit(target, hint, families, _name(normaliser) if normaliser else None)
    started = time.perf_counter()
    for family in families:
        if family == NORMALISER:  # one transformation at a time, until one splits: each gets its own draws
            for name in TRANSFORMS:
                defect = _search(task, target, hint, f"{NORMALISER}:{name}", normalisers, audit, TRANSFORM_EXAMPLES)
                if defect is not None:
                    break
        else:
            defect = _search(task, target, hint, family, normalisers, audit, examples)
        if defect is not None and not (defect.verdict == "cannot-serialize" and _unserializable(audit)):
            audit.defects.append(defect)
    audit.seconds = time.perf_counter() - started
    return audit


def _unserializable(audit: ArgumentAudit) -> bool:
    """A value pynenc cannot serialize is reported once per argument, by the first family that met one."""
    return any(d.verdict == "cannot-serialize" for d in audit.defects)


def _search(task: Any, target: KeyedArgument, hint: Any, family: str, normalisers: Normalisers | None,
            audit: ArgumentAudit, examples: int) -> KeyDefect | None:  # fmt: skip
    met: list[Built] = []

    def breaks(pair: tuple[Built, Built]) -> bool:
        audit.pairs += 1
        if len(met) < SAMPLE_PER_FAMILY:
            met.extend(pair)
        return key_verdict(task, target, [b.value for b in pair], normalisers) in LOOKS_FOR.get(family, SAME)

    search = settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                      phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))  # fmt: skip
    try:
        found = find(pairs_of(hint, family), breaks, settings=search)
    except NoSuchExample:
        found = None
    audit.sample.extend(met[: 2 * SAMPLE_PER_FAMILY])
    if found is None:
        return None
    values = [b.value for b in found]
    keys = [own_part(k, target.argument) for k in keys_of(task, target, values)]
    sides = tuple(Side(b.value, b.how, k) for b, k in zip(found, keys, strict=True))
    return KeyDefect(target, key_verdict(task, target, values, normalisers), family, sides, audit.normaliser)


def pairs_of(hint: Any, family: str) -> st.SearchStrategy[tuple[Built, Built]]:
    """The pairs of one family for a value of ``hint`` (``normaliser:NAME``: the text transformation NAME)."""
    if family.startswith(f"{NORMALISER}:"):
        return transformed_pairs(hint, (family.split(":", 1)[1],))
    if family == NORMALISER_COLLISION:
        return distinct_pairs(hint)
    if family == DISTINCT:
        return distinct_pairs(hint) | transformed_pairs(hint)
    return equal_pairs(hint, family)


def process_defects(audit: ArgumentAudit, keys_by_seed: Mapping[int, Sequence[str]], here: Sequence[str]) -> None:
    """Add a process split for the simplest sampled value whose key differs between hash seeds (``here``: the
    keys this process computed, recorded under its PYTHONHASHSEED when it has a fixed one; ``keys_by_seed``: the
    same values' keys in other processes)."""
    seed_here = this_hash_seed()
    differing = [i for i, key in enumerate(here)
                 if any(keys[i] != key for keys in keys_by_seed.values())
                 and (seed_here is not None or len({keys[i] for keys in keys_by_seed.values()}) > 1)]  # fmt: skip
    if not differing:
        return
    first = min(differing, key=lambda i: (len(audit.sample[i].how), i))
    value = audit.sample[first]
    seeds = {seed: keys[first] for seed, keys in keys_by_seed.items()}
    if seed_here is not None:
        seeds[seed_here] = here[first]
    own = {seed: own_part(key, audit.target.argument) for seed, key in sorted(seeds.items())}
    audit.defects.append(KeyDefect(audit.target, "process-split", PROCESS, (Side(value.value, value.how, own[min(own)]),),
                                   audit.normaliser, own))  # fmt: skip


def catalogue_defect(row: AuditRow, across_processes: bool = False) -> KeyDefect:
    """A catalogue class's failing row as a defect (family ``other:CLASS``): its minimal members, or, across
    processes, the first sampled value whose key differs between hash seeds."""
    family = f"{OTHER}{row.cls.name}"
    if across_processes:
        i = next(i for i in range(len(row.sample)) if len({keys[i] for keys in row.process_keys.values()}) > 1)
        seeds = {seed: own_part(keys[i], row.target.argument) for seed, keys in sorted(row.process_keys.items())}
        value = row.sample[i]
        return KeyDefect(row.target, "process-split", family, (Side(value, repr(value), seeds[min(seeds)]),),
                         seeds=seeds)  # fmt: skip
    sides = tuple(
        Side(v, f"{v!r} ({type(v).__name__})", key) for v, (_, key) in zip(row.sample, row.example, strict=False)
    )
    return KeyDefect(row.target, row.verdict, family, sides)


def this_hash_seed() -> int | None:
    """This process's PYTHONHASHSEED if it was fixed (the command line fixes 0), else None (a random one)."""
    seed = os.environ.get("PYTHONHASHSEED", "")
    return int(seed) if seed.isdigit() else None


def _name(normaliser: Any) -> str:
    module = getattr(normaliser, "__module__", None)
    qualname = getattr(normaliser, "__qualname__", repr(normaliser))
    return qualname if module in (None, "builtins") else f"{module}.{qualname}"


def as_json(defect: KeyDefect) -> dict[str, Any]:
    """The defect as the failure folder's meta.json records it."""
    return {
        "task": defect.target.task, "argument": defect.target.argument, "mode": defect.target.mode.value,
        "verdict": defect.verdict, "family": defect.family, "normaliser": defect.normaliser,
        "sides": [s.to_json() for s in defect.sides], "seeds": {str(k): v for k, v in defect.seeds.items()},
    }  # fmt: skip
