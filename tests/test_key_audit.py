"""The key audit's rule can fail: split, collapsed and unserializable keys are flagged; good ones pass."""

from __future__ import annotations

import pytest

from pynenc_suite.apps.target import Target, TargetError, load_normalisers
from pynenc_suite.drivers.keys.audit import KeyedArgument, add_process_keys, audit, key_verdict
from pynenc_suite.history.model import Mode
from pynenc_suite.strategies.equal_keys import BY_NAME, Opaque

ACCOUNT = KeyedArgument("call_keyed", "account_id", Mode.KEYS)


def test_equal_values_with_two_keys_are_a_split(target: Target) -> None:
    assert key_verdict(target.tasks["call_keyed"], ACCOUNT, (1, 1.0), None) == "split"


def test_equal_values_with_one_key_pass(target: Target) -> None:
    assert key_verdict(target.tasks["call_keyed"], ACCOUNT, ("acct-7", "acct-7"), None) == "one-key"


def test_distinct_values_with_one_key_are_collapsed(target: Target) -> None:
    assert key_verdict(target.tasks["call_keyed"], ACCOUNT, (object(), object()), None) == "collapsed"


def test_a_value_serialized_as_null_cannot_be_keyed(target: Target) -> None:
    assert key_verdict(target.tasks["call_keyed"], ACCOUNT, (Opaque(1), Opaque(2)), None) == "cannot-serialize"


def test_distinct_values_with_distinct_keys_pass(target: Target) -> None:
    assert key_verdict(target.tasks["call_keyed"], ACCOUNT, (42, "42"), None) == "distinct-keys"


def test_user_normaliser_turns_different_spellings_into_one_account(target: Target) -> None:
    normalisers = load_normalisers("tests.apps.normalisers:NORMALISERS")
    row = audit(target.tasks["call_keyed"], ACCOUNT, BY_NAME["unicode-nfc-nfd"], normalisers)
    assert row.verdict == "split"  # the user says one account; pynenc keys NFC and NFD apart
    assert audit(target.tasks["call_keyed"], ACCOUNT, BY_NAME["unicode-nfc-nfd"]).verdict == "distinct-keys"


def test_set_keys_differ_across_hash_seeds(target: Target) -> None:
    row = audit(target.tasks["call_keyed"], ACCOUNT, BY_NAME["set-order"])
    add_process_keys(target.spec, [row])
    assert row.process_stable is False and len(row.process_keys) == 3


def test_int_keys_are_stable_across_hash_seeds(target: Target) -> None:
    row = audit(target.tasks["call_keyed"], ACCOUNT, BY_NAME["int-str"])
    add_process_keys(target.spec, [row])
    assert row.process_stable is True


@pytest.mark.parametrize("spec", ["tests.apps.normalisers:NOT_A_DICT", "tests.apps.normalisers:MISSING", "nocolon"])
def test_bad_normalisers_are_one_clear_message(spec: str) -> None:
    with pytest.raises(TargetError, match="key normalisers "):
        load_normalisers(spec)


def test_an_app_configured_for_redis_is_audited_on_the_suites_engine() -> None:
    """A str subclass's key goes through the client data store; for an app configured for Redis that would be a
    connection to its Redis (and a false 'cannot-serialize'): the audit keys on the gate's engine instead."""
    from pynenc_suite.apps.target import load
    from pynenc_suite.drivers.keys.app_audit import audit_app

    result = audit_app(load("tests.apps.redis_configured:app"))
    rows = result.classes[("charge", "account_id", Mode.KEYS)]
    assert not result.equality[("charge", "account_id", Mode.KEYS)].defects
    assert rows["str-subclass"].verdict == "split", rows["str-subclass"].describe()
    assert all("ConnectionError" not in row.describe() for row in rows.values())
    assert all(row.process_stable for row in rows.values())
