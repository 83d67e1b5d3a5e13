"""Why pynenc keyed two values against the team's equality, and what the team can change so it does not.

Every fix named here changes what pynenc is given (one canonical value at the call
site, key arguments of plain types, a value without sets); none of them is a
normaliser, because a normaliser (``--key-normalisers``) only tells this suite which
values the team's code treats as one: pynenc still keys the raw value.  Where the
cause is a recorded pynenc defect (FINDINGS.md), the advice names it; the failure is
still the team's, since its own callers build both values.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynenc_suite.drivers.keys.equality import KeyDefect

NORMALISER_NOTE = (
    "a normaliser (--key-normalisers) only tells this suite which values your code treats as one; "
    "pynenc still keys the raw value, so declaring one never fixes a split"
)
PYDANTIC_STATE = "__pydantic_fields_set__"  # in a key: pynenc serialized a pydantic model's internal state


@dataclass(frozen=True)
class Advice:
    """The cause of a key defect in one sentence, the finding it is an instance of (if recorded), and the fix."""

    cause: str
    fix: str
    finding: str | None = None


# Split of two values equal in Python, by the construction path that built the second: (cause, fix).
SPLIT_BY_PATH: dict[str, tuple[str, str]] = {
    "enum-value": (
        "pynenc serializes an enum member as its class and value, and the raw value as a plain value",
        "convert at every call site so all callers pass one kind: the member ({type}(value)), or the "
        "raw value (member.value) with the argument declared as the raw type",
    ),
    "namedtuple": (
        "pynenc serializes a NamedTuple as an object of its class, and a tuple as a tuple",
        "pass tuple(value) at every call site, or declare the NamedTuple type and build it everywhere",
    ),
    "dict-order": (
        "pynenc serializes a dict in insertion order, so equal dicts built in another order differ",
        "pass dict(sorted(value.items())) at every call site, or key on a sorted tuple of its items",
    ),
    "set-order": (
        "pynenc serializes a set in iteration order, which depends on how the set was built",
        "pass a sorted tuple instead of a set",
    ),
    "shared-parts": (
        "pynenc's serializer writes an object met twice as a reference to its first place (py/id), "
        "so one object in two places and two equal objects differ",
        "key on plain values (str, int), or build the value from fresh parts at every call site",
    ),
    "int-for-float": ("pynenc serializes 2 and 2.0 differently", "pass float(value) at every call site"),
    "negative-zero": ("pynenc serializes -0.0 and 0.0 differently", "pass value + 0.0 (it turns -0.0 into 0.0)"),
    "decimal-exponent": (
        "pynenc serializes a Decimal with its exponent (1.5 and 1.50 differ)",
        "pass value.normalize() (or one quantize) at every call site",
    ),
    "timezone": (
        "pynenc serializes a datetime with its time zone, so one instant in two zones differs",
        "convert at every call site: value.astimezone(datetime.UTC)",
    ),
    "path-flavour": (
        "pynenc serializes a path with its class (PurePosixPath and PosixPath differ)",
        "pass str(path), or one path class, at every call site",
    ),
}
SPLIT_BY_PATH |= {
    "str-subclass": (
        "pynenc serializes a str subclass as an object of its class, and a str as a string",
        "pass str(value) at every call site",
    ),
    "int-bool": ("pynenc serializes True and 1 differently", "pass int(value) at every call site"),
    "int-decimal": ("pynenc serializes a Decimal and an int differently", "pass one numeric type at every call site"),
}
# A catalogue class (family ``other:CLASS``) whose advice is a construction path's.
PATH_OF_CLASS = {"strenum-value": "enum-value", "intenum-value": "enum-value", "tuple-namedtuple": "namedtuple",
                 "int-float": "int-for-float", "datetime-timezone": "timezone", "path-pure-concrete": "path-flavour",
                 "frozenset-order": "set-order"}  # fmt: skip
BUILT_TWO_WAYS = (
    "pynenc serializes how the value was built, not only what it equals",
    "key on plain fields (str, int) that every caller passes the same way, e.g. key_arguments "
    "naming them instead of the object",
)
MODEL_STATE = (
    "pynenc serializes a pydantic model's internal state, including which fields the caller passed "
    "explicitly (__pydantic_fields_set__), so one value built two ways gets two keys",
    "key on plain fields: give the task str/int arguments (e.g. the model's identifying fields) and "
    "name them in key_arguments; building the model one way everywhere is not enough, since the set "
    "of passed fields is also serialized in hash order (a process split)",
)


def advise(defect: KeyDefect) -> Advice:
    """The cause and fix of ``defect``, by its verdict and the family that built its pair."""
    keys = " ".join(side.key for side in defect.sides) + " ".join(defect.seeds.values())
    model = PYDANTIC_STATE in keys
    if defect.verdict == "process-split":
        where = " (here, pydantic's set of explicitly passed fields)" if model else ""
        fix = MODEL_STATE[1].split(";")[0] if model else "pass a sorted tuple instead of a set, anywhere in the value"
        return Advice(f"the key contains a set serialized in iteration order, which depends on the process's "
                      f"hash seed{where}", fix, "PYN-003")  # fmt: skip
    if defect.verdict == "collapsed":
        return Advice("pynenc serializes both values alike: it cannot read what tells them apart",
                      "key on a value whose serialization shows what differs: plain fields (str, int) or a "
                      "dataclass of plain fields", "PYN-004")  # fmt: skip
    if defect.verdict == "cannot-serialize":
        return Advice("pynenc cannot read this value's state, so it keys it as null (or fails)",
                      "key on a value pynenc can serialize: plain fields (str, int) or a dataclass of plain fields",
                      "PYN-004")  # fmt: skip
    if not _equal_in_python([side.value for side in defect.sides]):  # one only through the team's normaliser
        name = defect.normaliser or "your normaliser"
        return Advice(f"your normaliser {name} maps both values to one, so your code treats them as one "
                      f"{defect.target.argument}; pynenc keys the raw value, so they get two keys",
                      f"pass the canonical value at every call site ({defect.target.task}("
                      f"{defect.target.argument}={name}({defect.target.argument}))); {NORMALISER_NOTE}")  # fmt: skip
    family = defect.family.removeprefix("other:")
    cause, fix = MODEL_STATE if model else SPLIT_BY_PATH.get(PATH_OF_CLASS.get(family, family), BUILT_TWO_WAYS)
    return Advice(cause, fix.format(type=type(defect.sides[0].value).__name__), "PYN-002")


def _equal_in_python(values: list[object]) -> bool:
    try:
        return all(values[0] == v for v in values[1:])
    except Exception:  # noqa: BLE001 - values that cannot be compared are not equal
        return False
