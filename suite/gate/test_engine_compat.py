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


def _broker_of(engine: str, url: str) -> object:
    """Building the broker connects to nothing; it only has to be a concrete class."""
    config = get(engine).config(Path("."), 1, url)
    return Pynenc(config_values={"app_id": f"pynenc_suite_engine_compat_{engine}", **config}).broker


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.mark.skipif(not _installed("pynenc_redis"), reason="pynenc-redis is not installed")
@pytest.mark.pynenc_finding("PYN-010", raises=TypeError,
                            condition=_installed("pynenc_redis") and _broken_pair("pynenc-redis", (0, 3, 0)))  # fmt: skip
def test_pynenc_redis_broker_can_be_built_with_this_pynenc() -> None:
    assert _broker_of("redis", "redis://127.0.0.1:9") is not None


@pytest.mark.skipif(not _installed("pynenc_rabbitmq"), reason="pynenc-rabbitmq is not installed")
@pytest.mark.pynenc_finding("PYN-017", raises=TypeError,
                            condition=_installed("pynenc_rabbitmq") and _broken_pair("pynenc-rabbitmq", (0, 1, 6)))  # fmt: skip
def test_pynenc_rabbitmq_broker_can_be_built_with_this_pynenc() -> None:
    assert _broker_of("rabbitmq", "amqp://127.0.0.1:9") is not None
