"""Whether an engine's pynenc plugin can run with the installed pynenc at all.

pynenc-redis 0.3.0 declares ``pynenc>=0.3.0`` and pynenc-rabbitmq 0.1.6 ``pynenc>=0.1.0``,
but their brokers miss methods pynenc 0.4 made abstract (PYN-010, PYN-017): an app on
them fails at its first enqueue.  A tier asked to run on such a pair stops first with
one line that says what to install.
"""

from __future__ import annotations

import inspect
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

PLUGIN_BROKERS = {  # engine: (distribution, broker module, broker class, the finding of its abstract broker, tox env)
    "redis": ("pynenc-redis", "pynenc_redis.broker.redis_broker", "RedisBroker", "PYN-010", "explore-redis"),
    "rabbitmq": ("pynenc-rabbitmq", "pynenc_rabbitmq.broker", "RabbitMqBroker", "PYN-017", "gate-rabbitmq"),
}


def unusable_reason(engine: str) -> str | None:
    """Why ``engine``'s plugin cannot run here (not installed, or abstract against this pynenc); None if it can."""
    if engine not in PLUGIN_BROKERS:
        return None
    distribution, module, name, finding, environment = PLUGIN_BROKERS[engine]
    try:
        broker = getattr(import_module(module), name)
    except ImportError:
        return f"engine {engine!r} needs {distribution}: pip install pynenc-suite[{engine}]"
    missing = sorted(getattr(broker, "__abstractmethods__", ()))
    if inspect.isabstract(broker) and missing:
        try:
            plugin = version(distribution)
        except PackageNotFoundError:  # importable from a folder on the path, not installed
            plugin = "(uninstalled)"
        return (
            f"{distribution} {plugin} cannot run with pynenc {version('pynenc')}: its {name} lacks "
            f"{', '.join(missing)} ({finding}); install a pynenc it supports (pynenc<0.4), as tox -e {environment} does"
        )
    return None
