"""Key identity is decided from Python values, not from pynenc's serialization."""

from __future__ import annotations

from pynenc_suite.history.model import Mode
from pynenc_suite.recorder.keys import KeyIdentity


def test_equal_values_share_an_identity_even_when_types_differ() -> None:
    keys = KeyIdentity()
    assert (
        keys.identity("t", Mode.KEYS, (1,))
        == keys.identity("t", Mode.KEYS, (1.0,))
        == keys.identity("t", Mode.KEYS, (True,))
    )
    assert keys.identity("t", Mode.KEYS, (1,)) != keys.identity("t", Mode.KEYS, ("1",))


def test_unhashable_values_are_compared_by_equality() -> None:
    keys = KeyIdentity()
    assert keys.identity("t", Mode.ARGUMENTS, {"a": [1, 2], "b": {"x": 1}}) == keys.identity(
        "t", Mode.ARGUMENTS, {"b": {"x": 1}, "a": [1, 2]}
    )


def test_a_user_normaliser_declares_equivalence() -> None:
    keys = KeyIdentity(normalisers={"t": {"name": str.lower}})
    acme = keys.ref("t", Mode.KEYS, ("name",), {"name": "ACME", "op": 1}, None)
    lower = keys.ref("t", Mode.KEYS, ("name",), {"name": "acme", "op": 2}, None)
    other = keys.ref("t", Mode.KEYS, ("name",), {"name": "Initech", "op": 1}, None)
    assert acme.identity == lower.identity != other.identity
    assert acme.value == "('ACME',)"  # the report shows what was passed, not the normalised value


def test_identities_are_per_task() -> None:
    keys = KeyIdentity()
    assert keys.identity("a", Mode.KEYS, (1,)) != keys.identity("b", Mode.KEYS, (1,))
