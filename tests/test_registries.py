"""The rule and engine registries: what they do not know is an error, never a silent skip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pynenc_suite import invariants
from pynenc_suite.engines.plugins import unusable_reason
from pynenc_suite.engines.registry import ENGINES, EngineError, engine_for_tier, get
from pynenc_suite.history.model import History, Violation
from pynenc_suite.invariants.adjudication import decided
from pynenc_suite.invariants.rule import UnknownRule, always, rule


def test_every_rule_module_is_registered_with_a_checker_its_policies_and_an_adjudication() -> None:
    modules = {p.stem for p in Path(invariants.__file__).parent.glob("*.py")} - {"__init__", "rule", "adjudication"}
    registered = {r.check.__module__.rsplit(".", 1)[-1] for r in invariants.RULES.values()}
    assert registered == modules
    assert all(callable(r.applies_to) and callable(r.adjudicate) for r in invariants.RULES.values())


def test_an_unknown_rule_is_an_error_to_the_gate_and_to_real_time() -> None:
    with pytest.raises(UnknownRule):
        invariants.check("no-such-rule", History())
    with pytest.raises(UnknownRule):
        invariants.adjudicate(History(), [Violation("no-such-rule", "made up")])


def test_a_rule_name_registers_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        rule("no-overlap", applies_to=always, adjudicate=decided)(lambda history: [])


def test_each_tier_gets_only_an_engine_that_can_serve_it() -> None:
    assert engine_for_tier(None, "gate").name == "memory"
    assert engine_for_tier(None, "realtime").name == "sqlite"
    with pytest.raises(EngineError, match="keeps its state in one process"):
        engine_for_tier("memory", "realtime")
    reason = unusable_reason("redis")
    if reason is None:  # pynenc-redis runs with this pynenc: the gate and the explorer start their own redis-server
        assert engine_for_tier("redis", "gate").name == "redis"
    else:  # pynenc-redis missing, or abstract against this pynenc (PYN-010): said before anything runs
        with pytest.raises(EngineError, match=re.escape(reason)):
            engine_for_tier("redis", "gate")
    with pytest.raises(EngineError, match="unknown engine"):
        get("postgres")


def test_engines_point_every_component_at_fresh_state(tmp_path: Path) -> None:
    for engine in ENGINES.values():
        first, second = (
            engine.config(tmp_path, 1, "redis://127.0.0.1:1"),
            engine.config(tmp_path, 2, "redis://127.0.0.1:1"),
        )
        assert {k for k in first if k.endswith("_cls")} == {
            "orchestrator_cls",
            "broker_cls",
            "state_backend_cls",
            "client_data_store_cls",
            "trigger_cls",
        }
        assert engine.name == "memory" or first != second  # a new run never sees another run's state
    assert [e.name for e in ENGINES.values() if e.drops_connections] == ["redis"]
