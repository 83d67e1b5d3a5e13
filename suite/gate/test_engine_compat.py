"""Can the installed backend plugins be used with the installed pynenc at all?

pynenc-redis 0.3.0 declares ``pynenc>=0.3.0`` and pynenc-rabbitmq 0.1.6
``pynenc>=0.1.0``, but both were written against pynenc 0.3: with pynenc 0.4.0
their brokers miss methods pynenc 0.4 made abstract, so an app configured for
them fails at its first enqueue (PYN-010 and PYN-017 in FINDINGS.md).  Each test
is a strict xfail while that holds, and flags the day a release fixes it (then
lift the pin on pynenc in tox's environments for that engine).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import pytest
from pynenc import Pynenc

from pynenc_suite.engines.registry import get


def _release(distribution: str) -> tuple[int, ...]:
    return tuple(int(p) for p in importlib.metadata.version(distribution).split(".")[:3])


def _broken_pair(distribution: str, newest_broken: tuple[int, ...]) -> bool:
    """pynenc 0.4 or later with a plugin release up to the newest one known to lack pynenc 0.4's broker methods."""
    return _release("pynenc")[:2] >= (0, 4) and _release(distribution) <= newest_broken


def _plugin(engine: str, module: str, distribution: str, finding: str, newest_broken: tuple[int, ...]) -> object:
    if importlib.util.find_spec(module) is None:
        return pytest.param(engine, id=engine, marks=pytest.mark.skip(reason=f"{distribution} is not installed"))
    broken = _broken_pair(distribution, newest_broken)
    return pytest.param(engine, id=engine, marks=pytest.mark.pynenc_finding(finding, raises=TypeError, condition=broken))


@pytest.mark.parametrize("engine", [
    _plugin("redis", "pynenc_redis", "pynenc-redis", "PYN-010", (0, 3, 0)),
    _plugin("rabbitmq", "pynenc_rabbitmq", "pynenc-rabbitmq", "PYN-017", (0, 1, 6)),
])  # fmt: skip
def test_the_plugins_broker_can_be_built_with_this_pynenc(engine: str) -> None:
    """Building the broker connects to nothing; it only has to be a concrete class."""
    config = get(engine).config(Path("."), 1, "redis://127.0.0.1:9" if engine == "redis" else "amqp://127.0.0.1:9")
    app = Pynenc(config_values={"app_id": f"pynenc_suite_engine_compat_{engine}", **config})
    assert app.broker is not None
